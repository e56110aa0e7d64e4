"""Planning a campaign's generation: the jobs that make what it lacks, and how long.

Per (segment, product) one ``visual``, per target one ``copy`` (and one per message angle
the campaign tests), one ``creative`` job that renders every image format of the target's
channel format, and a ``variants`` job when the campaign asks for variants; each job
waits for the ones it needs.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import product as cartesian

from studio.core.campaign_settings import CampaignSettings
from studio.core.channels import get_channel_format
from studio.core.errors import StudioError
from studio.core.machine_load import LoadMeter
from studio.core.records import Campaign, Plan, PlannedJob, Target
from studio.jobs.queue import JobQueue
from studio.services.campaigns import check_design
from studio.services.generation import JOB_KINDS
from studio.services.generation.payloads import (
    CopyPayload,
    VariantsPayload,
    VisualPayload,
    payload_units,
)
from studio.storage import campaigns as store
from studio.storage import timings
from studio.storage.workspace import Workspace

#: how many of the latest finished jobs of a kind the estimate is measured from
TIMING_WINDOW = 20
#: seconds to load the copy model before any was measured here (Gemma 3 270M, converted
#: weights, on a 2-core CPU)
DEFAULT_LOAD_SECONDS = 8.0


@dataclass(frozen=True)
class PlanTarget:
    """A target as the planner sees it: what it is, and what it already has (nothing for
    a campaign not yet created)."""

    #: the target's id; a draft's position before it is stored
    key: int
    segment_id: int
    product_id: int
    image_formats: tuple[str, ...]
    #: message angles the campaign tests that the product has facts for
    angles: tuple[str, ...] = ()
    has_copy: bool = False
    angles_written: frozenset[str] = frozenset()
    has_visual: bool = False
    rendered: frozenset[str] = frozenset()
    variants_made: int = 0


def plan_jobs(
    targets: Sequence[PlanTarget], settings: CampaignSettings
) -> tuple[list[PlannedJob], dict[str, int], int]:
    """The jobs that make what ``targets`` lack, the assets they make per kind, and the ads
    the campaign will have; the one planner behind generation and the builder's preview."""
    jobs: list[PlannedJob] = []
    visual_job: dict[tuple[int, int], int | None] = {}
    assets = {"copy": 0, "visual": 0, "creative": 0, "variant": 0}
    ads = 0
    candidates = settings.copy_candidates
    for target in targets:
        copy_index = None
        if not target.has_copy:
            payload = CopyPayload(candidates=candidates).as_dict()
            jobs.append(PlannedJob("copy", target.key, payload, 1))
            copy_index = len(jobs) - 1
            assets["copy"] += 1
        angle_indexes = []
        for angle in target.angles:
            if angle in target.angles_written:
                continue
            after: tuple[int, ...] = () if copy_index is None else (copy_index,)
            payload = CopyPayload(candidates=candidates, angle=angle).as_dict()
            jobs.append(PlannedJob("copy", target.key, payload, 1, after))
            angle_indexes.append(len(jobs) - 1)
            assets["copy"] += 1
        images = target.image_formats
        if not images:  # a text ad per angle the copy is written in
            ads += 1 + len(target.angles)
            continue
        ads += len(images) * (1 + settings.variants_per_creative)
        pair = (target.segment_id, target.product_id)
        if pair not in visual_job:
            visual_job[pair] = None
            if not target.has_visual:
                jobs.append(PlannedJob("visual", target.key, VisualPayload().as_dict(), 1))
                visual_job[pair] = len(jobs) - 1
                assets["visual"] += 1
        creative_index = None
        if copy_index is not None or visual_job[pair] is not None or set(images) - target.rendered:
            after = tuple(i for i in (copy_index, visual_job[pair]) if i is not None)
            jobs.append(PlannedJob("creative", target.key, {}, len(images), after))
            creative_index = len(jobs) - 1
            assets["creative"] += len(images)
        per_creative = settings.variants_per_creative
        if per_creative > 0:
            wanted = per_creative * len(images)
            have = 0 if creative_index is not None else target.variants_made
            if have < wanted or angle_indexes:
                after = tuple(angle_indexes) + (() if creative_index is None else (creative_index,))
                units = max(wanted - have, 1)
                jobs.append(
                    PlannedJob(
                        "variants",
                        target.key,
                        VariantsPayload(count=per_creative).as_dict(),
                        units,
                        after,
                    )
                )
                assets["variant"] += units
    return jobs, assets, ads


def estimate_seconds(jobs: Sequence[PlannedJob], rates: dict[str, float]) -> float:
    """How long ``jobs`` take here, the copy model's loading counted once."""
    estimate = sum(job.units * rates.get(job.kind, 1.0) for job in jobs)
    if any(job.kind == "copy" for job in jobs):
        estimate += copy_model_load_seconds()
    return round(estimate, 1)


def plan_generation(ws: Workspace, campaign_id: int) -> Plan:
    """The jobs that make every missing asset of a campaign, and how long they will take."""
    campaign = store.get_campaign(ws, campaign_id)
    stored = store.campaign_targets(ws, campaign_id)
    angles = _angles_by_product(
        ws, [t.product_id for t in stored], campaign.language, campaign.settings
    )
    targets = [_stored_target(ws, campaign, t, angles[t.product_id]) for t in stored]
    jobs, assets, ads = plan_jobs(targets, campaign.settings)
    rates = seconds_per_unit(ws)
    return Plan(campaign_id, len(targets), jobs, assets, estimate_seconds(jobs, rates), rates, ads)


