"""The Qt adapter for the job worker: JobEvents in, queued and throttled signals out.

The worker calls :meth:`JobBridge.listener` on its own thread. Lifecycle events
(started, finished, failed, cancelled) are forwarded at once; progress, preview images
and streamed text are folded into a per-job :class:`LiveJob` under a lock and announced
at most every :data:`~studio.ui.tasks.PROGRESS_INTERVAL` seconds per job, so a fast
generator cannot flood the GUI thread. Signals cross threads as queued connections.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage

from studio.services.jobs import JobEvent
from studio.ui.tasks import Throttle

PREVIEW_MAX_SIDE = 320
LIFECYCLE = ("started", "finished", "failed", "cancelled", "interrupted")


def pil_to_qimage(image, max_side: int | None = PREVIEW_MAX_SIDE) -> QImage:
    """A detached QImage copy of a PIL image (safe to build off the GUI thread)."""
    image = image.convert("RGBA")
    if max_side:
        image.thumbnail((max_side, max_side))
    data = image.tobytes("raw", "RGBA")  # kept alive until the copy below is made
    qimage = QImage(data, image.width, image.height, 4 * image.width, QImage.Format.Format_RGBA8888)
    return qimage.copy()


#: the share of its expected time a job past it is still thought to need (an estimate of
#: "0 s" for a job at 0 % would be a promise nothing keeps)
OVERDUE_SHARE = 0.25


@dataclass
class LiveJob:
    """What the GUI shows of a running job between database writes."""

    job_id: int
    kind: str = ""
    fraction: float | None = None
    message: str = ""
    preview: QImage | None = None
    text: str = ""
    text_status: str = ""
    started: float = field(default_factory=time.monotonic)

    def eta_seconds(self, expected: float) -> float:
        """Seconds left, for a job ``expected`` to take that long in all.

        Early on, progress says little (a model loads before the first step), so the
        estimate moves from the expected time left towards the one the progress rate
        gives, in proportion to the progress made: it never jumps when progress starts.
        """
        elapsed = time.monotonic() - self.started
        # a job past its expected time is not done: it has at least a share of it left
        by_expectation = max(expected - elapsed, OVERDUE_SHARE * expected)
        fraction = min(max(self.fraction or 0.0, 0.0), 1.0)
        if fraction <= 0.0:
            return by_expectation
        by_rate = elapsed * (1 - fraction) / fraction
        return (1 - fraction) * by_expectation + fraction * by_rate


class JobBridge(QObject):
    #: a job started, finished, failed or was cancelled (the JobEvent)
    lifecycle = Signal(object)
    #: a running job's LiveJob changed (its id)
    live_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._live: dict[int, LiveJob] = {}
        self._throttles: dict[int, Throttle] = {}
        self.events_received = 0
        self.signals_sent = 0

    def live(self, job_id: int) -> LiveJob | None:
        with self._lock:
            return self._live.get(job_id)

    def listener(self, event: JobEvent) -> None:
        """Called on the worker thread for every event."""
        self.events_received += 1
        if event.kind in LIFECYCLE:
            with self._lock:
                if event.kind == "started":
                    self._live[event.job_id] = LiveJob(event.job_id, event.job_kind, 0.0, "Started")
                    self._throttles[event.job_id] = Throttle()
                elif event.job_id in self._live:
                    # the text stays for the queue to show; previews are let go
                    self._live[event.job_id].preview = None
                    self._live[event.job_id].fraction = 1.0 if event.kind == "finished" else None
                    self._throttles.pop(event.job_id, None)
            self.signals_sent += 1
            self.lifecycle.emit(event)
            return
        preview = pil_to_qimage(event.preview) if event.preview is not None else None
        with self._lock:
            live = self._live.setdefault(event.job_id, LiveJob(event.job_id, event.job_kind))
            if event.fraction is not None:
                live.fraction = event.fraction
            if event.message:
                live.message = event.message
            if preview is not None:
                live.preview = preview
            if event.text is not None:
                # text arrives as deltas; a new status starts a new field or candidate
                if event.message != live.text_status:
                    live.text_status = event.message
                    prefix = "\n" if live.text else ""
                    live.text += f"{prefix}{event.message}: " if event.message else prefix
                live.text += event.text
            throttle = self._throttles.setdefault(event.job_id, Throttle())
            due = throttle.ready()
        if due:
            self.signals_sent += 1
            self.live_changed.emit(event.job_id)

    def connect_gui(self, on_lifecycle, on_live) -> None:
        self.lifecycle.connect(on_lifecycle, Qt.ConnectionType.QueuedConnection)
        self.live_changed.connect(on_live, Qt.ConnectionType.QueuedConnection)
