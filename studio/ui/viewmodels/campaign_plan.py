"""What a campaign in the builder would generate, before it is created."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product as cartesian

from studio.core.channels import get_channel_format
from studio.storage.workspace import Workspace


@dataclass(frozen=True)
class Preview:
    targets: int
    copy: int
    visuals: int
    creatives: int
    variants: int
    seconds: float

    @property
    def assets(self) -> int:
        return self.copy + self.visuals + self.creatives + self.variants


def recommended_pairs(ws: Workspace, segment_ids: list[int], top: int) -> list[tuple[int, int]]:
    """Each segment with its ``top`` stored recommendations (none when not computed)."""
    from studio.data.recommend import stored_top_products

    return [
        (segment_id, row["product_id"])
        for segment_id in segment_ids
        for row in stored_top_products(ws, segment_id, top)
    ]


def preview(
    ws: Workspace,
    pairs: list[tuple[int, int]],
    channel_formats: list[str],
    variants: int,
) -> Preview:
    """Counts and time as :func:`studio.services.planning.plan_generation` will plan them."""
    from studio.services.planning import copy_model_load_seconds, seconds_per_unit

    rates = seconds_per_unit(ws)
    targets = list(cartesian(pairs, channel_formats))
    image_counts = {f: len(get_channel_format(f).image_formats) for f in channel_formats}
    visual_pairs = {pair for pair, f in targets if image_counts[f]}
    creatives = sum(image_counts[f] for _pair, f in targets)
    variant_count = variants * creatives
    seconds = (
        len(targets) * rates["copy"]
        + len(visual_pairs) * rates["visual"]
        + creatives * rates["creative"]
        + variant_count * rates["variants"]
        + (copy_model_load_seconds() if targets else 0.0)
    )
    return Preview(len(targets), len(targets), len(visual_pairs), creatives, variant_count, seconds)
