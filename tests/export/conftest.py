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
