"""Fonts shipped in ``resources/fonts`` (see fonts.json), or any .ttf/.otf file a brand names."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

from studio.core.errors import InputError
from studio.core.paths import resources_dir

Weight = Literal["regular", "bold"]
DEFAULT_FAMILY = "Inter"


@cache
def font_families() -> dict[str, dict[str, str]]:
    path = resources_dir() / "fonts" / "fonts.json"
    return json.loads(path.read_text(encoding="utf-8"))["families"]


def font_file(family: str, weight: Weight = "regular") -> Path:
    """The file for a shipped family, or ``family`` itself when it is a font file path."""
    families = font_families()
    if family in families:
        return resources_dir() / "fonts" / families[family][weight]
    path = Path(family).expanduser()
    if path.suffix.lower() in (".ttf", ".otf") and path.is_file():
        return path
    raise InputError(
        f"The font '{family}' is neither a shipped family nor a font file.",
        hint=f"use one of {', '.join(sorted(families))}, or the path of a .ttf/.otf file",
    )


@lru_cache(maxsize=256)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as error:
        raise InputError(f"The font file {path} cannot be read: {error}.") from error
