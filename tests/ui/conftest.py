"""pytest-qt fixtures: the real main window, offscreen, and a check for leftover threads."""

from __future__ import annotations

import threading
import traceback
from weakref import WeakKeyDictionary

import pytest

pytest.importorskip("PySide6")


@pytest.fixture(autouse=True)
def _dangling_threads(monkeypatch: pytest.MonkeyPatch, qapp):
    """Fail a test that leaves a QThread, a pool thread or a Python thread running
    (after napari's ``_dangling_qthreads``)."""
    from PySide6.QtCore import QThread, QThreadPool

    started: WeakKeyDictionary = WeakKeyDictionary()
    original_start = QThread.start

    def recording_start(self, *args):
        started[self] = "".join(traceback.format_stack(limit=12))
        original_start(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    before = set(threading.enumerate())
    yield
    for _ in range(50):  # threads that were told to stop get a moment to end
        qapp.processEvents()
        alive = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        qthreads = [t for t in started if t.isRunning()]
        if not alive and not qthreads:
            break
        threading.Event().wait(0.05)
    pool_busy = QThreadPool.globalInstance().activeThreadCount()
    problems = [f"Python thread {t.name!r} still running" for t in alive]
    problems += [
        f"QThread still running, started at:\n{stack}"
        for t, stack in started.items()
        if t.isRunning()
    ]
    if pool_busy:
        problems.append(f"{pool_busy} global thread-pool threads still busy")
    assert not problems, "\n".join(problems)


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
