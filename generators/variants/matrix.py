"""The variant matrix: style × colourway × layout × crop × copy for one creative.

The user picks the axes and how many variants; each cell of the matrix is rendered the way
the creative was (the compositor's two stages), with its changes applied to the right
layer: colourways to the brand palette and the picture, GAN styles to the picture only
(before text and logo are drawn, product protected), layouts and crops to the picture's
arrangement, copy alternates to the text. Every variant is an ``assets`` row of kind
``variant`` whose ``parent_id`` is the creative and whose ``variant_id`` is derived from
the parent and the cell: asking for the same cell again returns the same asset.

Which cells are made: variants that change one axis come first (cleanest A/B reads),
then two axes, and so on; within a tier the order is a shuffle seeded by ``seed``.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import product as cartesian
from typing import TYPE_CHECKING, Any

from generators.base import CancelToken, ProgressSink
from generators.variants.colourways import Colourway, colourways, recolour
from generators.variants.styles import list_styles, stylize
from studio.core.errors import InputError, NotFound

if TYPE_CHECKING:
    from PIL import Image

    from studio.core.campaigns import Asset
    from studio.render.brand import BrandKit
    from studio.render.compositor import VisualLayer
    from studio.storage.workspace import Workspace

AXES = ("style", "colourway", "layout", "crop", "copy")
GENERATOR = "variants"
#: what ``axes={}`` (a campaign's "N variants per creative") asks for
DEFAULT_AXES: dict[str, Any] = {"style": "all", "colourway": 2, "layout": "all", "copy": "all"}
COPY_ROLES = ("headline", "subline", "cta")


@dataclass(frozen=True)
class Cell:
    """One variant: the value of each axis it changes (None keeps the creative's)."""

    style: str | None = None
    colourway: Colourway | None = None
    layout: str | None = None
    crop: str | None = None
    copy: int | None = None

    def changes(self) -> dict[str, Any]:
        values = {
            "style": self.style,
            "colourway": self.colourway.name if self.colourway else None,
            "layout": self.layout,
            "crop": self.crop,
            "copy": self.copy,
        }
        return {axis: value for axis, value in values.items() if value is not None}


@dataclass
class _Source:
    """Everything needed to render the creative again."""

    asset: Asset
    image_format: str
    brand: BrandKit
    product_image: Image.Image
    background: Image.Image | None
    background_style: str
    focus_box: tuple[int, int, int, int] | None
    layout: str
    copy: dict[str, str]
    copy_alternates: list[dict[str, str]]
    seed: int


# --- the public entry point ---------------------------------------------------------------


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
) -> list[int]:
    """Render up to ``count`` variants of a creative; returns their asset ids.

    ``axes`` maps axis names to what to vary (an empty dict means :data:`DEFAULT_AXES`):
    ``style``: style ids or "all"; ``colourway``: how many, or colourway names;
    ``layout``: layout names or "all"; ``crop``: "all" (other crops of a photo
    background); ``copy``: how many copy alternates, or "all".
    """
    sink = sink or ProgressSink()
    cancel = cancel or CancelToken()
    if count < 1:
        raise InputError(f"Ask for at least one variant (got {count}).")
    sink.update("Reading the creative", 0.0)
    source = _load_source(ws, creative_asset_id)
    cells = plan_cells(source, axes or DEFAULT_AXES, count, seed)
    if not cells:
        chosen = ", ".join(axes or DEFAULT_AXES)
        raise InputError(
            f"Creative {creative_asset_id} has nothing to vary along {chosen}.",
            hint="add copy candidates, styles or layouts, or choose other axes",
        )
    return _render_cells(ws, source, cells, seed, sink, cancel, device)


def plan_cells(source: _Source, axes: dict[str, Any], count: int, seed: int) -> list[Cell]:
    unknown = sorted(set(axes) - set(AXES))
    if unknown:
        raise InputError(f"Unknown variant axis '{unknown[0]}'.", hint=f"axes: {', '.join(AXES)}")
    options = {axis: [None, *_axis_values(source, axis, value)] for axis, value in axes.items()}
    cells = [
        Cell(**dict(zip(options, combo, strict=True))) for combo in cartesian(*options.values())
    ]
    cells = [cell for cell in cells if cell.changes()]
    rng = random.Random(seed)
    tiers: dict[int, list[Cell]] = {}
    for cell in cells:
        tiers.setdefault(len(cell.changes()), []).append(cell)
    ordered: list[Cell] = []
    for size in sorted(tiers):
        tier = tiers[size]
        rng.shuffle(tier)
        ordered.extend(tier)
    return ordered[:count]


