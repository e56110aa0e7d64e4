"""What each job kind's payload holds, as typed records.

Planning, edits, regeneration and rounds build them; handlers and the progress estimate
read their attributes. The queue stores them as JSON (:meth:`as_dict`); ``after``, the
jobs a job waits for, belongs to the queue and is not part of a payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from studio.core.errors import StudioError

#: kept by the queue beside a payload, never read by a handler; and keys earlier versions
#: wrote that no handler reads (a visual's segment and product, a creative's seed), so
#: jobs queued before an update still run
QUEUE_KEYS = ("after",)
RETIRED_KEYS = ("segment_id", "product_id", "seed")


class _Payload:
    """Shared reading and writing of the records below."""

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> Any:
        """The record of a stored payload; a key the job kind does not know fails the job
        by name (a payload written by a newer studio), never silently."""
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(payload) - known - set(QUEUE_KEYS) - set(RETIRED_KEYS))
        if unknown:
            raise StudioError(
                f"This {cls.__name__.removesuffix('Payload').lower()} job carries settings "
                f"this version does not know: {', '.join(unknown)}.",
                hint="update Campaign Studio, or cancel the job and generate again",
            )
        # JSON gave lists where the record holds tuples
        return cls(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in payload.items() if k in known}
        )

    def units(self, images: int) -> int:
        """Units of work, as the planner counts them: one, unless a kind says otherwise."""
        return 1

    def as_dict(self) -> dict[str, Any]:
        """The payload to store: only what is set."""
        return {k: v for k, v in asdict(self).items() if v not in (None, (), [])}  # type: ignore[call-overload]


@dataclass(frozen=True)
class CopyPayload(_Payload):
    #: lines written per field (None: the campaign's setting)
    candidates: int | None = None
    #: a message angle the copy is written from, beside the target's own copy
    angle: str | None = None
    seed: int | None = None
    model_id: str | None = None
    #: the copy this job makes a new version of
    supersedes: int | None = None


@dataclass(frozen=True)
class VisualPayload(_Payload):
    seed: int | None = None
    model_id: str | None = None
    supersedes: int | None = None


@dataclass(frozen=True)
class CreativePayload(_Payload):
    layout: str = "default"
    #: creatives to render again with their new copy or visual (not the target's all)
    rerender: tuple[int, ...] = ()
    supersedes: int | None = None

    def units(self, images: int) -> int:
        return max(len(self.rerender) if self.rerender else images, 1)


@dataclass(frozen=True)
class VariantsPayload(_Payload):
    #: variants per creative (None: the campaign's setting)
    count: int | None = None
    #: a test design for these variants (None: the campaign's)
    axes: Mapping[str, Any] | None = None
    #: a round's challengers of one creative, by their axis values
    cells: tuple[Mapping[str, Any], ...] | None = None
    parent_id: int | None = None
    #: the round that asked for the challengers
    round: int | None = None
    #: creatives rendered again, whose variants are made again
    remake_of: tuple[int, ...] = ()
    seed: int = 0
    supersedes: int | None = None

    def units(self, images: int) -> int:
        if self.cells is not None:
            return max(len(self.cells), 1)
        return max(images * (self.count or 1), 1)


PAYLOADS: dict[str, type[_Payload]] = {
    "copy": CopyPayload,
    "visual": VisualPayload,
    "creative": CreativePayload,
    "variants": VariantsPayload,
}


def payload_units(kind: str, payload: Mapping[str, Any], images: int) -> int:
    """Work units of a job, as the planner counts them, to weigh it in progress and
    estimates (1 for a kind it does not plan, or a payload it cannot read: that job
    fails by name when it runs)."""
    record = PAYLOADS.get(kind)
    try:
        return record.read(payload).units(images) if record else 1
    except StudioError:
        return 1
