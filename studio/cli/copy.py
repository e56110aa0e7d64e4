"""``studio copy`` (channel copy for a product and segment) and ``studio eval copy``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from studio.cli.common import emit, json_option, opened, progress, workspace_argument
from studio.core.errors import NotFound
from studio.storage.workspace import Workspace

#: results go to stdout; progress and errors to stderr
stdout = Console()
BUNDLED_BRIEFS = Path(__file__).resolve().parents[2] / "tests" / "data" / "copy_briefs.json"


def _one(workspace: Workspace, sql: str, params: tuple, what: str, known_sql: str) -> dict:
    rows = workspace.query(sql, params)
    if not rows:
        known = [r["v"] for r in workspace.query(known_sql)]
        listed = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
        raise NotFound(
            f"No {what} '{params[0]}' in {workspace.path}.", hint=f"known: {listed or 'none'}"
        )
    return rows[0]


def _brand_row(workspace: Workspace, name: str | None) -> dict | None:
    if name is not None:
        return _one(
            workspace, "SELECT * FROM brand_kits WHERE name = ?", (name,), "brand kit",
            "SELECT name AS v FROM brand_kits ORDER BY name",
        )  # fmt: skip
    kits = workspace.query("SELECT * FROM brand_kits")
    return kits[0] if len(kits) == 1 else None


def _print_result(data: dict[str, Any]) -> None:
    for name, candidates in data["fields"].items():
        table = Table(title=f"{name}", title_justify="left", show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("copy", overflow="fold")
        table.add_column("chars", justify="right")
        table.add_column("relevance", justify="right")
        for rank, candidate in enumerate(candidates, 1):
            table.add_row(
                str(rank), candidate["text"], str(len(candidate["text"])),
                f"{candidate['relevance']:.2f}",
            )  # fmt: skip
        if candidates:
            stdout.print(table)
    for problem in data["problems"]:
        click.echo(f"No passing copy — {problem}")
    for name, candidate in data["closest"].items():
        click.echo(f"Closest {name} (edit before use): {candidate['text']!r}")
        click.echo(f"  fails: {'; '.join(candidate['problems'])}")
    provenance = data["provenance"]
    model = f"{provenance['model_id']} ({provenance['model_revision']})"
    click.echo(f"Model {model}, seed {provenance['seed']}")


def _print_evaluation(data: dict[str, Any]) -> None:
    table = Table(title=f"Copy evaluation: {data['model_id']}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("briefs (all fields passed)", f"{data['briefs']} ({data['briefs_passed']})"),
        ("returned candidates", str(data["returned"])),
        ("pass all hard constraints", f"{data['constraint_pass_rate']:.1%}"),
        ("mention the product name", f"{data['product_name_rate']:.1%}"),
        ("ungrounded numbers or claims", f"{data['ungrounded_rate']:.1%}"),
        ("fields with a passing candidate", f"{data['field_coverage']:.1%}"),
        ("diversity (distinct-2)", f"{data['distinct_2']:.3f}"),
        ("mean relevance (MiniLM cosine)", f"{data['mean_relevance']:.3f}"),
        ("sampling throughput", f"{data['tokens_per_second']:.1f} tokens/s"),
        ("wall time", f"{data['seconds']:.0f} s"),
    ]
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    for failure in data["failures"]:
        click.echo(f"  {failure}")


@click.command("copy")
@workspace_argument
@click.option("--product", "sku", required=True, help="Product SKU.")
@click.option("--segment", "segment_name", help="Segment name (the newest one of that name).")
@click.option(
    "--channel", "channel_format", required=True, help="Channel format id, e.g. meta_feed."
)
@click.option("--brand", "brand_name", help="Brand kit name (default: the only brand kit, if one).")
@click.option("--n", "n", default=3, show_default=True, help="Passing candidates per field.")
@click.option("--model", "model_id", help="Copy model id (see 'studio models list').")
@click.option("--language", default="en", show_default=True, help="Language code of the copy.")
@click.option("--seed", default=0, show_default=True, help="Sampling seed (same seed, same copy).")
@json_option
def copy_command(
    workspace: Path, sku: str, segment_name: str | None, channel_format: str,
    brand_name: str | None, n: int, model_id: str | None, language: str, seed: int, as_json: bool,
) -> None:  # fmt: skip
    """Write channel copy for a product (and segment) of WORKSPACE with the local model.

    Every candidate is checked against the channel's limits and the brand's rules; copy
    that fails is never shown as a pass. Exits with 1 when a field has no passing copy.
    """
    from generators.base import ProgressSink
    from generators.copy import (
        CopyRequest,
        brand_from_kit_row,
        facts_from_product_row,
        generate_copy,
        segment_from_row,
    )
    from generators.copy.request import BrandVoice

    with opened(workspace) as ws:
        product = _one(
            ws, "SELECT * FROM products WHERE sku = ?", (sku,), "product",
            "SELECT sku AS v FROM products ORDER BY sku",
        )  # fmt: skip
        segment = None
        if segment_name is not None:
            segment = _one(
                ws, "SELECT * FROM segments WHERE name = ? ORDER BY id DESC LIMIT 1",
                (segment_name,), "segment", "SELECT DISTINCT name AS v FROM segments ORDER BY name",
            )  # fmt: skip
        brand = _brand_row(ws, brand_name)
    if brand is not None and not as_json:
        click.echo(f"Brand kit: {brand['name']}", err=True)
    request = CopyRequest(
        product=facts_from_product_row(product),
        channel_format=channel_format,
        segment=segment_from_row(segment) if segment else None,
        brand=brand_from_kit_row(brand) if brand else BrandVoice(),
        n=n,
        language=language,
        seed=seed,
        model_id=model_id,
    )
    with progress(not as_json) as update:
        result = generate_copy(request, ProgressSink(lambda e: update(e.status, e.fraction)))
    emit(result.as_dict(), as_json, _print_result)
    if not result.passed:
        raise SystemExit(1)


@click.command("copy")
@click.option(
    "--briefs", "briefs_path", type=click.Path(dir_okay=False, path_type=Path),
    default=BUNDLED_BRIEFS, show_default="the bundled set", help="A briefs JSON file.",
)  # fmt: skip
@click.option("--model", "model_id", help="Copy model id (default: the default copy model).")
@click.option("--limit", type=int, help="Only the first N briefs.")
@json_option
def eval_copy(briefs_path: Path, model_id: str | None, limit: int | None, as_json: bool) -> None:
    """Measure constraint pass rate, grounding, diversity and relevance on a set of briefs."""
    from generators.copy.evaluate import evaluate, load_briefs

    requests = load_briefs(briefs_path)[:limit]
    with progress(not as_json) as update:
        evaluation = evaluate(
            requests,
            model_id=model_id,
            on_brief=lambda done, total, _: update(f"Brief {done}/{total}", done / total),
        )
    emit(evaluation.as_dict(), as_json, _print_evaluation)


def register(group: click.Group) -> None:
    group.add_command(copy_command)
    evaluate_group = group.commands.get("eval")
    if evaluate_group is None:
        evaluate_group = click.Group("eval", help="Measure the quality of a generator.")
        group.add_command(evaluate_group)
    evaluate_group.add_command(eval_copy)