def _axis_values(source: _Source, axis: str, value: Any) -> list[Any]:
    if axis == "style":
        known = [spec.id for spec in list_styles()]
        wanted = known if _is_all(value) else list(_as_list(value))
        missing = [s for s in wanted if s not in known]
        if missing:
            raise InputError(f"Unknown style '{missing[0]}'.", hint=f"styles: {', '.join(known)}")
        return wanted
    if axis == "colourway":
        available = colourways(source.brand.palette, 99)
        if _is_all(value) or value is False:
            return available if value else []
        if isinstance(value, int):
            return available[: max(0, value)]
        names = {way.name: way for way in available}
        for name in _as_list(value):
            if name not in names:
                raise InputError(
                    f"Unknown colourway '{name}'.", hint=f"colourways: {', '.join(names)}"
                )
        return [names[name] for name in _as_list(value)]
    if axis == "layout":
        alternates = _layouts_for(source.image_format)
        wanted = alternates if _is_all(value) else list(_as_list(value))
        for name in wanted:
            if name not in alternates and name != source.layout:
                raise InputError(
                    f"Layout '{name}' does not exist for {source.image_format}.",
                    hint=f"layouts: {', '.join(alternates) or 'none'}",
                )
        return [name for name in wanted if name != source.layout]
    if axis == "crop":
        return _crop_options(source) if value else []
    # copy: alternates are indexes into the copy asset's candidates
    available = list(range(1, len(source.copy_alternates) + 1))
    if _is_all(value):
        return available
    if isinstance(value, int) and not isinstance(value, bool):
        return available[: max(0, value)]
    return [i for i in _as_list(value) if i in available]


def _is_all(value: Any) -> bool:
    return value is True or value == "all"  # `is`: 1 == True, and 1 means "one"


def _as_list(value: Any) -> Iterable[Any]:
    return [value] if isinstance(value, str | int) else list(value or [])


def _layouts_for(image_format: str) -> list[str]:
    from studio.render.formats import get_image_format
    from studio.render.layout import available_layouts, plan_layout

    fmt = get_image_format(image_format)
    names = []
    for name in available_layouts():
        try:
            plan_layout(fmt, name)
        except InputError:
            continue
        names.append(name)
    return names


# --- crops of a photo background ------------------------------------------------------------

_CROP_SHIFT = 0.02  # less spare picture than this is not a different crop


def _crop_options(source: _Source) -> list[str]:
    """The two ends of the axis along which the photo has spare picture, if it has any."""
    if source.background is None:
        return []
    horizontal, vertical = _spare_room(source)
    if horizontal > _CROP_SHIFT:
        return ["left", "right"]
    if vertical > _CROP_SHIFT:
        return ["top", "bottom"]
    return []


def _spare_room(source: _Source) -> tuple[float, float]:
    from studio.render.formats import get_image_format

    assert source.background is not None
    width, height = get_image_format(source.image_format).size
    src_w, src_h = source.background.size
    scale = max(width / src_w, height / src_h)
    return 1 - width / scale / src_w, 1 - height / scale / src_h


def _crop_focus(source: _Source, crop: str) -> tuple[int, int, int, int]:
    """A focus box inside the window at that end, so the compositor's crop lands there."""
    from studio.render.formats import get_image_format

    assert source.background is not None
    width, height = get_image_format(source.image_format).size
    src_w, src_h = source.background.size
    scale = max(width / src_w, height / src_h)
    win_w, win_h = width / scale, height / scale
    x0 = {"left": 0.0, "right": src_w - win_w}.get(crop, (src_w - win_w) / 2)
    y0 = {"top": 0.0, "bottom": src_h - win_h}.get(crop, (src_h - win_h) / 2)
    # shrink the box a little so it fits with the compositor's margin at covering scale
    inset_w, inset_h = win_w * 0.1, win_h * 0.1
    return (
        round(x0 + inset_w),
        round(y0 + inset_h),
        round(x0 + win_w - inset_w),
        round(y0 + win_h - inset_h),
    )


# --- reading the creative -------------------------------------------------------------------


