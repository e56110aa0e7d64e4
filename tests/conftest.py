"""Fixtures shared by every test: an isolated app home, offline model hubs, workspaces
(empty, or a copy of the small demo shop) and the tiny copy model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests never reach a model hub; everything they load is built locally or shipped.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def derived_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of converted model weights for the whole run: converting a GGUF file
    takes up to a minute, and every test's fresh app home would otherwise repeat it."""
    folder = tmp_path_factory.mktemp("derived-models")
    os.environ["STUDIO_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(autouse=True)
def studio_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point settings, logs and the model cache at a fresh folder for each test."""
    home = tmp_path_factory.mktemp("studio-home")
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Estimates in tests are an idle machine's: the test run's own processes must not
    change what a test compares (tests of contention set their own)."""
    monkeypatch.setattr("studio.services.planning.current_contention", lambda: 1.0)
    monkeypatch.setattr("studio.core.machine_load.LoadMeter.contention", lambda *_, **__: 1.0)


@pytest.fixture
def demo_ws(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path):
    """A copy of the small demo workspace (with segments) for one test."""
    import shutil

    from tiny_copy import demo_template

    from studio.storage.workspace import Workspace

    path = tmp_path / "demo"
    shutil.copytree(demo_template(tmp_path_factory), path)
    ws = Workspace.open(path)
    yield ws
    ws.close()


@pytest.fixture
def tiny_copy_model(tmp_path_factory: pytest.TempPathFactory):
    """The tiny LM registered as this test's default copy model."""
    from tiny_copy import register_as_default, tiny_copy_model_dir

    from generators.registry import model_cache

    model_id = register_as_default(tiny_copy_model_dir(tmp_path_factory))
    yield model_id
    model_cache.release(model_id)


@pytest.fixture
def workspace(tmp_path: Path):
    """A new, empty workspace on disk."""
    from studio.storage.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def demo_shop(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path):
    """A copy of the demo workspace's folder, with the tiny LM as the default copy model."""
    import shutil

    from tiny_copy import demo_template, register_as_default, tiny_copy_model_dir

    from generators.registry import model_cache

    register_as_default(tiny_copy_model_dir(tmp_path_factory))
    path = tmp_path / "shop"
    shutil.copytree(demo_template(tmp_path_factory), path)
    yield path
    model_cache.release()
