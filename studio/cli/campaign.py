"""``studio campaign …``, ``studio generate`` and ``studio approve``."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from studio.cli.common import console, emit, json_option, opened, progress, workspace_argument
from studio.core import campaigns
from studio.core.channels import channel_formats
from studio.core.errors import Cancelled, InputError, NotFound, StudioError
from studio.jobs import JobEvent, JobQueue, Worker
from studio.storage.workspace import Workspace


def _split(values: Sequence[str]) -> list[str]:
    """``--segments a,b --segments c`` → ``[a, b, c]``."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


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


def recommended_pairs(ws: Workspace, segment_ids: Sequence[int], top: int) -> list[tuple[int, int]]:
    """Each segment with its ``top`` recommended products (computed when missing)."""
    from studio.data.recommend import top_products

    pairs = []
    for segment_id in segment_ids:
        products = top_products(ws, segment_id, top)
        if not products:
            raise InputError(
                f"Segment {segment_id} has no recommended products in {ws.path}.",
                hint="name products with --products",
            )
        pairs += [(segment_id, row["product_id"]) for row in products]
    return pairs


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


# --- running the queue in the foreground -----------------------------------------------


class ForegroundRun:
    """Runs a campaign's queued jobs with the worker thread and reports overall progress.

    Ctrl-C cancels the running job cooperatively; unstarted jobs stay queued, so running
    the command again continues where it stopped.
    """

    def __init__(
        self,
        ws: Workspace,
        campaign_id: int,
        update: Callable[[str, float | None], None],
    ) -> None:
        from studio.jobs.handlers import default_handlers

        self.queue = JobQueue(ws)
        self.update = update
        jobs = self.queue.list("queued")
        self.units = {
            job.id: max(1, _units(job.kind, job.payload, ws, job.target_id))
            for job in jobs
            if job.campaign_id == campaign_id
        }
        self.total = sum(self.units.values()) or 1
        self.done_units = 0.0
        self.failed: list[tuple[int, str, str]] = []
        self.worker = Worker(
            ws.path,
            self.queue,
            default_handlers(),
            self.on_event,
            stop_when_idle=True,
            campaign_id=campaign_id,
        )

    def on_event(self, event: JobEvent) -> None:
        units = self.units.get(event.job_id, 1)
        label = f"{event.job_kind} (job {event.job_id})"
        if event.kind in ("finished", "failed", "cancelled"):
            self.done_units += units
            if event.kind == "failed":
                self.failed.append((event.job_id, event.job_kind, event.error or ""))
                console.print(f"[red]✗[/red] {label}: {event.error}")
            elif event.result.get("passed") is False:  # stored, but a field has no pass
                problems = "; ".join(event.result.get("problems", []))
                console.print(f"[yellow]![/yellow] {label} needs editing: {problems}")
            self.update(f"{label} {event.kind}", self.done_units / self.total)
        elif event.kind in ("started", "progress"):
            fraction = (self.done_units + units * (event.fraction or 0.0)) / self.total
            self.update(f"{label}: {event.message or event.kind}", fraction)

    def run(self) -> None:
        self.worker.start()
        try:
            while not self.worker.join(0.2):
                pass
        except KeyboardInterrupt:
            self.update("Cancelling…", None)
            self.worker.stop(cancel_running=True, timeout=120)
            raise Cancelled(
                "Cancelled; the running job stopped and the rest stay queued "
                "(run the command again to continue)."
            ) from None
        if self.worker.error is not None:
            raise StudioError(f"The job worker stopped: {self.worker.error}")


def _units(kind: str, payload: dict[str, Any], ws: Workspace, target_id: int | None) -> int:
    """Work units of a queued job, to weigh it in the overall progress."""
    if target_id is None or kind not in ("creative", "variants"):
        return 1
    images = len(campaigns.get_target(ws, target_id).image_formats)
    return images * int(payload.get("count", 1)) if kind == "variants" else images


