"""Job handlers: what each kind of job does, from workspace rows to stored assets.

``copy``      the copy generator → one ``copy`` asset per target
``visual``    a diffusion scene when a visual model is installed, else a background
              designed from the brand palette → one ``visual`` asset per (segment, product)
``creative``  the compositor, for every image format of the target's channel format
              → ``creative`` assets
``variants``  GAN styles, then colourways, then layout alternates of each creative
              → ``variant`` assets linked to their creative

Each handler runs in the worker thread with the worker's own workspace connection,
reports progress, honours cancel between steps, and writes its assets in one transaction
at the end, so a cancelled or failed job leaves nothing half-made.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from generators.base import CancelToken, ProgressSink
from studio.core import campaigns
from studio.core.campaigns import Asset, Campaign, Target
from studio.core.channels import get_channel_format
from studio.core.errors import GenerationError, InputError, NotFound
from studio.jobs.worker import Handler, JobContext
from studio.storage.workspace import Workspace

if TYPE_CHECKING:
    from PIL import Image

    from studio.render.brand import BrandKit
    from studio.render.compositor import Creative, VisualLayer

#: copy fields a creative takes its headline, sub-line and button text from, in order
HEADLINE_FIELDS = ("headline", "subject", "intro", "primary_text", "caption", "text", "body")
SUBLINE_FIELDS = ("description", "preheader", "primary_text", "body")
#: a headline longer than this is shortened to its first sentence when it has one
LONG_HEADLINE = 90


def default_handlers() -> dict[str, Handler]:
    return {
        "copy": run_copy,
        "visual": run_visual,
        "creative": run_creative,
        "variants": run_variants,
    }


# --- what a job works on ---------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """The target of a job with the rows its generators need."""

    target: Target
    campaign: Campaign
    product: dict[str, Any]
    segment: dict[str, Any]


def load_subject(ws: Workspace, target_id: int | None) -> Subject:
    if target_id is None:
        raise InputError("This job names no campaign target.")
    target = campaigns.get_target(ws, target_id)
    products = ws.query("SELECT * FROM products WHERE id = ?", (target.product_id,))
    segments = ws.query("SELECT * FROM segments WHERE id = ?", (target.segment_id,))
    if not products or not segments:
        raise NotFound(
            f"Target {target_id} refers to a product or segment that no longer exists in {ws.path}."
        )
    campaign = campaigns.get_campaign(ws, target.campaign_id)
    return Subject(target, campaign, products[0], segments[0])


def brand_kit_for(ws: Workspace, campaign: Campaign) -> BrandKit:
    """The campaign's brand kit, else the workspace's first, else the default kit."""
    from studio.render.brand import BrandKit

    name = None
    if campaign.brand_kit_id is not None:
        name = ws.scalar("SELECT name FROM brand_kits WHERE id = ?", (campaign.brand_kit_id,))
    return BrandKit.load(ws, name)


def _seed(*parts: Any) -> int:
    """A stable seed from ids, so a campaign regenerates the same way on every machine."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _supersedes(ws: Workspace, payload: dict[str, Any]) -> Asset | None:
    asset_id = payload.get("supersedes")
    return campaigns.get_asset(ws, int(asset_id)) if asset_id is not None else None


# --- copy -----------------------------------------------------------------------------


