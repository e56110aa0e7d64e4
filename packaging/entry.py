"""Entry point of the packaged app: the same `studio` command as the pip install."""

import multiprocessing
import sys
from pathlib import Path

from studio.cli import main
from studio.storage.workspace import DB_NAME


def opened_workspace(argv: list[str]) -> list[str]:
    """File managers open a workspace through its database file; the app takes its folder."""
    if len(argv) == 2 and argv[0] == "app" and Path(argv[1]).name == DB_NAME:
        return ["app", str(Path(argv[1]).parent)]
    return argv


if __name__ == "__main__":
    multiprocessing.freeze_support()  # sklearn/joblib workers in a frozen Windows build
    main(opened_workspace(sys.argv[1:]))
