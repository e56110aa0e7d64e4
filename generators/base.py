"""What every generator shares: progress reporting, cooperative cancel, provenance.

Generators are plain Python: they receive a :class:`ProgressSink` and a
:class:`CancelToken`, never touch Qt, and return results that carry their
:class:`Provenance`. The GUI adapts the sink to Qt signals; the CLI to a progress bar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from studio.core.errors import Cancelled

__all__ = [
    "CancelToken",
    "Cancelled",
    "GeneratorResult",
    "ProgressEvent",
    "ProgressSink",
    "Provenance",
]


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


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Provenance:
    """How an output was made, enough to reproduce it and to label it AI-generated."""

    generator: str
    model_id: str | None = None
    model_revision: str | None = None
    seed: int | None = None
    prompt: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=utcnow_iso)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class GeneratorResult:
    provenance: Provenance
