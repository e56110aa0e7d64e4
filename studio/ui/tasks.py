"""Heavy I/O off the GUI thread: import, segmentation, export, downloads.

A :class:`TaskRunner` runs plain functions ``fn(sink, cancel)`` on its own
:class:`QThreadPool` (Anki's ``QueryOp(...).with_progress().run_in_background()``).
Functions never touch Qt: they report through a :class:`ProgressSink` and check a
:class:`CancelToken`; the runner turns that into queued, throttled signals on the GUI
thread. Closing the window cancels every task and waits for the pool, so no thread is
left running.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from studio.core.progress import CancelToken, ProgressEvent, ProgressSink

log = logging.getLogger(__name__)

#: the GUI redraws progress at most this often per task (seconds)
PROGRESS_INTERVAL = 0.1


class Throttle:
    """Lets an update through when enough time has passed or when it is the last one."""

    def __init__(self, interval: float = PROGRESS_INTERVAL) -> None:
        self.interval = interval
        self._last = 0.0

    def ready(self, *, force: bool = False) -> bool:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False


class Task(QObject):
    """One background call. Signals arrive on the GUI thread (queued connections)."""

    progress = Signal(str, float)  # status, fraction (-1 when unknown)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    ended = Signal()  # after any of the three above

    def __init__(self, label: str, parent: QObject | None = None, *, ask: bool = True) -> None:
        super().__init__(parent)
        self.label = label
        #: closing the window asks before stopping this task (not for quick look-ups)
        self.ask_before_closing = ask
        self.cancel_token = CancelToken()
        self.status = "queued"
        self.fraction: float | None = None
        self.message = ""

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")


class _Runnable(QRunnable):
    def __init__(self, task: Task, fn: Callable[[ProgressSink, CancelToken], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.task = task
        self.fn = fn

    def run(self) -> None:
        from studio.core.errors import Cancelled

        task = self.task
        throttle = Throttle()

        def forward(event: ProgressEvent) -> None:
            final = event.fraction is not None and event.fraction >= 1.0
            if throttle.ready(force=final):
                fraction = -1.0 if event.fraction is None else float(event.fraction)
                task.progress.emit(event.status, fraction)

        task.status = "running"
        try:
            task.cancel_token.raise_if_cancelled()
            result = self.fn(ProgressSink(forward), task.cancel_token)
        except Cancelled:
            task.status = "cancelled"
            task.cancelled.emit()
        except BaseException as error:
            task.status = "failed"
            task.failed.emit(error)
        else:
            task.status = "done"
            task.succeeded.emit(result)
        task.ended.emit()


class TaskRunner(QObject):
    """Runs tasks on a private pool; knows what is running so it can cancel and wait."""

    task_started = Signal(object)
    task_ended = Signal(object)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.tasks: list[Task] = []

    def run(
        self,
        label: str,
        fn: Callable[[ProgressSink, CancelToken], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[str, float], None] | None = None,
        ask_before_closing: bool = True,
    ) -> Task:
        task = Task(label, self, ask=ask_before_closing)
        if on_success:
            task.succeeded.connect(on_success)
        if on_failure:
            task.failed.connect(on_failure)
        if on_progress:
            task.progress.connect(on_progress)
        task.ended.connect(lambda: self._forget(task))
        self.tasks.append(task)
        self.task_started.emit(task)
        log.info("task started: %s", label)
        self.pool.start(_Runnable(task, fn))
        return task

    def _forget(self, task: Task) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        log.info("task %s: %s", task.status, task.label)
        self.task_ended.emit(task)

    def active(self) -> list[Task]:
        return [t for t in self.tasks if t.running]

    def cancel_all(self) -> None:
        for task in self.tasks:
            task.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel everything and wait for the pool's threads to finish."""
        self.cancel_all()
        done = self.pool.waitForDone(timeout_ms)
        self.pool.clear()
        return done
