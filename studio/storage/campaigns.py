"""Campaigns, their targets and their assets in the workspace: the SQL, nothing else.

Editing never overwrites: an edit or a regeneration is a new asset row with
``version + 1`` and ``supersedes_id`` pointing at the row it replaces; the *current*
assets are those no row supersedes. Validation and what a change means for other assets
live in :mod:`studio.services`; this module only reads and writes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sized
from typing import Any

from studio.core.campaign_settings import CampaignSettings
from studio.core.errors import InputError, NotFound
from studio.core.records import ASSET_STATUSES, Asset, Campaign, NewAsset, Target
from studio.storage.workspace import Workspace, inserted_id, to_json, utcnow

#: an asset no newer version supersedes
CURRENT = "NOT EXISTS (SELECT 1 FROM assets newer WHERE newer.supersedes_id = a.id)"


def marks(values: Sized) -> str:
    return ", ".join("?" for _ in range(len(values)))


# --- campaigns and targets -------------------------------------------------------------


def get_campaign(ws: Workspace, campaign: int | str) -> Campaign:
    """A campaign by id or by name."""
    rows = []
    if isinstance(campaign, int) or str(campaign).isdigit():
        rows = ws.query("SELECT * FROM campaigns WHERE id = ?", (int(campaign),))
    if not rows:
        rows = ws.query("SELECT * FROM campaigns WHERE name = ?", (str(campaign),))
    if not rows:
        names = [r["name"] for r in ws.query("SELECT name FROM campaigns ORDER BY name")]
        raise NotFound(
            f"No campaign '{campaign}' in {ws.path}.",
            hint=f"campaigns: {', '.join(names)}" if names else "the workspace has no campaigns",
        )
    return Campaign.from_row(rows[0])


def campaign_name_taken(ws: Workspace, name: str) -> bool:
    return bool(ws.scalar("SELECT 1 FROM campaigns WHERE name = ?", (name,)))


def insert_campaign(
    ws: Workspace,
    *,
    name: str,
    brief: str,
    brand_kit_id: int | None,
    run_id: int | None,
    language: str,
    tone: str,
    settings: CampaignSettings,
    targets: Iterable[tuple[int, int, str]],
) -> int:
    """One campaign and its (segment, product, channel format) targets, in one write."""
    now = utcnow()
    with ws.write() as db:
        campaign_id = inserted_id(
            db.execute(
                "INSERT INTO campaigns (name, brief, brand_kit_id, segmentation_run_id, language,"
                " tone, settings, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
                (
                    name,
                    brief,
                    brand_kit_id,
                    run_id,
                    language,
                    tone,
                    to_json(settings.to_json()),
                    now,
                    now,
                ),
            )
        )
        for segment_id, product_id, format_id in targets:
            db.execute(
                "INSERT INTO campaign_targets (campaign_id, segment_id, product_id,"
                " channel_format) VALUES (?, ?, ?, ?)",
                (campaign_id, segment_id, product_id, format_id),
            )
    return int(campaign_id)


def delete_campaign(ws: Workspace, campaign_id: int) -> None:
    """Delete a campaign with its targets, assets and jobs (stored files stay)."""
    with ws.write() as db:
        db.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,))


def missing_ids(ws: Workspace, table: str, ids: set[int]) -> list[int]:
    found = {
        row["id"]
        for row in ws.query(f"SELECT id FROM {table} WHERE id IN ({marks(ids)})", tuple(ids))
    }
    return sorted(ids - found)


def segmentation_runs_of(ws: Workspace, segment_ids: Iterable[int]) -> set[int]:
    ids = tuple(segment_ids)
    rows = ws.query(f"SELECT DISTINCT run_id FROM segments WHERE id IN ({marks(ids)})", ids)
    return {row["run_id"] for row in rows}


def campaign_targets(ws: Workspace, campaign_id: int) -> list[Target]:
    rows = ws.query(
        "SELECT id, campaign_id, segment_id, product_id, channel_format FROM campaign_targets"
        " WHERE campaign_id = ? ORDER BY id",
        (campaign_id,),
    )
    return [Target(**row) for row in rows]


def get_target(ws: Workspace, target_id: int) -> Target:
    rows = ws.query(
        "SELECT id, campaign_id, segment_id, product_id, channel_format FROM campaign_targets"
        " WHERE id = ?",
        (target_id,),
    )
    if not rows:
        raise NotFound(f"No campaign target {target_id} in {ws.path}.")
    return Target(**rows[0])


def target_rows(ws: Workspace, campaign_id: int) -> list[dict[str, Any]]:
    """Targets with their segment's and product's names, for listings."""
    return ws.query(
        "SELECT t.id, t.segment_id, s.name AS segment, t.product_id, p.sku, p.name AS product,"
        " t.channel_format FROM campaign_targets t JOIN segments s ON s.id = t.segment_id"
        " JOIN products p ON p.id = t.product_id WHERE t.campaign_id = ? ORDER BY t.id",
        (campaign_id,),
    )


def list_campaigns(ws: Workspace) -> list[dict[str, Any]]:
    """Every campaign with its target, asset and job counts (newest first)."""
    return ws.query(
        f"""
        SELECT c.id, c.name, c.brief, c.created_at,
          (SELECT count(*) FROM campaign_targets t WHERE t.campaign_id = c.id) AS targets,
          (SELECT count(*) FROM assets a WHERE a.campaign_id = c.id AND {CURRENT}) AS assets,
          (SELECT count(*) FROM assets a WHERE a.campaign_id = c.id AND {CURRENT}
             AND a.status = 'approved') AS approved,
          (SELECT count(*) FROM jobs j WHERE j.campaign_id = c.id
             AND j.status IN ('queued', 'running')) AS pending_jobs,
          (SELECT count(*) FROM jobs j WHERE j.campaign_id = c.id
             AND j.status = 'failed') AS failed_jobs
        FROM campaigns c ORDER BY c.id DESC
        """
    )


def campaign_banned_words(ws: Workspace, campaign_id: int | None) -> tuple[str, ...]:
    if campaign_id is None:
        return ()
    raw = ws.scalar(
        "SELECT k.banned_words FROM campaigns c JOIN brand_kits k ON k.id = c.brand_kit_id"
        " WHERE c.id = ?",
        (campaign_id,),
    )
    return tuple(str(word) for word in json.loads(raw or "[]") if str(word).strip())


# --- assets ----------------------------------------------------------------------------


def insert_asset(ws: Workspace, asset: NewAsset) -> int:
    """Insert one asset row with its provenance; a new version when it supersedes one."""
    now = utcnow()
    old = asset.supersedes
    with ws.write() as db:
        cursor = db.execute(
            "INSERT INTO assets (campaign_id, target_id, kind, channel, format, sha256, content,"
            " parent_id, variant_id, version, supersedes_id, status, generator, model_id,"
            " model_revision, seed, prompt, parameters, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                asset.campaign_id,
                asset.target_id,
                asset.kind,
                asset.channel,
                asset.format,
                asset.sha256,
                to_json(dict(asset.content)),
                asset.parent_id,
                asset.variant_id,
                1 if old is None else old.version + 1,
                None if old is None else old.id,
                asset.generator,
                asset.model_id,
                asset.model_revision,
                asset.seed,
                asset.prompt,
                to_json(dict(asset.parameters)),
                now,
                now,
            ),
        )
    return inserted_id(cursor)


def get_asset(ws: Workspace, asset_id: int) -> Asset:
    rows = ws.query("SELECT * FROM assets WHERE id = ?", (asset_id,))
    if not rows:
        raise NotFound(f"No asset {asset_id} in {ws.path}.")
    return Asset.from_row(rows[0])


def is_current(ws: Workspace, asset_id: int) -> bool:
    return not ws.scalar("SELECT 1 FROM assets WHERE supersedes_id = ?", (asset_id,))


def current_assets(
    ws: Workspace,
    campaign_id: int,
    kind: str | None = None,
    *,
    status: str | None = None,
    target_id: int | None = None,
) -> list[Asset]:
    """The latest version of each asset of a campaign (optionally of one kind/status/target)."""
    sql = f"SELECT * FROM assets a WHERE a.campaign_id = ? AND {CURRENT}"
    params: list[Any] = [campaign_id]
    for column, value in (("kind", kind), ("status", status), ("target_id", target_id)):
        if value is not None:
            sql += f" AND a.{column} = ?"
            params.append(value)
    return [Asset.from_row(row) for row in ws.query(sql + " ORDER BY a.id", tuple(params))]


def latest_copy(ws: Workspace, target_id: int) -> Asset | None:
    """A target's current copy (not one of its angle alternates, which name it as parent)."""
    rows = ws.query(
        f"SELECT * FROM assets a WHERE a.kind = 'copy' AND a.target_id = ? AND {CURRENT}"
        " AND a.parent_id IS NULL ORDER BY a.id DESC LIMIT 1",
        (target_id,),
    )
    return Asset.from_row(rows[0]) if rows else None


