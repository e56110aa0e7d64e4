"""``studio results``: import ad results, read what wins, choose a winner, plan the next
round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from studio.cli.common import console, emit, json_option, opened, workspace_argument
from studio.services import campaigns, result_imports, results, rounds
from studio.services.workspaces import write_output

metric_option = click.option(
    "--metric",
    type=click.Choice(sorted(results.METRICS)),
    default="ctr",
    show_default=True,
    help="What a test is judged on: ctr (clicks per impression) or cvr (conversions per click).",
)


@click.group("results")
def results_group() -> None:
    """Ad results: import the platforms' reports, see what wins, plan the next round."""


@results_group.command("import")
@workspace_argument
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--platform",
    type=click.Choice(["meta", "google", "generic"]),
    default=None,
    help="Whose report it is (detected from the header when not given).",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read a column the studio does not know, e.g. --map 'Käufe (Website)=conversions'. "
    "Fields: ad_name, ad_id, url, day, starts, ends, impressions, clicks, conversions, "
    "spend, currency.",
)
@click.option("--skip-bad-rows", is_flag=True, help="Import the readable rows, report the rest.")
@json_option
def import_command(
    workspace: Path,
    file: Path,
    platform: str | None,
    mappings: tuple[str, ...],
    skip_bad_rows: bool,
    as_json: bool,
) -> None:
    """Import an ad-level report (Meta Ads Manager, Google Ads, or the studio's template).

    Rows are matched to ads by the studio's key in the ad name or link; a day imported
    before is replaced, never counted twice.
    """
    mapping = {}
    for item in mappings:
        column, sep, name = item.rpartition("=")
        if not sep or not column.strip():
            raise click.BadParameter(f"'{item}' is not COLUMN=FIELD", param_hint="--map")
        mapping[column.strip()] = name.strip()
    with opened(workspace) as ws:
        report = result_imports.import_results(
            ws, file, platform=platform, mapping=mapping, skip_bad_rows=skip_bad_rows
        )

    def render(_: Any) -> None:
        click.echo(
            f"Imported {report.matched_rows} rows of {report.file} ({report.platform}): "
            f"{report.days_new} new ad-days, {report.days_replaced} replaced."
        )
        if report.merged_rows:
            click.echo(
                f"{report.merged_rows} rows of an ad and day already seen were added up "
                "(a report split by device or placement)."
            )
        if report.summary_rows:
            click.echo(f"{report.summary_rows} total rows left out.")
        if report.replaced_sources:
            click.echo(
                "One source per ad and day: this file replaced what was imported for the same "
                f"ad-days from {', '.join(report.replaced_sources)}."
            )
        for problem in report.unmatched[:10]:
            console.print(f"[yellow]not matched:[/yellow] {problem}")
        if len(report.unmatched) > 10:
            console.print(f"… and {len(report.unmatched) - 10} more rows not matched")
        for problem in report.problems[:10]:
            console.print(f"[red]skipped:[/red] {problem}")

    emit(report.as_dict(), as_json, render)


@results_group.command("report")
@workspace_argument
@click.argument("campaign")
@metric_option
@json_option
def report_command(workspace: Path, campaign: str, metric: str, as_json: bool) -> None:
    """Each test's ads with their rates, 95 % intervals, P(best) and the verdict, and the
    attributes that win per segment."""
    with opened(workspace) as ws:
        found = results.campaign_results(ws, campaign, metric)
    emit(found.as_dict(), as_json, lambda _: _render_report(found))


