"""Variants of creatives, through the one variant engine (:mod:`generators.variants.matrix`).

Used by the ``variants`` job of a campaign, by ``studio variants`` and by the review
board. A variant is an ``assets`` row of kind ``variant`` whose ``parent_id`` is the
creative, whose ``variant_id`` is derived from the parent and the changes, and whose
content records every axis value it changes; asking for the same variant again returns
the asset already made.
"""

from __future__ import annotations

import io
from typing import Any

from generators.variants.matrix import (
    DEFAULT_AXES,
    GENERATOR,
    RenderedVariant,
    VariantSource,
    cell_from_changes,
    plan_cells,
    render_cells,
    variant_id_for,
)
from studio.core.errors import GenerationError, InputError, NotFound
from studio.core.progress import CancelToken, ProgressSink
from studio.core.records import Asset, NewAsset
from studio.jobs.worker import JobContext, JobOutcome
from studio.services.generation.common import (
    campaign_brand_kit,
    creative_copy,
    load_subject,
    product_picture,
)
from studio.services.generation.payloads import VariantsPayload
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace


def variant_source(ws: Workspace, asset: Asset) -> VariantSource:
    """Everything the engine needs to render a creative again, read from the workspace."""
    if asset.kind == "variant":
        raise InputError(
            f"Asset {asset.id} is already a variant.",
            hint=f"make variants of its creative, asset {asset.parent_id}, and combine axes",
        )
    if asset.kind != "creative":
        raise InputError(
            f"Asset {asset.id} is a {asset.kind}, not a creative.",
            hint="variants are made from finished creatives",
        )
    content = asset.content
    layout_info = content.get("layout") or {}
    image_format = content.get("image_format") or asset.format
    if not image_format:
        raise InputError(f"Creative {asset.id} does not record its image format.")
    copy = dict(content.get("copy") or {})
    if not copy:
        copy = {t["role"]: t["text"] for t in layout_info.get("text", []) if t.get("role")}
    if not copy.get("headline"):
        raise InputError(f"Creative {asset.id} does not record its copy.")

    background, focus_box = None, None
    background_style = "auto"
    visual_id = content.get("visual_asset_id")
    recorded = str(layout_info.get("background", ""))
    if recorded.startswith("designed:"):
        background_style = recorded.removeprefix("designed:")
    elif visual_id is not None:
        visual = store.get_asset(ws, int(visual_id))
        if visual.sha256:
            background = _image(ws, visual.sha256, f"the visual of creative {asset.id}")
            box = visual.content.get("focus_box")
            focus_box = tuple(box) if box else None
    subject = load_subject(ws, asset.target_id)
    brand = campaign_brand_kit(ws, subject.campaign)
    product_image = product_picture(ws, subject.product, brand)
    if product_image.mode not in ("RGBA", "LA", "PA"):
        product_image = product_image.convert("RGB")
    return VariantSource(
        parent_ref=asset.variant_id or f"a{asset.id}",
        image_format=image_format,
        brand=brand,
        product_image=product_image,
        background=background,
        background_style=background_style,
        focus_box=focus_box,
        layout=str(layout_info.get("name", "default")),
        copy=copy,
        role_alternates=role_alternates(
            ws, content.get("copy_asset_id"), copy, content.get("copy_fields") or {}
        ),
        angle_copies=angle_copies(ws, content.get("copy_asset_id")),
        seed=int(asset.seed or 0),
    )


def _image(ws: Workspace, sha256: str, what: str) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(ws.blob_path(sha256).read_bytes()))
        image.load()
    except (OSError, UnidentifiedImageError) as error:
        raise InputError(f"Cannot read {what} ({sha256[:12]}…): {error}.") from error
    return image


def role_alternates(
    ws: Workspace, copy_asset_id: int | None, copy: dict[str, str], copy_fields: dict[str, str]
) -> dict[str, list[str]]:
    """Other texts for each of the creative's roles, from the copy asset's candidates.

    A role's field is the one the creative recorded (``copy_fields``), else the copy field
    whose candidates include the creative's text.
    """
    if copy_asset_id is None:
        return {}
    try:
        fields: dict[str, list[str]] = store.get_asset(ws, int(copy_asset_id)).content.get(
            "fields", {}
        )
    except NotFound:
        return {}
    alternates: dict[str, list[str]] = {}
    for role, text in copy.items():
        name = copy_fields.get(role)
        candidates = fields.get(name) if name else None
        if not isinstance(candidates, list):
            candidates = next(
                (c for c in fields.values() if isinstance(c, list) and text in c), None
            )
        others = [c for c in candidates or [] if c != text]
        if others:
            alternates[role] = list(dict.fromkeys(others))
    return alternates


