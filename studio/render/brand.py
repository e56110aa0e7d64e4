"""Brand kits: palette, fonts, logo, tone words and visual style, stored in ``brand_kits``."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw

from studio.core.errors import InputError, NotFound
from studio.render.colour import RGB, parse_hex
from studio.render.fonts import DEFAULT_FAMILY, font_file, load_font

if TYPE_CHECKING:
    from studio.storage.workspace import Workspace

PALETTE_KEYS = ("primary", "secondary", "accent", "background", "text_dark", "text_light")
DEFAULT_KIT_NAME = "Demo brand"


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

    # --- storage ------------------------------------------------------------------------

    def save(self, workspace: Workspace) -> int:
        """Insert or update this kit (matched by name); returns its row id."""
        from studio.storage.workspace import to_json, utcnow

        logo_sha = None
        if self.logo is not None:
            logo_sha = workspace.store_image(self.logo.convert("RGBA"), "PNG").sha256
        now = utcnow()
        row = {
            "palette": to_json(self.palette),
            "fonts": to_json(self.fonts),
            "logo_sha256": logo_sha,
            "tone_words": to_json(self.tone_words),
            "do_examples": to_json(self.do_examples),
            "dont_examples": to_json(self.dont_examples),
            "banned_words": to_json(self.banned_words),
            "disclaimer": self.disclaimer,
            "style": to_json(self.style),
            "updated_at": now,
        }
        with workspace.write() as db:
            existing = db.execute(
                "SELECT id FROM brand_kits WHERE name = ?", (self.name,)
            ).fetchone()
            if existing:
                db["brand_kits"].update(existing[0], row)
                return int(existing[0])
            return int(
                db["brand_kits"].insert({"name": self.name, "created_at": now, **row}).last_pk
            )

    @classmethod
    def load(cls, workspace: Workspace, name: str | None = None) -> BrandKit:
        """A kit by name; without a name the workspace's first kit, or the default kit."""
        if name is None:
            rows = workspace.query("SELECT * FROM brand_kits ORDER BY id LIMIT 1")
            return cls._from_row(workspace, rows[0]) if rows else default_brand_kit()
        rows = workspace.query("SELECT * FROM brand_kits WHERE name = ?", (name,))
        if not rows:
            known = [r["name"] for r in workspace.query("SELECT name FROM brand_kits")]
            raise NotFound(
                f"No brand kit named '{name}' in {workspace.path}.",
                hint=f"known: {', '.join(known) or 'none'}",
            )
        return cls._from_row(workspace, rows[0])

    @classmethod
    def _from_row(cls, workspace: Workspace, row: dict[str, Any]) -> BrandKit:
        logo = None
        if row["logo_sha256"]:
            data = workspace.blob_path(row["logo_sha256"]).read_bytes()
            logo = Image.open(io.BytesIO(data))
            logo.load()
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


def list_brand_kits(workspace: Workspace) -> list[str]:
    return [r["name"] for r in workspace.query("SELECT name FROM brand_kits ORDER BY name")]


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


def default_brand_kit() -> BrandKit:
    """The demo kit: a calm navy and sand palette with a coral accent, Inter type."""
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
