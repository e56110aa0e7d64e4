"""The brand's logo on a creative: scaled into its slot, and legible on what lies behind
it (WCAG 1.4.11: graphics at least 3:1). A logo that would vanish into its background (a
navy wordmark on a navy panel, a colourway that turned the panel the logo's colour) gets
a chip in the brand colour its ink reads best on, and the creative records the contrast.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from studio.render.brand import BrandKit
from studio.render.colour import luminance
from studio.render.layout import Box, LayoutPlan, aligned


def fit_logo(logo: Image.Image, plan: LayoutPlan) -> tuple[Image.Image, Box] | None:
    """The logo trimmed and scaled into its slot, or None when it would be too small to read."""
    x0, y0, x1, y1 = plan.logo  # type: ignore[misc]
    rgba = logo.convert("RGBA")
    rgba = rgba.crop(rgba.getchannel("A").getbbox() or (0, 0, *rgba.size))
    scale = min((x1 - x0) / rgba.width, (y1 - y0) * 0.8 / rgba.height)
    width, height = round(rgba.width * scale), round(rgba.height * scale)
    if height < 10 or width < 16:
        return None
    left = aligned(x0, x1, width, plan.logo_align)
    top = y0 + (y1 - y0 - height) // 2
    resized = rgba.resize((width, height), Image.Resampling.LANCZOS)
    return resized, (left, top, left + width, top + height)


def logo_ink_contrast(background: Image.Image, logo: Image.Image, box: Box) -> float:
    """WCAG contrast between a logo's ink and what lies behind it: the contrast most of
    its opaque pixels reach (their lower quartile), so a two-colour mark whose main
    colour disappears fails even when a small accent stands out."""
    alpha = np.asarray(logo.getchannel("A"), dtype=np.float64) / 255
    ink = np.asarray(logo.convert("RGB"), dtype=np.float64)
    behind = np.asarray(background.convert("RGB").crop(box), dtype=np.float64)
    opaque = alpha > 0.5
    if not opaque.any():
        return 21.0
    fore = luminance(ink[opaque])
    back = luminance(behind[opaque])
    light, dark = np.maximum(fore, back), np.minimum(fore, back)
    return float(np.quantile((light + 0.05) / (dark + 0.05), 0.25))


def back_logo(final: Image.Image, logo: Image.Image, box: Box, brand: BrandKit) -> float:
    """A rounded chip behind the logo in the brand colour its ink reads best on; returns
    the contrast the logo then has."""
    x0, y0, x1, y1 = box
    pad = max(4, (y1 - y0) // 4)
    chip = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    best, best_contrast = None, -1.0
    for key in ("text_light", "background", "secondary", "text_dark", "primary"):
        trial = Image.new("RGB", final.size, brand.colour(key))
        contrast = logo_ink_contrast(trial, logo, box)
        if contrast > best_contrast:
            best, best_contrast = brand.colour(key), contrast
    ImageDraw.Draw(final).rounded_rectangle(chip, radius=pad, fill=best)
    return best_contrast