def angle_copies(ws: Workspace, copy_asset_id: int | None) -> dict[str, dict[str, str]]:
    """The texts of the copy written on other message angles for the creative's copy
    (its angle alternates), by angle and role; angles whose copy has no passing headline
    are left out."""
    if copy_asset_id is None:
        return {}
    found: dict[str, dict[str, str]] = {}
    for alternate in store.current_children(ws, int(copy_asset_id), kind="copy"):
        angle = alternate.content.get("angle")
        if not angle or alternate.copy_needs_review:
            continue
        texts, _ = creative_copy(alternate.content.get("fields", {}))
        if "headline" in texts:
            found[str(angle)] = texts
    return found


def render_variants(
    ws: Workspace,
    creative: Asset,
    *,
    axes: dict[str, Any],
    count: int,
    seed: int = 0,
    sink: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    device: str | None = None,
    cells: list[dict[str, Any]] | None = None,
    style_strength: float = 1.0,
) -> tuple[list[RenderedVariant], dict[str, int], list[str]]:
    """Compute a creative's variants: (rendered, already made {variant id: asset id},
    the planned variant ids in order). Writes nothing.

    ``cells`` names the variants exactly (each a dict of changes, as variants record
    them) instead of planning ``count`` of them along ``axes``."""
    if count < 1:
        raise InputError(f"Ask for at least one variant (got {count}).")
    source = variant_source(ws, creative)
    if cells is not None:
        chosen = [cell_from_changes(source, changes) for changes in cells]
    else:
        chosen = plan_cells(
            source, axes or DEFAULT_AXES, count, seed, style_strength=style_strength
        )
    cells_ = chosen
    if not cells_:
        along = ", ".join(axes or DEFAULT_AXES)
        raise InputError(
            f"Creative {creative.id} has nothing to vary along {along}.",
            hint="add copy candidates, styles or layouts, or choose other axes",
        )
    existing = store.existing_variant_ids(ws, creative.id)
    planned = [variant_id_for(source.parent_ref, cell) for cell in cells_]
    rendered = render_cells(source, cells_, skip=existing, sink=sink, cancel=cancel, device=device)
    return rendered, existing, planned


def store_variant(
    ws: Workspace,
    parent: Asset,
    variant: RenderedVariant,
    *,
    seed: int,
    supersedes: Asset | None = None,
) -> int:
    changes = variant.cell.changes()
    content: dict[str, Any] = {
        "axis": "+".join(changes),
        "value": " / ".join(str(v) for v in changes.values()),
        "axes": changes,
        "image_format": parent.content.get("image_format") or parent.format,
        "creative_asset_id": parent.id,
        "copy_asset_id": parent.content.get("copy_asset_id"),
        "visual_asset_id": parent.content.get("visual_asset_id"),
        "copy": variant.copy,
        "layout": variant.creative.layout,
    }
    if variant.palette is not None:
        content["palette"] = variant.palette
    stored = ws.store_bytes(variant.creative.encoded, variant.creative.media_type)
    return store.insert_asset(
        ws,
        NewAsset(
            kind="variant",
            generator=GENERATOR,
            campaign_id=parent.campaign_id,
            target_id=parent.target_id,
            channel=parent.channel,
            format=content["image_format"],
            sha256=stored.sha256,
            content=content,
            parent_id=parent.id,
            variant_id=variant.variant_id,
            supersedes=supersedes,
            model_id=variant.cell.style,
            seed=parent.seed,
            parameters={
                "matrix_seed": seed,
                "style_strategy": "resize+detail",
                "style_strength": variant.cell.style_strength if variant.cell.style else None,
                "protect": "product",
            },
        ),
    )


def make_variants(
    ws: Workspace,
    creative_asset_id: int,
    *,
    axes: dict[str, Any],
    count: int,
    seed: int = 0,
    sink: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    device: str | None = None,
    style_strength: float = 1.0,
) -> list[int]:
    """Render up to ``count`` variants of a creative and store them (one short write);
    returns their asset ids, including those made before.

    ``axes`` maps axis names to what to vary (an empty dict means the engine's default):
    ``style``: style ids or "all"; ``colourway``: how many, or colourway names;
    ``layout``: layout names or "all"; ``crop``: "all"; ``angle``: how many angles, or
    their names; ``headline``, ``cta``: how many alternate texts, or "all".
    """
    creative = store.get_asset(ws, creative_asset_id)
    rendered, existing, planned = render_variants(
        ws, creative, axes=axes, count=count, seed=seed, sink=sink, cancel=cancel,
        device=device, style_strength=style_strength,
    )  # fmt: skip
    with ws.write():
        made = {v.variant_id: store_variant(ws, creative, v, seed=seed) for v in rendered}
    return [made.get(vid) or existing[vid] for vid in planned if vid in made or vid in existing]


