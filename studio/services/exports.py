"""Exporting a campaign as a bundle, with each customer's personal picks when asked.

Customer data leaves the workspace only through ``personal_picks=True``: the CLI's
``--personal-picks`` and the export screen's tick box, both off by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.data.personal_picks import personal_picks as pick_for_customers
from studio.export.writer import (
    ExportPlan,
    ExportReport,
    check_bundle_destination,
    export_bundle,
    plan_export,
)
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace


def export_campaign(
    ws: Workspace,
    campaign_id: int,
    out: Path,
    *,
    personal_picks: bool = False,
    **options: Any,
) -> ExportReport:
    """:func:`studio.export.writer.export_bundle` with ``options``, plus ``personal/``
    (every customer of the campaign's segments with their three products) when
    ``personal_picks``."""
    picks = None
    if personal_picks:
        check_bundle_destination(Path(out), overwrite=bool(options.get("overwrite")))
        segments = dict.fromkeys(t.segment_id for t in store.campaign_targets(ws, campaign_id))
        picks = pick_for_customers(ws, list(segments))
    return export_bundle(ws, campaign_id, out, personal=picks, **options)


def preview_export(
    ws: Workspace,
    campaign_id: int,
    *,
    include_drafts: bool = False,
    formats: list[str] | None = None,
) -> ExportPlan:
    """What :func:`export_campaign` with these choices would ship, and what would upload
    empty, before anything is written."""
    return plan_export(ws, campaign_id, include_drafts=include_drafts, formats=formats)
