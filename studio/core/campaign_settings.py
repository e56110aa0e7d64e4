"""A campaign's options, their limits and the test design they ask for.

The CLI and the builder build a :class:`CampaignSettings`; planning, the jobs, results and
the export read its attributes. Its limits are checked when it is made, so a stored
campaign's settings are always ones the studio can generate. The workspace stores it as
JSON with a schema version (:meth:`CampaignSettings.to_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from math import prod
from typing import Any

from studio.core.errors import InputError
from studio.core.links import web_link

#: the version of :meth:`CampaignSettings.to_json`'s shape; rows without one are version 0,
#: which has the same keys
SCHEMA_VERSION = 1
MAX_VARIANTS = 24
COPY_CANDIDATES = (1, 16)
DEFAULT_COPY_CANDIDATES = 3
#: how far a style variant may scale its style's change (1: the style as trained)
STYLE_STRENGTH = (0.25, 2.0)
#: what a test design can vary, and how many values of one axis it may ask for
VARIANT_AXES = ("angle", "style", "colourway", "layout", "crop", "headline", "cta")
AXIS_VALUES = (1, 4)
#: purchases arrive days after the click; the latest days of a report are left out of
#: conversion rates until then
DEFAULT_CONVERSION_LAG_DAYS = 2
CONVERSION_LAG_DAYS = (0, 30)


def _within(value: float, limits: tuple[float, float], what: str) -> None:
    low, high = limits
    if not low <= value <= high:
        raise InputError(f"{what} must be between {low:g} and {high:g} (got {value:g}).")


@dataclass(frozen=True)
class CampaignSettings:
    """Every option of a campaign; made only with values the studio can generate."""

    #: variants per creative in the engine's default mix (0: as the design asks)
    variants: int = 0
    copy_candidates: int = DEFAULT_COPY_CANDIDATES
    #: a test design, "2 angles × 2 colourways": ``{"angle": 2, "colourway": 2}``
    variant_axes: Mapping[str, int] = field(default_factory=dict)
    #: what the campaign is for ("Christmas"); empty: one the brief names
    occasion: str = ""
    #: where ads and email buttons link, unless a product has its own page
    landing_url: str = ""
    style_strength: float = 1.0
    conversion_lag_days: int = DEFAULT_CONVERSION_LAG_DAYS

    def __post_init__(self) -> None:
        for name in ("variants", "copy_candidates", "conversion_lag_days"):
            if not isinstance(getattr(self, name), int) or isinstance(getattr(self, name), bool):
                raise InputError(f"The campaign's {name.replace('_', ' ')} must be a whole number.")
        _within(self.variants, (0, MAX_VARIANTS), "Variants per creative")
        _within(self.copy_candidates, COPY_CANDIDATES, "Copy candidates per field")
        _within(self.style_strength, STYLE_STRENGTH, "Style strength")
        _within(self.conversion_lag_days, CONVERSION_LAG_DAYS, "The conversion lag in days")
        axes = {}
        for axis, count in self.variant_axes.items():
            if axis not in VARIANT_AXES:
                raise InputError(
                    f"Unknown variant axis '{axis}'.", hint=f"axes: {', '.join(VARIANT_AXES)}"
                )
            if not isinstance(count, int) or isinstance(count, bool):
                raise InputError(f"Ask for a whole number of {axis} values (got {count!r}).")
            low, high = AXIS_VALUES
            if not low <= count <= high:
                raise InputError(
                    f"Ask for {low} to {high} values of the {axis} axis (got {count})."
                )
            axes[axis] = count
        # a copy: the caller's dict changing later cannot change the campaign's design
        object.__setattr__(self, "variant_axes", axes)
        object.__setattr__(self, "occasion", " ".join(self.occasion.split()))
        object.__setattr__(self, "landing_url", web_link(self.landing_url))
        object.__setattr__(self, "style_strength", float(self.style_strength))
        if self.design_size() > MAX_VARIANTS:
            raise InputError(
                f"That design makes {self.design_size()} variants per creative; "
                f"at most {MAX_VARIANTS}.",
                hint="test fewer axes or fewer values at once",
            )

    def design_size(self) -> int:
        """Variants the test design makes per creative: every single change, then their
        crossings (0 without a design)."""
        return prod(count + 1 for count in self.variant_axes.values()) - 1

    @property
    def variants_per_creative(self) -> int:
        """Variants each creative gets: as asked, else every cell of the design."""
        return self.variants or self.design_size()

    @property
    def angles_tested(self) -> int:
        """Message angles each target's copy is written in besides its own."""
        return self.variant_axes.get("angle", 0)

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CampaignSettings:
        """Settings as the workspace stored them (any schema version up to this one)."""
        values = dict(data)
        version = values.pop("schema", 0)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise InputError(
                f"These campaign settings were written by a newer studio (schema {version!r}).",
                hint="update Campaign Studio to open this workspace",
            )
        known = cls.__dataclass_fields__
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(f"Unknown campaign settings: {', '.join(unknown)}.")
        return cls(**values)
