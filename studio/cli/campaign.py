"""``studio campaign …``, ``studio generate`` and ``studio approve``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from studio.cli.common import (
    console,
    emit,
    json_option,
    note_neutral_kit,
    opened,
    progress,
    workspace_argument,
)
from studio.core.campaign_settings import (
    CONVERSION_LAG_DAYS,
    DEFAULT_CONVERSION_LAG_DAYS,
    MAX_VARIANTS,
    STYLE_STRENGTH,
    CampaignSettings,
)
from studio.core.channels import channel_formats
from studio.core.errors import NotFound, StudioError
from studio.services import audience, campaigns
from studio.services.foreground import run_campaign
from studio.services.jobs import JobQueue
from studio.services.planning import plan_generation
from studio.services.quickstart import format_duration


def report_problem(label: str, message: str) -> None:
    """A job that failed, or stored copy that needs editing, said above the progress bar."""
    mark = "[red]✗[/red]" if not message.startswith("needs editing") else "[yellow]![/yellow]"
    console.print(f"{mark} {label}: {message}")


def _split(values: Sequence[str]) -> list[str]:
    """``--segments a,b --segments c`` → ``[a, b, c]``."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


# --- commands --------------------------------------------------------------------------


def register(group: click.Group) -> None:
    group.add_command(campaign_group)
    group.add_command(generate_command)
    group.add_command(approve_command)


@click.group("campaign")
def campaign_group() -> None:
    """Create, list and inspect campaigns."""


@campaign_group.command("create")
@workspace_argument
@click.option("--name", required=True, help="Campaign name (unique in the workspace).")
@click.option(
    "--segments",
    multiple=True,
    required=True,
    help="Segment names or ids, comma-separated or repeated.",
)
@click.option(
    "--products",
    multiple=True,
    help="Product SKUs or ids; default: each segment's top recommended products.",
)
@click.option(
    "--top-products",
    default=2,
    show_default=True,
    help="Recommended products per segment when --products is not given.",
)
@click.option(
    "--formats",
    multiple=True,
    required=True,
    help=f"Channel formats, comma-separated: {', '.join(sorted(channel_formats()))}.",
)
@click.option("--brief", default="", help="What the campaign is about, in a sentence or two.")
@click.option("--tone", default="", help="Tone words for the copy, e.g. 'warm, playful'.")
@click.option("--language", default="en", show_default=True, help="Language of the copy.")
@click.option(
    "--variants",
    type=click.IntRange(0, MAX_VARIANTS),
    default=0,
    show_default=True,
    help="Variants per creative.",
)
@click.option(
    "--variant-axes",
    default="",
    help="A test design, e.g. 'angle=2,colourway=2': every creative gets each single "
    "change, then their crossings (axes: angle, style, colourway, layout, crop, headline, cta).",
)
@click.option(
    "--occasion", default="", help="What the campaign is for (the 'occasion' message angle)."
)
@click.option("--landing-url", default="", help="Where the ads link to (unless a product says).")
@click.option(
    "--style-strength",
    type=click.FloatRange(*STYLE_STRENGTH),
    default=1.0,
    help="How strongly style variants apply their style (1: as trained).",
)
@click.option(
    "--conversion-lag-days",
    type=click.IntRange(*CONVERSION_LAG_DAYS),
    default=DEFAULT_CONVERSION_LAG_DAYS,
    show_default=True,
    help="Days a purchase takes to be reported after the click; results leave the latest "
    "days out of conversion rates.",
)
@click.option("--brand-kit", "brand_kit", default=None, help="Brand kit name or id.")
@json_option
def create_command(
    workspace: Path,
    name: str,
    segments: tuple[str, ...],
    products: tuple[str, ...],
    top_products: int,
    formats: tuple[str, ...],
    brief: str,
    tone: str,
    language: str,
    variants: int,
    variant_axes: str,
    occasion: str,
    landing_url: str,
    style_strength: float,
    conversion_lag_days: int,
    brand_kit: str | None,
    as_json: bool,
) -> None:
    """Create a campaign for segments × products × channel formats, and show its plan.

    Example: studio campaign create shop --name Spring --segments "Loyal regulars"
    --formats meta_feed,email --variants 2
    """
    with opened(workspace) as ws:
        segment_ids = audience.resolve_segments(ws, _split(segments))
        if products:
            product_ids = audience.resolve_products(ws, _split(products))
            pairs = [(s, p) for s in segment_ids for p in product_ids]
        else:
            pairs = audience.recommended_pairs(ws, segment_ids, top_products)
        kit_id = None if brand_kit is None else audience.resolve_brand_kit(ws, brand_kit)
        campaign_id = campaigns.create_campaign(
            ws,
            name,
            pairs=pairs,
            channel_formats=_split(formats),
            brief=brief,
            brand_kit_id=kit_id,
            tone=tone,
            language=language,
            settings=CampaignSettings(
                variants=variants,
                variant_axes=_axes(variant_axes),
                occasion=occasion,
                landing_url=landing_url,
                style_strength=style_strength,
                conversion_lag_days=conversion_lag_days,
            ),
        )
        plan = plan_generation(ws, campaign_id)
    data = {
        "campaign_id": campaign_id,
        "name": name,
        "targets": plan.targets,
        "jobs": plan.job_counts,
        "assets": plan.assets,
        "estimate_seconds": plan.estimate_seconds,
    }

    def render(data: dict[str, Any]) -> None:
        click.echo(
            f"Created campaign {data['campaign_id']} '{name}' with {plan.targets} targets: "
            f"{plan.total_assets} assets to generate "
            f"(about {format_duration(plan.estimate_seconds)} on this machine)."
        )
        click.echo(f"Generate them with: studio generate {workspace} {campaign_id}")

    emit(data, as_json, render)


