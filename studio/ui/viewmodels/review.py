"""What the review board shows: a campaign's current creatives and variants, grouped by
segment × product × channel format, with the copy each target uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.core.records import Asset
from studio.services.campaigns import current_assets, latest_copy
from studio.services.workspaces import Workspace

REVIEWED_KINDS = ("creative", "variant")


@dataclass
class Group:
    target_id: int
    segment: str
    product: str
    channel_format: str
    channel: str
    segment_id: int
    copy: Asset | None = None
    assets: list[Asset] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.segment} × {self.product} — {self.channel_format}"


def campaigns(ws: Workspace) -> list[dict[str, Any]]:
    from studio.services.campaigns import list_campaigns

    return list_campaigns(ws)


def review_groups(
    ws: Workspace,
    campaign_id: int,
    *,
    status: str | None = None,
    channel: str | None = None,
    segment_id: int | None = None,
) -> list[Group]:
    from studio.services.catalog import review_targets

    targets = review_targets(ws, campaign_id)
    from studio.core.channels import get_channel_format

    groups: dict[int, Group] = {}
    for row in targets:
        channel_of = get_channel_format(row["channel_format"]).channel
        if channel and channel_of != channel:
            continue
        if segment_id is not None and row["segment_id"] != segment_id:
            continue
        groups[row["id"]] = Group(
            row["id"], row["segment"], row["product"], row["channel_format"], channel_of,
            row["segment_id"], latest_copy(ws, row["id"]),
        )  # fmt: skip
    for asset in current_assets(ws, campaign_id, status=status):
        if asset.kind in REVIEWED_KINDS and asset.target_id in groups:
            groups[asset.target_id].assets.append(asset)
    for group in groups.values():
        # a creative, then its variants, in format order
        group.assets.sort(key=lambda a: (a.parent_id or a.id, a.kind != "creative", a.id))
    return list(groups.values())


def copy_headline(asset: Asset | None) -> str:
    if asset is None:
        return ""
    fields = asset.content.get("fields", {})
    for name in ("headline", "subject", "intro", "primary_text", "caption", "text"):
        if fields.get(name):
            return fields[name][0]
    return ""


def copy_notes(copy: Asset) -> dict[str, list[str]]:
    """What a person should know about each copy field before approving it: a field with no
    passing text (and why its closest candidate fails), and edited texts that fail a check.
    """
    content = copy.content
    notes: dict[str, list[str]] = {}
    closest = content.get("closest", {})
    closest_problems = content.get("closest_problems", {})
    for name in content.get("fields", {}) | closest:
        if not content.get("fields", {}).get(name) and name in closest:
            reasons = "; ".join(closest_problems.get(name, [])) or "it fails a check"
            notes.setdefault(name, []).append(
                f"No candidate passed. Closest: “{closest[name]}” — {reasons}"
            )
    for name, texts in content.get("text_problems", {}).items():
        for text, reasons in texts.items():
            notes.setdefault(name, []).append(f"“{text}” — {'; '.join(reasons)}")
    return notes
