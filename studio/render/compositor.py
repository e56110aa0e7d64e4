"""The compositor: finished creatives in a channel format, with or without a diffusion model.

Two stages, so that variants can restyle the picture without garbling text:

1. :func:`render_visual_layer` — the background (a generated scene, or one designed from
   the brand palette) cropped to the format, with the product cut out and placed.
2. :func:`composite_text_layers` — panels or scrims where needed for contrast, the
   headline, sub-line, call-to-action button and logo, then JPEG encoding within the
   format's file-size limit.

:func:`compose_creative` runs both.

One module because both stages share the geometry of a format's layout recipe;
the text, colour and background helpers live beside it in :mod:`studio.render`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from studio.core.errors import GenerationError, InputError
from studio.render.background import design_background
from studio.render.brand import BrandKit
from studio.render.colour import (
    MIN_LOGO_CONTRAST,
    MIN_TEXT_CONTRAST,
    RGB,
    contrast_ratio,
    min_contrast_over,
    to_hex,
)
from studio.render.crop import smart_crop
from studio.render.formats import ImageFormat, get_image_format
from studio.render.layout import Box, LayoutPlan, aligned, plan_layout
from studio.render.logo import back_logo, fit_logo, logo_ink_contrast
from studio.render.product import Cutout, cut_out, place_product
from studio.render.text import FittedText, fit_text, layout_text

JPEG_QUALITY_MAX = 92
JPEG_QUALITY_MIN = 30
SCRIM_ALPHAS = (0.55, 0.7, 0.85, 1.0)


@dataclass
class VisualLayer:
    """The picture of a creative before any text: background, product and shadow."""

    image: Image.Image  # RGB, exactly the format's size
    image_format: ImageFormat
    plan: LayoutPlan
    product_box: Box
    #: full-size L mask of the product's pixels (255 = product), for protecting it
    product_mask: Image.Image
    cutout_method: str
    background: str  # "designed:<style>" or "image"


@dataclass
class Creative:
    image: Image.Image  # RGB, exactly the format's size
    encoded: bytes
    media_type: str
    layout: dict[str, Any]
    #: the picture with panels, scrims and button fills but no text: what text sits on
    backdrop: Image.Image = field(repr=False)
    visual: VisualLayer = field(repr=False)

    @property
    def image_format(self) -> ImageFormat:
        return self.visual.image_format


# --- stage 1: the picture ---------------------------------------------------------------


def render_visual_layer(
    *,
    image_format: str,
    brand: BrandKit,
    product_image: Image.Image,
    background: Image.Image | None = None,
    seed: int = 0,
    layout: str = "default",
    background_style: str = "auto",
    focus_box: Box | None = None,
) -> VisualLayer:
    """Background cropped to the format, with the product placed in the layout's slot.

    ``focus_box`` is the part of ``background`` that must stay in frame when it is cropped
    (for example where a generated scene has its light spot or podium).
    """
    fmt = get_image_format(image_format)
    plan = plan_layout(fmt, layout)
    if background is None:
        canvas = design_background(brand, fmt.size, seed, background_style)
        style = background_style
        if style == "auto":
            style = brand.style.get("background_style", "auto")
        source = f"designed:{style}"
    else:
        canvas, _ = smart_crop(background, fmt.size, focus_box)
        source = "image"
    cutout: Cutout = cut_out(product_image)
    product_box, mask = place_product(canvas, cutout, plan.product)
    return VisualLayer(canvas, fmt, plan, product_box, mask, cutout.method, source)


# --- stage 2: text, button, logo --------------------------------------------------------


@dataclass(frozen=True)
class _TextStyle:
    min_headline: int
    max_headline: int
    min_subline: int
    min_cta: int


def _text_style(fmt: ImageFormat, plan: LayoutPlan) -> _TextStyle:
    short = min(fmt.size)
    if plan.shape == "banner":
        text_h = plan.text[3] - plan.text[1]
        return _TextStyle(11, max(11, round(text_h * 0.3)), 9, 9)
    return _TextStyle(
        min_headline=max(11, round(short * 0.03)),
        max_headline=max(12, round(short * 0.1)),
        min_subline=max(9, round(short * 0.022)),
        min_cta=max(9, round(short * 0.022)),
    )


def composite_text_layers(
    visual: VisualLayer, *, brand: BrandKit, copy: dict[str, str]
) -> Creative:
    """Add panels/scrims, headline, sub-line, CTA button and logo; encode within the limit."""
    headline = (copy.get("headline") or "").strip()
    if not headline:
        raise InputError("A creative needs a headline; the copy has none.")
    subline = (copy.get("subline") or "").strip()
    cta = (copy.get("cta") or "").strip()
    fmt, plan = visual.image_format, visual.plan
    style = _text_style(fmt, plan)
    backdrop = visual.image.copy()
    dropped: list[str] = []

    if plan.panel:
        ImageDraw.Draw(backdrop).rectangle(_inclusive(plan.panel), fill=brand.colour("primary"))

    head_font = brand.font_path("headline", "bold")
    body_font = brand.font_path("body", "regular")
    lines = 2 if plan.shape == "banner" else 3  # a banner reads at a glance
    block = _fit_block(headline, subline, head_font, body_font, plan.text, style, lines)
    if block is None and subline:
        dropped.append("subline")
        block = _fit_block(headline, "", head_font, body_font, plan.text, style, lines)
    if block is None:
        raise InputError(
            f"The headline '{headline}' does not fit the {fmt.id} format "
            f"even at {style.min_headline} px.",
            hint="shorten it",
        )
    head_fit, sub_fit = block
    positioned = _position_block(head_fit, sub_fit, plan)

    text_layers: list[dict[str, Any]] = []
    colour, scrim = _readable_colour(backdrop, [box for _, box in positioned], brand)
    for fitted, box in positioned:
        role = "headline" if fitted is head_fit else "subline"
        text_layers.append(_text_layer(role, fitted, box, colour, scrim, plan.align))

    cta_layer = None
    if cta:
        cta_layer = _button(backdrop, cta, brand, plan, style, head_fit.size)
        if cta_layer is None:
            dropped.append("cta")

    placed_logo = fit_logo(brand.logo, plan) if brand.logo is not None and plan.logo else None
    if brand.logo is not None and placed_logo is None:
        dropped.append("logo")

    final = backdrop.copy()
    draw = ImageDraw.Draw(final)
    for layer, (fitted, box) in zip(text_layers, positioned, strict=True):
        _draw_lines(draw, fitted, box, layer["_rgb"], plan.align)
        layer["contrast"] = round(min_contrast_over(backdrop, box, layer["_rgb"]), 2)
    if cta_layer is not None:
        _draw_lines(draw, cta_layer["_fit"], tuple(cta_layer["box"]), cta_layer["_rgb"], "left")
        cta_layer["contrast"] = round(
            min_contrast_over(backdrop, tuple(cta_layer["box"]), cta_layer["_rgb"]), 2
        )
        text_layers.append(cta_layer)
    logo_box, logo_contrast, logo_backed = None, None, False
    if placed_logo is not None:
        logo, logo_box = placed_logo
        logo_contrast = logo_ink_contrast(backdrop, logo, logo_box)
        if logo_contrast < MIN_LOGO_CONTRAST:  # a navy wordmark on a navy panel: back it
            logo_backed = True
            logo_contrast = back_logo(final, logo, logo_box, brand)
        final.paste(logo, logo_box[:2], logo)

    for layer in text_layers:
        layer.pop("_fit", None)
        layer.pop("_rgb", None)
        if layer["contrast"] < MIN_TEXT_CONTRAST:  # the scrim ladder ends in a solid panel
            raise GenerationError(
                f"The {layer['role']} in {fmt.id} reached only {layer['contrast']}:1 contrast."
            )

    encoded, quality = encode_within_limit(final, fmt.max_bytes, where=fmt.id)
    layout_info = {
        "name": plan.name,
        "image_format": fmt.id,
        "size": list(fmt.size),
        "safe_box": list(fmt.safe_box),
        "product_box": list(visual.product_box),
        "cutout": visual.cutout_method,
        "background": visual.background,
        "panel": list(plan.panel) if plan.panel else None,
        "text": text_layers,
        "logo_box": list(logo_box) if logo_box else None,
        "logo_contrast": round(logo_contrast, 2) if logo_contrast is not None else None,
        "logo_backed": logo_backed,
        "dropped": dropped,
        "jpeg_quality": quality,
        "bytes": len(encoded),
        "max_bytes": fmt.max_bytes,
    }
    return Creative(final, encoded, "image/jpeg", layout_info, backdrop, visual)


def compose_creative(
    *,
    image_format: str,
    brand: BrandKit,
    copy: dict[str, str],
    product_image: Image.Image,
    background: Image.Image | None = None,
    seed: int = 0,
    layout: str = "default",
) -> Creative:
    """A finished creative: the visual layer, then the text layers, encoded within limits."""
    visual = render_visual_layer(
        image_format=image_format,
        brand=brand,
        product_image=product_image,
        background=background,
        seed=seed,
        layout=layout,
    )
    return composite_text_layers(visual, brand=brand, copy=copy)


# --- helpers ----------------------------------------------------------------------------


def _inclusive(box: Box) -> Box:
    """PIL's rectangle includes its end coordinates; boxes here are half-open."""
    return box[0], box[1], box[2] - 1, box[3] - 1


