"""The studio's records: what a campaign, a target, an asset and a generation plan are.

Plain, Qt-free dataclasses read from workspace rows by :mod:`studio.storage.campaigns`;
every layer passes them around, none of them knows how they are stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.core.campaign_settings import CampaignSettings
from studio.core.channels import get_channel_format

#: statuses the schema's CHECK constraints allow
ASSET_STATUSES = ("draft", "approved", "rejected")
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    brief: str
    brand_kit_id: int | None
    segmentation_run_id: int | None
    language: str
    tone: str
    settings: CampaignSettings
    status: str
    created_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Campaign:
        values = dict(row)
        values["settings"] = CampaignSettings.from_json(json.loads(values["settings"] or "{}"))
        return cls(**values)


@dataclass(frozen=True)
class Target:
    id: int
    campaign_id: int
    segment_id: int
    product_id: int
    channel_format: str

    @property
    def image_formats(self) -> tuple[str, ...]:
        return get_channel_format(self.channel_format).image_formats


@dataclass(frozen=True)
class Asset:
    id: int
    kind: str
    campaign_id: int | None
    target_id: int | None
    channel: str | None
    format: str | None
    sha256: str | None
    content: dict[str, Any]
    parent_id: int | None
    variant_id: str | None
    version: int
    supersedes_id: int | None
    status: str
    generator: str
    model_id: str | None
    model_revision: str | None
    seed: int | None
    prompt: str | None
    parameters: dict[str, Any]
    created_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Asset:
        values = dict(row)
        values["content"] = json.loads(values["content"] or "{}")
        values["parameters"] = json.loads(values["parameters"] or "{}")
        return cls(**values)

    @property
    def copy_needs_review(self) -> bool:
        """Copy a person must read before it ships: a field without passing text, or an
        edited text that fails a check."""
        if self.kind != "copy":
            return False
        return not self.content.get("passed", True) or bool(self.content.get("text_problems"))


@dataclass(frozen=True)
class NewAsset:
    """An asset a job has made and not yet stored: everything but its row id and times."""

    kind: str
    generator: str
    campaign_id: int | None = None
    target_id: int | None = None
    channel: str | None = None
    format: str | None = None
    sha256: str | None = None
    content: Mapping[str, Any] = field(default_factory=dict)
    parent_id: int | None = None
    variant_id: str | None = None
    supersedes: Asset | None = None
    model_id: str | None = None
    model_revision: str | None = None
    seed: int | None = None
    prompt: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PickedProduct:
    sku: str
    name: str
    #: why, in words a customer may read ("often bought with Espresso Dark Roast")
    reason: str


@dataclass(frozen=True)
class PersonalPick:
    """One customer's own recommended products: personal data, exported only when asked."""

    customer: str  # the shop's customer id
    name: str
    email: str
    segment_id: int
    products: tuple[PickedProduct, ...]


@dataclass(frozen=True)
class PlannedJob:
    kind: str
    target_id: int
    payload: dict[str, Any]
    units: int
    #: indexes (in the plan) of the jobs this one waits for
    after: tuple[int, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What generating a campaign will do: jobs, assets per kind, and how long it takes."""

    #: None: a draft, planned before the campaign is created
    campaign_id: int | None
    targets: int
    jobs: list[PlannedJob]
    assets: dict[str, int]
    estimate_seconds: float
    seconds_per_unit: dict[str, float] = field(default_factory=dict)
    #: the ads the campaign will have once generated: every image (creative or variant),
    #: and a text ad per copy written for a format without images
    ads: int = 0

    @property
    def total_assets(self) -> int:
        return sum(self.assets.values())

    @property
    def job_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job in self.jobs:
            counts[job.kind] = counts.get(job.kind, 0) + 1
        return counts
