"""The names people read for channel and image formats (``iab_728x90`` → "IAB leaderboard
728×90"), from the same tables the compositor and the copy generator use."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def format_label(format_id: str | None) -> str:
    """A channel format's or image format's label; an unknown id is shown as it is."""
    from studio.core.channels import channel_formats
    from studio.render.formats import image_formats

    if not format_id:
        return ""
    channel = channel_formats().get(format_id)
    if channel is not None:
        return channel.label
    image = image_formats().get(format_id)
    return image.label if image is not None else format_id