def quiet_model_progress_bars() -> None:
    """One progress bar: the model loaders' own bars would tear ours apart."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # loaders that use tqdm directly (GGUF)
    if "transformers" in sys.modules:  # already imported: its setting was read at import
        sys.modules["transformers"].utils.logging.disable_progress_bar()


def run_campaign(ws: Workspace, campaign_id: int, *, show_progress: bool = True) -> dict[str, Any]:
    """Queue what a campaign still lacks and run its jobs; returns a summary."""
    queue = JobQueue(ws)
    queued = []
    if not queue.pending_count(campaign_id):
        queued = campaigns.enqueue_generation(ws, campaign_id, queue)
    started = time.perf_counter()
    quiet_model_progress_bars()
    with progress(show_progress) as update:
        run = ForegroundRun(ws, campaign_id, update)
        run.run()
    assets = campaigns.current_assets(ws, campaign_id)
    counts: dict[str, int] = {}
    for asset in assets:
        counts[asset.kind] = counts.get(asset.kind, 0) + 1
    return {
        "campaign_id": campaign_id,
        "jobs_queued": len(queued),
        "failed": [{"job_id": j, "kind": k, "error": e} for j, k, e in run.failed],
        "assets": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


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
@click.option("--variants", default=0, show_default=True, help="GAN variants per creative.")
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
    brand_kit: str | None,
    as_json: bool,
) -> None:
    """Create a campaign for segments × products × channel formats, and show its plan.

    Example: studio campaign create shop --name Spring --segments "Loyal regulars"
    --formats meta_feed,email --variants 2
    """
    with opened(workspace) as ws:
        segment_ids = resolve_segments(ws, _split(segments))
        if products:
            product_ids = resolve_products(ws, _split(products))
            pairs = [(s, p) for s in segment_ids for p in product_ids]
        else:
            pairs = recommended_pairs(ws, segment_ids, top_products)
        kit_id = None
        if brand_kit is not None:
            rows = ws.query(
                "SELECT id FROM brand_kits WHERE name = ? OR id = ?", (brand_kit, brand_kit)
            )
            if not rows:
                raise NotFound(f"No brand kit '{brand_kit}' in {ws.path}.")
            kit_id = rows[0]["id"]
        campaign_id = campaigns.create_campaign(
            ws,
            name,
            pairs=pairs,
            channel_formats=_split(formats),
            brief=brief,
            brand_kit_id=kit_id,
            tone=tone,
            language=language,
            variants=variants,
        )
        plan = campaigns.plan_generation(ws, campaign_id)
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
        targets = ws.query(
            "SELECT t.id, s.name AS segment, p.sku, p.name AS product, t.channel_format"
            " FROM campaign_targets t JOIN segments s ON s.id = t.segment_id"
            " JOIN products p ON p.id = t.product_id WHERE t.campaign_id = ? ORDER BY t.id",
            (found.id,),
        )
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
        plan = campaigns.plan_generation(ws, found.id)
    data = {
        "id": found.id,
        "name": found.name,
        "brief": found.brief,
        "settings": found.settings,
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
    from studio.jobs.handlers import creative_copy

    texts = list(creative_copy(content.get("fields") or {})[0].values())
    texts += [layer["text"] for layer in (content.get("layout") or {}).get("text", [])]
    if content.get("axis"):
        texts.insert(0, f"{content['axis']}: {content.get('value', '')}")
    if not texts:
        return ""
    text = " ".join(str(texts[0]).split())
    return text if len(text) <= 50 else text[:49] + "…"


@click.command("generate")
@workspace_argument
@click.argument("campaign")
@json_option
def generate_command(workspace: Path, campaign: str, as_json: bool) -> None:
    """Generate a campaign's missing assets now, with a progress bar (Ctrl-C cancels).

    Queued jobs of the campaign run first; if none are queued, the jobs for every asset
    the campaign still lacks are queued and run.
    """
    with opened(workspace) as ws:
        campaign_id = campaigns.get_campaign(ws, campaign).id
        summary = run_campaign(ws, campaign_id, show_progress=not as_json)

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
            count = campaigns.approve_all(ws, found.id)
            click.echo(f"Approved {count} assets of campaign '{found.name}'.")
            return
        for asset_id in asset_ids:
            if campaigns.get_asset(ws, asset_id).campaign_id != found.id:
                raise NotFound(f"Asset {asset_id} does not belong to campaign '{found.name}'.")
        status = "rejected" if reject else "approved"
        for asset_id in asset_ids:
            campaigns.set_asset_status(ws, asset_id, status)
        click.echo(f"{status.capitalize()} {len(asset_ids)} asset(s) of campaign '{found.name}'.")
