"""Brand kits: palette, fonts, logo, tone words and visual style.

Stored in the workspace's ``brand_kits`` table by :mod:`studio.services.brand_kits`;
here a kit is only data and what rendering needs from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image, ImageDraw

from studio.core.errors import InputError
from studio.render.colour import RGB, parse_hex
from studio.render.fonts import DEFAULT_FAMILY, font_file, load_font

PALETTE_KEYS = ("primary", "secondary", "accent", "background", "text_dark", "text_light")
DEFAULT_KIT_NAME = "Demo brand"
#: the kit a shop without one of its own renders with (never saved by itself)
NEUTRAL_KIT_NAME = "Neutral kit"


@dataclass
class BrandKit:
    name: str
    #: hex colours for each of PALETTE_KEYS
    palette: dict[str, str]
    #: font family (shipped name or file path) for "headline" and "body"
    fonts: dict[str, str] = field(
        default_factory=lambda: {"headline": DEFAULT_FAMILY, "body": DEFAULT_FAMILY}
    )
    logo: Image.Image | None = None
    tone_words: list[str] = field(default_factory=list)
    do_examples: list[str] = field(default_factory=list)
    dont_examples: list[str] = field(default_factory=list)
    banned_words: list[str] = field(default_factory=list)
    disclaimer: str = ""
    #: visual style: "style_words" (list), "mood", "negative_prompt", "background_style"
    style: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [key for key in PALETTE_KEYS if key not in self.palette]
        if missing:
            raise InputError(
                f"The brand kit '{self.name}' has no {', '.join(missing)} colour.",
                hint=f"a palette names {', '.join(PALETTE_KEYS)}",
            )
        for key, value in self.palette.items():
            parse_hex(value, where=f"the '{key}' colour of brand kit '{self.name}'")
        for role in ("headline", "body"):
            font_file(self.fonts.get(role, DEFAULT_FAMILY))

    def colour(self, key: str) -> RGB:
        return parse_hex(self.palette[key])

    def font_path(self, role: str, weight: str):
        return font_file(self.fonts.get(role, DEFAULT_FAMILY), weight)  # type: ignore[arg-type]

    def with_palette(self, **colours: str) -> BrandKit:
        """A copy with some colours replaced (colourway variants use this)."""
        return replace(self, palette={**self.palette, **colours})

    # --- rows ---------------------------------------------------------------------------

    def to_row(self) -> dict[str, Any]:
        """The ``brand_kits`` columns, without the logo (stored as a file by its caller)."""
        return {
            "palette": json.dumps(self.palette, sort_keys=True),
            "fonts": json.dumps(self.fonts, sort_keys=True),
            "tone_words": json.dumps(self.tone_words, ensure_ascii=False),
            "do_examples": json.dumps(self.do_examples, ensure_ascii=False),
            "dont_examples": json.dumps(self.dont_examples, ensure_ascii=False),
            "banned_words": json.dumps(self.banned_words, ensure_ascii=False),
            "disclaimer": self.disclaimer,
            "style": json.dumps(self.style, sort_keys=True, ensure_ascii=False),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any], logo: Image.Image | None = None) -> BrandKit:
        return cls(
            name=row["name"],
            palette=json.loads(row["palette"]),
            fonts=json.loads(row["fonts"]) or {"headline": DEFAULT_FAMILY, "body": DEFAULT_FAMILY},
            logo=logo,
            tone_words=json.loads(row["tone_words"]),
            do_examples=json.loads(row["do_examples"]),
            dont_examples=json.loads(row["dont_examples"]),
            banned_words=json.loads(row["banned_words"]),
            disclaimer=row["disclaimer"],
            style=json.loads(row["style"]),
        )


def draw_wordmark(text: str, colour: RGB, accent: RGB, family: str = DEFAULT_FAMILY) -> Image.Image:
    """A simple logo: a filled circle and the name, on transparency."""
    font = load_font(font_file(family, "bold"), 96)
    left, top, right, bottom = font.getbbox(text)
    height = bottom - top
    mark = round(height * 1.1)
    gap = round(height * 0.35)
    image = Image.new("RGBA", (mark + gap + right - left + 8, max(mark, height) + 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 4 + mark, 4 + mark), fill=(*accent, 255))
    text_y = 4 + (mark - height) // 2 - top
    draw.text((4 + mark + gap - left, text_y), text, font=font, fill=(*colour, 255))
    return image


def neutral_brand_kit(shop_name: str) -> BrandKit:
    """The kit of a shop that has not set its own: its name as a plain wordmark, a
    neutral palette and no tone words, so nothing of another brand (the demo's logo, its
    voice) can reach the shop's creatives."""
    palette = {
        "primary": "#2E3440",
        "secondary": "#ECEFF4",
        "accent": "#5E81AC",
        "background": "#FAFAFA",
        "text_dark": "#1F2328",
        "text_light": "#FFFFFF",
    }
    return BrandKit(
        name=NEUTRAL_KIT_NAME,
        palette=palette,
        fonts={"headline": DEFAULT_FAMILY, "body": DEFAULT_FAMILY},
        logo=draw_wordmark(shop_name, parse_hex(palette["primary"]), parse_hex(palette["accent"])),
        style={
            "style_words": ["clean product photography", "soft even light"],
            "mood": "clear, simple",
            "negative_prompt": "text, watermark, logo, blurry, lowres, distorted",
            "background_style": "studio",
        },
    )


def demo_brand_kit() -> BrandKit:
    """The demo shop's kit: a calm navy and sand palette with a coral accent, Inter type."""
    palette = {
        "primary": "#1F3A5F",
        "secondary": "#F2E8DC",
        "accent": "#D9482B",
        "background": "#F7F4EF",
        "text_dark": "#14213D",
        "text_light": "#FFFFFF",
    }
    return BrandKit(
        name=DEFAULT_KIT_NAME,
        palette=palette,
        fonts={"headline": "Inter", "body": "Inter"},
        logo=draw_wordmark("Harbor & Pine", parse_hex("#1F3A5F"), parse_hex("#D9482B")),
        tone_words=["warm", "confident", "practical"],
        do_examples=["Made to last, priced to love."],
        dont_examples=["BUY NOW!!!"],
        style={
            "style_words": ["clean studio product photography", "soft natural light"],
            "mood": "calm, warm, premium",
            "negative_prompt": "text, watermark, logo, blurry, lowres, distorted",
            "background_style": "studio",
        },
    )
