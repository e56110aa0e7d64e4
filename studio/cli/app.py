"""``studio app [WORKSPACE]``: open the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def register(group: click.Group) -> None:
    @group.command("app")
    @click.argument("workspace", required=False, type=click.Path(file_okay=False, path_type=Path))
    def app_command(workspace: Path | None) -> None:
        """Open the desktop app on WORKSPACE (default: the last one used, else the demo)."""
        from studio.app import run_app

        code = run_app(workspace)
        if code:
            sys.exit(code)