def _render_report(found: results.CampaignResults) -> None:
    if not found.tests:
        click.echo(f"Campaign '{found.campaign.name}' has no ad results yet.")
        return
    click.echo(f"{found.campaign.name}: {found.metric_label}, results to {found.last_day}")
    if found.conversions_until:
        click.echo(f"(conversions counted for days before {found.conversions_until})")
    for test in found.tests:
        title = f"{test.segment} · {test.product} · {test.format} (test {test.test_id})"
        table = Table(title=title, title_justify="left")
        cost = "CPC [95 %]" if found.metric == "ctr" else "CPA [95 %]"
        valued = any(ad.roas is not None for ad in test.ads)  # the report gave revenue
        for column in ("ad", "asset", "impr.", "clicks", "conv.", "spend", "rate [95 %]",
                       cost, *(("ROAS [95 %]",) if valued else ()), "confidence it is best",
                       "next split"):  # fmt: skip
            table.add_column(column)
        winner = test.winner_id
        for ad in test.ads:
            est = ad.estimate
            badge = " ★" if ad.asset.id == winner else ""
            table.add_row(
                ad.label + badge,
                str(ad.asset.id),
                f"{ad.totals.impressions:,}",
                f"{ad.totals.clicks:,}",
                f"{ad.totals.conversions:,.0f}",
                f"{ad.totals.spend:,.2f}" if ad.totals.spend else "",
                f"{est.mean:.2%} [{est.low:.2%}–{est.high:.2%}]" if est else "",
                _cost(ad, found.metric),
                *((_roas(ad),) if valued else ()),
                f"{est.p_best:.0%}" if est else "",
                f"{ad.share:.0%}" if ad.share is not None else "dropped",
            )
        console.print(table)
        if test.override is not None:
            click.echo(
                f"  winner chosen by you{': ' + test.override.note if test.override.note else ''}"
            )
        else:
            click.echo(f"  {test.verdict.status}: {test.verdict.reason}")
        if test.compared_since:
            click.echo(
                f"  compared on the days from {test.compared_since}, when all its ads ran "
                "(the totals above are whole)"
            )
    clear = [e for e in found.effects if e.segment is not None]
    if clear:
        table = Table(
            title="What wins per segment (lift against the creative)", title_justify="left"
        )
        for column in ("segment", "attribute", "lift [95 %]", "variants"):
            table.add_column(column)
        for effect in clear:
            mark = "" if effect.clear else " (unclear)"
            table.add_row(
                effect.segment or "",
                f"{effect.axis}: {effect.value}",
                f"{effect.lift:+.0%} [{effect.low:+.0%}, {effect.high:+.0%}]{mark}",
                str(effect.variants),
            )
        console.print(table)


@results_group.command("winner")
@workspace_argument
@click.argument("asset_id", type=int)
@metric_option
@click.option("--note", default="", help="Why (kept with the decision).")
@click.option(
    "--undo", is_flag=True,
    help="Take back your winner of the ad's test: the studio's own verdict applies again.",
)  # fmt: skip
def winner_command(workspace: Path, asset_id: int, metric: str, note: str, undo: bool) -> None:
    """Choose the winner of a test yourself (overrides the studio's call; recorded)."""
    with opened(workspace) as ws:
        if undo:
            test_id = results.undo_winner(ws, asset_id)
            click.echo(f"Test {test_id} is judged by the studio again (your winner taken back).")
            return
        decision = results.choose_winner(ws, asset_id, metric=metric, note=note)
    click.echo(f"Asset {decision.winner_id} is the winner of test {decision.test_id} (yours).")


@results_group.command("next")
@workspace_argument
@click.argument("campaign")
@metric_option
@click.option(
    "--apply", is_flag=True, help="Record the round, drop the losers and queue the challengers."
)
@json_option
def next_command(workspace: Path, campaign: str, metric: str, apply: bool, as_json: bool) -> None:
    """The next round: winners kept, losers dropped, new challengers on what wins.

    Without --apply it only shows the plan.
    """
    with opened(workspace) as ws:
        if apply:
            started = rounds.start_next_round(ws, campaign, metric)
            plan, number = started.plan, started.number
        else:
            plan, number = rounds.plan_next_round(ws, campaign, metric), None
        name = campaigns.get_campaign(ws, plan.campaign_id).name
    data = {**plan.as_dict(), "round": number}

    def render(_: Any) -> None:
        for test in plan.tests:
            head = f"{test.segment} · {test.product} · {test.format} (test {test.test_id})"
            click.echo(f"{head}: {test.status}")
            click.echo(f"  keep {test.keep or 'none'}, drop {test.drop or 'none'}")
            for cell in test.challengers:
                click.echo("  new challenger: " + ", ".join(f"{k}: {v}" for k, v in cell.items()))
        if number is None:
            click.echo(f"Apply it with: studio results next {workspace} {campaign} --apply")
        else:
            click.echo(
                f"Round {number} of '{name}' recorded: {sum(len(t.drop) for t in plan.tests)} "
                f"ads dropped, {plan.challenger_count} challengers queued. Make them with: "
                f"studio generate {workspace} {plan.campaign_id}"
            )

    emit(data, as_json, render)


