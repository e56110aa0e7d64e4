"""Progress and cancel, shared by every layer: a long operation (a generator's step, an
import, an export, a segmentation) reports progress to a :class:`ProgressSink` or a
:data:`Progress` callback and checks a :class:`CancelToken` between steps. Qt-free: the GUI
adapts the sink to signals, the CLI to a progress bar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.core.errors import Cancelled

#: ``progress(description, fraction)``: the plain callback of imports, exports and
#: segmentation (fraction in [0, 1], or None when unknown)
Progress = Callable[[str, float | None], None]


class CancelToken:
    """A thread-safe flag that a long operation checks between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class ProgressEvent:
    """One report from a running generator.

    ``fraction`` is in [0, 1] or None when unknown; ``preview`` is a PIL image (a diffusion
    step, a training sample); ``text`` is streamed text (copy tokens) for the field named
    in ``status``.
    """

    status: str = ""
    fraction: float | None = None
    preview: Any = None
    text: str | None = None


class ProgressSink:
    """Receives progress from a generator and forwards it to a callback (or drops it)."""

    def __init__(self, callback: Callable[[ProgressEvent], None] | None = None) -> None:
        self._callback = callback

    def emit(self, event: ProgressEvent) -> None:
        if self._callback is not None:
            self._callback(event)

    def update(
        self,
        status: str = "",
        fraction: float | None = None,
        *,
        preview: Any = None,
        text: str | None = None,
    ) -> None:
        if fraction is not None:
            fraction = min(max(fraction, 0.0), 1.0)
        self.emit(ProgressEvent(status, fraction, preview, text))

    def scaled(self, start: float, end: float) -> ProgressSink:
        """A sink whose fractions map into [start, end] of this one (for sub-steps)."""

        def forward(event: ProgressEvent) -> None:
            fraction = None if event.fraction is None else start + (end - start) * event.fraction
            self.emit(ProgressEvent(event.status, fraction, event.preview, event.text))

        return ProgressSink(forward)