def _fit_block(
    headline: str,
    subline: str,
    head_font,
    body_font,
    slot: Box,
    style: _TextStyle,
    max_lines: int,
) -> tuple[FittedText, FittedText | None] | None:
    """The largest headline size at which headline and sub-line fit the slot together."""
    width, height = slot[2] - slot[0], slot[3] - slot[1]

    def attempt(size: int) -> tuple[FittedText, FittedText | None] | None:
        head = layout_text(headline, head_font, size, width, max_lines)
        if head is None or head.height > height:
            return None
        if not subline:
            return head, None
        sub_size = max(style.min_subline, round(size * 0.55))
        gap = round(sub_size * 0.6)
        sub = fit_text(
            subline,
            body_font,
            (width, height - head.height - gap),
            max_lines=max_lines,
            min_size=style.min_subline,
            max_size=sub_size,
        )
        return None if sub is None or sub.size < sub_size * 0.8 else (head, sub)

    best = None
    low, high = style.min_headline, style.max_headline
    while low <= high:
        size = (low + high) // 2
        fitted = attempt(size)
        if fitted is not None:
            best, low = fitted, size + 1
        else:
            high = size - 1
    return best


def _position_block(
    head: FittedText, sub: FittedText | None, plan: LayoutPlan
) -> list[tuple[FittedText, Box]]:
    x0, y0, x1, y1 = plan.text
    gap = round(sub.size * 0.6) if sub else 0
    total = head.height + (gap + sub.height if sub else 0)
    if plan.valign == "top":
        top = y0
    elif plan.valign == "bottom":
        top = y1 - total
    else:
        top = y0 + (y1 - y0 - total) // 2
    placed = []
    for fitted in (head, sub):
        if fitted is None:
            continue
        left = aligned(x0, x1, fitted.width, plan.align)
        placed.append((fitted, (left, top, left + fitted.width, top + fitted.height)))
        top += fitted.height + gap
    return placed


