"""What every generator returns: its outputs with their :class:`Provenance`.

Generators are plain Python: they receive a :class:`~studio.core.progress.ProgressSink`
and a :class:`~studio.core.progress.CancelToken`, never touch Qt, and return results that
carry their provenance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["GeneratorResult", "Provenance"]


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
