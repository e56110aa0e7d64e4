"""Exporting a campaign as a bundle, with each customer's personal picks when asked.

Customer data leaves the workspace only through ``personal_picks=True``: the CLI's
``--personal-picks`` and the export screen's tick box, both off by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.data.personal_picks import personal_picks as pick_for_customers
from studio.export.writer import ExportReport, check_bundle_destination, export_bundle
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