def _load_source(ws: Workspace, asset_id: int) -> _Source:
    from studio.core.campaigns import get_asset

    asset = get_asset(ws, asset_id)
    if asset.kind == "variant":
        raise InputError(
            f"Asset {asset_id} is already a variant.",
            hint=f"make variants of its creative, asset {asset.parent_id}, and combine axes",
        )
    if asset.kind != "creative":
        raise InputError(
            f"Asset {asset_id} is a {asset.kind}, not a creative.",
            hint="variants are made from finished creatives",
        )
    content = asset.content
    layout_info = content.get("layout") or {}
    image_format = content.get("image_format") or asset.format
    if not image_format:
        raise InputError(f"Creative {asset_id} does not record its image format.")

    copy = dict(content.get("copy") or {})
    if not copy:
        copy = {t["role"]: t["text"] for t in layout_info.get("text", []) if t.get("role")}
    if not copy.get("headline"):
        raise InputError(f"Creative {asset_id} does not record its copy.")

    background, focus_box = None, None
    background_style = "auto"
    visual_id = content.get("visual_asset_id")
    recorded = str(layout_info.get("background", ""))
    if recorded.startswith("designed:"):
        background_style = recorded.removeprefix("designed:")
    elif visual_id is not None:
        visual = get_asset(ws, int(visual_id))
        if visual.sha256:
            background = _open_image(ws, visual.sha256, f"the visual of creative {asset_id}")
            box = visual.content.get("focus_box")
            focus_box = tuple(box) if box else None

    product_sha = content.get("product_sha256") or _product_photo_sha(ws, asset)
    product_image = _open_image(ws, product_sha, f"the product photo of creative {asset_id}")
    if product_image.mode not in ("RGBA", "LA", "PA"):
        product_image = product_image.convert("RGB")

    return _Source(
        asset=asset,
        image_format=image_format,
        brand=_brand_for(ws, asset),
        product_image=product_image,
        background=background,
        background_style=background_style,
        focus_box=focus_box,  # type: ignore[arg-type]
        layout=str(layout_info.get("name", "default")),
        copy=copy,
        copy_alternates=_copy_alternates(
            ws, content.get("copy_asset_id"), copy, content.get("copy_fields") or {}
        ),
        seed=int(asset.seed or 0),
    )


def _open_image(ws: Workspace, sha256: str, what: str) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        data = ws.blob_path(sha256).read_bytes()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, UnidentifiedImageError) as error:
        raise InputError(f"Cannot read {what} ({sha256[:12]}…): {error}.") from error
    return image


def _product_photo_sha(ws: Workspace, asset: Asset) -> str:
    if asset.target_id is None:
        raise InputError(f"Creative {asset.id} belongs to no campaign target and names no product.")
    sha = ws.scalar(
        "SELECT p.image_sha256 FROM campaign_targets t JOIN products p ON p.id = t.product_id"
        " WHERE t.id = ?",
        (asset.target_id,),
    )
    if not sha:
        raise InputError(f"The product of creative {asset.id} has no photo.")
    return str(sha)


def _brand_for(ws: Workspace, asset: Asset) -> BrandKit:
    from studio.render.brand import BrandKit

    name = None
    if asset.campaign_id is not None:
        name = ws.scalar(
            "SELECT k.name FROM campaigns c JOIN brand_kits k ON k.id = c.brand_kit_id"
            " WHERE c.id = ?",
            (asset.campaign_id,),
        )
    return BrandKit.load(ws, name)


def _copy_alternates(
    ws: Workspace, copy_asset_id: int | None, copy: dict[str, str], copy_fields: dict[str, str]
) -> list[dict[str, str]]:
    """Other texts for the creative's roles, from the copy asset's candidates.

    A role's field is the one the creative recorded (``copy_fields``), else the copy field
    whose candidates include the creative's text; alternate *k* takes candidate *k* of each
    such field (roles without one keep their text).
    """
    from studio.core.campaigns import get_asset

    if copy_asset_id is None:
        return []
    try:
        fields: dict[str, list[str]] = get_asset(ws, int(copy_asset_id)).content.get("fields", {})
    except NotFound:
        return []
    role_fields = {
        role: fields[name]
        for role, name in copy_fields.items()
        if role in copy and isinstance(fields.get(name), list) and fields[name]
    }
    for role, text in copy.items():
        if role in role_fields:
            continue
        for candidates in fields.values():
            if isinstance(candidates, list) and text in candidates:
                role_fields[role] = candidates
                break
    depth = max((len(c) for c in role_fields.values()), default=0)
    alternates: list[dict[str, str]] = []
    for index in range(depth):
        alternate = dict(copy)
        for role, candidates in role_fields.items():
            if index < len(candidates):
                alternate[role] = candidates[index]
        if alternate != copy and alternate not in alternates:
            alternates.append(alternate)
    return alternates


# --- rendering ----------------------------------------------------------------------------------


def variant_id_for(parent: Asset, cell: Cell) -> str:
    """Stable: the same parent and the same changes always give the same id."""
    parent_ref = parent.variant_id or f"a{parent.id}"
    digest = hashlib.sha1(
        json.dumps(cell.changes(), sort_keys=True).encode("utf-8"), usedforsecurity=False
    ).hexdigest()[:8]
    return f"{parent_ref}-{digest}"