def product_buyers(ws: Workspace, product_id: int) -> int:
    """How many customers ordered a product."""
    return int(
        ws.scalar(
            "SELECT COUNT(DISTINCT customer_id) FROM orders WHERE product_id = ?", (product_id,)
        )
        or 0
    )


def latest_visual(
    ws: Workspace, campaign_id: int, segment_id: int, product_id: int
) -> Asset | None:
    """The current visual of a (segment, product) pair: visuals are shared by its formats."""
    rows = ws.query(
        f"SELECT a.* FROM assets a JOIN campaign_targets t ON t.id = a.target_id"
        f" WHERE a.kind = 'visual' AND a.campaign_id = ? AND t.segment_id = ?"
        f" AND t.product_id = ? AND {CURRENT} ORDER BY a.id DESC LIMIT 1",
        (campaign_id, segment_id, product_id),
    )
    return Asset.from_row(rows[0]) if rows else None


def current_using(ws: Workspace, kind: str, key: str, asset_id: int) -> list[Asset]:
    """Current assets of a kind whose content names ``asset_id`` under ``key``
    (creatives of a copy or visual, variants of a creative)."""
    rows = ws.query(
        f"SELECT a.* FROM assets a WHERE a.kind = ? AND json_extract(a.content, '$.{key}') = ?"
        f" AND {CURRENT} ORDER BY a.id",
        (kind, asset_id),
    )
    return [Asset.from_row(row) for row in rows]


