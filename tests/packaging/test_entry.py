"""The packaged app's entry point: a workspace opened from a file manager."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[2] / "packaging" / "entry.py"


def _entry_module():
    spec = importlib.util.spec_from_file_location("packaged_entry", ENTRY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the module runs main() only as __main__
    return module


def test_a_workspace_database_opens_its_folder(tmp_path: Path) -> None:
    entry = _entry_module()
    database = tmp_path / "Shop" / "workspace.db"
    assert entry.opened_workspace(["app", str(database)]) == ["app", str(tmp_path / "Shop")]


def test_other_arguments_pass_unchanged(tmp_path: Path) -> None:
    entry = _entry_module()
    for argv in ([], ["app"], ["app", str(tmp_path)], ["--self-test", "--json"], ["demo", "x"]):
        assert entry.opened_workspace(list(argv)) == list(argv)
