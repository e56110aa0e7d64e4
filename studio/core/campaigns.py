"""Campaigns: targets (segment × product × channel format), generation plans, review.

A campaign's targets are stored in ``campaign_targets``; what it generates lives in
``assets`` (conventions in docs/architecture.md). Generation is planned here and run by
the job queue: per (segment, product) one ``visual``, per target one ``copy``, one
``creative`` job that renders every image format of the target's channel format, and a
``variants`` job when the campaign asks for variants.

Editing never overwrites: an edit or a regeneration is a new row with ``version + 1`` and
``supersedes_id`` pointing at the row it replaces; the *current* assets are those no row
supersedes.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from itertools import product as cartesian
from typing import Any

from studio.core.channels import get_channel_format
from studio.core.errors import InputError, NotFound, StudioError
from studio.storage.migrations import ASSET_STATUSES
from studio.storage.workspace import Workspace, to_json, utcnow

#: seconds per unit of work on a 2-core CPU, used until this machine has measured its own
#: (a unit: one copy target, one visual, one rendered image format, one variant)
DEFAULT_SECONDS_PER_UNIT = {"copy": 40.0, "visual": 2.0, "creative": 1.5, "variants": 5.0}
#: how many of the latest finished jobs of a kind the estimate is measured from
TIMING_WINDOW = 20
DEFAULT_COPY_CANDIDATES = 3
MAX_VARIANTS = 24

_CURRENT = "NOT EXISTS (SELECT 1 FROM assets newer WHERE newer.supersedes_id = a.id)"


# --- records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    brief: str
    brand_kit_id: int | None
    segmentation_run_id: int | None
    language: str
    tone: str
    settings: dict[str, Any]
    status: str
    created_at: str
    updated_at: str

    @property
    def variants(self) -> int:
        return int(self.settings.get("variants", 0))

    @property
    def copy_candidates(self) -> int:
        return int(self.settings.get("copy_candidates", DEFAULT_COPY_CANDIDATES))


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

    campaign_id: int
    targets: int
    jobs: list[PlannedJob]
    assets: dict[str, int]
    estimate_seconds: float
    seconds_per_unit: dict[str, float] = field(default_factory=dict)

    @property
    def total_assets(self) -> int:
        return sum(self.assets.values())

    @property
    def job_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job in self.jobs:
            counts[job.kind] = counts.get(job.kind, 0) + 1
        return counts


# --- creating and reading campaigns ----------------------------------------------------


def create_campaign(
    ws: Workspace,
    name: str,
    *,
    segment_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    channel_formats: Sequence[str],
    pairs: Sequence[tuple[int, int]] | None = None,
    brief: str = "",
    brand_kit_id: int | None = None,
    tone: str = "",
    language: str = "en",
    variants: int = 0,
    copy_candidates: int = DEFAULT_COPY_CANDIDATES,
) -> int:
    """Create a campaign and its targets; returns the campaign id.

    Targets are every segment × product × channel format, or, with ``pairs``, every
    (segment, product) pair × channel format (e.g. each segment with its own top products).
    Nothing is written when any input is wrong.
    """
    name = name.strip()
    if not name:
        raise InputError("A campaign needs a name.")
    if pairs is None:
        pairs = list(cartesian(segment_ids, product_ids))
    pairs = list(dict.fromkeys((int(s), int(p)) for s, p in pairs))
    formats = list(dict.fromkeys(channel_formats))
    if not pairs:
        raise InputError(f"Campaign '{name}' needs at least one segment and one product.")
    if not formats:
        raise InputError(f"Campaign '{name}' needs at least one channel format.")
    for format_id in formats:
        get_channel_format(format_id)  # raises NotFound naming the known formats
    if not 0 <= variants <= MAX_VARIANTS:
        raise InputError(f"Variants per creative must be between 0 and {MAX_VARIANTS}.")
    if not 1 <= copy_candidates <= 16:
        raise InputError("Copy candidates per field must be between 1 and 16.")
    _require_ids(ws, "segments", {s for s, _ in pairs}, "segment")
    _require_ids(ws, "products", {p for _, p in pairs}, "product")
    if brand_kit_id is not None:
        _require_ids(ws, "brand_kits", {brand_kit_id}, "brand kit")
    else:  # the workspace's first kit, as the compositor would pick it
        brand_kit_id = ws.scalar("SELECT id FROM brand_kits ORDER BY id LIMIT 1")
    if ws.scalar("SELECT 1 FROM campaigns WHERE name = ?", (name,)):
        raise InputError(
            f"A campaign named '{name}' already exists in {ws.path}.", hint="choose another name"
        )
    runs = {
        row["run_id"]
        for row in ws.query(
            f"SELECT DISTINCT run_id FROM segments WHERE id IN ({_marks(pairs)})",
            tuple(s for s, _ in pairs),
        )
    }
    run_id = next(iter(runs)) if len(runs) == 1 else None
    now = utcnow()
    settings = {"variants": variants, "copy_candidates": copy_candidates}
    with ws.write() as db:
        campaign_id = db.execute(
            "INSERT INTO campaigns (name, brief, brand_kit_id, segmentation_run_id, language,"
            " tone, settings, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
            (name, brief, brand_kit_id, run_id, language, tone, to_json(settings), now, now),
        ).lastrowid
        for (segment_id, product_id), format_id in cartesian(pairs, formats):
            db.execute(
                "INSERT INTO campaign_targets (campaign_id, segment_id, product_id,"
                " channel_format) VALUES (?, ?, ?, ?)",
                (campaign_id, segment_id, product_id, format_id),
            )
    return int(campaign_id)


def _marks(values: Sized) -> str:
    return ", ".join("?" for _ in range(len(values)))


def _require_ids(ws: Workspace, table: str, ids: set[int], what: str) -> None:
    found = {
        row["id"]
        for row in ws.query(f"SELECT id FROM {table} WHERE id IN ({_marks(ids)})", tuple(ids))
    }
    missing = sorted(ids - found)
    if missing:
        raise NotFound(f"No {what} with id {', '.join(map(str, missing))} in {ws.path}.")


def get_campaign(ws: Workspace, campaign: int | str) -> Campaign:
    """A campaign by id or by name."""
    if isinstance(campaign, int) or str(campaign).isdigit():
        rows = ws.query("SELECT * FROM campaigns WHERE id = ?", (int(campaign),))
    else:
        rows = []
    if not rows:
        rows = ws.query("SELECT * FROM campaigns WHERE name = ?", (str(campaign),))
    if not rows:
        raise NotFound(
            f"No campaign '{campaign}' in {ws.path}.", hint="list them with 'studio campaign list'"
        )
    row = dict(rows[0])
    row["settings"] = json.loads(row["settings"] or "{}")
    return Campaign(**row)


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


def list_campaigns(ws: Workspace) -> list[dict[str, Any]]:
    """Every campaign with its target, asset and job counts (newest first)."""
    return ws.query(
        f"""
        SELECT c.id, c.name, c.brief, c.created_at,
          (SELECT count(*) FROM campaign_targets t WHERE t.campaign_id = c.id) AS targets,
          (SELECT count(*) FROM assets a WHERE a.campaign_id = c.id AND {_CURRENT}) AS assets,
          (SELECT count(*) FROM assets a WHERE a.campaign_id = c.id AND {_CURRENT}
             AND a.status = 'approved') AS approved,
          (SELECT count(*) FROM jobs j WHERE j.campaign_id = c.id
             AND j.status IN ('queued', 'running')) AS pending_jobs,
          (SELECT count(*) FROM jobs j WHERE j.campaign_id = c.id
             AND j.status = 'failed') AS failed_jobs
        FROM campaigns c ORDER BY c.id DESC
        """
    )


def delete_campaign(ws: Workspace, campaign_id: int) -> None:
    """Delete a campaign with its targets, assets and jobs (stored files stay)."""
    get_campaign(ws, campaign_id)
    with ws.write() as db:
        db.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,))


# --- assets ----------------------------------------------------------------------------


def record_asset(
    ws: Workspace,
    *,
    kind: str,
    generator: str,
    campaign_id: int | None = None,
    target_id: int | None = None,
    channel: str | None = None,
    format: str | None = None,
    sha256: str | None = None,
    content: Mapping[str, Any] | None = None,
    parent_id: int | None = None,
    variant_id: str | None = None,
    supersedes: Asset | None = None,
    model_id: str | None = None,
    model_revision: str | None = None,
    seed: int | None = None,
    prompt: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> int:
    """Insert one asset row with its provenance; a new version when ``supersedes`` is set."""
    now = utcnow()
    with ws.write() as db:
        cursor = db.execute(
            "INSERT INTO assets (campaign_id, target_id, kind, channel, format, sha256, content,"
            " parent_id, variant_id, version, supersedes_id, status, generator, model_id,"
            " model_revision, seed, prompt, parameters, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                campaign_id,
                target_id,
                kind,
                channel,
                format,
                sha256,
                to_json(dict(content or {})),
                parent_id,
                variant_id,
                1 if supersedes is None else supersedes.version + 1,
                None if supersedes is None else supersedes.id,
                generator,
                model_id,
                model_revision,
                seed,
                prompt,
                to_json(dict(parameters or {})),
                now,
                now,
            ),
        )
    return int(cursor.lastrowid)


def get_asset(ws: Workspace, asset_id: int) -> Asset:
    rows = ws.query("SELECT * FROM assets WHERE id = ?", (asset_id,))
    if not rows:
        raise NotFound(f"No asset {asset_id} in {ws.path}.")
    return Asset.from_row(rows[0])


def current_assets(
    ws: Workspace,
    campaign_id: int,
    kind: str | None = None,
    *,
    status: str | None = None,
    target_id: int | None = None,
) -> list[Asset]:
    """The latest version of each asset of a campaign (optionally of one kind/status/target)."""
    sql = f"SELECT * FROM assets a WHERE a.campaign_id = ? AND {_CURRENT}"
    params: list[Any] = [campaign_id]
    for column, value in (("kind", kind), ("status", status), ("target_id", target_id)):
        if value is not None:
            sql += f" AND a.{column} = ?"
            params.append(value)
    return [Asset.from_row(row) for row in ws.query(sql + " ORDER BY a.id", tuple(params))]


def latest_copy(ws: Workspace, target_id: int) -> Asset | None:
    rows = ws.query(
        f"SELECT * FROM assets a WHERE a.kind = 'copy' AND a.target_id = ? AND {_CURRENT}"
        " ORDER BY a.id DESC LIMIT 1",
        (target_id,),
    )
    return Asset.from_row(rows[0]) if rows else None


def latest_visual(
    ws: Workspace, campaign_id: int, segment_id: int, product_id: int
) -> Asset | None:
    """The current visual of a (segment, product) pair: visuals are shared by its formats."""
    rows = ws.query(
        f"SELECT a.* FROM assets a JOIN campaign_targets t ON t.id = a.target_id"
        f" WHERE a.kind = 'visual' AND a.campaign_id = ? AND t.segment_id = ?"
        f" AND t.product_id = ? AND {_CURRENT} ORDER BY a.id DESC LIMIT 1",
        (campaign_id, segment_id, product_id),
    )
    return Asset.from_row(rows[0]) if rows else None


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


def approve_all(
    ws: Workspace, campaign_id: int, kinds: Iterable[str] = ("copy", "creative", "variant")
) -> int:
    """Approve every current draft asset of the given kinds; returns how many."""
    kinds = list(kinds)
    get_campaign(ws, campaign_id)
    with ws.write() as db:
        cursor = db.execute(
            f"UPDATE assets SET status = 'approved', updated_at = ? WHERE id IN ("
            f" SELECT a.id FROM assets a WHERE a.campaign_id = ? AND a.status = 'draft'"
            f" AND a.kind IN ({_marks(kinds)}) AND {_CURRENT})",
            (utcnow(), campaign_id, *kinds),
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


def edit_copy(
    ws: Workspace,
    asset_id: int,
    fields: Mapping[str, str | Sequence[str]],
    *,
    rerender: bool = True,
) -> int:
    """Save edited copy as a new version; re-render the creatives that use it.

    ``fields`` maps field names to a text or a list of texts (replacing those fields;
    others are kept). Every text must fit its field's limit and avoid the brand kit's
    banned words. Returns the id of the new copy asset.
    """
    from generators.copy.constraints import banned_in
    from studio.jobs.handlers import rerender_creatives

    asset = get_asset(ws, asset_id)
    if asset.kind != "copy":
        raise InputError(f"Asset {asset_id} is a {asset.kind}, not copy; only copy is edited.")
    channel_format = get_channel_format(asset.content.get("channel_format") or asset.format or "")
    banned = _banned_words(ws, asset.campaign_id)
    merged = {name: list(values) for name, values in asset.content.get("fields", {}).items()}
    for name, value in fields.items():
        spec = channel_format.field(name)  # raises NotFound naming the field
        texts = [value] if isinstance(value, str) else list(value)
        texts = [" ".join(text.split()) for text in texts]
        if not texts or not all(texts):
            raise InputError(f"The {name} of asset {asset_id} cannot be empty.")
        if len(texts) > spec.max_count:
            raise InputError(f"{channel_format.label} allows at most {spec.max_count} {name}s.")
        for text in texts:
            if len(text) > spec.max_chars:
                raise InputError(
                    f"The {name} '{text}' has {len(text)} characters; {channel_format.label}"
                    f" allows {spec.max_chars}."
                )
            hits = banned_in(text, banned)
            if hits:
                raise InputError(f"The {name} '{text}' uses banned words: {', '.join(hits)}.")
        merged[name] = texts
    content = {**asset.content, "fields": merged}
    content.setdefault("channel_format", channel_format.id)
    # one transaction: text that cannot be rendered (e.g. a headline too long for a
    # banner) is refused whole, and no creative keeps showing the old text
    with ws.write():
        new_id = record_asset(
            ws,
            kind="copy",
            generator="edit",
            campaign_id=asset.campaign_id,
            target_id=asset.target_id,
            channel=asset.channel,
            format=asset.format,
            content=content,
            supersedes=asset,
            model_id=asset.model_id,
            model_revision=asset.model_revision,
            seed=asset.seed,
            prompt=asset.prompt,
            parameters={**asset.parameters, "edited_fields": sorted(fields)},
        )
        if rerender:
            rerender_creatives(ws, copy_asset_id=asset_id, new_copy_asset_id=new_id)
    return new_id


def _banned_words(ws: Workspace, campaign_id: int | None) -> tuple[str, ...]:
    if campaign_id is None:
        return ()
    raw = ws.scalar(
        "SELECT k.banned_words FROM campaigns c JOIN brand_kits k ON k.id = c.brand_kit_id"
        " WHERE c.id = ?",
        (campaign_id,),
    )
    return tuple(str(word) for word in json.loads(raw or "[]") if str(word).strip())


# --- planning and queueing generation -------------------------------------------------


def plan_generation(ws: Workspace, campaign_id: int) -> Plan:
    """The jobs that make every missing asset of a campaign, and how long they will take."""
    campaign = get_campaign(ws, campaign_id)
    targets = campaign_targets(ws, campaign_id)
    jobs: list[PlannedJob] = []
    visual_job: dict[tuple[int, int], int | None] = {}
    assets = {"copy": 0, "visual": 0, "creative": 0, "variant": 0}
    for target in targets:
        copy_index = None
        if latest_copy(ws, target.id) is None:
            jobs.append(PlannedJob("copy", target.id, {"candidates": campaign.copy_candidates}, 1))
            copy_index = len(jobs) - 1
            assets["copy"] += 1
        images = target.image_formats
        if not images:
            continue
        pair = (target.segment_id, target.product_id)
        if pair not in visual_job:
            visual_job[pair] = None
            if latest_visual(ws, campaign_id, *pair) is None:
                payload = {"segment_id": target.segment_id, "product_id": target.product_id}
                jobs.append(PlannedJob("visual", target.id, payload, 1))
                visual_job[pair] = len(jobs) - 1
                assets["visual"] += 1
        rendered = {
            a.format for a in current_assets(ws, campaign_id, "creative", target_id=target.id)
        }
        creative_index = None
        if copy_index is not None or visual_job[pair] is not None or set(images) - rendered:
            after = tuple(i for i in (copy_index, visual_job[pair]) if i is not None)
            jobs.append(PlannedJob("creative", target.id, {}, len(images), after))
            creative_index = len(jobs) - 1
            assets["creative"] += len(images)
        if campaign.variants:
            wanted = campaign.variants * len(images)
            have = 0 if creative_index is not None else _current_variant_count(ws, target.id)
            if have < wanted:
                after = () if creative_index is None else (creative_index,)
                payload = {"count": campaign.variants}
                jobs.append(PlannedJob("variants", target.id, payload, wanted - have, after))
                assets["variant"] += wanted - have
    rates = seconds_per_unit(ws)
    estimate = sum(job.units * rates.get(job.kind, 1.0) for job in jobs)
    return Plan(campaign_id, len(targets), jobs, assets, round(estimate, 1), rates)


def _current_variant_count(ws: Workspace, target_id: int) -> int:
    """Variants of the target's current creatives."""
    return int(
        ws.scalar(
            f"SELECT count(*) FROM assets a JOIN assets p ON p.id = a.parent_id"
            f" WHERE a.kind = 'variant' AND a.target_id = ? AND {_CURRENT}"
            f" AND NOT EXISTS (SELECT 1 FROM assets n WHERE n.supersedes_id = p.id)",
            (target_id,),
        )
    )