@campaign_group.command("list")
@workspace_argument
@json_option
def list_command(workspace: Path, as_json: bool) -> None:
    """List campaigns with their asset and job counts."""
    with opened(workspace) as ws:
        rows = campaigns.list_campaigns(ws)

    def render(rows: list[dict[str, Any]]) -> None:
        if not rows:
            click.echo("No campaigns yet; create one with 'studio campaign create'.")
            return
        table = Table("id", "name", "targets", "assets", "approved", "queued", "failed jobs")
        for row in rows:
            table.add_row(
                *(
                    str(row[key])
                    for key in (
                        "id",
                        "name",
                        "targets",
                        "assets",
                        "approved",
                        "pending_jobs",
                        "failed_jobs",
                    )
                )
            )
        console.print(table)

    emit(rows, as_json, render)


@campaign_group.command("show")
@workspace_argument
@click.argument("campaign")
@json_option
def show_command(workspace: Path, campaign: str, as_json: bool) -> None:
    """Show a campaign: targets, assets with their status, jobs and what is left to do."""
    with opened(workspace) as ws:
        found = campaigns.get_campaign(ws, campaign)
        targets = [
            {key: row[key] for key in ("id", "segment", "sku", "product", "channel_format")}
            for row in campaigns.target_rows(ws, found.id)
        ]
        assets = [
            {
                "id": a.id,
                "kind": a.kind,
                "target_id": a.target_id,
                "format": a.format,
                "status": a.status,
                "version": a.version,
                "generator": a.generator,
                "model_id": a.model_id,
                "text": _headline(a.content),
            }
            for a in campaigns.current_assets(ws, found.id)
        ]
        jobs = [
            {"id": j.id, "kind": j.kind, "status": j.status, "error": j.error}
            for j in JobQueue(ws).list()
            if j.campaign_id == found.id
        ]
        plan = plan_generation(ws, found.id)
    data = {
        "id": found.id,
        "name": found.name,
        "brief": found.brief,
        "settings": found.settings.to_json(),
        "targets": targets,
        "assets": assets,
        "jobs": jobs,
        "still_to_generate": plan.assets,
        "estimate_seconds": plan.estimate_seconds,
    }

    def render(data: dict[str, Any]) -> None:
        console.print(f"[bold]{found.name}[/bold] (campaign {found.id}) {found.brief}")
        table = Table("target", "segment", "product", "format")
        for t in targets:
            table.add_row(
                str(t["id"]), t["segment"], f"{t['product']} ({t['sku']})", t["channel_format"]
            )
        console.print(table)
        table = Table("asset", "kind", "target", "format", "status", "v", "model", "text")
        for a in assets:
            table.add_row(
                str(a["id"]),
                a["kind"],
                str(a["target_id"]),
                a["format"] or "",
                a["status"],
                str(a["version"]),
                a["model_id"] or a["generator"],
                a["text"],
            )
        console.print(table)
        failed = [j for j in jobs if j["status"] == "failed"]
        for job in failed:
            console.print(f"[red]job {job['id']} ({job['kind']}) failed:[/red] {job['error']}")
        left = sum(plan.assets.values())
        if left:
            console.print(
                f"{left} assets still to generate (about {format_duration(plan.estimate_seconds)})."
            )

    emit(data, as_json, render)


def _headline(content: dict[str, Any]) -> str:
    """A short text to recognise an asset by in a listing."""
    from studio.services.generation.common import creative_copy

    texts = list(creative_copy(content.get("fields") or {})[0].values())
    texts += [layer["text"] for layer in (content.get("layout") or {}).get("text", [])]
    if content.get("axis"):
        texts.insert(0, f"{content['axis']}: {content.get('value', '')}")
    if not texts:
        return ""
    text = " ".join(str(texts[0]).split())
    return text if len(text) <= 50 else text[:49] + "…"


