"""Image formats (pixel size, file-size limit, safe margins) from ``image_formats.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from studio.core.errors import NotFound
from studio.core.paths import resources_dir

FORMATS_FILE = "image_formats.json"


@dataclass(frozen=True)
class ImageFormat:
    id: str
    label: str
    group: str  # "display", "social" or "email"
    width: int
    height: int
    max_bytes: int
    #: margins (top, right, bottom, left) in pixels that text, buttons and logos stay out of
    safe: tuple[int, int, int, int]
    sources: tuple[str, ...]

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def safe_box(self) -> tuple[int, int, int, int]:
        """The (x0, y0, x1, y1) rectangle inside the safe margins."""
        top, right, bottom, left = self.safe
        return left, top, self.width - right, self.height - bottom


@cache
def image_formats() -> dict[str, ImageFormat]:
    raw = json.loads((resources_dir() / FORMATS_FILE).read_text(encoding="utf-8"))["formats"]
    return {
        format_id: ImageFormat(
            id=format_id,
            label=entry["label"],
            group=entry["group"],
            width=entry["width"],
            height=entry["height"],
            max_bytes=entry["max_bytes"],
            safe=tuple(entry["safe"][side] for side in ("top", "right", "bottom", "left")),
            sources=tuple(entry["sources"]),
        )
        for format_id, entry in raw.items()
    }


def get_image_format(format_id: str) -> ImageFormat:
    formats = image_formats()
    if format_id not in formats:
        raise NotFound(
            f"Unknown image format '{format_id}'.", hint=f"known: {', '.join(sorted(formats))}"
        )
    return formats[format_id]
