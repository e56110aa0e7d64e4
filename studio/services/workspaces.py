"""Workspaces and the files the studio writes for the app and the CLI: opening, creating
and removing a workspace, what a killed process left behind, and output files that never
replace a file the studio did not write."""

from __future__ import annotations

from studio.storage.leftovers import find_leftovers, remove_leftovers
from studio.storage.outputs import check_destination, write_image, write_output
from studio.storage.workspace import DB_NAME, Workspace, remove_workspace

__all__ = [
    "DB_NAME",
    "Workspace",
    "check_destination",
    "find_leftovers",
    "remove_leftovers",
    "remove_workspace",
    "write_image",
    "write_output",
]
