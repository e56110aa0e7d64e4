"""Packshot-style product photos drawn with Pillow for the demo catalogue.

Each category has a recognisable object (coffee pouch, tea tin, mug, candle jar, pump
bottle, tote bag) drawn with cylindrical shading, a highlight, a printed label and a soft
floor shadow on a plain light background, the way a studio product photo looks. Shapes are
drawn at twice the output size and downsampled, so edges are anti-aliased.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 768
_SCALE = 2
_CANVAS = SIZE * _SCALE
# shapes are designed in 0–768 units and enlarged around this point to fill the frame
_ZOOM = 1.22
_CENTRE = (384.0, 400.0)
_UNIT = _SCALE * _ZOOM  # canvas pixels per design unit, for line widths and fonts

COLOURS: dict[str, tuple[int, int, int]] = {
    "espresso": (92, 62, 45),
    "caramel": (176, 118, 62),
    "cream": (236, 226, 204),
    "sage": (140, 165, 130),
    "forest": (52, 96, 70),
    "terracotta": (196, 104, 74),
    "ocean": (46, 98, 148),
    "charcoal": (58, 60, 64),
    "blush": (226, 170, 170),
    "mustard": (212, 168, 52),
    "lavender": (160, 140, 196),
    "white": (240, 240, 236),
    "amber": (200, 130, 40),
    "natural": (214, 198, 166),
    "red": (178, 54, 52),
    "black": (34, 34, 36),
}

Box = tuple[float, float, float, float]


def _px(*values: float) -> list[float]:
    """Design coordinates (x, y, x, y … in 0–768 units) to canvas pixels."""
    return [((v - _CENTRE[i % 2]) * _ZOOM + _CENTRE[i % 2]) * _SCALE for i, v in enumerate(values)]


def _material(
    colour: tuple[int, int, int], x0: float, x1: float, gloss: float, box: tuple[int, ...]
) -> Image.Image:
    """The canvas region ``box`` filled with a colour shaded like a vertical cylinder that
    spans x0..x1 (design units), lit from the upper left: darker at the edges, with a soft
    highlight left of centre."""
    left, top, right, bottom = box
    xs = np.arange(left, right, dtype=np.float32) / _SCALE
    xs = (xs - _CENTRE[0]) / _ZOOM + _CENTRE[0]
    t = np.clip((xs - (x0 + x1) / 2) / max((x1 - x0) / 2, 1.0), -1.0, 1.0)
    diffuse = 0.58 + 0.42 * np.sqrt(1.0 - t * t) - 0.06 * t
    shine = gloss * np.exp(-(((t + 0.45) / 0.16) ** 2))
    row = np.asarray(colour, dtype=np.float32)[None, :] * diffuse[:, None]
    row = np.clip(row + (255.0 - row) * shine[:, None], 0, 255).astype(np.uint8)
    pixels = np.broadcast_to(row, (bottom - top, right - left, 3))
    return Image.fromarray(np.ascontiguousarray(pixels))


def _paint(
    canvas: Image.Image,
    colour: tuple[int, int, int],
    span: tuple[float, float],
    shape: Callable[[ImageDraw.ImageDraw], None],
    gloss: float = 0.25,
) -> None:
    """Fill a shape with shaded colour; only the shape's bounding box is computed."""
    mask = Image.new("L", canvas.size, 0)
    shape(ImageDraw.Draw(mask))
    box = mask.getbbox()
    if box is not None:
        canvas.paste(_material(colour, *span, gloss, box), box[:2], mask.crop(box))


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(int(max(0, min(255, c * factor))) for c in colour)  # type: ignore[return-value]


