"""The variant matrix: angle × style × colourway × layout × crop × headline × CTA.

The one variant engine of the studio (campaign jobs, ``studio variants``, the next round
of a test and the review board all use it). The caller picks the axes and how many
variants; each cell of the matrix is rendered the way the creative was (the compositor's
two stages), with its changes applied to the right layer: a message angle's headline and
sub-line (copy written from another fact of the product), alternate headlines and CTAs to
the text, colourways to the brand palette and the picture, GAN styles to the picture only
(before text and logo are drawn, product protected), layouts and crops to the picture's
arrangement. A cell's ``variant_id`` is derived from the parent and the cell's changes, so
the same cell always has the same id.

Which cells are made: variants that change one axis come first (cleanest A/B reads),
then two axes, and so on; within a tier the order is a shuffle seeded by ``seed``.

This module computes only: :class:`VariantSource` comes from the caller
(:mod:`studio.services.generation.variants` reads it from a workspace), and rendered
variants go back to it to store.

One module because the cells, their ids and how each axis is applied are one
contract: splitting them would let the id and the rendering drift apart.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import product as cartesian
from typing import TYPE_CHECKING, Any

from generators.variants.colourways import Colourway, colourways, recolour
from generators.variants.styles import list_styles, stylize
from studio.core.campaign_settings import VARIANT_AXES
from studio.core.errors import InputError
from studio.core.progress import CancelToken, ProgressSink

if TYPE_CHECKING:
    from PIL import Image

    from studio.render.brand import BrandKit
    from studio.render.compositor import VisualLayer

AXES = VARIANT_AXES
#: axes that change the text, and the creative's text role each changes
TEXT_AXES = {"headline": "headline", "cta": "cta"}
GENERATOR = "variants"
#: what ``axes={}`` (a campaign's "N variants per creative") asks for
DEFAULT_AXES: dict[str, Any] = {
    "angle": "all",
    "style": "all",
    "colourway": 2,
    "layout": "all",
    "headline": "all",
    "cta": "all",
}


@dataclass(frozen=True)
class Cell:
    """One variant: the value of each axis it changes (None keeps the creative's).

    ``headline`` and ``cta`` are 1-based positions among the creative's alternates."""

    angle: str | None = None
    style: str | None = None
    colourway: Colourway | None = None
    layout: str | None = None
    crop: str | None = None
    headline: int | None = None
    cta: int | None = None
    #: how strongly the style is applied (recorded as a change only when it is not 1)
    style_strength: float = 1.0

    def changes(self) -> dict[str, Any]:
        values = {
            "angle": self.angle,
            "style": self.style,
            "colourway": self.colourway.name if self.colourway else None,
            "layout": self.layout,
            "crop": self.crop,
            "headline": self.headline,
            "cta": self.cta,
            "style_strength": self.style_strength
            if self.style and self.style_strength != 1
            else None,
        }
        return {axis: value for axis, value in values.items() if value is not None}


@dataclass
class VariantSource:
    """Everything needed to render a creative again."""

    #: how variant ids of this creative start (its own variant id, else "a<row id>")
    parent_ref: str
    image_format: str
    brand: BrandKit
    product_image: Image.Image
    background: Image.Image | None
    background_style: str
    focus_box: tuple[int, int, int, int] | None
    layout: str
    #: the texts the creative shows, by role (headline, subline, cta)
    copy: dict[str, str]
    #: other texts for a role, from the copy's candidates (role → texts)
    role_alternates: dict[str, list[str]]
    #: the texts of copy written on another message angle (angle → role → text)
    angle_copies: dict[str, dict[str, str]]
    seed: int


# --- planning ------------------------------------------------------------------------------


def plan_cells(
    source: VariantSource,
    axes: dict[str, Any],
    count: int,
    seed: int,
    *,
    style_strength: float = 1.0,
) -> list[Cell]:
    unknown = sorted(set(axes) - set(AXES))
    if unknown:
        raise InputError(f"Unknown variant axis '{unknown[0]}'.", hint=f"axes: {', '.join(AXES)}")
    options = {axis: [None, *_axis_values(source, axis, value)] for axis, value in axes.items()}
    cells = [
        Cell(**dict(zip(options, combo, strict=True)), style_strength=style_strength)
        for combo in cartesian(*options.values())
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


def cell_from_changes(source: VariantSource, changes: dict[str, Any]) -> Cell:
    """The cell a recorded set of changes names (``{"angle": "detail", "colourway":
    "accent-led"}``), checked against what the creative offers."""
    values: dict[str, Any] = {}
    for axis, value in changes.items():
        if axis == "style_strength":
            values[axis] = float(value)
            continue
        if axis not in AXES:
            raise InputError(f"Unknown variant axis '{axis}'.", hint=f"axes: {', '.join(AXES)}")
        options = _axis_values(source, axis, "all")
        if axis == "colourway":
            options_by_name = {way.name: way for way in options}
            if value not in options_by_name:
                raise InputError(f"Unknown colourway '{value}'.")
            values[axis] = options_by_name[value]
            continue
        if value not in options:
            raise InputError(
                f"The creative offers no {axis} '{value}'.",
                hint=f"{axis}: {', '.join(map(str, options)) or 'none'}",
            )
        values[axis] = value
    return Cell(**values)


def _axis_values(source: VariantSource, axis: str, value: Any) -> list[Any]:
    if axis == "angle":
        available = list(source.angle_copies)
        if _is_all(value):
            return available
        if isinstance(value, int) and not isinstance(value, bool):
            return available[: max(0, value)]
        wanted = list(_as_list(value))
        for name in wanted:
            if name not in available:
                raise InputError(
                    f"The creative has no copy written on the angle '{name}'.",
                    hint=f"angles with copy: {', '.join(available) or 'none'}",
                )
        return wanted
    if axis == "style":
        known = [spec.id for spec in list_styles()]
        if isinstance(value, int) and not isinstance(value, bool):
            return known[: max(0, value)]  # a count: the first styles
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
        if isinstance(value, int) and not isinstance(value, bool):  # a count of other layouts
            return [name for name in alternates if name != source.layout][: max(0, value)]
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
    # headline, cta: positions among the role's alternate texts
    available = list(range(1, len(source.role_alternates.get(TEXT_AXES[axis], [])) + 1))
    if _is_all(value):
        return available
    if isinstance(value, int) and not isinstance(value, bool):
        return available[: max(0, value)]
    return [i for i in _as_list(value) if i in available]


def _is_all(value: Any) -> bool:
    return value is True or value == "all"  # `is`: 1 == True, and 1 means "one"


def _as_list(value: Any) -> Iterable[Any]:
    return [value] if isinstance(value, str | int) else list(value or [])


def axis_capacity(axis: str, image_format: str) -> int | None:
    """How many values a count on ``axis`` can reach for creatives of ``image_format``
    (None: it depends on the creative, e.g. its copy's angles)."""
    if axis == "layout":
        return max(0, len(_layouts_for(image_format)) - 1)  # the creative's own is not one
    if axis == "style":
        return len(list_styles())
    return None


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


def _crop_options(source: VariantSource) -> list[str]:
    """The two ends of the axis along which the photo has spare picture, if it has any."""
    if source.background is None:
        return []
    horizontal, vertical = _spare_room(source)
    if horizontal > _CROP_SHIFT:
        return ["left", "right"]
    if vertical > _CROP_SHIFT:
        return ["top", "bottom"]
    return []


def _spare_room(source: VariantSource) -> tuple[float, float]:
    from studio.render.formats import get_image_format

    assert source.background is not None
    width, height = get_image_format(source.image_format).size
    src_w, src_h = source.background.size
    scale = max(width / src_w, height / src_h)
    return 1 - width / scale / src_w, 1 - height / scale / src_h


def _crop_focus(source: VariantSource, crop: str) -> tuple[int, int, int, int]:
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


# --- rendering ----------------------------------------------------------------------------------


def variant_id_for(parent_ref: str, cell: Cell) -> str:
    """Stable: the same parent and the same changes always give the same id."""
    digest = hashlib.sha1(
        json.dumps(cell.changes(), sort_keys=True).encode("utf-8"), usedforsecurity=False
    ).hexdigest()[:8]
    return f"{parent_ref}-{digest}"


@dataclass
class RenderedVariant:
    cell: Cell
    variant_id: str
    creative: Any
    #: the texts it shows (a copy alternate, or the creative's)
    copy: dict[str, str]
    #: the colourway's palette, when it has one
    palette: dict[str, str] | None


def render_cells(
    source: VariantSource,
    cells: list[Cell],
    *,
    skip: Iterable[str] = (),
    sink: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    device: str | None = None,
) -> list[RenderedVariant]:
    """Render the cells (but those whose variant id is in ``skip``), in order.

    A cell whose text fits no layout (a long alternate headline) is left out and said so.
    """
    from studio.render.compositor import composite_text_layers

    sink = sink or ProgressSink()
    cancel = cancel or CancelToken()
    skipped = set(skip)
    todo = [cell for cell in cells if variant_id_for(source.parent_ref, cell) not in skipped]

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
        for strength in sorted({c.style_strength for c in todo if c.style == style}):
            images = stylize(
                [pictures[k].image for k in keys],
                style,
                masks=[pictures[k].product_mask for k in keys],
                device=device,
                strength=strength,
            )
            styled.update(
                {(style, strength, *k): image for k, image in zip(keys, images, strict=True)}
            )

    rendered: list[RenderedVariant] = []
    for index, cell in enumerate(todo):
        cancel.raise_if_cancelled()
        key = (cell.colourway, cell.layout, cell.crop)
        visual = pictures[key]
        if cell.style:
            visual = replace(visual, image=styled[(cell.style, cell.style_strength, *key)])
        brand = _brand_of(source, cell)
        copy = texts_of(source, cell)
        fraction = 0.5 + 0.5 * (index + 1) / len(todo)
        try:
            creative = composite_text_layers(visual, brand=brand, copy=copy)
        except InputError as error:  # e.g. a long alternate headline that fits no size
            sink.update(f"Skipped variant {index + 1} ({cell.changes()}): {error}", fraction)
            continue
        palette = brand.palette if cell.colourway is not None else None
        variant_id = variant_id_for(source.parent_ref, cell)
        rendered.append(RenderedVariant(cell, variant_id, creative, copy, palette))
        sink.update(f"Variant {index + 1}/{len(todo)}", fraction)
    return rendered


def texts_of(source: VariantSource, cell: Cell) -> dict[str, str]:
    """The texts a cell shows: the angle's headline and sub-line, then any alternate."""
    copy = dict(source.copy)
    if cell.angle:
        angled = source.angle_copies[cell.angle]
        copy.update({role: text for role, text in angled.items() if role != "cta"})
    for axis, role in TEXT_AXES.items():
        position = getattr(cell, axis)
        if position:
            copy[role] = source.role_alternates[role][position - 1]
    return copy


def _brand_of(source: VariantSource, cell: Cell) -> BrandKit:
    if cell.colourway is None:
        return source.brand
    return source.brand.with_palette(**cell.colourway.palette(source.brand.palette))


def _visual_layer(source: VariantSource, cell: Cell) -> VisualLayer:
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
