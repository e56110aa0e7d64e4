"""Channel formats: the copy fields and image sizes each campaign target is delivered in.

The data lives in ``resources/channels.json`` (copy fields and limits, with sources)
and ``resources/image_formats.json`` (pixel sizes and file-size limits, with sources).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from studio.core.errors import NotFound
from studio.core.paths import resources_dir


@dataclass(frozen=True)
class CopyField:
    name: str
    max_chars: int
    min_count: int
    max_count: int
    recommended_chars: int | None = None
    includes_opt_out: bool = False


@dataclass(frozen=True)
class ChannelFormat:
    id: str
    label: str
    channel: str
    fields: tuple[CopyField, ...]
    image_formats: tuple[str, ...]
    sources: tuple[str, ...]

    def field(self, name: str) -> CopyField:
        for item in self.fields:
            if item.name == name:
                return item
        raise NotFound(f"The channel format '{self.id}' has no copy field '{name}'.")


def _load_json(name: str) -> dict[str, Any]:
    return json.loads((resources_dir() / name).read_text(encoding="utf-8"))


@cache
def channel_formats() -> dict[str, ChannelFormat]:
    formats = {}
    for format_id, raw in _load_json("channels.json")["formats"].items():
        fields = tuple(
            CopyField(
                name=name,
                max_chars=spec["max"],
                min_count=spec["count"][0],
                max_count=spec["count"][1],
                recommended_chars=spec.get("recommended"),
                includes_opt_out=spec.get("includes_opt_out", False),
            )
            for name, spec in raw["fields"].items()
        )
        formats[format_id] = ChannelFormat(
            id=format_id,
            label=raw["label"],
            channel=raw["channel"],
            fields=fields,
            image_formats=tuple(raw["images"]),
            sources=tuple(raw["sources"]),
        )
    return formats


def get_channel_format(format_id: str) -> ChannelFormat:
    formats = channel_formats()
    if format_id not in formats:
        raise NotFound(
            f"Unknown channel format '{format_id}'.", hint=f"known: {', '.join(sorted(formats))}"
        )
    return formats[format_id]
