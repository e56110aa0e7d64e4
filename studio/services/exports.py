"""Campaign bundles through one door: exporting a campaign (with each customer's personal
picks when asked), checking a bundle, importing one, and the copy review sheet.

Customer data leaves the workspace only through ``personal_picks=True``: the CLI's
``--personal-picks`` and the export screen's tick box, both off by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.data.personal_picks import personal_picks as pick_for_customers
from studio.export import (
    C2paSigner,
    VerifyReport,
    import_bundle,
    load_or_create_identity,
    verify_bundle,
)
from studio.export.c2pa_signing import default_identity_dir
from studio.export.copy_review import write_review_sheet
from studio.export.csv_files import META_AD_SET_LAYOUTS
from studio.export.naming import slugify
from studio.export.writer import (
    ExportPlan,
    ExportReport,
    check_bundle_destination,
    export_bundle,
    plan_export,
)
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

__all__ = [
    "META_AD_SET_LAYOUTS",
    "C2paSigner",
    "ExportPlan",
    "ExportReport",
    "VerifyReport",
    "check_bundle_destination",
    "default_identity_dir",
    "export_campaign",
    "import_bundle",
    "load_or_create_identity",
    "plan_export",
    "slugify",
    "verify_bundle",
    "write_review_sheet",
]


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