# --- the campaign job ----------------------------------------------------------------------


def run_variants(ctx: JobContext) -> JobOutcome:
    """Variants of a target's current creatives (or of creatives just rendered again)."""
    ws, payload = ctx.ws, VariantsPayload.read(ctx.job.payload)
    subject = load_subject(ws, ctx.job.target_id)
    if payload.supersedes is not None:
        return _new_take(ctx, store.get_asset(ws, payload.supersedes), payload.seed)
    if payload.cells is not None and payload.parent_id is not None:
        parent = store.get_asset(ws, payload.parent_id)
        return _challengers(ctx, parent, [dict(c) for c in payload.cells], payload.seed)
    axes = dict(payload.axes or subject.campaign.settings.variant_axes)
    count = payload.count or subject.campaign.settings.variants or 1
    replaced: dict[int, list[Asset]] = {}
    if payload.remake_of:  # creatives rendered again: their variants are remade
        parents = []
        for old_id in payload.remake_of:
            newest = store.asset_history(ws, int(old_id))[-1]
            old_variants = store.current_children(ws, int(old_id))
            if newest.id != int(old_id):
                parents.append(newest)
                replaced[newest.id] = old_variants
        count = max((len(v) for v in replaced.values()), default=count)
    else:
        parents = store.current_assets(
            ws, subject.campaign.id, "creative", target_id=subject.target.id
        )
    if not parents:
        raise GenerationError(
            f"Target {subject.target.id} has no creatives to make variants of.",
            hint="retry its creative job first",
        )
    seed = payload.seed
    strength = subject.campaign.settings.style_strength
    work = []
    for index, parent in enumerate(parents):
        ctx.cancel.raise_if_cancelled()
        sink = ctx.sink.scaled(index / len(parents), (index + 1) / len(parents))
        rendered, _, _ = render_variants(
            ws, parent, axes=axes, count=count, seed=seed, sink=sink, cancel=ctx.cancel,
            style_strength=strength,
        )  # fmt: skip
        work.append((parent, rendered))

    def save(ws: Workspace) -> list[int]:
        ids = []
        for parent, rendered in work:
            old = {_cell_key(a.content.get("axes", {})): a for a in replaced.get(parent.id, [])}
            for variant in rendered:
                key = _cell_key(variant.cell.changes())
                ids.append(store_variant(ws, parent, variant, seed=seed, supersedes=old.get(key)))
        return ids

    return JobOutcome({"units": sum(len(r) for _, r in work)}, save)


def _cell_key(changes: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((axis, str(value)) for axis, value in changes.items()))


def _challengers(
    ctx: JobContext, parent: Asset, cells: list[dict[str, Any]], seed: int
) -> JobOutcome:
    """The variants a next round asks for by name (its challengers)."""
    rendered, _, _ = render_variants(
        ctx.ws,
        parent,
        axes={},
        count=max(len(cells), 1),
        seed=seed,
        sink=ctx.sink,
        cancel=ctx.cancel,
        cells=cells,
    )

    def save(ws: Workspace) -> list[int]:
        return [store_variant(ws, parent, variant, seed=seed) for variant in rendered]

    return JobOutcome({"units": len(rendered)}, save)


def _new_take(ctx: JobContext, old: Asset, seed: int) -> JobOutcome:
    """A regenerated variant: the next cell its creative does not have yet."""
    ws = ctx.ws
    if old.parent_id is None:
        raise GenerationError(f"Variant {old.id} names no creative.")
    parent = store.get_asset(ws, old.parent_id)
    taken = store.existing_variant_ids(ws, parent.id)
    rendered, _, _ = render_variants(
        ws, parent, axes={}, count=len(taken) + 1, seed=seed, sink=ctx.sink, cancel=ctx.cancel
    )
    if not rendered:
        raise GenerationError(f"Creative {parent.id} has every variant already.")

    def save(ws: Workspace) -> list[int]:
        return [store_variant(ws, parent, rendered[0], seed=seed, supersedes=old)]

    return JobOutcome({"units": 1}, save)
