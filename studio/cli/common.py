"""Helpers shared by the CLI command modules: workspace argument, --json, progress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from studio.services.workspaces import Workspace

console = Console(stderr=True)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts)."
)
workspace_argument = click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print ``data`` as JSON on stdout, or hand it to ``render`` for people."""
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        render(data)


@contextmanager
def opened(path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(path)
    try:
        yield workspace
    finally:
        workspace.close()


@contextmanager
def progress(enabled: bool = True) -> Iterator[Callable[[str, float | None], None]]:
    """A progress bar on stderr; yields ``update(description, fraction)``.

    Disabled (a no-op) for ``--json`` output so scripts get clean stdout and stderr.
    """
    if not enabled:
        yield lambda description, fraction=None: None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Starting", total=1.0)

        def update(description: str, fraction: float | None = None) -> None:
            bar.update(task, description=description, completed=fraction or 0.0)

        yield update


def note_neutral_kit(ws: Workspace, quiet: bool = False) -> None:
    """Say (on stderr) that creatives use the neutral kit, while the shop has none."""
    from studio.services.brand_kits import NEUTRAL_KIT_NOTE, uses_neutral_kit

    if not quiet and uses_neutral_kit(ws):
        click.echo(f"Note: {NEUTRAL_KIT_NOTE}", err=True)