def current_children(ws: Workspace, parent_id: int, kind: str = "variant") -> list[Asset]:
    rows = ws.query(
        f"SELECT * FROM assets a WHERE a.parent_id = ? AND a.kind = ? AND {CURRENT} ORDER BY a.id",
        (parent_id, kind),
    )
    return [Asset.from_row(row) for row in rows]


def existing_variant_ids(ws: Workspace, parent_id: int) -> dict[str, int]:
    """Variant ids already made of a creative, with their asset ids."""
    rows = ws.query(
        "SELECT id, variant_id FROM assets WHERE parent_id = ? AND variant_id IS NOT NULL",
        (parent_id,),
    )
    return {row["variant_id"]: int(row["id"]) for row in rows}


def set_asset_status(ws: Workspace, asset_id: int, status: str) -> None:
    """Approve, reject or return an asset to draft."""
    if status not in ASSET_STATUSES:
        raise InputError(
            f"Unknown asset status '{status}'.", hint=f"use {', '.join(ASSET_STATUSES)}"
        )
    get_asset(ws, asset_id)
    with ws.write() as db:
        db.execute(
            "UPDATE assets SET status = ?, updated_at = ? WHERE id = ?",
            (status, utcnow(), asset_id),
        )


def set_statuses(ws: Workspace, asset_ids: Iterable[int], status: str) -> int:
    ids = tuple(asset_ids)
    if not ids:
        return 0
    with ws.write() as db:
        cursor = db.execute(
            f"UPDATE assets SET status = ?, updated_at = ? WHERE id IN ({marks(ids)})",
            (status, utcnow(), *ids),
        )
    return cursor.rowcount