def run_copy(ctx: JobContext) -> dict[str, Any]:
    from generators.copy.generator import generate_copy
    from generators.copy.request import (
        BrandVoice,
        CopyRequest,
        brand_from_kit_row,
        facts_from_product_row,
        segment_from_row,
    )

    ws, payload = ctx.ws, ctx.job.payload
    subject = load_subject(ws, ctx.job.target_id)
    campaign, target = subject.campaign, subject.target
    old = _supersedes(ws, payload)
    kit_rows = ws.query("SELECT * FROM brand_kits WHERE id = ?", (campaign.brand_kit_id,))
    if kit_rows:
        brand = brand_from_kit_row(kit_rows[0])
    else:
        kit = brand_kit_for(ws, campaign)
        brand = BrandVoice(
            tone_words=tuple(kit.tone_words),
            do_examples=tuple(kit.do_examples),
            dont_examples=tuple(kit.dont_examples),
            banned_words=tuple(kit.banned_words),
            disclaimer=kit.disclaimer,
        )
    campaign_tone = tuple(w.strip() for w in campaign.tone.split(",") if w.strip())
    if campaign_tone:  # the campaign's tone leads, the brand's stays
        brand = replace(brand, tone_words=campaign_tone + brand.tone_words)
    request = CopyRequest(
        product=facts_from_product_row(subject.product),
        channel_format=target.channel_format,
        segment=segment_from_row(subject.segment),
        brand=brand,
        n=int(payload.get("candidates", campaign.copy_candidates)),
        language=campaign.language,
        seed=int(payload.get("seed", _seed("copy", campaign.id, target.id))),
        model_id=payload.get("model_id"),
    )
    result = generate_copy(request, ctx.sink, ctx.cancel)
    ctx.cancel.raise_if_cancelled()
    provenance = result.provenance
    content = {
        "fields": result.texts(),
        "channel_format": target.channel_format,
        "passed": result.passed,
        "problems": result.problems,
        # nearest candidates of fields without a pass, for the user to edit (never used
        # in a creative as they are)
        "closest": {name: candidate.text for name, candidate in result.closest.items()},
    }
    with ws.write():
        asset_id = campaigns.record_asset(
            ws,
            kind="copy",
            generator=provenance.generator,
            campaign_id=campaign.id,
            target_id=target.id,
            channel=get_channel_format(target.channel_format).channel,
            format=target.channel_format,
            content=content,
            supersedes=old,
            model_id=provenance.model_id,
            model_revision=provenance.model_revision,
            seed=provenance.seed,
            prompt=provenance.prompt,
            parameters={**provenance.parameters, "stats": result.stats},
        )
        rerendered = []
        if old is not None:
            rerendered = rerender_creatives(ws, copy_asset_id=old.id, new_copy_asset_id=asset_id)
    message = "Copy ready" if result.passed else "Copy needs editing: " + "; ".join(result.problems)
    ctx.sink.update(message, 1.0)
    return {
        "asset_ids": [asset_id, *rerendered],
        "units": 1,
        "passed": result.passed,
        "problems": result.problems,
    }


# --- visual ---------------------------------------------------------------------------


def run_visual(ctx: JobContext) -> dict[str, Any]:
    from generators.visual import ProductFacts, SegmentFacts, VisualGenerator, VisualRequest
    from studio.render.product import open_product_photo

    ws, payload = ctx.ws, ctx.job.payload
    subject = load_subject(ws, ctx.job.target_id)
    campaign, target = subject.campaign, subject.target
    old = _supersedes(ws, payload)
    seed = int(
        payload.get("seed", _seed("visual", campaign.id, target.segment_id, target.product_id))
    )
    request = VisualRequest(
        product_image=open_product_photo(ws.blob_path(_photo_sha(subject))),
        product=ProductFacts(
            name=subject.product["name"],
            category=subject.product.get("category") or "",
            description=subject.product.get("description") or "",
        ),
        brand=brand_kit_for(ws, campaign),
        segment=SegmentFacts(subject.segment["name"], subject.segment.get("description") or ""),
        model_id=payload.get("model_id"),
        seed=seed,
    )
    result = VisualGenerator().generate(request, ctx.sink, ctx.cancel)
    ctx.cancel.raise_if_cancelled()
    provenance = result.provenance
    diffusion = bool(provenance.parameters.get("diffusion"))
    # the scene alone is stored: the compositor places the product itself in every format,
    # keeping the spot the scene left for it in frame
    content: dict[str, Any] = {
        "designed": not diffusion,
        "product_box": list(result.product_box),
        "segment_id": target.segment_id,
        "product_id": target.product_id,
    }
    if diffusion:
        content["focus_box"] = list(result.product_box)
    else:
        content["background_style"] = provenance.parameters.get("background_style", "auto")
    with ws.write():
        stored = ws.store_image(result.scene, "PNG")
        asset_id = campaigns.record_asset(
            ws,
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
        )
        rerendered = []
        if old is not None:
            rerendered = rerender_creatives(
                ws, visual_asset_id=old.id, new_visual_asset_id=asset_id
            )
    return {"asset_ids": [asset_id, *rerendered], "units": 1, "diffusion": diffusion}


