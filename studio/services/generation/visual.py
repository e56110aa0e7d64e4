"""The ``visual`` job: a product scene per (segment, product) of a campaign.

A diffusion scene when a visual model is installed, else a background designed from the
brand palette. The scene alone is stored: the compositor places the real product photo
in every format, keeping the spot the scene left for it in frame.
"""

from __future__ import annotations

from typing import Any

from studio.core.records import NewAsset
from studio.jobs.worker import JobContext, JobOutcome
from studio.services.generation.common import (
    campaign_brand_kit,
    load_subject,
    picture_source,
    product_picture,
    stable_seed,
    superseded,
)
from studio.services.generation.payloads import VisualPayload
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace


def run_visual(ctx: JobContext) -> JobOutcome:
    from generators.copy.request import facts_from_product_row
    from generators.visual import ProductFacts, SegmentFacts, VisualGenerator, VisualRequest

    ws, payload = ctx.ws, VisualPayload.read(ctx.job.payload)
    subject = load_subject(ws, ctx.job.target_id)
    campaign, target = subject.campaign, subject.target
    old = superseded(ws, payload.supersedes)
    seed = (
        stable_seed("visual", campaign.id, target.segment_id, target.product_id)
        if payload.seed is None
        else payload.seed
    )
    brand = campaign_brand_kit(ws, campaign)
    request = VisualRequest(
        product_image=product_picture(ws, subject.product, brand),
        product=ProductFacts(
            name=facts_from_product_row(subject.product).name,
            category=subject.product.get("category") or "",
            description=subject.product.get("description") or "",
        ),
        brand=brand,
        segment=SegmentFacts(subject.segment["name"], subject.segment.get("description") or ""),
        model_id=payload.model_id,
        seed=seed,
    )
    result = VisualGenerator().generate(request, ctx.sink, ctx.cancel)
    ctx.cancel.raise_if_cancelled()
    provenance = result.provenance
    diffusion = bool(provenance.parameters.get("diffusion"))
    content: dict[str, Any] = {
        "designed": not diffusion,
        "product_box": list(result.product_box),
        "segment_id": target.segment_id,
        "product_id": target.product_id,
        "product_picture": picture_source(subject.product),
    }
    if diffusion:
        content["focus_box"] = list(result.product_box)
    else:
        content["background_style"] = provenance.parameters.get("background_style", "auto")

    def save(ws: Workspace) -> list[int]:
        stored = ws.store_image(result.scene, "PNG")
        asset_id = store.insert_asset(
            ws,
            NewAsset(
                kind="visual",
                generator=provenance.generator,
                campaign_id=campaign.id,
                target_id=target.id,
                sha256=stored.sha256,
                content=content,
                supersedes=old,
                model_id=provenance.model_id,
                model_revision=provenance.model_revision,
                seed=seed,
                prompt=provenance.prompt,
                parameters=provenance.parameters,
            ),
        )
        if old is not None:  # creatives on the old scene are made again
            from studio.services.generation.creative import queue_rerender

            queue_rerender(ws, visual_asset_id=old.id)
        return [asset_id]

    return JobOutcome({"units": 1, "diffusion": diffusion}, save)
