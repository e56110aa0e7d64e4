"""The desktop app's entry point (``studio app`` and ``studio`` with no command)."""

from __future__ import annotations

from pathlib import Path


def run_app(workspace: Path | None = None) -> int:
    """Open the main window on ``workspace``, else the last workspace, else the demo.

    Returns the exit code of the Qt event loop. Qt is imported here, not at module
    level, so the command line starts without it.
    """
    from studio.ui.application import run

    return run(workspace)
