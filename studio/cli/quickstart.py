"""``studio quickstart``: the whole main job in one command, headless, on embedded defaults.

demo workspace → segments → recommendations → a campaign for the top segments and their
top products → copy, visuals, creatives, GAN variants → approval of what passes every
check → bundle. The work itself is :mod:`studio.services.quickstart`; this parses and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from studio.cli.campaign import report_problem
from studio.cli.common import console, emit, json_option, progress
from studio.core.channels import channel_formats
from studio.core.paths import default_workspaces_dir
from studio.core.settings import load_settings, save_settings
from studio.services.quickstart import (
    DEFAULT_FORMATS,
    QuickstartOptions,
    format_duration,
    quickstart,
)

#: the folder the desktop app's "Open demo workspace" uses too
DEMO_FOLDER = "Demo workspace"


def default_demo_path() -> Path:
    settings = load_settings()
    root = Path(settings.workspaces_dir) if settings.workspaces_dir else default_workspaces_dir()
    return root / DEMO_FOLDER


def register(group: click.Group) -> None:
    group.add_command(quickstart_command)


@click.command("quickstart")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Workspace folder; created with the demo data when missing "
    f"[default: '{DEMO_FOLDER}' in your workspaces folder].",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the bundle [default: WORKSPACE/exports/campaign-ID.zip].",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace a file at --out that the studio did not write."
)
@click.option("--segments", default=2, show_default=True, help="How many top segments.")
@click.option("--products", default=1, show_default=True, help="Top products per segment.")
@click.option(
    "--formats",
    default=",".join(DEFAULT_FORMATS),
    show_default=True,
    help=f"Channel formats, comma-separated: {', '.join(sorted(channel_formats()))}.",
)
@click.option("--variants", default=1, show_default=True, help="GAN variants per creative.")
@click.option("--candidates", default=1, show_default=True, help="Copy candidates kept per field.")
@click.option(
    "--demo-customers",
    default=5000,
    show_default=True,
    help="Customers in the demo data, when the workspace is created.",
)
@json_option
def quickstart_command(
    workspace: Path | None,
    out: Path | None,
    segments: int,
    products: int,
    formats: str,
    variants: int,
    candidates: int,
    demo_customers: int,
    overwrite: bool,
    as_json: bool,
) -> None:
    """Do the main job end to end: demo data → segments → campaign → creatives → bundle.

    Uses the embedded models (Gemma 3 270M for copy, the vintage-film GAN for variants) and a
    diffusion model for visuals when one is installed; runs on the CPU when there is no GPU.
    """
    if segments < 1 or products < 1:
        raise click.BadParameter("--segments and --products must be at least 1.")
    options = QuickstartOptions(
        workspace=workspace or default_demo_path(),
        out=out,
        segments=segments,
        products=products,
        formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
        variants=variants,
        copy_candidates=candidates,
        demo_customers=demo_customers,
        overwrite=overwrite,
    )
    say = console.print if not as_json else (lambda *args, **kwargs: None)
    with progress(not as_json) as update:
        summary = quickstart(options, say=say, update=update, on_problem=report_problem)
    settings = load_settings()  # `studio app` opens the last workspace
    settings.remember_workspace(options.workspace)
    save_settings(settings)

    def render(summary: dict[str, Any]) -> None:
        made = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["assets"].items()))
        click.echo(f"Done in {format_duration(summary['seconds'])}: {made}.")
        click.echo(
            f"Copy: {summary['copy_fields_approved']} field(s) approved, "
            f"{summary['copy_fields_for_review']} left for review; "
            f"{summary['approved']} assets approved in all."
        )
        if summary["copy_for_review"]:
            click.echo(
                "Read the copy left for review in the app's Review board, or with "
                f"'studio campaign show {summary['workspace']} {summary['campaign_id']}'."
            )
        click.echo(f"Bundle: {summary['bundle']}")
        click.echo(f"Open the studio on it: studio app {summary['workspace']}")

    emit(summary, as_json, render)
