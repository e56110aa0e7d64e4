"""What the app and the CLI list and show of a workspace: customers, products, segments,
campaigns' targets and the job list, read as the screens and commands need them."""

from __future__ import annotations

from studio.storage.catalog import (
    campaign_channel_formats,
    campaign_segments,
    customer_pages,
    first_product_photo,
    list_products,
    newest_segment_named,
    product_by_sku,
    product_choices,
    product_photo_shas,
    review_targets,
    rule_segments,
    segment_name,
    segmentation_runs,
    set_display_name,
)
from studio.storage.jobs import queue_rows

__all__ = [
    "campaign_channel_formats",
    "campaign_segments",
    "customer_pages",
    "first_product_photo",
    "list_products",
    "newest_segment_named",
    "product_by_sku",
    "product_choices",
    "product_photo_shas",
    "queue_rows",
    "review_targets",
    "rule_segments",
    "segment_name",
    "segmentation_runs",
    "set_display_name",
]
