"""A small demo workspace with segments, built once per module and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studio.storage.workspace import Workspace


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from studio.data.demo import create_demo_workspace
    from studio.data.segmentation import run_segmentation

    path = tmp_path_factory.mktemp("demo-template") / "ws"
    with create_demo_workspace(path, seed=7, n_customers=300) as ws:
        run_segmentation(ws, seed=0)
    return path


@pytest.fixture
def demo_ws(demo_template: Path, tmp_path: Path):
    path = tmp_path / "demo"
    shutil.copytree(demo_template, path)
    ws = Workspace.open(path)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def tiny_copy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_copy import build_tiny_copy_model

    return build_tiny_copy_model(tmp_path_factory.mktemp("tiny-copy") / "model")


@pytest.fixture
def tiny_copy_model(tiny_copy_dir: Path):
    """The tiny LM registered as this test's default copy model."""
    from tiny_copy import register_as_default

    from generators.registry import model_cache

    model_id = register_as_default(tiny_copy_dir)
    yield model_id
    model_cache.release(model_id)
