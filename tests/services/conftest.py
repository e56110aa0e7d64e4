"""Shared builds for the campaign tests: a small demo workspace and a tiny copy model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tiny_copy import demo_template, register_as_default, tiny_copy_model_dir

from studio.storage.workspace import Workspace


@pytest.fixture
def demo_ws(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path):
    """A copy of the demo workspace (with segments) for one test."""
    path = tmp_path / "demo"
    shutil.copytree(demo_template(tmp_path_factory), path)
    ws = Workspace.open(path)
    yield ws
    ws.close()


@pytest.fixture
def tiny_copy_model(tmp_path_factory: pytest.TempPathFactory):
    """The tiny LM registered as this test's default copy model."""
    from generators.registry import model_cache

    model_id = register_as_default(tiny_copy_model_dir(tmp_path_factory))
    yield model_id
    model_cache.release(model_id)
