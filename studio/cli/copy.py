"""``studio copy`` (channel copy for a product and segment) and ``studio eval copy``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from studio.cli.common import emit, json_option, opened, progress, workspace_argument

#: results go to stdout; progress and errors to stderr
stdout = Console()
BRIEF_SETS = ("bundled", "heldout", "shop")


def brief_set_path(name: str) -> Path:
    from studio.core.paths import resources_dir

    return Path(resources_dir()) / "copy" / "briefs" / f"{name}.json"


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
    fields, briefs = data["fields"], data["briefs"]
    rows = [
        ("briefs with every field passed", f"{data['briefs_passed']} of {briefs}"),
        ("fields with a candidate passing every check", f"{data['fields_covered']} of {fields}"),
        ("fields led by model-written copy", f"{data['fields_led_by_model']} of {fields}"),
        ("returned candidates", str(data["returned"])),
        ("  by source", ", ".join(f"{k} {v}" for k, v in sorted(data["sources"].items()))),
        ("returned candidates failing a check", str(sum(data["returned_failures"].values()))),
        ("candidates considered", str(data["considered"])),
        ("diversity (distinct-2)", f"{data['distinct_2']:.3f}"),
        ("mean relevance (MiniLM cosine)", f"{data['mean_relevance']:.3f}"),
        ("sampling throughput", f"{data['tokens_per_second']:.1f} tokens/s"),
        ("seconds per brief", f"{data['seconds_per_brief']:.1f}"),
        ("wall time", f"{data['seconds']:.0f} s"),
    ]
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    rules = Table(title="Checks", title_justify="left")
    rules.add_column("rule")
    rules.add_column("caught among considered", justify="right")
    rules.add_column("returned failing it", justify="right")
    for rule, rate in data["rule_failure_rates"].items():
        rules.add_row(rule, f"{rate:.1%}", str(data["returned_failures"].get(rule, 0)))
    stdout.print(rules)
    for report in data["reports"]:
        if report["problems"]:
            click.echo(f"  {report['id']}: {'; '.join(report['problems'])}")


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
@click.option(
    "--brief",
    default="",
    help='What the campaign is for, in your words ("Christmas gifts for our regulars"); '
    "an offer or a date you state here may appear in the copy.",
)
@click.option("--occasion", default="", help="The occasion (default: one the brief names).")
@json_option
def copy_command(
    workspace: Path, sku: str, segment_name: str | None, channel_format: str,
    brand_name: str | None, n: int, model_id: str | None, language: str, seed: int,
    brief: str, occasion: str, as_json: bool,
) -> None:  # fmt: skip
    """Write channel copy for a product (and segment) of WORKSPACE with the local model.

    Every candidate is checked against the channel's limits and the brand's rules; copy
    that fails is never shown as a pass. Exits with 1 when a field has no passing copy.
    """
    from generators.copy import (
        CopyRequest,
        facts_from_product_row,
        generate_copy,
        segment_from_row,
        voice_of,
    )
    from generators.copy.request import BrandVoice
    from studio.core.progress import ProgressSink
    from studio.services.brand_kits import list_brand_kits, load_brand_kit
    from studio.services.catalog import newest_segment_named, product_by_sku

    with opened(workspace) as ws:
        product = product_by_sku(ws, sku)
        segment = newest_segment_named(ws, segment_name) if segment_name is not None else None
        kits = list_brand_kits(ws)
        kit = None
        if brand_name is not None:
            kit = load_brand_kit(ws, brand_name)
        elif len(kits) == 1:  # the workspace's only kit
            kit = load_brand_kit(ws, kits[0])
    if kit is not None and not as_json:
        click.echo(f"Brand kit: {kit.name}", err=True)
    request = CopyRequest(
        product=facts_from_product_row(product),
        channel_format=channel_format,
        segment=segment_from_row(segment) if segment else None,
        brand=voice_of(kit) if kit is not None else BrandVoice(),
        n=n,
        language=language,
        seed=seed,
        brief=brief,
        occasion=occasion,
        model_id=model_id,
    )
    with progress(not as_json) as update:
        result = generate_copy(request, ProgressSink(lambda e: update(e.status, e.fraction)))
    emit(result.as_dict(), as_json, _print_result)
    if not result.passed:
        raise SystemExit(1)


@click.command("copy")
@click.option(
    "--briefs", "briefs_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A briefs JSON file (default: the bundled set).",
)  # fmt: skip
@click.option(
    "--set", "brief_set", type=click.Choice(BRIEF_SETS), default="bundled", show_default=True,
    help="A brief set shipped with the studio: 'heldout' has products nothing was tuned on; "
    "'shop' has product names as real shops export them (capitals, variants, long names).",
)  # fmt: skip
@click.option("--model", "model_id", help="Copy model id (default: the default copy model).")
@click.option("--limit", type=int, help="Only the first N briefs.")
@click.option(
    "--sheet", "sheet_path", type=click.Path(path_type=Path),
    help="Write an HTML review sheet of every returned candidate, to read and mark.",
)  # fmt: skip
@click.option("--overwrite", is_flag=True, help="Replace an existing file at --sheet.")
@json_option
def eval_copy(
    briefs_path: Path | None, brief_set: str, model_id: str | None, limit: int | None,
    sheet_path: Path | None, overwrite: bool, as_json: bool,
) -> None:  # fmt: skip
    """Measure copy on a set of briefs: every check's failure rate, fields covered, and
    every returned candidate (with --json or --sheet)."""
    from generators.copy.evaluate import evaluate, load_briefs
    from studio.services.exports import write_review_sheet
    from studio.services.workspaces import check_destination

    path = briefs_path or brief_set_path(brief_set)
    requests = load_briefs(path)[:limit]
    if sheet_path is not None:  # refuse a bad destination before minutes of work
        check_destination(sheet_path, overwrite=overwrite, what="review sheet")
    with progress(not as_json) as update:
        evaluation = evaluate(
            requests,
            model_id=model_id,
            on_brief=lambda done, total, _: update(f"Brief {done}/{total}", done / total),
        )
    data = evaluation.as_dict()
    if sheet_path is not None:
        written = write_review_sheet(sheet_path, data, path, overwrite=overwrite)
        if not as_json:
            click.echo(f"Review sheet: {written}", err=True)
    emit(data, as_json, _print_evaluation)


def register(group: click.Group) -> None:
    group.add_command(copy_command)
    evaluate_group = group.commands.get("eval")
    if evaluate_group is None:
        evaluate_group = click.Group("eval", help="Measure the quality of a generator.")
        group.add_command(evaluate_group)
    evaluate_group.add_command(eval_copy)
