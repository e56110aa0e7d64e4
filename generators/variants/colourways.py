"""Colourways: the brand palette with its roles swapped, and the visual recoloured to match.

A colourway swaps colours between palette roles (primary ↔ accent, …), so text, buttons
and panels drawn by the compositor take the new roles, and rotates the hue of the visual
layer by the same move the leading colour made (e.g. navy → coral), scaling saturation
alike. The product region is protected like for GAN styles: a product keeps its colours.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.core.errors import InputError

if TYPE_CHECKING:
    from PIL import Image

#: role swaps in the order colourways are offered; each entry is applied left to right
SWAPS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("primary", "accent"),),
    (("primary", "secondary"),),
    (("secondary", "accent"),),
    (("background", "secondary"),),
    (("primary", "accent"), ("background", "secondary")),
    (("primary", "secondary"), ("background", "secondary")),
)
#: the roles whose change drives the recolouring of the visual, most visible first
LEADING_ROLES = ("primary", "background", "secondary", "accent")


@dataclass(frozen=True)
class Colourway:
    swaps: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return "+".join(f"{a}<->{b}" for a, b in self.swaps)

    def palette(self, palette: dict[str, str]) -> dict[str, str]:
        swapped = dict(palette)
        for a, b in self.swaps:
            if a not in swapped or b not in swapped:
                raise InputError(f"The brand palette has no '{a if a not in swapped else b}'.")
            swapped[a], swapped[b] = swapped[b], swapped[a]
        return swapped

    def leading_change(self, palette: dict[str, str]) -> tuple[str, str] | None:
        """(old, new) hex of the most visible role this colourway changes."""
        swapped = self.palette(palette)
        for role in LEADING_ROLES:
            if role in palette and palette[role].lower() != swapped[role].lower():
                return palette[role], swapped[role]
        return None


def colourways(palette: dict[str, str], count: int) -> list[Colourway]:
    """Up to ``count`` colourways that really change the palette (never the original)."""
    found: list[Colourway] = []
    seen = {tuple(sorted((k, v.lower()) for k, v in palette.items()))}
    for swaps in SWAPS:
        if len(found) >= count:
            break
        way = Colourway(swaps)
        if any(role not in palette for pair in swaps for role in pair):
            continue
        key = tuple(sorted((k, v.lower()) for k, v in way.palette(palette).items()))
        if key not in seen:
            seen.add(key)
            found.append(way)
    return found


def by_name(palette: dict[str, str], name: str) -> Colourway:
    for way in colourways(palette, len(SWAPS)):
        if way.name == name:
            return way
    known = ", ".join(w.name for w in colourways(palette, len(SWAPS))) or "none"
    raise InputError(f"Unknown colourway '{name}' for this brand palette.", hint=f"known: {known}")


def _hsv(hex_colour: str) -> tuple[float, float, float]:
    text = hex_colour.lstrip("#")
    r, g, b = (int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hsv(r, g, b)


def recolour(image: Image.Image, old: str, new: str) -> Image.Image:
    """Rotate hues by the move from ``old`` to ``new`` and scale saturation alike."""
    import numpy as np
    from PIL import Image

    old_h, old_s, _ = _hsv(old)
    new_h, new_s, _ = _hsv(new)
    hsv = np.asarray(image.convert("RGB").convert("HSV")).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + (new_h - old_h) * 256.0) % 256.0
    # a grey lead colour carries no saturation to compare: keep the image's own
    ratio = np.clip(new_s / old_s, 0.5, 1.6) if old_s > 0.08 and new_s > 0.08 else 1.0
    hsv[..., 1] = np.clip(hsv[..., 1] * ratio, 0, 255)
    return Image.fromarray(hsv.round().astype(np.uint8), "HSV").convert("RGB")