def _colour_pairs(brand: BrandKit) -> list[tuple[RGB, RGB]]:
    """(text colour, scrim colour) pairs, brand colours first, black and white last."""
    dark, light = brand.colour("text_dark"), brand.colour("text_light")
    pairs = [(dark, light), (light, dark), (light, brand.colour("primary"))]
    pairs += [((0, 0, 0), (255, 255, 255)), ((255, 255, 255), (0, 0, 0))]
    return [(t, s) for t, s in pairs if contrast_ratio(t, s) >= MIN_TEXT_CONTRAST]


def _readable_colour(
    backdrop: Image.Image, boxes: list[Box], brand: BrandKit
) -> tuple[RGB, dict[str, Any] | None]:
    """A text colour readable on the backdrop, adding a scrim (in place) if none is.

    The scrim is a rounded panel behind the whole text block, made more opaque step by
    step until the worst pixel under the text reaches 4.5:1; fully opaque always does,
    because each text/scrim pair is checked to reach it.
    """
    pairs = _colour_pairs(brand)

    def worst(image: Image.Image, colour: RGB) -> float:
        return min(min_contrast_over(image, box, colour) for box in boxes)

    scores = []
    for text, scrim in pairs:  # brand colours first: the first readable one wins
        score = worst(backdrop, text)
        if score >= MIN_TEXT_CONTRAST:
            return text, None
        scores.append((score, text, scrim))
    _, best_text, best_scrim = max(scores, key=lambda s: s[0])
    block = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    pad = max(4, round((block[3] - block[1]) * 0.08))
    scrim_box = (
        max(0, block[0] - pad),
        max(0, block[1] - pad),
        min(backdrop.width, block[2] + pad),
        min(backdrop.height, block[3] + pad),
    )
    for alpha in SCRIM_ALPHAS:
        trial = backdrop.copy()
        overlay = Image.new("RGBA", backdrop.size, (0, 0, 0, 0))
        ImageDraw.Draw(overlay).rounded_rectangle(
            _inclusive(scrim_box), radius=pad, fill=(*best_scrim, round(alpha * 255))
        )
        trial.paste(overlay, (0, 0), overlay)
        if worst(trial, best_text) >= MIN_TEXT_CONTRAST or alpha == SCRIM_ALPHAS[-1]:
            backdrop.paste(trial)
            return best_text, {"box": list(scrim_box), "colour": to_hex(best_scrim), "alpha": alpha}
    raise AssertionError("unreachable: the last scrim step is opaque")