def asset_history(ws: Workspace, asset_id: int) -> list[Asset]:
    """Every version of an asset, oldest first (the asset may be any of them)."""
    asset = get_asset(ws, asset_id)
    while asset.supersedes_id is not None:
        try:
            asset = get_asset(ws, asset.supersedes_id)
        except NotFound:
            break
    versions = [asset]
    while True:
        rows = ws.query(
            "SELECT * FROM assets WHERE supersedes_id = ? ORDER BY id DESC LIMIT 1",
            (versions[-1].id,),
        )
        if not rows:
            return versions
        versions.append(Asset.from_row(rows[0]))


def current_variant_count(ws: Workspace, target_id: int) -> int:
    """Variants of the target's current creatives."""
    return int(
        ws.scalar(
            f"SELECT count(*) FROM assets a JOIN assets p ON p.id = a.parent_id"
            f" WHERE a.kind = 'variant' AND a.target_id = ? AND {CURRENT}"
            f" AND NOT EXISTS (SELECT 1 FROM assets n WHERE n.supersedes_id = p.id)",
            (target_id,),
        )
    )


# --- the rows generators read ----------------------------------------------------------


def product_row(ws: Workspace, product_id: int) -> dict[str, Any] | None:
    rows = ws.query("SELECT * FROM products WHERE id = ?", (product_id,))
    return rows[0] if rows else None


def segment_row(ws: Workspace, segment_id: int) -> dict[str, Any] | None:
    rows = ws.query("SELECT * FROM segments WHERE id = ?", (segment_id,))
    return rows[0] if rows else None


def brand_kit_row(ws: Workspace, kit_id: int | None = None, name: str | None = None) -> dict | None:
    """A brand kit by id or name; with neither, the workspace's first."""
    if kit_id is not None:
        rows = ws.query("SELECT * FROM brand_kits WHERE id = ?", (kit_id,))
    elif name is not None:
        rows = ws.query("SELECT * FROM brand_kits WHERE name = ?", (name,))
    else:
        rows = ws.query("SELECT * FROM brand_kits ORDER BY id LIMIT 1")
    return rows[0] if rows else None


def newest_copy_for(
    ws: Workspace, product_id: int, segment_id: int | None = None
) -> dict[str, Any] | None:
    """The content of the newest copy written for a product (and segment), if any."""
    sql = (
        "SELECT a.content FROM assets a JOIN campaign_targets t ON t.id = a.target_id"
        " WHERE a.kind = 'copy' AND t.product_id = ?"
    )
    params: list[Any] = [product_id]
    if segment_id is not None:
        sql += " AND t.segment_id = ?"
        params.append(segment_id)
    rows = ws.query(sql + " ORDER BY a.id DESC LIMIT 1", tuple(params))
    return json.loads(rows[0]["content"]) if rows else None


def assets_by_id(ws: Workspace, asset_ids: list[int]) -> list[Asset]:
    """These assets, in the order asked."""
    rows = ws.query(f"SELECT * FROM assets WHERE id IN ({marks(asset_ids)})", tuple(asset_ids))
    by_id = {row["id"]: Asset.from_row(row) for row in rows}
    return [by_id[asset_id] for asset_id in asset_ids]


def campaign_asset_count(ws: Workspace, campaign_id: int) -> int:
    return int(ws.scalar("SELECT count(*) FROM assets WHERE campaign_id = ?", (campaign_id,)))
