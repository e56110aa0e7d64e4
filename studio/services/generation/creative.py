"""The ``creative`` job: the compositor, for every image format of a target's channel.

It also re-renders: after a copy edit or a new visual, the current creatives that show
the replaced copy or visual are rendered again (same format and layout) as new versions,
and their variants are made again from the new creatives.
"""

from __future__ import annotations

from typing import Any

from studio.core.channels import get_channel_format
from studio.core.errors import InputError, StudioError
from studio.core.records import Asset, NewAsset
from studio.jobs.queue import JobQueue
from studio.jobs.worker import JobContext, JobOutcome
from studio.services.generation.common import (
    RenderInputs,
    Subject,
    dependencies,
    finish_creative,
    load_subject,
    render_inputs,
    superseded,
    visual_layer,
)
from studio.services.generation.payloads import CreativePayload, VariantsPayload
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace


def run_creative(ctx: JobContext) -> JobOutcome:
    from studio.render.layout import available_layouts

    ws, payload = ctx.ws, CreativePayload.read(ctx.job.payload)
    if payload.rerender:
        return _rerender(ctx, list(payload.rerender))
    subject = load_subject(ws, ctx.job.target_id)
    target = subject.target
    old = superseded(ws, payload.supersedes)
    copy, visual = dependencies(ws, subject)
    inputs = render_inputs(ws, subject, copy, visual)
    if old is not None:  # a different take on one creative: the next layout
        layouts = available_layouts()
        previous = old.content.get("layout", {}).get("name", layouts[0])
        layout = layouts[(layouts.index(previous) + 1) % len(layouts)]
        work: list[tuple[str, str, Asset | None]] = [(image_format_of(old), layout, old)]
    else:
        work = [(fmt, payload.layout, None) for fmt in target.image_formats]
    if not work:
        raise InputError(f"The channel format {target.channel_format} has no image formats.")
    made = []
    for index, (image_format, layout, previous) in enumerate(work):
        ctx.cancel.raise_if_cancelled()
        ctx.sink.update(f"Rendering {image_format}", index / len(work))
        made.append((render_creative(inputs, image_format, layout), previous))
    ctx.cancel.raise_if_cancelled()
    ctx.sink.update("Creatives ready", 1.0)

    def save(ws: Workspace) -> list[int]:
        return [
            store_creative(ws, subject, inputs, rendered, previous) for rendered, previous in made
        ]

    return JobOutcome({"units": len(made)}, save)


def render_creative(inputs: RenderInputs, image_format: str, layout: str) -> tuple[Any, ...]:
    creative, texts, used = finish_creative(inputs, visual_layer(inputs, image_format, layout))
    return creative, texts, used


def store_creative(
    ws: Workspace,
    subject: Subject,
    inputs: RenderInputs,
    rendered: tuple[Any, ...],
    supersedes: Asset | None,
) -> int:
    creative, texts, used = rendered
    stored = ws.store_bytes(creative.encoded, creative.media_type)
    copy, visual = inputs.copy, inputs.visual
    return store.insert_asset(
        ws,
        NewAsset(
            kind="creative",
            generator="compositor",
            campaign_id=subject.campaign.id,
            target_id=subject.target.id,
            channel=get_channel_format(subject.target.channel_format).channel,
            format=creative.image_format.id,
            sha256=stored.sha256,
            content={
                "image_format": creative.image_format.id,
                "copy_asset_id": copy.id,
                "visual_asset_id": visual.id,
                "copy_fields": used,
                "copy": texts,
                "layout": creative.layout,
            },
            parent_id=visual.id,
            supersedes=supersedes,
            model_id=visual.model_id,
            model_revision=visual.model_revision,
            seed=visual.seed,
            prompt=visual.prompt,
            parameters={
                "visual_generator": visual.generator,
                "copy_generator": copy.generator,
                "copy_model_id": copy.model_id,
                "brand_kit": inputs.brand.name,
            },
        ),
    )


# --- re-rendering after a copy or visual changed -----------------------------------------


def stale_creatives(ws: Workspace, *, copy_asset_id: int | None = None,
                    visual_asset_id: int | None = None) -> list[Asset]:  # fmt: skip
    """Current creatives that show a replaced copy or visual."""
    if copy_asset_id is not None:
        return store.current_using(ws, "creative", "copy_asset_id", copy_asset_id)
    if visual_asset_id is not None:
        return store.current_using(ws, "creative", "visual_asset_id", visual_asset_id)
    raise ValueError("name the replaced copy or visual asset")


def queue_rerender(
    ws: Workspace, *, copy_asset_id: int | None = None, visual_asset_id: int | None = None
) -> list[int]:
    """Queue re-rendering the creatives (and their variants) that show a replaced copy or
    visual; until it has run, they and their variants are drafts again (an approval was for
    the old text or picture). Returns the queued job ids."""
    creatives = stale_creatives(ws, copy_asset_id=copy_asset_id, visual_asset_id=visual_asset_id)
    if not creatives:
        return []
    variants = [v for c in creatives for v in store.current_children(ws, c.id)]
    store.set_statuses(ws, [a.id for a in creatives + variants], "draft")
    queue = JobQueue(ws)
    jobs = []
    by_target: dict[int, list[int]] = {}
    for creative in creatives:
        by_target.setdefault(int(creative.target_id or 0), []).append(creative.id)
    for target_id, ids in by_target.items():
        rerender = CreativePayload(rerender=tuple(ids)).as_dict()
        creative_job = queue.enqueue(
            "creative", rerender, creatives[0].campaign_id, target_id or None
        )
        jobs.append(creative_job)
        if any(v.parent_id in ids for v in variants):
            jobs.append(
                queue.enqueue(
                    "variants",
                    {**VariantsPayload(remake_of=tuple(ids)).as_dict(), "after": [creative_job]},
                    creatives[0].campaign_id,
                    target_id or None,
                )
            )
    return jobs


def _rerender(ctx: JobContext, creative_ids: list[int]) -> JobOutcome:
    """New versions of creatives with their target's current copy and visual."""
    ws = ctx.ws
    made = []
    for index, creative_id in enumerate(creative_ids):
        ctx.cancel.raise_if_cancelled()
        old = store.get_asset(ws, int(creative_id))
        if not store.is_current(ws, old.id):
            continue  # already made again (the job ran before a crash)
        subject = load_subject(ws, old.target_id)
        copy, visual = dependencies(ws, subject)
        inputs = render_inputs(ws, subject, copy, visual)
        layout = old.content.get("layout", {}).get("name", "default")
        ctx.sink.update(f"Rendering {old.format} again", index / len(creative_ids))
        made.append((subject, inputs, render_creative(inputs, image_format_of(old), layout), old))

    def save(ws: Workspace) -> list[int]:
        return [store_creative(ws, s, i, r, old) for s, i, r, old in made]

    return JobOutcome({"units": len(made)}, save)


def image_format_of(creative: Asset) -> str:
    """The image format a stored creative was rendered in (every creative has one)."""
    if not creative.format:
        raise StudioError(f"Creative {creative.id} names no image format; it cannot be rendered.")
    return creative.format


def render_again_now(ws: Workspace, creatives: list[Asset], copy: Asset) -> list[tuple]:
    """Render creatives with a new copy asset (compute only), for an edit that must be
    refused whole when its text fits no format."""
    made = []
    for old in creatives:
        subject = load_subject(ws, old.target_id)
        _, visual = dependencies(ws, subject)
        inputs = render_inputs(ws, subject, copy, visual)
        layout = old.content.get("layout", {}).get("name", "default")
        made.append((subject, inputs, render_creative(inputs, image_format_of(old), layout), old))
    return made
