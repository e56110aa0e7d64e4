"""Layouts: where the product, text, call-to-action button and logo go in each format.

A layout is a recipe of slots given as fractions of the format's safe box, one recipe
per shape class (wide banner, landscape, square, portrait). Named alternates
(``mirrored``, ``centered``, ``panel``) give variants a different arrangement of the same
content. Text, buttons and logos stay inside the safe box by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio.core.errors import InputError
from studio.render.formats import ImageFormat

Box = tuple[int, int, int, int]
Fractions = tuple[float, float, float, float]
Align = Literal["left", "center", "right"]
VAlign = Literal["top", "center", "bottom"]

LAYOUTS: tuple[str, ...] = ("default", "mirrored", "centered", "panel")


@dataclass(frozen=True)
class Recipe:
    product: Fractions
    text: Fractions
    cta: Fractions
    logo: Fractions | None
    align: Align = "left"
    valign: VAlign = "center"
    cta_align: Align = "left"
    logo_align: Align = "left"
    #: a solid brand-colour panel behind the text, as fractions of the whole canvas
    panel: Fractions | None = None


RECIPES: dict[tuple[str, str], Recipe] = {
    # wide banners: 728x90, 970x250, 320x50 — one row of logo, product, text, button
    ("banner", "default"): Recipe(
        product=(0.14, 0, 0.32, 1),
        text=(0.34, 0, 0.76, 1),
        cta=(0.78, 0, 1, 1),
        logo=(0, 0, 0.13, 1),
        cta_align="right",
    ),
    ("banner", "mirrored"): Recipe(
        product=(0.46, 0, 0.64, 1),
        text=(0, 0, 0.44, 1),
        cta=(0.66, 0, 0.84, 1),
        logo=(0.86, 0, 1, 1),
        cta_align="center",
        logo_align="right",
    ),
    ("banner", "centered"): Recipe(
        product=(0, 0, 0.2, 1),
        text=(0.22, 0, 0.78, 1),
        cta=(0.8, 0, 1, 1),
        logo=None,
        align="center",
        cta_align="right",
    ),
    ("banner", "panel"): Recipe(
        product=(0.64, 0, 0.8, 1),
        text=(0.15, 0, 0.61, 1),
        cta=(0.82, 0, 1, 1),
        logo=(0, 0, 0.13, 1),
        cta_align="right",
        panel=(0.14, 0, 0.63, 1),
    ),
    # landscape: 1200x628, 600x300 — text column beside the product
    ("landscape", "default"): Recipe(
        product=(0.56, 0.04, 1, 1),
        text=(0, 0.18, 0.54, 0.76),
        cta=(0, 0.8, 0.5, 1),
        logo=(0, 0, 0.3, 0.14),
    ),
    ("landscape", "mirrored"): Recipe(
        product=(0, 0.04, 0.44, 1),
        text=(0.48, 0.18, 1, 0.76),
        cta=(0.48, 0.8, 1, 1),
        logo=(0.7, 0, 1, 0.14),
        logo_align="right",
    ),
    ("landscape", "centered"): Recipe(
        product=(0.25, 0.46, 0.75, 1),
        text=(0.08, 0.14, 0.92, 0.44),
        cta=(0.76, 0.8, 1, 1),
        logo=(0.35, 0, 0.65, 0.12),
        align="center",
        cta_align="right",
        logo_align="center",
    ),
    ("landscape", "panel"): Recipe(
        product=(0.56, 0.04, 1, 1),
        text=(0, 0.18, 0.46, 0.76),
        cta=(0, 0.8, 0.46, 1),
        logo=(0, 0, 0.3, 0.14),
        panel=(0, 0, 0.5, 1),
    ),
    # square-ish: 300x250, 1080x1080, 1080x1350
    ("square", "default"): Recipe(
        product=(0.36, 0.44, 1, 1),
        text=(0, 0.13, 1, 0.42),
        cta=(0, 0.84, 0.36, 1),
        logo=(0, 0, 0.32, 0.1),
        valign="top",
    ),
    ("square", "mirrored"): Recipe(
        product=(0.15, 0.12, 0.85, 0.58),
        text=(0, 0.6, 1, 0.84),
        cta=(0, 0.87, 0.5, 1),
        logo=(0.68, 0, 1, 0.1),
        valign="top",
        logo_align="right",
    ),
    ("square", "centered"): Recipe(
        product=(0.2, 0.4, 0.8, 0.84),
        text=(0.04, 0.12, 0.96, 0.38),
        cta=(0.25, 0.87, 0.75, 1),
        logo=(0.34, 0, 0.66, 0.1),
        align="center",
        cta_align="center",
        logo_align="center",
    ),
    ("square", "panel"): Recipe(
        product=(0.2, 0.1, 0.8, 0.56),
        text=(0, 0.62, 1, 0.84),
        cta=(0, 0.87, 0.5, 1),
        logo=(0, 0, 0.32, 0.09),
        valign="top",
        panel=(0, 0.6, 1, 1),
    ),
    # portrait: 160x600, 300x600, 1080x1920
    ("portrait", "default"): Recipe(
        product=(0, 0.42, 1, 0.86),
        text=(0, 0.1, 1, 0.4),
        cta=(0, 0.89, 1, 1),
        logo=(0, 0, 0.7, 0.07),
        valign="top",
    ),
    ("portrait", "mirrored"): Recipe(
        product=(0, 0.08, 1, 0.5),
        text=(0, 0.53, 1, 0.85),
        cta=(0, 0.88, 1, 1),
        logo=(0.3, 0, 1, 0.07),
        valign="top",
        logo_align="right",
    ),
    ("portrait", "centered"): Recipe(
        product=(0, 0.42, 1, 0.86),
        text=(0, 0.1, 1, 0.4),
        cta=(0, 0.89, 1, 1),
        logo=(0.15, 0, 0.85, 0.07),
        align="center",
        valign="top",
        cta_align="center",
        logo_align="center",
    ),
    ("portrait", "panel"): Recipe(
        product=(0, 0.08, 1, 0.5),
        text=(0, 0.56, 1, 0.85),
        cta=(0, 0.88, 1, 1),
        logo=(0, 0, 0.7, 0.07),
        valign="top",
        panel=(0, 0.52, 1, 1),
    ),
}


@dataclass(frozen=True)
class LayoutPlan:
    name: str
    shape: str
    product: Box
    text: Box
    cta: Box
    logo: Box | None
    panel: Box | None
    align: Align
    valign: VAlign
    cta_align: Align
    logo_align: Align


def shape_of(image_format: ImageFormat) -> str:
    aspect = image_format.aspect
    if aspect >= 3.0:
        return "banner"
    if aspect >= 1.3:
        return "landscape"
    if aspect >= 0.8:
        return "square"
    return "portrait"


def available_layouts() -> tuple[str, ...]:
    return LAYOUTS


def plan_layout(image_format: ImageFormat, name: str = "default") -> LayoutPlan:
    if name not in LAYOUTS:
        raise InputError(f"Unknown layout '{name}'.", hint=f"use one of {', '.join(LAYOUTS)}")
    shape = shape_of(image_format)
    recipe = RECIPES[(shape, name)]
    safe = image_format.safe_box
    gap = max(2, round(min(image_format.size) * 0.015))
    canvas = (0, 0, image_format.width, image_format.height)
    return LayoutPlan(
        name=name,
        shape=shape,
        # the product may use the whole canvas side, text never leaves the safe box
        product=_slot(safe, recipe.product, gap),
        text=_slot(safe, recipe.text, gap),
        cta=_slot(safe, recipe.cta, gap),
        logo=_slot(safe, recipe.logo, gap) if recipe.logo else None,
        panel=_slot(canvas, recipe.panel, 0) if recipe.panel else None,
        align=recipe.align,
        valign=recipe.valign,
        cta_align=recipe.cta_align,
        logo_align=recipe.logo_align,
    )


def _slot(area: Box, fractions: Fractions, gap: int) -> Box:
    x0, y0, x1, y1 = area
    w, h = x1 - x0, y1 - y0
    fx0, fy0, fx1, fy1 = fractions
    # gaps only between slots, not along the safe box's own edges
    pad_l = gap // 2 if fx0 > 0 else 0
    pad_t = gap // 2 if fy0 > 0 else 0
    pad_r = gap // 2 if fx1 < 1 else 0
    pad_b = gap // 2 if fy1 < 1 else 0
    return (
        x0 + round(w * fx0) + pad_l,
        y0 + round(h * fy0) + pad_t,
        x0 + round(w * fx1) - pad_r,
        y0 + round(h * fy1) - pad_b,
    )


def aligned(x0: int, x1: int, width: int, align: str) -> int:
    """The left edge of ``width`` aligned in [x0, x1]."""
    if align == "center":
        return x0 + (x1 - x0 - width) // 2
    if align == "right":
        return x1 - width
    return x0
