"""Prompts for scenes, built from the product, the segment and the brand kit.

The product itself is never drawn by the model (it is cut out from its photo and placed
afterwards), so the prompt asks for a setting with room for it: surface, light, mood and
the brand's colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.render.brand import BrandKit

#: plain colour names for palette hex values, so the text encoder understands them
_NAMED_COLOURS = {
    "white": (245, 245, 245), "cream": (240, 230, 210), "beige": (215, 195, 160),
    "sand": (225, 205, 170), "grey": (128, 128, 128), "charcoal": (55, 57, 60),
    "black": (20, 20, 20), "navy": (25, 45, 90), "blue": (45, 100, 180),
    "sky blue": (135, 190, 230), "teal": (30, 120, 120), "green": (60, 130, 70),
    "sage": (150, 170, 135), "olive": (120, 120, 50), "yellow": (235, 200, 60),
    "mustard": (205, 160, 50), "orange": (230, 130, 40), "coral": (230, 105, 80),
    "terracotta": (195, 100, 70), "red": (190, 40, 40), "pink": (235, 160, 180),
    "purple": (120, 70, 150), "lavender": (175, 160, 210), "brown": (110, 75, 50),
}  # fmt: skip

DEFAULT_NEGATIVE = "text, letters, watermark, logo, product, bottle, package, people, blurry"


@dataclass(frozen=True)
class ProductFacts:
    name: str
    category: str = ""
    description: str = ""


@dataclass(frozen=True)
class SegmentFacts:
    name: str
    description: str = ""


def colour_name(hex_value: str) -> str:
    from studio.render.colour import parse_hex

    rgb = parse_hex(hex_value)
    return min(
        _NAMED_COLOURS,
        key=lambda name: sum((a - b) ** 2 for a, b in zip(_NAMED_COLOURS[name], rgb, strict=True)),
    )


def build_prompt(
    product: ProductFacts, brand: BrandKit, segment: SegmentFacts | None = None
) -> tuple[str, str]:
    """(prompt, negative prompt) for a scene that the product will be placed in."""
    style_words = list(brand.style.get("style_words") or ["professional product photography"])
    colours = []
    for key in ("secondary", "primary", "accent"):
        name = colour_name(brand.palette[key])
        if name not in colours:
            colours.append(name)
    setting = (
        f"an empty {product.category.lower()} product display"
        if product.category
        else ("an empty product display")
    )
    parts = [
        f"{setting} for {product.name}",
        "a clear surface in the foreground with space for the product",
        *style_words,
        f"{brand.style.get('mood', 'inviting')} mood",
        f"colour palette of {', '.join(colours)}",
    ]
    if segment is not None:
        parts.append(f"styled for {segment.name.lower()}")
    if brand.tone_words:
        parts.append(", ".join(brand.tone_words[:3]))
    negative = brand.style.get("negative_prompt") or DEFAULT_NEGATIVE
    if "text" not in negative:
        negative = f"text, watermark, {negative}"
    return ", ".join(parts), negative
