"""Products with their photos, and the recommendations between products and segments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.errors import StudioError
from studio.services.workspaces import Workspace


def photo_path(ws: Workspace, sha256: str | None) -> Path | None:
    if not sha256:
        return None
    try:
        return ws.blob_path(sha256)
    except StudioError:
        return None  # shown as "no photo"; verify_files reports missing files


def recommended_segments(ws: Workspace, product_id: int, k: int = 5) -> list[dict[str, Any]]:
    from studio.services.audience import latest_run_id, segments_for_product

    if latest_run_id(ws) is None:
        return []
    return segments_for_product(ws, product_id, k=k)


def recommended_products(ws: Workspace, segment_id: int, k: int = 5) -> list[dict[str, Any]]:
    """Stored recommendations only: computing them is background work (Audience)."""
    from studio.services.audience import stored_top_products

    return stored_top_products(ws, segment_id, k)
