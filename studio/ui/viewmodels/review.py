"""What the review board shows: a campaign's current creatives and variants, grouped by
segment × product × channel format, with the copy each target uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.core.campaigns import Asset, current_assets, latest_copy
from studio.storage.workspace import Workspace

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
    from studio.core.campaigns import list_campaigns

    return list_campaigns(ws)


def review_groups(
    ws: Workspace,
    campaign_id: int,
    *,
    status: str | None = None,
    channel: str | None = None,
    segment_id: int | None = None,
) -> list[Group]:
    targets = ws.query(
        "SELECT t.id, t.channel_format, t.segment_id, s.name AS segment, p.name AS product"
        " FROM campaign_targets t JOIN segments s ON s.id = t.segment_id"
        " JOIN products p ON p.id = t.product_id WHERE t.campaign_id = ?"
        " ORDER BY s.name, p.name, t.channel_format",
        (campaign_id,),
    )
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