def _text_layer(
    role: str, fitted: FittedText, box: Box, colour: RGB, scrim: dict | None, align: str
) -> dict[str, Any]:
    return {
        "role": role,
        "text": fitted.text,
        "lines": list(fitted.lines),
        "box": list(box),
        "font": fitted.font_path.name,
        "font_size": fitted.size,
        "colour": to_hex(colour),
        "align": align,
        "scrim": scrim,
        "_rgb": colour,
    }


def _draw_lines(
    draw: ImageDraw.ImageDraw, fitted: FittedText, box: Box, colour: RGB, align: str
) -> None:
    font = fitted.font
    for index, line in enumerate(fitted.lines):
        width = round(font.getlength(line))
        x = aligned(box[0], box[2], width, align)
        draw.text(
            (x, box[1] + index * fitted.line_height), line, font=font, fill=colour, anchor="la"
        )


def _button(
    backdrop: Image.Image,
    text: str,
    brand: BrandKit,
    plan: LayoutPlan,
    style: _TextStyle,
    headline_size: int,
) -> dict[str, Any] | None:
    """Draw the CTA button's fill on the backdrop; returns its text layer, or None if it
    cannot fit its slot."""
    x0, y0, x1, y1 = plan.cta
    font_path = brand.font_path("body", "bold")
    max_size = max(style.min_cta, min(round(headline_size * 0.7), round((y1 - y0) * 0.5)))
    best = None
    for size in range(max_size, style.min_cta - 1, -1):
        fitted = layout_text(text, font_path, size, 10**6, 1)
        if fitted is None:
            return None
        pad_x, pad_y = round(size * 0.8), round(size * 0.45)
        if fitted.width + 2 * pad_x <= x1 - x0 and fitted.height + 2 * pad_y <= y1 - y0:
            best = (fitted, pad_x, pad_y)
            break
    if best is None:
        return None
    fitted, pad_x, pad_y = best
    button_w, button_h = fitted.width + 2 * pad_x, fitted.height + 2 * pad_y
    bx = aligned(x0, x1, button_w, plan.cta_align)
    by = y0 + (y1 - y0 - button_h) // 2
    fill, text_colour = _button_colours(brand)
    ImageDraw.Draw(backdrop).rounded_rectangle(
        _inclusive((bx, by, bx + button_w, by + button_h)), radius=round(button_h * 0.3), fill=fill
    )
    box = (bx + pad_x, by + pad_y, bx + pad_x + fitted.width, by + pad_y + fitted.height)
    layer = _text_layer("cta", fitted, box, text_colour, None, "left")
    layer.update(button=[bx, by, bx + button_w, by + button_h], button_colour=to_hex(fill))
    layer["_fit"] = fitted
    return layer


def _button_colours(brand: BrandKit) -> tuple[RGB, RGB]:
    """The accent as button fill with the more readable text colour; an accent too mid-tone
    for either is darkened step by step (recorded in the layout as ``button_colour``)."""
    fill = brand.colour("accent")
    candidates = [brand.colour("text_light"), brand.colour("text_dark"), (255, 255, 255)]
    for _ in range(12):
        best = max(candidates, key=lambda c: contrast_ratio(c, fill))
        if contrast_ratio(best, fill) >= MIN_TEXT_CONTRAST:
            return fill, best
        fill = tuple(round(c * 0.85) for c in fill)  # type: ignore[assignment]
    return fill, (255, 255, 255)


def encode_within_limit(image: Image.Image, max_bytes: int, *, where: str) -> tuple[bytes, int]:
    """JPEG at the highest quality (≤ 92) whose file fits ``max_bytes``."""

    def encode(quality: int) -> bytes:
        buffer = io.BytesIO()
        image.convert("RGB").save(
            buffer, "JPEG", quality=quality, optimize=True, progressive=True, subsampling=2
        )
        return buffer.getvalue()

    data = encode(JPEG_QUALITY_MAX)
    if len(data) <= max_bytes:
        return data, JPEG_QUALITY_MAX
    low, high, best = JPEG_QUALITY_MIN, JPEG_QUALITY_MAX - 1, None
    while low <= high:
        quality = (low + high) // 2
        candidate = encode(quality)
        if len(candidate) <= max_bytes:
            best, low = (candidate, quality), quality + 1
        else:
            high = quality - 1
    if best is None:
        raise GenerationError(
            f"The {where} creative does not fit {max_bytes // 1024} KB "
            f"even at JPEG quality {JPEG_QUALITY_MIN}.",
            hint="use a calmer background",
        )
    return best
