"""``studio quickstart``: the whole main job in one command, headless, on embedded defaults.

demo workspace → segments → recommendations → a campaign for the top segments and their
top products → copy (SmolLM2), visuals, creatives, GAN variants → approve → bundle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from studio.cli.campaign import format_duration, quiet_model_progress_bars, run_campaign
from studio.cli.common import console, emit, json_option, progress
from studio.core import campaigns
from studio.core.channels import channel_formats, get_channel_format
from studio.core.errors import NotEnoughData, StudioError
from studio.core.paths import default_workspaces_dir
from studio.core.settings import load_settings, save_settings
from studio.storage.workspace import DB_NAME, Workspace

DEFAULT_FORMATS = ("meta_feed", "email")
#: the folder the desktop app's "Open demo workspace" uses too
DEMO_FOLDER = "Demo workspace"
DEMO_SEED = 7


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


def default_demo_path() -> Path:
    settings = load_settings()
    root = Path(settings.workspaces_dir) if settings.workspaces_dir else default_workspaces_dir()
    return root / DEMO_FOLDER


def top_segments(ws: Workspace, count: int) -> list[dict[str, Any]]:
    """The latest run's segments that bring the most revenue (prospects have none)."""
    from studio.data.segmentation import latest_run_id

    run_id = latest_run_id(ws)
    rows = ws.query(
        "SELECT id, name, size, revenue_share FROM segments WHERE run_id = ?"
        " AND revenue_share > 0 ORDER BY revenue_share DESC, id LIMIT ?",
        (run_id, count),
    )
    if not rows:
        raise NotEnoughData(f"The segmentation of {ws.path} found no segment with orders.")
    return rows


def quickstart(options: QuickstartOptions, *, show_progress: bool = True) -> dict[str, Any]:
    """Run the main job end to end; returns a summary with where the bundle is."""
    from studio.data.recommend import top_products
    from studio.data.segmentation import latest_run_id, run_segmentation
    from studio.export.writer import export_bundle

    say = console.print if show_progress else (lambda *args, **kwargs: None)
    quiet_model_progress_bars()
    for format_id in options.formats:  # refuse a typo before minutes of work
        get_channel_format(format_id)
    started = time.perf_counter()
    path = options.workspace
    with progress(show_progress) as update:
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
        with progress(show_progress) as update:
            if latest_run_id(ws) is None:
                say("Finding customer segments")
                run_segmentation(ws, seed=0, progress=update)
            segments = top_segments(ws, options.segments)
            say("Recommending products per segment")
            pairs = []
            for segment in segments:
                products = top_products(ws, segment["id"], options.products)
                pairs += [(segment["id"], row["product_id"]) for row in products]
                names = ", ".join(row["name"] for row in products)
                say(f"  {segment['name']}: {names}")
        name = f"Quickstart {datetime.now().strftime('%Y-%m-%d %H:%M:%S')}"
        campaign_id = campaigns.create_campaign(
            ws,
            name,
            pairs=pairs,
            channel_formats=options.formats,
            brief="Quickstart campaign for the best segments and their top products.",
            variants=options.variants,
            copy_candidates=options.copy_candidates,
        )
        plan = campaigns.plan_generation(ws, campaign_id)
        say(
            f"Campaign '{name}': {plan.targets} targets, {plan.total_assets} assets "
            f"(about {format_duration(plan.estimate_seconds)} on this machine)"
        )
        summary = run_campaign(ws, campaign_id, show_progress=show_progress)
        if summary["failed"]:
            failures = "; ".join(f"{f['kind']}: {f['error']}" for f in summary["failed"])
            raise StudioError(
                f"{len(summary['failed'])} generation job(s) failed: {failures}",
                hint=f"see 'studio campaign show {path} {campaign_id}'",
            )
        approved = campaigns.approve_all(ws, campaign_id)
        out = options.out or path / "exports" / f"campaign-{campaign_id}.zip"
        out.parent.mkdir(parents=True, exist_ok=True)
        with progress(show_progress) as update:
            report = export_bundle(ws, campaign_id, out, progress=update)
    finally:
        ws.close()
    settings = load_settings()  # `studio app` opens the last workspace
    settings.remember_workspace(path)
    save_settings(settings)
    return {
        "workspace": str(path),
        "campaign_id": campaign_id,
        "campaign": name,
        "segments": [s["name"] for s in segments],
        "assets": summary["assets"],
        "approved": approved,
        "bundle": str(report.path),
        "bundle_bytes": report.bytes,
        "seconds": round(time.perf_counter() - started, 1),
    }


def register(group: click.Group) -> None:
    group.add_command(quickstart_command)


@click.command("quickstart")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Workspace folder; created with the demo data when missing "
    f"[default: '{DEMO_FOLDER}' in your workspaces folder].",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the bundle [default: WORKSPACE/exports/campaign-ID.zip].",
)
@click.option("--segments", default=2, show_default=True, help="How many top segments.")
@click.option("--products", default=1, show_default=True, help="Top products per segment.")
@click.option(
    "--formats",
    default=",".join(DEFAULT_FORMATS),
    show_default=True,
    help=f"Channel formats, comma-separated: {', '.join(sorted(channel_formats()))}.",
)
@click.option("--variants", default=1, show_default=True, help="GAN variants per creative.")
@click.option("--candidates", default=1, show_default=True, help="Copy candidates kept per field.")
@click.option(
    "--demo-customers",
    default=5000,
    show_default=True,
    help="Customers in the demo data, when the workspace is created.",
)
@json_option
def quickstart_command(
    workspace: Path | None,
    out: Path | None,
    segments: int,
    products: int,
    formats: str,
    variants: int,
    candidates: int,
    demo_customers: int,
    as_json: bool,
) -> None:
    """Do the main job end to end: demo data → segments → campaign → creatives → bundle.

    Uses the embedded models (SmolLM2 for copy, the vintage-film GAN for variants) and a
    diffusion model for visuals when one is installed; runs on the CPU when there is no GPU.
    """
    if segments < 1 or products < 1:
        raise click.BadParameter("--segments and --products must be at least 1.")
    options = QuickstartOptions(
        workspace=workspace or default_demo_path(),
        out=out,
        segments=segments,
        products=products,
        formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
        variants=variants,
        copy_candidates=candidates,
        demo_customers=demo_customers,
    )
    summary = quickstart(options, show_progress=not as_json)

    def render(summary: dict[str, Any]) -> None:
        made = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["assets"].items()))
        click.echo(
            f"Done in {format_duration(summary['seconds'])}: {made}; "
            f"{summary['approved']} approved."
        )
        click.echo(f"Bundle: {summary['bundle']}")
        click.echo(f"Open the studio on it: studio app {summary['workspace']}")

    emit(summary, as_json, render)