def _photo_sha(subject: Subject) -> str:
    sha = subject.product.get("image_sha256")
    if not sha:
        raise InputError(
            f"Product {subject.product['sku']} has no photo, so no visual or creative can show it.",
            hint="import a photo for it (products CSV 'image' column or a photo folder)",
        )
    return sha


# --- creatives ------------------------------------------------------------------------


def creative_copy(fields: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Headline, sub-line and button text for a creative from a copy asset's fields.

    Returns the texts and, per role, the copy field it came from. The shortest passing
    candidate is taken for the headline; a long one is shortened to its first sentence.
    """
    used: dict[str, str] = {}
    texts: dict[str, str] = {}
    for name in HEADLINE_FIELDS:
        if fields.get(name):
            headline = min(fields[name], key=len)
            if len(headline) > LONG_HEADLINE:
                first = _first_sentence(headline)
                headline = first or headline
            texts["headline"], used["headline"] = headline, name
            break
    for name in SUBLINE_FIELDS:
        if fields.get(name) and name != used.get("headline"):
            texts["subline"], used["subline"] = fields[name][0], name
            break
    if fields.get("cta"):
        texts["cta"], used["cta"] = fields["cta"][0], "cta"
    return texts, used


def _first_sentence(text: str) -> str | None:
    for index, char in enumerate(text):
        if char in ".!?" and index >= 10 and (index + 1 == len(text) or text[index + 1] == " "):
            return text[: index + 1]
    return None


@dataclass
class RenderInputs:
    """Everything a creative of one target is rendered from."""

    brand: BrandKit
    product_image: Image.Image
    copy: Asset
    visual: Asset
    background: Image.Image | None


def render_inputs(ws: Workspace, subject: Subject, copy: Asset, visual: Asset) -> RenderInputs:
    from PIL import Image

    from studio.render.product import open_product_photo

    product_image = open_product_photo(ws.blob_path(_photo_sha(subject)))
    background = None
    if not visual.content.get("designed"):
        with Image.open(ws.blob_path(visual.sha256)) as opened:
            background = opened.convert("RGB")
    brand = brand_kit_for(ws, subject.campaign)
    return RenderInputs(brand, product_image, copy, visual, background)


def visual_layer(
    inputs: RenderInputs, image_format: str, layout: str, brand: BrandKit | None = None
) -> VisualLayer:
    from studio.render.compositor import render_visual_layer

    visual = inputs.visual
    return render_visual_layer(
        image_format=image_format,
        brand=brand or inputs.brand,
        product_image=inputs.product_image,
        background=inputs.background,
        seed=visual.seed or 0,
        layout=layout,
        background_style=visual.content.get("background_style", "auto"),
        focus_box=tuple(visual.content["focus_box"]) if visual.content.get("focus_box") else None,
    )


def finish_creative(
    inputs: RenderInputs, layer: VisualLayer, brand: BrandKit | None = None
) -> tuple[Creative, dict[str, str]]:
    from studio.render.compositor import composite_text_layers

    fields = inputs.copy.content.get("fields", {})
    texts, used = creative_copy(fields)
    if "headline" not in texts:
        problems = "; ".join(inputs.copy.content.get("problems", [])) or "no text fields"
        raise GenerationError(
            f"Copy asset {inputs.copy.id} has no passing text for a headline ({problems}).",
            hint=f"edit the copy (asset {inputs.copy.id}) or regenerate it, then retry",
        )
    return composite_text_layers(layer, brand=brand or inputs.brand, copy=texts), used


def _creative_content(
    inputs: RenderInputs, creative: Creative, used: dict[str, str], **extra: Any
) -> dict[str, Any]:
    return {
        "image_format": creative.image_format.id,
        "copy_asset_id": inputs.copy.id,
        "visual_asset_id": inputs.visual.id,
        "copy_fields": used,
        "layout": creative.layout,
        **extra,
    }


def _dependencies(ws: Workspace, subject: Subject) -> tuple[Asset, Asset]:
    target = subject.target
    copy = campaigns.latest_copy(ws, target.id)
    visual = campaigns.latest_visual(ws, target.campaign_id, target.segment_id, target.product_id)
    if copy is None or visual is None:
        missing = " and ".join(
            what for what, asset in (("copy", copy), ("visual", visual)) if asset is None
        )
        raise GenerationError(
            f"Target {target.id} has no {missing} yet, so its creatives cannot be rendered.",
            hint="retry the failed copy/visual job first, then this one",
        )
    return copy, visual


def run_creative(ctx: JobContext) -> dict[str, Any]:
    from studio.render.layout import available_layouts

    ws, payload = ctx.ws, ctx.job.payload
    subject = load_subject(ws, ctx.job.target_id)
    target = subject.target
    old = _supersedes(ws, payload)
    copy, visual = _dependencies(ws, subject)
    inputs = render_inputs(ws, subject, copy, visual)
    if old is not None:  # a different take on one creative: the next layout
        layouts = available_layouts()
        previous = old.content.get("layout", {}).get("name", layouts[0])
        layout = layouts[(layouts.index(previous) + 1) % len(layouts)]
        jobs = [(old.format, layout, old)]
    else:
        jobs = [(fmt, payload.get("layout", "default"), None) for fmt in target.image_formats]
    if not jobs:
        raise InputError(f"The channel format {target.channel_format} has no image formats.")
    made = []
    for index, (image_format, layout, previous) in enumerate(jobs):
        ctx.cancel.raise_if_cancelled()
        ctx.sink.update(f"Rendering {image_format}", index / len(jobs))
        creative, used = finish_creative(inputs, visual_layer(inputs, image_format, layout))
        made.append((creative, used, previous))
    ctx.cancel.raise_if_cancelled()
    with ws.write():
        ids = [
            _store_creative(ws, subject, inputs, creative, used, previous)
            for creative, used, previous in made
        ]
    ctx.sink.update("Creatives ready", 1.0)
    return {"asset_ids": ids, "units": len(ids)}


def _store_creative(
    ws: Workspace,
    subject: Subject,
    inputs: RenderInputs,
    creative: Creative,
    used: dict[str, str],
    supersedes: Asset | None,
) -> int:
    stored = ws.store_bytes(creative.encoded, creative.media_type)
    copy = inputs.copy
    return campaigns.record_asset(
        ws,
        kind="creative",
        generator="compositor",
        campaign_id=subject.campaign.id,
        target_id=subject.target.id,
        channel=get_channel_format(subject.target.channel_format).channel,
        format=creative.image_format.id,
        sha256=stored.sha256,
        content=_creative_content(inputs, creative, used),
        parent_id=inputs.visual.id,
        supersedes=supersedes,
        model_id=inputs.visual.model_id,
        model_revision=inputs.visual.model_revision,
        seed=inputs.visual.seed,
        prompt=inputs.visual.prompt,
        parameters={
            "visual_generator": inputs.visual.generator,
            "copy_generator": copy.generator,
            "copy_model_id": copy.model_id,
            "brand_kit": inputs.brand.name,
        },
    )


def rerender_creatives(
    ws: Workspace,
    *,
    copy_asset_id: int | None = None,
    new_copy_asset_id: int | None = None,
    visual_asset_id: int | None = None,
    new_visual_asset_id: int | None = None,
) -> list[int]:
    """Render new versions of the current creatives that use a replaced copy or visual.

    Each keeps its format and layout; the new versions are drafts (an approval was for
    the old text or picture). Returns the new creative ids.
    """
    if copy_asset_id is not None:
        key, old_id = "copy_asset_id", copy_asset_id
    elif visual_asset_id is not None:
        key, old_id = "visual_asset_id", visual_asset_id
    else:
        raise ValueError("name the replaced copy or visual asset")
    rows = ws.query(
        f"SELECT a.id FROM assets a WHERE a.kind = 'creative'"
        f" AND json_extract(a.content, '$.{key}') = ?"
        f" AND NOT EXISTS (SELECT 1 FROM assets n WHERE n.supersedes_id = a.id) ORDER BY a.id",
        (old_id,),
    )
    new_ids = []
    with ws.write():
        for row in rows:
            old = campaigns.get_asset(ws, row["id"])
            subject = load_subject(ws, old.target_id)
            copy = campaigns.get_asset(ws, new_copy_asset_id or old.content["copy_asset_id"])
            visual = campaigns.get_asset(ws, new_visual_asset_id or old.content["visual_asset_id"])
            inputs = render_inputs(ws, subject, copy, visual)
            layout = old.content.get("layout", {}).get("name", "default")
            creative, used = finish_creative(inputs, visual_layer(inputs, old.format, layout))
            new_ids.append(_store_creative(ws, subject, inputs, creative, used, old))
    return new_ids


# --- variants -------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantChoice:
    axis: str  # "style", "colourway" or "layout"
    value: str


def variant_choices(brand: BrandKit, count: int) -> list[VariantChoice]:
    """The first ``count`` variants: each GAN style, then colourways, then layouts."""
    from generators.variants.colourways import colourways
    from generators.variants.styles import list_styles
    from studio.render.layout import available_layouts

    choices = [VariantChoice("style", spec.id) for spec in list_styles()]
    choices += [VariantChoice("colourway", way.name) for way in colourways(brand.palette, count)]
    choices += [VariantChoice("layout", name) for name in available_layouts()[1:]]
    return choices[:count]


def run_variants(ctx: JobContext) -> dict[str, Any]:
    ws, payload = ctx.ws, ctx.job.payload
    subject = load_subject(ws, ctx.job.target_id)
    old = _supersedes(ws, payload)
    if old is not None:
        parents = [campaigns.get_asset(ws, old.parent_id)] if old.parent_id else []
    else:
        parents = campaigns.current_assets(
            ws, subject.campaign.id, "creative", target_id=subject.target.id
        )
    if not parents:
        raise GenerationError(
            f"Target {subject.target.id} has no creatives to make variants of.",
            hint="retry its creative job first",
        )
    count = int(payload.get("count", subject.campaign.variants or 1))
    brand = brand_kit_for(ws, subject.campaign)
    choices = variant_choices(brand, count if old is None else count + 8)
    if old is not None:  # a new take: the first choice this creative does not have yet
        taken = {
            (a.content.get("axis"), a.content.get("value"))
            for a in campaigns.current_assets(ws, subject.campaign.id, "variant")
            if a.parent_id == old.parent_id
        }
        fresh = [c for c in choices if (c.axis, c.value) not in taken]
        if not fresh:
            raise GenerationError(f"Creative {old.parent_id} has every variant already.")
        choices = fresh[:1]
    work = [(parent, choice) for parent in parents for choice in choices]
    made = _make_variants(ws, subject, brand, work, ctx.sink, ctx.cancel)
    ctx.cancel.raise_if_cancelled()
    with ws.write():
        ids = [
            _store_variant(ws, subject, parent, choice, creative, inputs, old)
            for (parent, choice), (creative, inputs) in zip(work, made, strict=True)
        ]
    return {"asset_ids": ids, "units": len(ids)}


def _make_variants(
    ws: Workspace,
    subject: Subject,
    brand: BrandKit,
    work: list[tuple[Asset, VariantChoice]],
    sink: ProgressSink,
    cancel: CancelToken,
) -> list[tuple[Creative, RenderInputs]]:
    from generators.variants.colourways import by_name, recolour
    from generators.variants.styles import protect, stylize

    inputs_of: dict[int, RenderInputs] = {}
    layers: list[VisualLayer] = []
    brands: list[BrandKit] = []
    for index, (parent, choice) in enumerate(work):
        cancel.raise_if_cancelled()
        sink.update(f"Preparing {parent.format}", 0.3 * index / len(work))
        if parent.id not in inputs_of:
            copy = campaigns.get_asset(ws, parent.content["copy_asset_id"])
            visual = campaigns.get_asset(ws, parent.content["visual_asset_id"])
            inputs_of[parent.id] = render_inputs(ws, subject, copy, visual)
        inputs = inputs_of[parent.id]
        layout = parent.content.get("layout", {}).get("name", "default")
        variant_brand = brand
        if choice.axis == "layout":
            layout = choice.value
        elif choice.axis == "colourway":
            variant_brand = brand.with_palette(
                **by_name(brand.palette, choice.value).palette(brand.palette)
            )
        layer = visual_layer(inputs, parent.format, layout, variant_brand)
        if choice.axis == "colourway":
            change = by_name(brand.palette, choice.value).leading_change(brand.palette)
            if change is not None:
                recoloured = recolour(layer.image, *change)
                layer = replace(layer, image=protect(layer.image, recoloured, layer.product_mask))
        layers.append(layer)
        brands.append(variant_brand)

    # GAN styles run batched, one call per style
    by_style: dict[str, list[int]] = {}
    for index, (_, choice) in enumerate(work):
        if choice.axis == "style":
            by_style.setdefault(choice.value, []).append(index)
    for style_id, indices in by_style.items():
        cancel.raise_if_cancelled()
        sink.update(f"Applying the {style_id} style to {len(indices)} creatives", 0.35)
        styled = stylize(
            [layers[i].image for i in indices],
            style_id,
            masks=[layers[i].product_mask for i in indices],
        )
        for i, image in zip(indices, styled, strict=True):
            layers[i] = replace(layers[i], image=image)

    results = []
    for index, ((parent, _), layer, variant_brand) in enumerate(
        zip(work, layers, brands, strict=True)
    ):
        cancel.raise_if_cancelled()
        sink.update(f"Finishing variant {index + 1} of {len(work)}", 0.7 + 0.3 * index / len(work))
        inputs = inputs_of[parent.id]
        creative, _ = finish_creative(inputs, layer, variant_brand)
        results.append((creative, inputs))
    return results


def _store_variant(
    ws: Workspace,
    subject: Subject,
    parent: Asset,
    choice: VariantChoice,
    creative: Creative,
    inputs: RenderInputs,
    supersedes: Asset | None,
) -> int:
    from generators.registry import get_spec

    stored = ws.store_bytes(creative.encoded, creative.media_type)
    version = 1 if supersedes is None else supersedes.version + 1
    value_key = hashlib.sha256(choice.value.encode()).hexdigest()[:6]
    variant_id = f"c{subject.campaign.id}-a{parent.id}-{choice.axis}-{value_key}"
    if version > 1:
        variant_id += f"-v{version}"
    model_id = model_revision = None
    generator = {"style": "gan-style", "colourway": "colourway", "layout": "layout"}[choice.axis]
    if choice.axis == "style":
        spec = get_spec(choice.value, "variant")
        model_id, model_revision = spec.id, spec.sha256 or spec.revision
    return campaigns.record_asset(
        ws,
        kind="variant",
        generator=generator,
        campaign_id=subject.campaign.id,
        target_id=subject.target.id,
        channel=parent.channel,
        format=parent.format,
        sha256=stored.sha256,
        content={
            "axis": choice.axis,
            "value": choice.value,
            "image_format": parent.format,
            "creative_asset_id": parent.id,
            "copy_asset_id": inputs.copy.id,
            "visual_asset_id": inputs.visual.id,
            "layout": creative.layout,
        },
        parent_id=parent.id,
        variant_id=variant_id,
        supersedes=supersedes,
        model_id=model_id,
        model_revision=model_revision,
        seed=parent.seed,
        parameters={"brand_kit": inputs.brand.name, "product_protected": True},
    )


def asset_image_bytes(ws: Workspace, asset: Asset) -> bytes:
    """The stored file of an image asset (creative, variant, visual)."""
    if asset.sha256 is None:
        raise InputError(f"Asset {asset.id} ({asset.kind}) has no file.")
    return ws.blob_path(asset.sha256).read_bytes()


def open_asset_image(ws: Workspace, asset: Asset) -> Image.Image:
    from PIL import Image

    image = Image.open(io.BytesIO(asset_image_bytes(ws, asset)))
    image.load()
    return image


__all__ = [
    "default_handlers",
    "open_asset_image",
    "rerender_creatives",
    "run_copy",
    "run_creative",
    "run_variants",
    "run_visual",
]
