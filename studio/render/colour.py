"""Colour arithmetic: hex parsing, WCAG relative luminance and contrast ratio."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from studio.core.errors import InputError

if TYPE_CHECKING:
    from PIL import Image

RGB = tuple[int, int, int]

#: WCAG 2.x success criterion 1.4.3 (contrast, minimum) for normal-size text
MIN_TEXT_CONTRAST = 4.5
#: WCAG 2.x 1.4.11 (non-text contrast) for graphics such as a logo
MIN_LOGO_CONTRAST = 3.0


def parse_hex(value: str, *, where: str = "colour") -> RGB:
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        if len(text) != 6:
            raise ValueError
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        raise InputError(
            f"'{value}' in {where} is not a colour.", hint="use #RRGGBB, e.g. #1F6FEB"
        ) from None


def to_hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _linear(channel: np.ndarray) -> np.ndarray:
    c = channel / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb: RGB | np.ndarray) -> np.ndarray:
    """WCAG relative luminance of a colour or of an (..., 3) array of colours."""
    a = np.asarray(rgb, dtype=np.float64)
    lin = _linear(a)
    return 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = float(luminance(a)), float(luminance(b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def min_contrast_over(image: Image.Image, box: tuple[int, int, int, int], colour: RGB) -> float:
    """The lowest contrast between ``colour`` and any pixel of ``image`` inside ``box``.

    The worst pixel counts, not the average: text must be readable wherever it falls.
    """
    region = np.asarray(image.convert("RGB").crop(box), dtype=np.float64).reshape(-1, 3)
    lum = luminance(region)
    text = float(luminance(colour))
    ratios = (np.maximum(lum, text) + 0.05) / (np.minimum(lum, text) + 0.05)
    return float(ratios.min())


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` blended towards ``b`` by ``t`` in [0, 1]."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]