def _worker_for(cluster: str | None, workers: int | None, gpus: float) -> Any:
    """The local worker, or a Ray cluster's (the option, else the Settings' cluster)."""
    from studio.core.settings import load_settings
    from studio.services.jobs import Worker

    settings = load_settings()
    address = cluster if cluster is not None else settings.cluster_address
    if not address or address == "off":
        return Worker
    from studio.cluster.dispatcher import ClusterOptions, parse_address, worker_factory

    count = workers if workers is not None else settings.cluster_workers
    return worker_factory(
        ClusterOptions(address=parse_address(address), workers=count, gpus_per_worker=gpus)
    )


def _axes(text: str) -> dict[str, int]:
    """'angle=2,colourway=2' → {"angle": 2, "colourway": 2}."""
    axes = {}
    for item in _split((text,)):
        axis, _, count = item.partition("=")
        if not count.strip().isdigit():
            raise click.BadParameter(
                f"'{item}' is not AXIS=COUNT (e.g. angle=2)", param_hint="--variant-axes"
            )
        axes[axis.strip()] = int(count)
    return axes


@click.command("generate")
@workspace_argument
@click.argument("campaign")
@click.option(
    "--cluster",
    "cluster",
    default=None,
    metavar="ADDRESS",
    help="Generate on a Ray cluster: auto (one on this machine), HOST:PORT of its head, "
    "or ray://HOST:PORT; 'off' for this machine's worker. Default: the Settings' cluster.",
)
@click.option("--workers", type=int, default=None, help="Cluster workers to start.")
@click.option("--gpus-per-worker", type=float, default=0.0, help="GPUs each cluster worker takes.")
@json_option
def generate_command(
    workspace: Path,
    campaign: str,
    cluster: str | None,
    workers: int | None,
    gpus_per_worker: float,
    as_json: bool,
) -> None:
    """Generate a campaign's missing assets now, with a progress bar (Ctrl-C cancels).

    Queued jobs of the campaign run first; if none are queued, the jobs for every asset
    the campaign still lacks are queued and run.
    """
    make_worker = _worker_for(cluster, workers, gpus_per_worker)
    with opened(workspace) as ws:
        campaign_id = campaigns.get_campaign(ws, campaign).id
        note_neutral_kit(ws, as_json)
        with progress(not as_json) as update:
            summary = run_campaign(
                ws, campaign_id, update=update, on_problem=report_problem, make_worker=make_worker
            )

    def render(summary: dict[str, Any]) -> None:
        made = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["assets"].items()))
        click.echo(f"Campaign {campaign_id}: {made or 'no assets'} ({summary['seconds']} s).")

    emit(summary, as_json, render)
    if summary["failed"]:
        raise StudioError(
            f"{len(summary['failed'])} job(s) failed (see above).",
            hint=f"fix the cause, then run 'studio generate {workspace} {campaign}' again",
        )


@click.command("approve")
@workspace_argument
@click.argument("campaign")
@click.option("--all", "approve_every", is_flag=True, help="Approve every current draft asset.")
@click.option("--asset", "asset_ids", type=int, multiple=True, help="Approve this asset id.")
@click.option("--reject", is_flag=True, help="Reject the --asset ids instead.")
def approve_command(
    workspace: Path, campaign: str, approve_every: bool, asset_ids: tuple[int, ...], reject: bool
) -> None:
    """Approve (or reject) a campaign's assets for export."""
    if approve_every == bool(asset_ids):
        raise click.UsageError("Give either --all or one or more --asset ID.")
    if reject and approve_every:
        raise click.UsageError("--reject works with --asset only.")
    with opened(workspace) as ws:
        found = campaigns.get_campaign(ws, campaign)
        if approve_every:
            approval = campaigns.approve_all(ws, found.id)
            click.echo(f"Approved {approval.approved} assets of campaign '{found.name}'.")
            if approval.left_for_review:
                ids = ", ".join(map(str, approval.left_for_review))
                click.echo(
                    f"Left for review: copy asset(s) {ids} ({approval.fields_left} field(s) "
                    "without passing text or with edits that fail a check) and the images "
                    f"showing them. Read them with 'studio campaign show {workspace} "
                    f"{found.id}', then approve them by hand with --asset ID."
                )
            return
        for asset_id in asset_ids:
            if campaigns.get_asset(ws, asset_id).campaign_id != found.id:
                raise NotFound(f"Asset {asset_id} does not belong to campaign '{found.name}'.")
        status = "rejected" if reject else "approved"
        for asset_id in asset_ids:
            campaigns.set_status(ws, asset_id, status)
        click.echo(f"{status.capitalize()} {len(asset_ids)} asset(s) of campaign '{found.name}'.")