def enqueue_generation(ws: Workspace, campaign_id: int, queue: Any = None) -> list[int]:
    """Queue the jobs of :func:`plan_generation`; returns their ids (empty: nothing to do).

    Pass the caller's :class:`~studio.jobs.JobQueue` so a running worker wakes at once.
    """
    from studio.jobs.queue import JobQueue

    queue = queue or JobQueue(ws)
    if queue.pending_count(campaign_id):
        raise StudioError(
            f"Campaign {get_campaign(ws, campaign_id).name!r} is already being generated.",
            hint="wait for its queued jobs, or cancel them first",
        )
    plan = plan_generation(ws, campaign_id)
    batch = [
        (
            job.kind,
            {**job.payload, "after": [-(index + 1) for index in job.after]},
            campaign_id,
            job.target_id,
        )
        for job in plan.jobs
    ]
    return queue.enqueue_many(batch)


def regenerate_asset(ws: Workspace, asset_id: int, queue: Any = None) -> int:
    """Queue a job that makes a new version of an asset with a new seed; returns its id."""
    from studio.jobs.queue import JobQueue

    asset = get_asset(ws, asset_id)
    job_kind = {"copy": "copy", "visual": "visual", "creative": "creative", "variant": "variants"}
    if asset.kind not in job_kind or asset.target_id is None:
        raise InputError(f"Asset {asset_id} ({asset.kind}) cannot be regenerated.")
    payload: dict[str, Any] = {"supersedes": asset_id, "seed": random.randrange(2**31)}
    if asset.kind == "visual":
        target = get_target(ws, asset.target_id)
        payload.update(segment_id=target.segment_id, product_id=target.product_id)
    queue = queue or JobQueue(ws)
    return queue.enqueue(job_kind[asset.kind], payload, asset.campaign_id, asset.target_id)


# --- timing ----------------------------------------------------------------------------


def seconds_per_unit(ws: Workspace) -> dict[str, float]:
    """Seconds per unit of work per job kind: the median of this workspace's latest
    finished jobs where measured, else :data:`DEFAULT_SECONDS_PER_UNIT`."""
    rates = dict(DEFAULT_SECONDS_PER_UNIT)
    for kind in rates:
        rows = ws.query(
            "SELECT result FROM jobs WHERE kind = ? AND status = 'done' ORDER BY id DESC LIMIT ?",
            (kind, TIMING_WINDOW),
        )
        measured = []
        for row in rows:
            result = json.loads(row["result"] or "{}")
            if result.get("seconds") is not None and result.get("units"):
                measured.append(float(result["seconds"]) / int(result["units"]))
        if measured:
            rates[kind] = statistics.median(measured)
    return rates