def _render_cells(
    ws: Workspace,
    source: _Source,
    cells: list[Cell],
    seed: int,
    sink: ProgressSink,
    cancel: CancelToken,
    device: str | None,
) -> list[int]:
    from studio.render.compositor import composite_text_layers

    existing = {
        row["variant_id"]: int(row["id"])
        for row in ws.query(
            "SELECT id, variant_id FROM assets WHERE parent_id = ? AND variant_id IS NOT NULL",
            (source.asset.id,),
        )
    }
    todo = [cell for cell in cells if variant_id_for(source.asset, cell) not in existing]

    # pictures: one visual layer per (colourway, layout, crop), then one batched GAN pass per
    # style over every picture that style needs
    pictures: dict[tuple[Any, ...], VisualLayer] = {}
    for cell in todo:
        key = (cell.colourway, cell.layout, cell.crop)
        if key not in pictures:
            cancel.raise_if_cancelled()
            pictures[key] = _visual_layer(source, cell)
    styled: dict[tuple[Any, ...], Image.Image] = {}
    styles = sorted({cell.style for cell in todo if cell.style})
    for index, style in enumerate(styles):
        cancel.raise_if_cancelled()
        sink.update(f"Applying style '{style}'", 0.1 + 0.4 * index / max(len(styles), 1))
        keys = sorted({(c.colourway, c.layout, c.crop) for c in todo if c.style == style}, key=repr)
        images = stylize(
            [pictures[k].image for k in keys],
            style,
            masks=[pictures[k].product_mask for k in keys],
            device=device,
        )
        styled.update({(style, *k): image for k, image in zip(keys, images, strict=True)})

    ids: list[int] = []
    for index, cell in enumerate(cells):
        variant_id = variant_id_for(source.asset, cell)
        if variant_id in existing:
            ids.append(existing[variant_id])
            continue
        cancel.raise_if_cancelled()
        key = (cell.colourway, cell.layout, cell.crop)
        visual = pictures[key]
        if cell.style:
            visual = replace(visual, image=styled[(cell.style, *key)])
        brand = _brand_of(source, cell)
        copy = source.copy_alternates[cell.copy - 1] if cell.copy else source.copy
        fraction = 0.5 + 0.5 * (index + 1) / len(cells)
        try:
            creative = composite_text_layers(visual, brand=brand, copy=copy)
        except InputError as error:  # e.g. a long alternate headline that fits no size
            sink.update(f"Skipped variant {index + 1} ({cell.changes()}): {error}", fraction)
            continue
        ids.append(_record(ws, source, cell, variant_id, creative, copy, seed))
        sink.update(f"Variant {index + 1}/{len(cells)}", fraction)
    return ids


def _brand_of(source: _Source, cell: Cell) -> BrandKit:
    if cell.colourway is None:
        return source.brand
    return source.brand.with_palette(**cell.colourway.palette(source.brand.palette))


def _visual_layer(source: _Source, cell: Cell) -> VisualLayer:
    """The picture for a cell: palette-designed backgrounds are redrawn in the colourway;
    photo backgrounds are recoloured around the product."""
    from generators.variants.styles import protect
    from studio.render.compositor import render_visual_layer

    brand = _brand_of(source, cell)
    focus = _crop_focus(source, cell.crop) if cell.crop else source.focus_box
    visual = render_visual_layer(
        image_format=source.image_format,
        brand=brand,
        product_image=source.product_image,
        background=source.background,
        seed=source.seed,
        layout=cell.layout or source.layout,
        background_style=source.background_style,
        focus_box=focus,
    )
    if cell.colourway is not None and source.background is not None:
        change = cell.colourway.leading_change(source.brand.palette)
        if change is not None:
            recoloured = recolour(visual.image, *change)
            visual = replace(visual, image=protect(visual.image, recoloured, visual.product_mask))
    return visual


def _record(
    ws: Workspace,
    source: _Source,
    cell: Cell,
    variant_id: str,
    creative: Any,
    copy: dict[str, str],
    seed: int,
) -> int:
    from studio.core.campaigns import record_asset

    changes = cell.changes()
    parent = source.asset
    content: dict[str, Any] = {
        "axis": "+".join(changes),
        "value": " / ".join(str(v) for v in changes.values()),
        "axes": changes,
        "image_format": source.image_format,
        "copy_asset_id": parent.content.get("copy_asset_id"),
        "visual_asset_id": parent.content.get("visual_asset_id"),
        "copy": copy,
        "layout": creative.layout,
    }
    if cell.colourway is not None:
        content["palette"] = _brand_of(source, cell).palette
    with ws.write():  # the file's blob row and the asset row land together
        stored = ws.store_bytes(creative.encoded, creative.media_type)
        return record_asset(
            ws,
            kind="variant",
            generator=GENERATOR,
            campaign_id=parent.campaign_id,
            target_id=parent.target_id,
            channel=parent.channel,
            format=source.image_format,
            sha256=stored.sha256,
            content=content,
            parent_id=parent.id,
            variant_id=variant_id,
            model_id=cell.style,
            seed=source.seed,
            parameters={
                "matrix_seed": seed,
                "style_strategy": "resize+detail",
                "protect": "product",
            },
        )
