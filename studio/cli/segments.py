"""``studio segment``, ``segments``, ``rule-segment`` and ``recommend`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from studio.cli.common import emit, json_option, opened, progress, workspace_argument

#: tables are results, so they go to stdout (progress and errors use stderr)
stdout = Console()


class DefaultCommandGroup(click.Group):
    """A group that runs ``default`` when the first argument names no subcommand, so
    ``studio recommend PATH`` and ``studio recommend evaluate PATH`` both work."""

    def __init__(self, *args: Any, default: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        help_only = args and args[0] in ctx.help_option_names
        if not help_only and (not args or args[0] not in self.commands):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _segments_table(segments: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("id", "name", "customers", "revenue", "avg spend", "last order (median)"):
        table.add_column(column, overflow="fold")
    for segment in segments:
        stats = segment["stats"].get("segment", {})
        table.add_row(
            str(segment["id"]),
            segment["name"],
            f"{segment['size']:,}",
            _percent(segment["revenue_share"]),
            "–" if stats.get("spend_mean") is None else f"{stats['spend_mean']:,.0f}",
            "–" if stats.get("recency_median") is None else f"{stats['recency_median']:.0f} days",
        )
    return table


def _print_segments(segments: list[dict[str, Any]], title: str, details: bool) -> None:
    if not segments:
        click.echo("No segments yet; run 'studio segment PATH'.")
        return
    stdout.print(_segments_table(segments, title))
    if details:
        for segment in segments:
            click.echo(f"\n{segment['name']}\n  {segment['description']}")


def register(cli: click.Group) -> None:
    @cli.command("segment")
    @workspace_argument
    @click.option("--k", type=int, default=None, help="Number of segments (default: chosen).")
    @click.option(
        "--method",
        type=click.Choice(["kmeans", "gmm"]),
        default="kmeans",
        show_default=True,
        help="KMeans, or a Gaussian mixture.",
    )
    @click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
    @json_option
    def segment_command(
        workspace: Path, k: int | None, method: str, seed: int, as_json: bool
    ) -> None:
        """Find customer segments in the orders, store them as a new run and recommend
        products for each."""
        from studio.services.audience import find_segments, list_segments, run_info

        with opened(workspace) as ws, progress(not as_json) as update:
            run_id = find_segments(ws, k=k, method=method, seed=seed, progress=update)
            segments = list_segments(ws, run_id)
            info = run_info(ws, run_id)
        unusable = info["parameters"].get("unusable_order_lines", 0)
        warnings = info["parameters"].get("warnings", [])
        emit(
            {"run_id": run_id, "metrics": info["metrics"], "segments": segments,
             "unusable_order_lines": unusable, "warnings": warnings},
            as_json,
            lambda data: _print_segments(
                data["segments"],
                f"Run {run_id}: {len(segments)} segments ({method}, "
                f"silhouette {data['metrics'].get('silhouette')})",
                details=True,
            ),
        )  # fmt: skip
        if not as_json:
            for warning in warnings:
                click.echo(f"\nThin data: {warning}", err=True)
        if unusable and not as_json:
            click.echo(
                f"\nNote: {unusable:,} stored order line(s) have an impossible amount or date "
                "and were left out; import the orders file again to correct them.",
                err=True,
            )

    @cli.command("segments")
    @workspace_argument
    @click.option("--run", "run_id", type=int, default=None, help="Run id (default: latest).")
    @click.option("--details", is_flag=True, help="Also print each segment's description.")
    @json_option
    def segments_command(workspace: Path, run_id: int | None, details: bool, as_json: bool) -> None:
        """List the segments of a run (and the rule segments) with their statistics."""
        from studio.services.audience import latest_run_id, list_segments

        with opened(workspace) as ws:
            segments = list_segments(ws, run_id, include_rules=True)
            shown_run = run_id or latest_run_id(ws)
        emit(
            segments,
            as_json,
            lambda data: _print_segments(data, f"Segments (run {shown_run})", details),
        )

    @cli.group("rule-segment")
    def rule_segment() -> None:
        """Segments defined by filters, e.g. "country = Germany and spend > 200"."""

    @rule_segment.command("add")
    @workspace_argument
    @click.argument("name")
    @click.argument("rule")
    @json_option
    def rule_add(workspace: Path, name: str, rule: str, as_json: bool) -> None:
        """Save a rule segment NAME defined by RULE and evaluate it now."""
        from studio.services.audience import add_rule_segment, list_segments

        with opened(workspace) as ws:
            segment_id = add_rule_segment(ws, name, rule)
            segment = next(
                s for s in list_segments(ws, include_rules=True) if s["id"] == segment_id
            )
        emit(
            segment,
            as_json,
            lambda s: click.echo(f"{s['name']} ({s['size']:,} customers)\n  {s['description']}"),
        )

    @rule_segment.command("list")
    @workspace_argument
    @json_option
    def rule_list(workspace: Path, as_json: bool) -> None:
        """List the saved rule segments with their rules."""
        from studio.services.audience import list_segments

        with opened(workspace) as ws:
            rules = [s for s in list_segments(ws, include_rules=True) if s["kind"] == "rule"]

        def render(rows: list[dict[str, Any]]) -> None:
            if not rows:
                click.echo("No rule segments yet; add one with 'studio rule-segment add'.")
            for row in rows:
                click.echo(
                    f"{row['id']:>4}  {row['name']}: {row['rule']['text']}  "
                    f"({row['size']:,} customers, evaluated {row['updated_at']})"
                )

        emit(rules, as_json, render)

    @rule_segment.command("evaluate")
    @workspace_argument
    @click.argument("segment")
    @json_option
    def rule_evaluate(workspace: Path, segment: str, as_json: bool) -> None:
        """Re-evaluate rule SEGMENT (name or id) against the current data."""
        from studio.services.audience import refresh_rule_segment

        with opened(workspace) as ws:
            result = refresh_rule_segment(ws, segment)
        emit(
            result,
            as_json,
            lambda r: click.echo(
                f"{r['name']}: {r['size']:,} customers, {_percent(r['revenue_share'])} of revenue"
            ),
        )

    @cli.group("recommend", cls=DefaultCommandGroup, default="list")
    def recommend() -> None:
        """Products each segment is most likely to buy ('studio recommend PATH')."""

    @recommend.command("list")
    @workspace_argument
    @click.option(
        "--top", "top_k", type=int, default=5, show_default=True, help="Products per segment."
    )
    @click.option("--run", "run_id", type=int, default=None, help="Run id (default: latest).")
    @json_option
    def recommend_list(workspace: Path, top_k: int, run_id: int | None, as_json: bool) -> None:
        """Score products for every segment, store and print the top ones."""
        from studio.services.audience import compute_recommendations, list_segments

        if top_k < 1:
            raise click.BadParameter("must be at least 1", param_hint="--top")
        with opened(workspace) as ws, progress(not as_json) as update:
            result = compute_recommendations(ws, run_id, top_k=top_k, progress=update)
            names = {s["id"]: s["name"] for s in list_segments(ws, run_id, include_rules=True)}
        data = [
            {"segment_id": sid, "segment": names.get(sid, str(sid)), "products": rows}
            for sid, rows in result.items()
        ]

        def render(rows: list[dict[str, Any]]) -> None:
            for row in rows:
                click.echo(f"\n{row['segment']}")
                for product in row["products"]:
                    click.echo(
                        f"  {product['rank']:>2}. {product['name']} ({product['sku']}, "
                        f"score {product['score']:.2f}): {product['explanation']}"
                    )

        emit(data, as_json, render)

    @recommend.command("evaluate")
    @workspace_argument
    @click.option(
        "--holdout-days", type=int, default=60, show_default=True, help="Days hidden at the end."
    )
    @click.option("--k", type=int, default=10, show_default=True, help="Length of each top list.")
    @click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
    @json_option
    def recommend_evaluate(
        workspace: Path, holdout_days: int, k: int, seed: int, as_json: bool
    ) -> None:
        """Hit rate@K and NDCG@K on the last days of orders, vs popularity and random."""
        from studio.services.audience import evaluate_recommendations

        with opened(workspace) as ws:
            result = evaluate_recommendations(ws, holdout_days=holdout_days, k=k, seed=seed)

        def render(r: dict[str, Any]) -> None:
            table = Table(
                title=f"Hold-out after {r['cutoff']}: {r['customers_evaluated']:,} customers, "
                f"K = {r['k']}"
            )
            for column in ("ranking", f"hit rate@{r['k']}", "95 % interval", f"NDCG@{r['k']}"):
                table.add_column(column)
            intervals = r["hit_rate_interval"]
            for label, key in (
                ("segment recommendations", "segments"),
                ("popularity", "popularity"),
                ("random", "random"),
            ):
                low, high = intervals.get(key, (None, None))
                shown = f"{low:.2f}–{high:.2f}" if low is not None else ""
                table.add_row(label, f"{r[key]['hit_rate']:.3f}", shown, f"{r[key]['ndcg']:.3f}")
            stdout.print(table)
            click.echo(r["verdict"])
            click.echo(f"Stored as evaluation {r['evaluation_id']}; 'studio recommend' uses "
                       "its choice.")  # fmt: skip

        emit(result, as_json, render)