def _ink_for(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    luminance = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    return (40, 36, 34) if luminance > 150 else (246, 242, 234)


def _background() -> Image.Image:
    top, bottom = np.array([247, 245, 241], np.float32), np.array([232, 229, 223], np.float32)
    ramp = np.linspace(0.0, 1.0, _CANVAS, dtype=np.float32)[:, None]
    column = (top + (bottom - top) * ramp).astype(np.uint8)
    pixels = np.broadcast_to(column[:, None, :], (_CANVAS, _CANVAS, 3))
    return Image.fromarray(np.ascontiguousarray(pixels))


def _floor_shadow(canvas: Image.Image, x0: float, x1: float, y: float) -> None:
    """A soft contact shadow, blurred at low resolution (cheap) and scaled up."""
    small = 8
    mask = Image.new("L", (_CANVAS // small, _CANVAS // small), 0)
    pad = (x1 - x0) * 0.08
    box = [v / small for v in _px(x0 - pad, y - 22, x1 + pad, y + 22)]
    ImageDraw.Draw(mask).ellipse(box, fill=110)
    mask = mask.filter(ImageFilter.GaussianBlur(5))
    region = mask.getbbox()
    if region is None:
        return
    patch = mask.crop(region)
    patch = patch.resize((patch.width * small, patch.height * small), Image.Resampling.BILINEAR)
    canvas.paste((150, 144, 136), (region[0] * small, region[1] * small), patch)


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size * _UNIT)


def _label(
    canvas: Image.Image,
    box: Box,
    span: tuple[float, float],
    lines: list[str],
    paper: tuple[int, int, int],
    radius: float = 6,
) -> None:
    """A printed label: shaded paper with the brand and the product name centred on it."""
    _paint(
        canvas,
        paper,
        span,
        lambda d: d.rounded_rectangle(_px(*box), radius=radius * _UNIT, fill=255),
        gloss=0.12,
    )
    draw = ImageDraw.Draw(canvas)
    ink = _ink_for(paper)
    x0, y0, x1, y1 = box
    width = x1 - x0
    sizes = [13.0] + [21.0] * (len(lines) - 1)
    fonts = []
    for text, size in zip(lines, sizes, strict=True):
        while size > 9 and draw.textlength(text, font=_font(size)) > (width - 24) * _UNIT:
            size -= 1
        fonts.append(_font(size))
    heights = [f.size / _UNIT * 1.25 for f in fonts]
    y = (y0 + y1) / 2 - sum(heights) / 2
    for text, font, height in zip(lines, fonts, heights, strict=True):
        draw.text(_px((x0 + x1) / 2, y + height / 2), text, fill=ink, font=font, anchor="mm")
        y += height


def _ellipse_band(x0: float, x1: float, y: float, depth: float) -> list[float]:
    return _px(x0, y - depth / 2, x1, y + depth / 2)


# --- the objects ------------------------------------------------------------------------


def _pouch(canvas: Image.Image, colour: tuple[int, int, int], lines: list[str]) -> None:
    _floor_shadow(canvas, 236, 532, 626)
    body = [(252, 196), (516, 196), (534, 618), (234, 618)]
    _paint(canvas, colour, (234, 534), lambda d: d.polygon(_px(*sum(body, ())), fill=255), 0.3)
    # crimped heat seal along the top edge
    teeth = [(252, 176)]
    for i in range(23):
        teeth.append((252 + (i + 0.5) * 264 / 23, 168 if i % 2 == 0 else 180))
    teeth += [(516, 176), (516, 214), (252, 214)]
    _paint(
        canvas,
        _shade(colour, 0.78),
        (252, 516),
        lambda d: d.polygon(_px(*sum(teeth, ())), fill=255),
        0.2,
    )
    _paint(
        canvas,
        _shade(colour, 0.55),
        (370, 398),
        lambda d: d.ellipse(_px(370, 240, 398, 268), fill=255),
        0.5,
    )
    _label(canvas, (284, 318, 484, 520), (234, 534), lines, (244, 238, 226))


def _tin(canvas: Image.Image, colour: tuple[int, int, int], lines: list[str]) -> None:
    x0, x1, top, bottom, depth = 262, 506, 236, 612, 54
    _floor_shadow(canvas, x0, x1, bottom + 4)

    def body(d: ImageDraw.ImageDraw) -> None:
        d.rectangle(_px(x0, top, x1, bottom), fill=255)
        d.ellipse(_ellipse_band(x0, x1, bottom, depth), fill=255)

    _paint(canvas, colour, (x0, x1), body, 0.35)
    lid = _shade(colour, 0.7)

    def lid_band(d: ImageDraw.ImageDraw) -> None:
        d.rectangle(_px(x0 - 4, top, x1 + 4, top + 64), fill=255)
        d.ellipse(_ellipse_band(x0 - 4, x1 + 4, top + 64, depth), fill=255)

    _paint(canvas, lid, (x0 - 4, x1 + 4), lid_band, 0.45)
    _paint(
        canvas,
        _shade(colour, 1.12),
        (x0, x1),
        lambda d: d.ellipse(_ellipse_band(x0 - 4, x1 + 4, top, depth), fill=255),
        0.15,
    )
    _label(canvas, (x0 + 2, 366, x1 - 2, 540), (x0, x1), lines, (246, 240, 228), radius=0)


def _mug(canvas: Image.Image, colour: tuple[int, int, int], lines: list[str]) -> None:
    x0, x1, top, bottom, depth = 236, 476, 262, 604, 58
    _floor_shadow(canvas, x0, x1 + 70, bottom + 4)
    # handle first, so the body covers its inner end
    handle = (440, 330, 592, 520)
    _paint(
        canvas,
        _shade(colour, 0.92),
        (handle[0], handle[2]),
        lambda d: d.ellipse(_px(*handle), outline=255, width=round(30 * _UNIT)),
        0.3,
    )

    def body(d: ImageDraw.ImageDraw) -> None:
        d.rectangle(_px(x0, top, x1, bottom), fill=255)
        d.ellipse(_ellipse_band(x0, x1, bottom, depth), fill=255)
        d.ellipse(_ellipse_band(x0, x1, top, depth), fill=255)

    _paint(canvas, colour, (x0, x1), body, 0.4)
    _paint(
        canvas,
        _shade(colour, 0.5),
        (x0, x1),
        lambda d: d.ellipse(_ellipse_band(x0 + 10, x1 - 10, top, depth - 12), fill=255),
        0.1,
    )
    band = _shade(colour, 0.8) if sum(colour) > 360 else _shade(colour, 1.5)
    _paint(canvas, band, (x0, x1), lambda d: d.rectangle(_px(x0, 520, x1, 540), fill=255), 0.3)
    draw = ImageDraw.Draw(canvas)
    draw.text(_px((x0 + x1) / 2, 420), lines[0], font=_font(15), fill=_ink_for(colour), anchor="mm")


def _candle(canvas: Image.Image, colour: tuple[int, int, int], lines: list[str]) -> None:
    x0, x1, top, bottom, depth = 268, 500, 300, 612, 46
    _floor_shadow(canvas, x0, x1, bottom + 4)
    glass = (206, 214, 214)

    def jar(d: ImageDraw.ImageDraw) -> None:
        d.rectangle(_px(x0, top, x1, bottom), fill=255)
        d.ellipse(_ellipse_band(x0, x1, bottom, depth), fill=255)

    _paint(canvas, glass, (x0, x1), jar, 0.55)

    def wax(d: ImageDraw.ImageDraw) -> None:
        d.rectangle(_px(x0 + 10, 352, x1 - 10, bottom - 6), fill=255)
        d.ellipse(_ellipse_band(x0 + 10, x1 - 10, bottom - 6, depth - 10), fill=255)

    _paint(canvas, colour, (x0 + 10, x1 - 10), wax, 0.2)
    _paint(
        canvas,
        _shade(colour, 1.15),
        (x0 + 10, x1 - 10),
        lambda d: d.ellipse(_ellipse_band(x0 + 10, x1 - 10, 352, depth - 10), fill=255),
        0.05,
    )
    _paint(
        canvas,
        _shade(glass, 0.9),
        (x0, x1),
        lambda d: d.ellipse(_ellipse_band(x0, x1, top, depth), outline=255, width=round(5 * _UNIT)),
        0.3,
    )
    draw = ImageDraw.Draw(canvas)
    draw.line(_px(384, 352, 384, 330), fill=(40, 36, 30), width=round(3 * _UNIT))
    draw.polygon(_px(384, 262, 398, 312, 392, 330, 376, 330, 370, 312), fill=(246, 168, 52))
    draw.polygon(_px(384, 286, 391, 314, 388, 328, 380, 328, 377, 314), fill=(255, 236, 150))
    _label(canvas, (x0 + 26, 410, x1 - 26, 560), (x0, x1), lines, (248, 244, 236), radius=4)


def _bottle(canvas: Image.Image, colour: tuple[int, int, int], lines: list[str]) -> None:
    x0, x1, top, bottom = 296, 472, 316, 622
    _floor_shadow(canvas, x0, x1, bottom)
    cap = (236, 236, 232) if sum(colour) < 600 else (70, 70, 74)
    _paint(canvas, cap, (370, 398), lambda d: d.rectangle(_px(370, 190, 398, 262), fill=255), 0.4)
    _paint(
        canvas,
        cap,
        (360, 458),
        lambda d: d.rounded_rectangle(_px(360, 176, 458, 204), radius=8 * _UNIT, fill=255),
        0.4,
    )
    _paint(
        canvas,
        cap,
        (344, 424),
        lambda d: d.rounded_rectangle(_px(344, 250, 424, 290), radius=6 * _UNIT, fill=255),
        0.5,
    )
    _paint(
        canvas,
        colour,
        (x0, x1),
        lambda d: d.rounded_rectangle(_px(x0, top - 30, x1, bottom), radius=40 * _UNIT, fill=255),
        0.45,
    )
    _paint(canvas, colour, (352, 416), lambda d: d.rectangle(_px(352, 282, 416, 300), fill=255))
    _label(canvas, (x0 + 18, 398, x1 - 18, 560), (x0, x1), lines, (250, 248, 244), radius=4)


def _tote(canvas: Image.Image, colour: tuple[int, int, int], lines: list[str]) -> None:
    _floor_shadow(canvas, 214, 554, 628)
    strap = _shade(colour, 0.8)
    for cx in (318, 450):
        box = (cx - 58, 170, cx + 58, 400)
        _paint(
            canvas,
            strap,
            (box[0], box[2]),
            lambda d, b=box: d.arc(_px(*b), 180, 360, fill=255, width=round(18 * _UNIT)),
            0.15,
        )
        _paint(
            canvas,
            strap,
            (box[0], box[0] + 18),
            lambda d, b=box: d.rectangle(_px(b[0], 282, b[0] + 18, 330), fill=255),
            0.1,
        )
        _paint(
            canvas,
            strap,
            (box[2] - 18, box[2]),
            lambda d, b=box: d.rectangle(_px(b[2] - 18, 282, b[2], 330), fill=255),
            0.1,
        )
    body = (236, 320, 532, 320, 556, 626, 212, 626)
    _paint(canvas, colour, (212, 556), lambda d: d.polygon(_px(*body), fill=255), 0.12)
    _paint(
        canvas,
        _shade(colour, 0.85),
        (236, 532),
        lambda d: d.rectangle(_px(236, 320, 532, 338), fill=255),
        0.1,
    )
    paper = _shade(colour, 0.45) if sum(colour) > 450 else (246, 242, 232)
    _label(canvas, (290, 420, 478, 548), (212, 556), lines, paper)


SHAPES: dict[str, Callable[[Image.Image, tuple[int, int, int], list[str]], None]] = {
    "pouch": _pouch,
    "tin": _tin,
    "mug": _mug,
    "candle": _candle,
    "bottle": _bottle,
    "tote": _tote,
}


def draw_packshot(shape: str, colour: str, lines: list[str]) -> Image.Image:
    """A 768×768 RGB product photo.

    ``shape`` is one of :data:`SHAPES`, ``colour`` a name in :data:`COLOURS`, ``lines`` the
    label text (first line small, e.g. the brand; then the product name).
    """
    canvas = _background()
    SHAPES[shape](canvas, COLOURS[colour], lines)
    return canvas.reduce(_SCALE)  # box-filtered supersampling: anti-aliased edges
