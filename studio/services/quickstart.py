"""The main job in one call, on the embedded defaults: demo workspace → segments →
recommendations → a campaign for the top segments and their top products → copy,
visuals, creatives, variants → approval of what passes every check → the bundle."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from studio.core.campaign_settings import CampaignSettings
from studio.core.channels import get_channel_format
from studio.core.errors import StudioError
from studio.services import audience, campaigns
from studio.services.foreground import Problem, Update, quiet_model_progress_bars, run_campaign
from studio.services.planning import plan_generation
from studio.storage import campaigns as store
from studio.storage.workspace import DB_NAME, Workspace

DEFAULT_FORMATS = ("meta_feed", "email")
DEMO_SEED = 7

Say = Callable[[str], None]


@dataclass(frozen=True)
class QuickstartOptions:
    workspace: Path
    out: Path | None
    segments: int = 2
    products: int = 1
    formats: tuple[str, ...] = DEFAULT_FORMATS
    variants: int = 1
    copy_candidates: int = 1
    demo_customers: int = 5000
    overwrite: bool = False


def quickstart(
    options: QuickstartOptions,
    *,
    say: Say | None = None,
    update: Update | None = None,
    on_problem: Problem | None = None,
) -> dict[str, Any]:
    """Run the main job end to end; returns a summary with where the bundle is."""
    from studio.export.writer import check_bundle_destination, export_bundle

    say = say or (lambda text: None)
    update = update or (lambda text, fraction: None)
    quiet_model_progress_bars()
    for format_id in options.formats:  # refuse a typo before minutes of work
        get_channel_format(format_id)
    path = options.workspace
    out = options.out or path / "exports" / "campaign.zip"
    if options.out is not None:  # refuse a bad destination before minutes of work
        check_bundle_destination(out, overwrite=options.overwrite)
    started = time.perf_counter()
    # the copy model loads while the shop is built and segmented (work that does not
    # need it); the first copy job then finds it ready, or waits for the rest of it
    from generators.copy.loading import warm_up

    threading.Thread(target=warm_up, name="studio-warm-up", daemon=True).start()
    if (path / DB_NAME).exists():
        ws = Workspace.open(path)
        say(f"Using the workspace at {path}")
    else:
        from studio.data.demo import create_demo_workspace

        say(f"Creating the demo workspace at {path}")
        ws = create_demo_workspace(
            path, seed=DEMO_SEED, n_customers=options.demo_customers, progress=update
        )
    try:
        say("Finding customer segments")
        audience.latest_or_new_run(ws, progress=update)
        segments = audience.top_segments(ws, options.segments)
        say("Recommending products per segment")
        pairs = audience.recommended_pairs(ws, [s["id"] for s in segments], options.products)
        for segment in segments:
            products = [store.product_row(ws, p) for s, p in pairs if s == segment["id"]]
            say(f"  {segment['name']}: {', '.join(p['name'] for p in products if p)}")
        name = f"Quickstart {datetime.now().strftime('%Y-%m-%d %H:%M:%S')}"
        campaign_id = campaigns.create_campaign(
            ws,
            name,
            pairs=pairs,
            channel_formats=options.formats,
            # no brief: what a brief says may be said in the copy, and this one would be
            # the studio's words, not the shop's
            brief="",
            settings=CampaignSettings(
                variants=options.variants, copy_candidates=options.copy_candidates
            ),
        )
        plan = plan_generation(ws, campaign_id)
        say(
            f"Campaign '{name}': {plan.targets} targets, {plan.total_assets} assets "
            f"(about {format_duration(plan.estimate_seconds)} on this machine)"
        )
        summary = run_campaign(ws, campaign_id, update=update, on_problem=on_problem)
        if summary["failed"]:
            failures = "; ".join(f"{f['kind']}: {f['error']}" for f in summary["failed"])
            raise StudioError(
                f"{len(summary['failed'])} generation job(s) failed: {failures}",
                hint=f"see 'studio campaign show {path} {campaign_id}'",
            )
        say("Approving what passes every check and exporting the bundle")
        approval = campaigns.approve_all(ws, campaign_id)
        if options.out is None:
            out = path / "exports" / f"campaign-{campaign_id}.zip"
            out.parent.mkdir(parents=True, exist_ok=True)
        report = export_bundle(ws, campaign_id, out, progress=update, overwrite=options.overwrite)
    finally:
        ws.close()
    return {
        "workspace": str(path),
        "campaign_id": campaign_id,
        "campaign": name,
        "segments": [s["name"] for s in segments],
        "assets": summary["assets"],
        "approved": approval.approved,
        "copy_fields_approved": approval.fields_approved,
        "copy_fields_for_review": approval.fields_left,
        "copy_for_review": approval.left_for_review,
        "bundle": str(report.path),
        "bundle_bytes": report.bytes,
        "estimate_seconds": plan.estimate_seconds,
        "seconds": round(time.perf_counter() - started, 1),
    }


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
