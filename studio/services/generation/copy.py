"""The ``copy`` job: channel copy for one target, checked by the gate, stored as one asset."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from studio.core.channels import get_channel_format
from studio.core.errors import GenerationError
from studio.core.records import NewAsset
from studio.jobs.worker import JobContext, JobOutcome
from studio.services.generation.common import (
    campaign_brand_kit,
    load_subject,
    stable_seed,
    superseded,
)
from studio.services.generation.payloads import CopyPayload
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace


def run_copy(ctx: JobContext) -> JobOutcome:
    from generators.copy import (
        CopyRequest,
        facts_from_product_row,
        generate_copy,
        segment_from_row,
        voice_of,
    )

    ws, payload = ctx.ws, CopyPayload.read(ctx.job.payload)
    subject = load_subject(ws, ctx.job.target_id)
    campaign, target = subject.campaign, subject.target
    old = superseded(ws, payload.supersedes)
    brand = voice_of(campaign_brand_kit(ws, campaign))
    campaign_tone = tuple(w.strip() for w in campaign.tone.split(",") if w.strip())
    if campaign_tone:  # the campaign's tone leads, the brand's stays
        brand = replace(brand, tone_words=campaign_tone + brand.tone_words)
    angle = payload.angle
    base = store.latest_copy(ws, target.id) if angle else None
    if angle and base is None:
        raise GenerationError(
            f"Target {target.id} has no copy yet to write the '{angle}' angle alongside.",
            hint="retry its copy job first",
        )
    product = replace(
        facts_from_product_row(subject.product),
        buyers=store.product_buyers(ws, int(subject.product["id"])),
    )
    request = CopyRequest(
        product=product,
        channel_format=target.channel_format,
        segment=segment_from_row(subject.segment),
        brand=brand,
        n=payload.candidates or campaign.settings.copy_candidates,
        language=campaign.language,
        seed=stable_seed("copy", campaign.id, target.id) if payload.seed is None else payload.seed,
        model_id=payload.model_id,
        angle=angle,
        occasion=campaign.settings.occasion,
        brief=campaign.brief,
    )
    result = generate_copy(request, ctx.sink, ctx.cancel)
    ctx.cancel.raise_if_cancelled()
    provenance = result.provenance
    content = {
        "fields": result.texts(),
        "channel_format": target.channel_format,
        "language": request.language,
        "passed": result.passed,
        "problems": result.problems,
        # nearest candidates of fields without a pass, with what fails them: for the user
        # to edit, never used in a creative as they are
        "closest": {name: c.text for name, c in result.closest.items()},
        "closest_problems": {name: c.problems for name, c in result.closest.items()},
        "sources": {name: [c.source for c in items] for name, items in result.fields.items()},
    }
    if angle:
        content["angle"] = angle
        content["focus"] = result.provenance.parameters.get("focus", "")
    asset = NewAsset(
        kind="copy",
        generator=provenance.generator,
        campaign_id=campaign.id,
        target_id=target.id,
        channel=get_channel_format(target.channel_format).channel,
        format=target.channel_format,
        content=content,
        parent_id=base.id if base is not None else None,
        supersedes=old,
        model_id=provenance.model_id,
        model_revision=provenance.model_revision,
        seed=provenance.seed,
        prompt=provenance.prompt,
        parameters={**provenance.parameters, "stats": result.stats},
    )
    message = "Copy ready" if result.passed else "Copy needs editing: " + "; ".join(result.problems)
    ctx.sink.update(message, 1.0)

    def save(ws: Workspace) -> list[int]:
        new_id = store.insert_asset(ws, asset)
        if old is not None:  # the creatives showing the old copy must be made again
            from studio.services.generation.creative import queue_rerender

            queue_rerender(ws, copy_asset_id=old.id)
        return [new_id]

    result_summary: dict[str, Any] = {
        "units": 1,
        # loading the model is timed apart: it happens once per process, not per target
        "load_seconds": result.stats.get("load_seconds", 0.0),
        "passed": result.passed,
        "problems": result.problems,
    }
    return JobOutcome(result_summary, save)
