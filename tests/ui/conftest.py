"""pytest-qt fixtures: the real main window, offscreen, and a check for leftover threads."""

from __future__ import annotations

import threading
import traceback
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest

pytest.importorskip("PySide6")


#: threads libraries start once and keep for the life of the process
LIBRARY_THREADS = {"tqdm_monitor"}


@pytest.fixture(autouse=True)
def _dangling_threads(monkeypatch: pytest.MonkeyPatch, qapp):
    """Fail a test that leaves a QThread, a thread-pool job or a Python thread running
    (after napari's ``_dangling_qthreads`` and ``_dangling_qthread_pool``)."""
    from PySide6.QtCore import QThread, QThreadPool

    started: WeakKeyDictionary = WeakKeyDictionary()
    pools: WeakKeyDictionary = WeakKeyDictionary()
    original_start = QThread.start
    original_pool_start = QThreadPool.start

    def recording_start(self, *args):
        started[self] = "".join(traceback.format_stack(limit=12))
        original_start(self, *args)

    def recording_pool_start(self, *args):
        pools[self] = "".join(traceback.format_stack(limit=12))
        original_pool_start(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    monkeypatch.setattr(QThreadPool, "start", recording_pool_start)
    before = set(threading.enumerate())

    def leftovers() -> list[str]:
        found = [
            f"Python thread {t.name!r} still running"
            for t in threading.enumerate()
            if t not in before
            and t.is_alive()
            # a foreign (Qt) thread seen from Python: checked through its pool or QThread
            and not isinstance(t, threading._DummyThread)
            and t.name not in LIBRARY_THREADS
        ]
        found += [
            f"QThread still running, started at:\n{stack}"
            for t, stack in list(started.items())
            if t.isRunning()
        ]
        found += [
            f"thread pool still busy, started at:\n{stack}"
            for pool, stack in list(pools.items())
            if _pool_busy(pool)
        ]
        return found

    yield
    problems = leftovers()
    for _ in range(50):  # threads that were told to stop get a moment to end
        if not problems:
            break
        qapp.processEvents()
        threading.Event().wait(0.05)
        problems = leftovers()
    assert not problems, "\n".join(problems)


def _pool_busy(pool) -> bool:
    try:
        return pool.activeThreadCount() > 0
    except RuntimeError:  # the pool's C++ object is gone with its owner
        return False


@pytest.fixture
def window(qtbot, qapp):
    """The real main window, closed (with its threads stopped) after the test."""
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    main = MainWindow()
    main.ask_to_stop = lambda busy: True
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()
    apply_theme(qapp, "system")


DEMO_CUSTOMERS = 300


@pytest.fixture
def demo_customers() -> int:
    return DEMO_CUSTOMERS


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A small demo workspace, built once per run; tests get copies."""
    from studio.data.demo import create_demo_workspace

    path = tmp_path_factory.mktemp("template") / "demo"
    create_demo_workspace(path, n_customers=DEMO_CUSTOMERS).close()
    return path


@pytest.fixture
def demo_path(demo_template, tmp_path):
    import shutil

    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    return target


@pytest.fixture(scope="session")
def tiny_copy_model_dir(tmp_path_factory) -> Path:
    from tiny_copy import tiny_copy_model_dir

    return tiny_copy_model_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def segmented_template(demo_template, tmp_path_factory):
    """The demo template segmented (k=3) with recommendations, built once per run."""
    import shutil

    from studio.data.recommend import compute_recommendations
    from studio.data.segmentation import run_segmentation
    from studio.storage.workspace import Workspace

    path = tmp_path_factory.mktemp("segmented") / "demo"
    shutil.copytree(demo_template, path)
    with Workspace.open(path) as ws:
        compute_recommendations(ws, run_segmentation(ws, k=3, seed=0))
    return path


@pytest.fixture
def segmented_path(segmented_template, tmp_path):
    import shutil

    target = tmp_path / "segmented"
    shutil.copytree(segmented_template, target)
    return target