@results_group.command("template")
@workspace_argument
@click.argument("campaign")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a file at --out the studio did not write, or one changed since (a "
    "filled-in template).",
)
def template_command(workspace: Path, campaign: str, out: Path, overwrite: bool) -> None:
    """A results sheet to fill in by hand: one row per ad of the campaign, with its key."""
    with opened(workspace) as ws:
        data = result_imports.results_template(ws, campaign)
    path = write_output(out, data, overwrite=overwrite, what="template")
    click.echo(f"Wrote {path}: fill in a row per ad and day, then 'studio results import'.")


def register(cli: click.Group) -> None:
    cli.add_command(results_group)


def _cost(ad: results.AdResult, metric: str) -> str:
    point = ad.cost_per_click if metric == "ctr" else ad.cost_per_conversion
    span = ad.cost_range(metric)
    if point is None:
        return ""
    return f"{point:,.2f}" + (f" [{span[0]:,.2f}–{span[1]:,.2f}]" if span else "")


def _roas(ad: results.AdResult) -> str:
    """ROAS as a marketer writes it, ×: 3.2× is 3.20 of revenue per 1 spent."""
    if ad.roas is None:
        return ""
    span = ad.roas_range()
    return f"{ad.roas:.2f}×" + (f" [{span[0]:.2f}–{span[1]:.2f}]" if span else "")


def _share(text: str) -> float:
    """'1.2%' or '0.012' → 0.012."""
    text = text.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError as error:
        raise click.BadParameter(f"'{text}' is not a number or a percentage") from error


@results_group.command("plan")
@click.option("--rate", required=True, help="The rate today: '1.2%' or 0.012 (see --metric).")
@click.option(
    "--lift", default="20%", show_default=True,
    help="The smallest relative lift worth finding: '20%' or 0.2.",
)  # fmt: skip
@click.option("--ads", type=click.IntRange(2, 100), default=4, show_default=True,
              help="Ads in the test.")  # fmt: skip
@click.option(
    "--daily", type=click.FloatRange(min=1), default=None,
    help="Impressions per day the test gets (clicks per day with --metric cvr).",
)  # fmt: skip
@metric_option
@json_option
def plan_command(
    rate: str, lift: str, ads: int, daily: float | None, metric: str, as_json: bool
) -> None:
    """Before a test starts: the traffic and full weeks it needs to find a lift."""
    needed = results.plan_test(_share(rate), _share(lift), ads, daily=daily, metric=metric)
    emit(needed.as_dict(), as_json, lambda data: _render_plan(needed, metric))


def _render_plan(needed: results.TrafficNeeded, metric: str) -> None:
    name, unit, _ = results.METRICS[metric]
    click.echo(
        f"To find a {needed.lift:.0%} lift on a {needed.rate:.2%} {name} with {needed.ads} "
        f"ads: {needed.per_ad:,} {unit} per ad, {needed.total:,} in all."
    )
    if needed.daily and needed.days is not None and needed.weeks is not None:
        click.echo(
            f"At {needed.daily:,.0f} {unit} a day that is {needed.days} days: "
            f"run it {needed.weeks} full week{'s' if needed.weeks != 1 else ''} "
            f"({needed.weeks * 7} days), so every weekday counts alike."
        )
    click.echo(
        "Ads inside one Meta ad set are not shown at random (Meta favours the ad it "
        "expects to do best); for a clean comparison use one ad set per variant or a Meta "
        "A/B test."
    )
