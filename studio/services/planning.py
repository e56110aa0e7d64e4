"""Planning a campaign's generation: the jobs that make what it lacks, and how long.

Per (segment, product) one ``visual``, per target one ``copy`` (and one per message angle
the campaign tests), one ``creative`` job that renders every image format of the target's
channel format, and a ``variants`` job when the campaign asks for variants; each job
waits for the ones it needs.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

from studio.core.errors import StudioError
from studio.core.records import Asset, Campaign, Plan, PlannedJob, Target
from studio.jobs.queue import JobQueue
from studio.services.generation import JOB_KINDS
from studio.storage import campaigns as store
from studio.storage import timings
from studio.storage.workspace import Workspace

#: how many of the latest finished jobs of a kind the estimate is measured from
TIMING_WINDOW = 20
#: seconds to load the copy model before any was measured here (Gemma 3 270M, converted
#: weights, on a 2-core CPU)
DEFAULT_LOAD_SECONDS = 8.0


def plan_generation(ws: Workspace, campaign_id: int) -> Plan:
    """The jobs that make every missing asset of a campaign, and how long they will take."""
    campaign = store.get_campaign(ws, campaign_id)
    targets = store.campaign_targets(ws, campaign_id)
    jobs: list[PlannedJob] = []
    visual_job: dict[tuple[int, int], int | None] = {}
    assets = {"copy": 0, "visual": 0, "creative": 0, "variant": 0}
    for target in targets:
        copy_index = None
        base = store.latest_copy(ws, target.id)
        if base is None:
            jobs.append(PlannedJob("copy", target.id, {"candidates": campaign.copy_candidates}, 1))
            copy_index = len(jobs) - 1
            assets["copy"] += 1
        angle_indexes = []
        for angle in missing_angles(ws, campaign, target, base):
            payload = {"candidates": campaign.copy_candidates, "angle": angle}
            after = () if copy_index is None else (copy_index,)
            jobs.append(PlannedJob("copy", target.id, payload, 1, after))
            angle_indexes.append(len(jobs) - 1)
            assets["copy"] += 1
        images = target.image_formats
        if not images:
            continue
        pair = (target.segment_id, target.product_id)
        if pair not in visual_job:
            visual_job[pair] = None
            if store.latest_visual(ws, campaign_id, *pair) is None:
                payload = {"segment_id": target.segment_id, "product_id": target.product_id}
                jobs.append(PlannedJob("visual", target.id, payload, 1))
                visual_job[pair] = len(jobs) - 1
                assets["visual"] += 1
        rendered = {
            a.format for a in store.current_assets(ws, campaign_id, "creative", target_id=target.id)
        }
        creative_index = None
        if copy_index is not None or visual_job[pair] is not None or set(images) - rendered:
            after = tuple(i for i in (copy_index, visual_job[pair]) if i is not None)
            jobs.append(PlannedJob("creative", target.id, {}, len(images), after))
            creative_index = len(jobs) - 1
            assets["creative"] += len(images)
        per_creative = campaign.variants_per_creative
        if per_creative > 0:
            wanted = per_creative * len(images)
            have = 0 if creative_index is not None else store.current_variant_count(ws, target.id)
            if have < wanted or angle_indexes:
                after = tuple(angle_indexes) + (() if creative_index is None else (creative_index,))
                payload = {"count": per_creative}
                units = max(wanted - have, 1)
                jobs.append(PlannedJob("variants", target.id, payload, units, after))
                assets["variant"] += units
    rates = seconds_per_unit(ws)
    estimate = sum(job.units * rates.get(job.kind, 1.0) for job in jobs)
    if any(job.kind == "copy" for job in jobs):
        estimate += copy_model_load_seconds()
    return Plan(campaign_id, len(targets), jobs, assets, round(estimate, 1), rates)


def missing_angles(
    ws: Workspace, campaign: Campaign, target: Target, base: Asset | None
) -> list[str]:
    """The message angles a campaign tests that a target has facts for but no copy yet."""
    wanted = campaign.variant_axes.get("angle", 0)
    if wanted <= 0:
        return []
    from generators.copy import available_angles, facts_from_product_row

    product = store.product_row(ws, target.product_id)
    if product is None:
        return []
    facts = replace(
        facts_from_product_row(product), buyers=store.product_buyers(ws, target.product_id)
    )
    angles = list(
        available_angles(facts, campaign.language, str(campaign.settings.get("occasion", "")))
    )[:wanted]
    have = set()
    if base is not None:
        have = {a.content.get("angle") for a in store.current_children(ws, base.id, kind="copy")}
    return [angle for angle in angles if angle not in have]


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
    """Seconds per unit of work per job kind, a model's loading apart: the median of this
    workspace's latest finished jobs where measured, else of this machine's (any
    workspace), else the job kind's default."""
    machine = timings.measured()
    rates = {name: machine.get(name, kind.seconds_per_unit) for name, kind in JOB_KINDS.items()}
    for name in rates:
        measured = [
            (float(result["seconds"]) - float(result.get("load_seconds") or 0.0))
            / int(result["units"])
            for result in JobQueue(ws).finished_results(name, TIMING_WINDOW)
            if result.get("seconds") is not None and result.get("units")
        ]
        if measured:
            rates[name] = statistics.median(measured)
    return rates


def copy_model_load_seconds() -> float:
    """Seconds the copy model will take to load before the first copy job writes: none
    when this process has it loaded, else what loading took on this machine before."""
    from generators.registry import model_cache

    loaded = model_cache.loaded(blocking=False)  # None: a model is loading right now
    if loaded is not None and any(key[-1] == "copy" for key in loaded):
        return 0.0
    return timings.measured().get("load:copy", DEFAULT_LOAD_SECONDS)


def job_units(ws: Workspace, kind: str, payload: dict, target_id: int | None) -> int:
    """Work units of a queued job, to weigh it in overall progress."""
    if target_id is None or kind not in ("creative", "variants"):
        return 1
    if kind == "variants" and "cells" in payload:  # the challengers of one creative
        return max(len(payload["cells"]), 1)
    images = len(store.get_target(ws, target_id).image_formats)
    return images * int(payload.get("count", 1)) if kind == "variants" else images
