"""Fixtures for bundle tests: a workspace holding a complete campaign, and its bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundle_factory import build_campaign

from studio.export import export_bundle
from studio.storage.workspace import Workspace


@pytest.fixture
def campaign(workspace: Workspace) -> int:
    return build_campaign(workspace)


@pytest.fixture
def bundle(workspace: Workspace, campaign: int, tmp_path: Path) -> Path:
    out = tmp_path / "bundle.zip"
    export_bundle(workspace, campaign, out)
    return out


def workspace_state(ws: Workspace) -> dict[str, object]:
    """Row counts of every table plus the files in the asset store."""
    tables = [
        r["name"]
        for r in ws.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {t: ws.scalar(f"SELECT count(*) FROM [{t}]") for t in tables}
    files = sorted(str(p.relative_to(ws.path)) for p in (ws.path / "assets").rglob("*"))
    return {"counts": counts, "files": files}