def plan_draft(
    ws: Workspace,
    pairs: Sequence[tuple[int, int]],
    channel_formats: Sequence[str],
    settings: CampaignSettings,
    language: str = "en",
) -> Plan:
    """What a campaign not yet created would generate, planned as :func:`plan_generation`
    will plan it once created (the builder's preview)."""
    check_design(settings, channel_formats)
    angles = _angles_by_product(ws, [p for _s, p in pairs], language, settings)
    targets = [
        PlanTarget(
            key,
            segment_id,
            product_id,
            get_channel_format(format_id).image_formats,
            angles[product_id],
        )
        for key, ((segment_id, product_id), format_id) in enumerate(
            cartesian(dict.fromkeys(pairs), dict.fromkeys(channel_formats))
        )
    ]
    jobs, assets, ads = plan_jobs(targets, settings)
    rates = seconds_per_unit(ws)
    return Plan(None, len(targets), jobs, assets, estimate_seconds(jobs, rates), rates, ads)


def _stored_target(
    ws: Workspace, campaign: Campaign, target: Target, angles: tuple[str, ...]
) -> PlanTarget:
    base = store.latest_copy(ws, target.id)
    written: set[str] = set()
    if base is not None:
        children = store.current_children(ws, base.id, kind="copy")
        written = {str(a.content.get("angle")) for a in children if a.content.get("angle")}
    images = target.image_formats
    has_visual = bool(images) and (
        store.latest_visual(ws, campaign.id, target.segment_id, target.product_id) is not None
    )
    rendered = (
        {a.format for a in store.current_assets(ws, campaign.id, "creative", target_id=target.id)}
        if images
        else set()
    )
    return PlanTarget(
        target.id,
        target.segment_id,
        target.product_id,
        images,
        angles,
        has_copy=base is not None,
        angles_written=frozenset(written),
        has_visual=has_visual,
        rendered=frozenset(a for a in rendered if a),
        variants_made=store.current_variant_count(ws, target.id) if images else 0,
    )


def _angles_by_product(
    ws: Workspace, product_ids: Sequence[int], language: str, settings: CampaignSettings
) -> dict[int, tuple[str, ...]]:
    """Each product's tested angles, worked out once however many targets show it (the
    builder asks on every change, on the GUI thread)."""
    return {p: tuple(_angles(ws, p, language, settings)) for p in dict.fromkeys(product_ids)}


def _angles(ws: Workspace, product_id: int, language: str, settings: CampaignSettings) -> list[str]:
    """The message angles a campaign tests that the product has facts for."""
    if settings.angles_tested <= 0:
        return []
    from generators.copy import available_angles, facts_from_product_row

    product = store.product_row(ws, product_id)
    if product is None:
        return []
    facts = replace(facts_from_product_row(product), buyers=store.product_buyers(ws, product_id))
    return list(available_angles(facts, language, settings.occasion))[: settings.angles_tested]


def enqueue_generation(ws: Workspace, campaign_id: int, queue: JobQueue | None = None) -> list[int]:
    """Queue the jobs of :func:`plan_generation`; returns their ids (empty: nothing to do).

    Pass the caller's :class:`~studio.jobs.JobQueue` so a running worker wakes at once.
    """
    queue = queue or JobQueue(ws)
    if queue.pending_count(campaign_id):
        raise StudioError(
            f"Campaign {store.get_campaign(ws, campaign_id).name!r} is already being generated.",
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


def seconds_per_unit(ws: Workspace) -> dict[str, float]:
    """Seconds per unit of work per job kind, a model's loading apart, on this machine as
    busy as it is now: the median of this workspace's latest finished jobs where measured,
    else of this machine's (any workspace), else the job kind's default; each measured as
    an idle machine's figure and scaled by the contention now."""
    machine = timings.measured()
    rates = {name: machine.get(name, kind.seconds_per_unit) for name, kind in JOB_KINDS.items()}
    for name in rates:
        measured = [
            (float(result["seconds"]) - float(result.get("load_seconds") or 0.0))
            / int(result["units"])
            / float(result.get("contention") or 1.0)
            for result in JobQueue(ws).finished_results(name, TIMING_WINDOW)
            if result.get("seconds") is not None and result.get("units")
        ]
        if measured:
            rates[name] = statistics.median(measured)
    busy = current_contention()
    return {name: rate * busy for name, rate in rates.items()}


@cache
def _load_meter() -> LoadMeter:
    return LoadMeter()


def current_contention() -> float:
    """How much longer work takes now than on an idle machine (1.0: idle). The meter
    starts when this module loads, so by the first estimate it has a window to read and
    the app's thread does not wait."""
    return _load_meter().contention(settle=True)


_load_meter()


def copy_model_load_seconds() -> float:
    """Seconds the copy model will take to load before the first copy job writes: none
    when this process has it loaded, else what loading took on this machine before."""
    from generators.registry import model_cache

    loaded = model_cache.loaded(blocking=False)  # None: a model is loading right now
    if loaded is not None and any(key[-1] == "copy" for key in loaded):
        return 0.0
    return timings.measured().get("load:copy", DEFAULT_LOAD_SECONDS) * current_contention()


def job_units(ws: Workspace, kind: str, payload: dict, target_id: int | None) -> int:
    """Work units of a queued job, to weigh it in overall progress."""
    images = len(store.get_target(ws, target_id).image_formats) if target_id is not None else 1
    return payload_units(kind, payload, images)
