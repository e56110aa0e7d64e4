"""The audience: customer segments and the products each is most likely to buy.

One place finds segments and recommends for them (the CLI, the quickstart, the desktop
app and the self-test all call :func:`find_segments`), picks the segments worth a
campaign, and resolves what a user typed (names, ids, SKUs) to rows. The segment and
recommendation reads the app and the CLI show (lists, rule segments, the hold-out
evaluation) are reached through here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from studio.core.errors import InputError, NotEnoughData, NotFound
from studio.core.progress import Progress
from studio.data.evaluate import evaluate_recommendations
from studio.data.naming import MIN_HISTORY_DAYS
from studio.data.recommend import (
    compute_recommendations,
    segments_for_product,
    stored_top_products,
    top_products,
)
from studio.data.rules import METRIC_FIELDS, add_rule_segment, parse_rule, refresh_rule_segment
from studio.data.segmentation import latest_run_id, list_segments, run_info, run_segmentation
from studio.storage.workspace import Workspace

__all__ = [
    "METRIC_FIELDS",
    "MIN_HISTORY_DAYS",
    "add_rule_segment",
    "compute_recommendations",
    "evaluate_recommendations",
    "find_segments",
    "latest_or_new_run",
    "latest_run_id",
    "list_segments",
    "parse_rule",
    "recommended_pairs",
    "refresh_rule_segment",
    "run_info",
    "segments_for_product",
    "stored_top_products",
    "top_segments",
]


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None

    def report(description: str, fraction: float | None = None) -> None:
        progress(description, None if fraction is None else start + (end - start) * fraction)

    return report


def find_segments(
    ws: Workspace,
    *,
    k: int | None = None,
    method: str = "kmeans",
    seed: int = 0,
    progress: Progress | None = None,
) -> int:
    """Segment the customers and store each segment's recommended products; returns the
    segmentation run's id."""
    run_id = run_segmentation(ws, k=k, method=method, seed=seed, progress=_scaled(progress, 0, 0.8))
    compute_recommendations(ws, run_id=run_id, progress=_scaled(progress, 0.8, 1.0))
    return run_id


def latest_or_new_run(ws: Workspace, *, seed: int = 0, progress: Progress | None = None) -> int:
    """The latest segmentation run, segmenting first when there is none."""
    run_id = latest_run_id(ws)
    return run_id if run_id is not None else find_segments(ws, seed=seed, progress=progress)


def top_segments(ws: Workspace, count: int) -> list[dict[str, Any]]:
    """The latest run's segments that bring the most revenue (prospects have none)."""
    rows = ws.query(
        "SELECT id, name, size, revenue_share FROM segments WHERE run_id = ?"
        " AND revenue_share > 0 ORDER BY revenue_share DESC, id LIMIT ?",
        (latest_run_id(ws), count),
    )
    if not rows:
        raise NotEnoughData(f"The segmentation of {ws.path} found no segment with orders.")
    return rows


def recommended_pairs(
    ws: Workspace, segment_ids: Sequence[int], top: int, *, stored_only: bool = False
) -> list[tuple[int, int]]:
    """Each segment with its ``top`` recommended products, computed when missing; with
    ``stored_only`` (a preview that must stay fast) as stored, and a segment without any
    left out."""
    pairs = []
    for segment_id in segment_ids:
        if stored_only:
            pairs += [
                (segment_id, r["product_id"]) for r in stored_top_products(ws, segment_id, top)
            ]
            continue
        products = top_products(ws, segment_id, top)
        if not products:
            raise InputError(
                f"Segment {segment_id} has no recommended products in {ws.path}: "
                "its customers have no orders to learn from.",
                hint="name products for it",
            )
        pairs += [(segment_id, row["product_id"]) for row in products]
    return pairs


def resolve_segments(ws: Workspace, references: Sequence[str]) -> list[int]:
    """Segment ids from ids or names (a name means the segment of the latest run)."""
    ids = []
    for reference in references:
        rows = ws.query(
            "SELECT id FROM segments WHERE id = ? OR name = ?"
            " ORDER BY (id = ?) DESC, coalesce(run_id, 0) DESC LIMIT 1",
            (reference, reference, reference),
        )
        if not rows:
            raise NotFound(
                f"No segment '{reference}' in {ws.path}.",
                hint="list them with 'studio segments list'",
            )
        ids.append(rows[0]["id"])
    return ids


def resolve_products(ws: Workspace, references: Sequence[str]) -> list[int]:
    """Product ids from ids or SKUs."""
    ids = []
    for reference in references:
        rows = ws.query(
            "SELECT id FROM products WHERE sku = ? OR id = ? ORDER BY (sku = ?) DESC LIMIT 1",
            (reference, reference, reference),
        )
        if not rows:
            raise NotFound(f"No product '{reference}' (id or SKU) in {ws.path}.")
        ids.append(rows[0]["id"])
    return ids


def resolve_brand_kit(ws: Workspace, reference: str) -> int:
    """A brand kit's id from its name or id."""
    rows = ws.query("SELECT id FROM brand_kits WHERE name = ? OR id = ?", (reference, reference))
    if not rows:
        raise NotFound(f"No brand kit '{reference}' in {ws.path}.")
    return int(rows[0]["id"])
