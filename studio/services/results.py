"""Ad results in, what won out: importing reports, reading each test, overriding a call.

A *test* is a creative and its variants (or a copy and its angle alternates) as they ran
in one segment: the studio's asset keys in the ad names and links tie every report row to
one of them. Per test and metric (clicks per impression, conversions per click) each ad
gets a posterior, P(best), expected loss and a verdict (:mod:`studio.stats.posteriors`);
per segment, the attribute values that win (:mod:`studio.stats.attributes`).

One module because import, reading a test and an override share the same rows and
keys; the statistics themselves live in :mod:`studio.stats`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from studio.core.errors import ImportProblem, InputError, NotFound
from studio.core.records import Asset, Campaign
from studio.export.catalog import ad_keys
from studio.stats.attributes import Effect, Observation, attribute_effects
from studio.stats.columns import GENERIC_COLUMNS, VALUE_FIELD
from studio.stats.posteriors import Arm, Estimate, Verdict, estimate, next_split, verdict
from studio.stats.reading import ResultRow, ResultsFile, read_results
from studio.stats.sizing import TrafficNeeded, traffic_needed
from studio.storage import campaigns as store
from studio.storage import results as results_store
from studio.storage.results import DayResult, Decision, Totals
from studio.storage.workspace import Workspace

#: what a test can be judged on: (name, trials, successes)
METRICS = {
    "ctr": ("click-through rate", "impressions", "clicks"),
    "cvr": ("conversion rate", "clicks", "conversions"),
}
#: the fewest trials per ad before a winner is called, per metric
MIN_TRIALS = {"ctr": 1000, "cvr": 200}
#: problems listed in an error message (all are in the report)
SHOWN_PROBLEMS = 5
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


# --- import ------------------------------------------------------------------------------


@dataclass
class ResultsImport:
    file: str
    platform: str
    rows: int
    matched_rows: int
    days_new: int
    days_replaced: int
    #: rows of one ad and day added up (a report split by device or placement)
    merged_rows: int
    summary_rows: int
    #: other sources whose rows for the same ad-days this newer file replaced
    replaced_sources: list[str] = field(default_factory=list)
    unmatched: list[ImportProblem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    campaigns: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items() if k not in ("unmatched", "problems")},
            "unmatched": [p.as_dict() for p in self.unmatched],
            "problems": [p.as_dict() for p in self.problems],
        }


def import_results(
    ws: Workspace,
    path: Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> ResultsImport:
    """Read a results report and store its days, all or nothing.

    A row that cannot be read stops the import (nothing is written) unless
    ``skip_bad_rows``; rows that name no ad of this workspace are reported by line and
    left out. Days imported before from the same platform are replaced.
    """
    report = read_results(Path(path), platform, mapping)
    if report.problems and not skip_bad_rows:
        raise _bad_rows(report)
    keys = _workspace_keys(ws)
    per_day: dict[tuple[int, str], _DaySum] = {}
    unmatched: list[ImportProblem] = []
    merged = 0
    for row in report.rows:
        asset_id = _match(row.references, keys)
        if asset_id is None:
            unmatched.append(
                ImportProblem(
                    report.name, row.line, None, f"no ad of this workspace in {row.references[0]!r}"
                )
            )
            continue
        slot = (asset_id, row.day)
        if slot in per_day:
            merged += 1
        per_day.setdefault(slot, _DaySum()).add(row)
    if not per_day:
        if not report.rows:  # every row was bad (and skipped): say that, not "no ad"
            raise _bad_rows(report)
        shown = "; ".join(str(p) for p in unmatched[:SHOWN_PROBLEMS])
        raise InputError(
            f"None of the {len(report.rows)} rows of {report.name} names an ad of this "
            f"workspace{': ' + shown if shown else ''}.",
            problems=unmatched,
            hint="import the report of ads made from this workspace's bundle: their names "
            "and links carry the studio's keys",
        )
    days = [
        DayResult(asset_id, date_, report.platform.id, v.impressions, v.clicks, v.conversions,
                  v.spend, v.conversion_value)
        for (asset_id, date_), v in sorted(per_day.items())
    ]  # fmt: skip
    for day in days:
        if day.clicks > day.impressions:
            raise InputError(
                f"{report.name}: asset {day.asset_id} on {day.day} adds up to more clicks "
                "than impressions."
            )
    replaced = results_store.existing_days(ws, [(d.asset_id, d.day, d.source) for d in days])
    other_sources = sorted({s for s in replaced.values() if s != report.platform.id})
    campaigns: dict[str, int] = defaultdict(int)
    names = {a: c for c, ids in _campaign_assets(ws).items() for a in ids}
    for day in days:
        campaigns[names.get(day.asset_id, "?")] += 1
    result = ResultsImport(
        file=report.name,
        platform=report.platform.id,
        rows=len(report.rows) + len(report.problems),
        matched_rows=len(report.rows) - len(unmatched),
        days_new=len(days) - len(replaced),
        days_replaced=len(replaced),
        replaced_sources=other_sources,
        merged_rows=merged,
        summary_rows=report.summary_rows,
        unmatched=unmatched,
        problems=report.problems,
        campaigns=dict(campaigns),
    )
    result.import_id = results_store.store_import(
        ws,
        file_name=report.name,
        sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        platform=report.platform.id,
        rows=result.rows,
        days=days,
        report={k: v for k, v in result.as_dict().items() if k != "import_id"},
    )
    return result


def _bad_rows(report: ResultsFile) -> InputError:
    shown = "; ".join(str(p) for p in report.problems[:SHOWN_PROBLEMS])
    more = len(report.problems) - SHOWN_PROBLEMS
    return InputError(
        f"{len(report.problems)} rows of {report.name} cannot be read: {shown}"
        + (f" (and {more} more)" if more > 0 else "")
        + ". Nothing was imported.",
        problems=report.problems,
        hint="fix those rows, or import the rest with --skip-bad-rows",
    )


def _workspace_keys(ws: Workspace) -> dict[str, int]:
    keys: dict[str, int] = {}
    for row in ws.query("SELECT id FROM campaigns ORDER BY id"):
        keys.update(ad_keys(ws, int(row["id"])))
    return keys


@dataclass
class _DaySum:
    """One ad's day, added up over the report's rows for it (one per placement, say)."""

    impressions: int = 0
    clicks: int = 0
    conversions: float = 0.0
    spend: float = 0.0
    conversion_value: float | None = None

    def add(self, row: ResultRow) -> None:
        self.impressions += row.impressions
        self.clicks += row.clicks
        self.conversions += row.conversions
        self.spend += row.spend
        if row.conversion_value is not None:
            self.conversion_value = (self.conversion_value or 0.0) + row.conversion_value


def _campaign_assets(ws: Workspace) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for row in ws.query(
        "SELECT c.name, a.id FROM assets a JOIN campaigns c ON c.id = a.campaign_id"
    ):
        found[row["name"]].append(int(row["id"]))
    return found


def _match(references: tuple[str, ...], keys: dict[str, int]) -> int | None:
    """The asset whose key appears in a row's ad name, id or link (the first found)."""
    for text in references:
        for token in _TOKEN.findall(text):
            if token.lower() in keys:
                return keys[token.lower()]
    return None


# --- reading a campaign's tests -------------------------------------------------------------


@dataclass
class AdResult:
    """One ad of a test: its totals and, for the metric asked, its estimate."""

    asset: Asset
    key: str
    #: the axis values it changes against the test's control (empty: the control)
    attributes: dict[str, str]
    totals: Totals
    estimate: Estimate | None = None
    share: float | None = None

    @property
    def label(self) -> str:
        if not self.attributes:
            return "control"
        return ", ".join(f"{axis}: {value}" for axis, value in self.attributes.items())

    @property
    def cost_per_click(self) -> float | None:
        """Spend per click (CPC), when the report has spend and the ad has clicks."""
        return _per(self.totals.spend, self.totals.clicks)

    @property
    def cost_per_conversion(self) -> float | None:
        """Spend per conversion (CPA), when the report has spend and the ad converted."""
        return _per(self.totals.spend, self.totals.conversions)

    def cost_range(self, metric: str) -> tuple[float, float] | None:
        """What one success of ``metric`` (a click, a conversion) costs at the low and the
        high end of the rate's 95 % interval: spend over the expected successes."""
        est = self.estimate
        trials = self.totals.impressions if metric == "ctr" else self.totals.clicks
        if est is None or not self.totals.spend or not trials or est.low <= 0:
            return None
        return self.totals.spend / (trials * est.high), self.totals.spend / (trials * est.low)

    @property
    def roas(self) -> float | None:
        """Return on ad spend: what the conversions were worth per unit spent, when the
        report gave their value and the ad spent."""
        value, spend = self.totals.conversion_value, self.totals.spend
        return value / spend if value is not None and spend else None

    def roas_range(self) -> tuple[float, float] | None:
        """ROAS at the low and the high end of the conversion rate's 95 % interval, a
        conversion's value taken as observed: how much of the ROAS few sales can explain."""
        t = self.totals
        if self.roas is None or t.conversion_value is None or not t.conversions or not t.clicks:
            return None
        (rate,) = estimate([Arm(self.key, t.clicks, min(t.conversions, t.clicks))])
        per_conversion = t.conversion_value / t.conversions
        return (
            t.clicks * rate.low * per_conversion / t.spend,
            t.clicks * rate.high * per_conversion / t.spend,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "asset_id": self.asset.id,
            "key": self.key,
            "kind": self.asset.kind,
            "label": self.label,
            "attributes": self.attributes,
            "status": self.asset.status,
            "totals": self.totals.__dict__,
            "estimate": self.estimate.as_dict() if self.estimate else None,
            "next_share": self.share,
            "cost_per_click": self.cost_per_click,
            "cost_per_conversion": self.cost_per_conversion,
            "roas": self.roas,
            "roas_range": self.roas_range(),
        }


def _per(spend: float, count: float) -> float | None:
    return spend / count if spend and count else None


@dataclass
class TestResult:
    test_id: int
    segment: str
    product: str
    format: str
    ads: list[AdResult]
    verdict: Verdict
    #: a winner a person chose, overriding the studio's call
    override: Decision | None = None
    #: when ads joined the test later: the first day all of them ran, from which they are
    #: compared (the totals shown stay whole)
    compared_since: str | None = None

    @property
    def winner_id(self) -> int | None:
        if self.override is not None:
            return self.override.winner_id
        if self.verdict.status == "winner":
            return next(a.asset.id for a in self.ads if a.key == self.verdict.leader)
        return None

    def ad(self, asset_id: int) -> AdResult:
        return next(a for a in self.ads if a.asset.id == asset_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "test_id": self.test_id,
            "segment": self.segment,
            "product": self.product,
            "format": self.format,
            "verdict": self.verdict.as_dict(),
            "winner_asset_id": self.winner_id,
            "compared_since": self.compared_since,
            "override": None
            if self.override is None
            else {
                "winner_asset_id": self.override.winner_id,
                "note": self.override.note,
                "at": self.override.created_at,
            },
            "ads": [a.as_dict() for a in self.ads],
        }


@dataclass
class CampaignResults:
    campaign: Campaign
    metric: str
    tests: list[TestResult]
    effects: list[Effect]
    last_day: str | None
    #: the conversion rate counts days before this one (conversions still arrive after it)
    conversions_until: str | None

    @property
    def metric_label(self) -> str:
        return METRICS[self.metric][0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign.name,
            "metric": self.metric,
            "metric_label": self.metric_label,
            "last_day": self.last_day,
            "conversions_counted_before": self.conversions_until,
            "tests": [t.as_dict() for t in self.tests],
            "attribute_effects": [e.as_dict() for e in self.effects],
        }


def campaign_results(
    ws: Workspace, campaign_ref: int | str, metric: str = "ctr"
) -> CampaignResults:
    """Every test of a campaign that has results, judged on ``metric``."""
    if metric not in METRICS:
        raise InputError(f"Unknown metric '{metric}'.", hint=f"one of {', '.join(METRICS)}")
    campaign = store.get_campaign(ws, campaign_ref)
    keys = {asset_id: key for key, asset_id in ad_keys(ws, campaign.id).items()}
    measured = [a for a in _assets(ws, campaign.id) if a.id in keys]
    all_totals = results_store.totals(ws, [a.id for a in measured])
    last = results_store.last_day(ws, list(all_totals))
    cutoff = None
    if metric == "cvr" and last is not None:
        lag = campaign.settings.conversion_lag_days
        cutoff = (date.fromisoformat(last) - timedelta(days=lag - 1)).isoformat()
    counted = results_store.totals(ws, list(all_totals), before=cutoff) if cutoff else all_totals
    by_id = {a.id: a for a in measured}
    groups: dict[int, list[Asset]] = defaultdict(list)
    for asset in measured:
        root = asset.parent_id if _is_child(asset) else asset.id
        if root in by_id:
            groups[root].append(asset)
    overrides = {
        test: d
        for test, d in results_store.latest_decisions(ws, campaign.id).items()
        if d.source == "override"
    }
    names = _target_names(ws, campaign.id)
    tests = []
    for root_id, members in sorted(groups.items()):
        if not any(a.id in all_totals for a in members):
            continue
        since = _concurrent_since(members, all_totals)
        compared = (
            results_store.totals(ws, [a.id for a in members], before=cutoff, since=since)
            if since is not None
            else counted
        )
        test = _test(root_id, members, keys, compared, all_totals, metric, names, overrides)
        tests.append(replace(test, compared_since=since))
    effects = attribute_effects(
        [
            Observation(t.segment, str(t.test_id), ad.attributes, *_arm_counts(ad.totals, metric))
            for t in tests
            for ad in t.ads
        ]
    )
    return CampaignResults(campaign, metric, tests, effects, last, cutoff)


def _concurrent_since(members: list[Asset], totals: dict[int, Totals]) -> str | None:
    """The first day every ad still in a test ran, when some joined later (a round's new
    challengers): the test compares them over the same days only, or last week's audience
    and season would count for the winner. None when they all started together."""
    firsts = [
        totals[a.id].first_day
        for a in members
        if a.status != "rejected" and a.id in totals and totals[a.id].first_day
    ]
    if len(set(firsts)) < 2:
        return None
    return max(d for d in firsts if d is not None)


def _assets(ws: Workspace, campaign_id: int) -> list[Asset]:
    rows = ws.query(
        "SELECT * FROM assets WHERE campaign_id = ? AND kind IN ('creative', 'variant', 'copy')"
        " ORDER BY id",
        (campaign_id,),
    )
    return [Asset.from_row(r) for r in rows]


def _is_child(asset: Asset) -> bool:
    """A variant of a creative, or an angle alternate of a copy."""
    return asset.kind == "variant" or (asset.kind == "copy" and asset.parent_id is not None)


def attributes_of(asset: Asset) -> dict[str, str]:
    if asset.kind == "variant":
        return {axis: str(value) for axis, value in (asset.content.get("axes") or {}).items()}
    if asset.kind == "copy" and asset.content.get("angle"):
        return {"angle": str(asset.content["angle"])}
    return {}


def _target_names(ws: Workspace, campaign_id: int) -> dict[int, tuple[str, str]]:
    return {
        r["id"]: (r["segment_name"], r["product_name"])
        for r in ws.query(
            "SELECT t.id, s.name AS segment_name, p.name AS product_name"
            " FROM campaign_targets t JOIN segments s ON s.id = t.segment_id"
            " JOIN products p ON p.id = t.product_id WHERE t.campaign_id = ?",
            (campaign_id,),
        )
    }


def _arm_counts(totals: Totals, metric: str) -> tuple[float, float]:
    if metric == "ctr":
        return float(totals.impressions), float(totals.clicks)
    return float(totals.clicks), min(totals.conversions, float(totals.clicks))


def _test(
    root_id: int,
    members: list[Asset],
    keys: dict[int, str],
    counted: dict[int, Totals],
    shown: dict[int, Totals],
    metric: str,
    names: dict[int, tuple[str, str]],
    overrides: dict[int, Decision],
) -> TestResult:
    members = sorted(members, key=lambda a: (a.id != root_id, a.id))
    ads = [AdResult(a, keys[a.id], attributes_of(a), shown.get(a.id, Totals())) for a in members]
    # an ad a round dropped has left the test: its figures stay on show, but it is no
    # longer compared and gets no traffic
    live = [ad for ad in ads if ad.asset.status != "rejected"] or ads
    arms = [Arm(ad.key, *_arm_counts(counted.get(ad.asset.id, Totals()), metric)) for ad in live]
    estimates = estimate(arms, seed=root_id)
    for ad, est in zip(live, estimates, strict=True):
        ad.estimate = est
    split = next_split(estimates, min_trials=MIN_TRIALS[metric])
    for ad, share in zip(live, split.values(), strict=True):
        ad.share = share
    root = members[0]
    segment, product = names.get(root.target_id or -1, ("", ""))
    unit = METRICS[metric][1]
    return TestResult(
        test_id=root_id,
        segment=segment,
        product=product,
        format=root.format or "",
        ads=ads,
        verdict=verdict(estimates, unit=unit, min_trials=MIN_TRIALS[metric]),
        override=overrides.get(root_id),
    )


# --- overriding a call ------------------------------------------------------------------------


def choose_winner(ws: Workspace, asset_id: int, *, metric: str = "ctr", note: str = "") -> Decision:
    """Record a person's winner for the test an ad belongs to (it overrides the studio's
    call until another choice)."""
    asset = store.get_asset(ws, asset_id)
    campaign_id, test_id = _test_of(asset)
    results = campaign_results(ws, campaign_id, metric)
    test = next((t for t in results.tests if t.test_id == test_id), None)
    evidence = test.as_dict() if test is not None else {}
    decision_id = results_store.insert_decision(
        ws,
        campaign_id=campaign_id,
        test_id=test_id,
        winner_id=asset_id,
        source="override",
        metric=metric,
        note=note,
        evidence=evidence,
    )
    return next(d for d in results_store.decisions(ws, campaign_id) if d.id == decision_id)


def undo_winner(ws: Workspace, asset_id: int) -> int:
    """Take back a person's winner of the test an ad belongs to: the studio's own verdict
    applies again. Returns the test's id; refuses when no choice of yours is open (a
    round already acted on it: choose another winner instead)."""
    campaign_id, test_id = _test_of(store.get_asset(ws, asset_id))
    latest = results_store.latest_decisions(ws, campaign_id).get(test_id)
    open_choice = latest is not None and latest.source == "override" and latest.round_id is None
    if not open_choice or results_store.delete_overrides(ws, test_id) == 0:
        raise InputError(
            f"Test {test_id} has no winner of yours to take back.",
            hint="a winner a round has acted on stays; choose another with 'studio results winner'",
        )
    return test_id


def _test_of(asset: Asset) -> tuple[int, int]:
    """The campaign and the test (its creative, or its root copy) an ad belongs to."""
    if asset.kind not in ("creative", "variant", "copy") or asset.campaign_id is None:
        raise InputError(f"Asset {asset.id} is a {asset.kind}, not an ad of a campaign.")
    test_id = asset.parent_id if _is_child(asset) else asset.id
    if test_id is None:
        raise NotFound(f"Asset {asset.id} belongs to no test.")
    return asset.campaign_id, test_id


# --- before a test starts --------------------------------------------------------------------


def plan_test(
    rate: float, lift: float, ads: int, *, daily: float | None = None, metric: str = "ctr"
) -> TrafficNeeded:
    """The impressions (clicks for the conversion rate) per ad and the full weeks a test
    of ``ads`` ads needs to find a relative ``lift`` on ``rate``."""
    if metric not in METRICS:
        raise InputError(f"Unknown metric '{metric}'.", hint=f"one of {', '.join(METRICS)}")
    try:
        return traffic_needed(rate, lift, ads, daily=daily, min_trials=MIN_TRIALS[metric])
    except ValueError as error:
        raise InputError(f"Cannot plan this test: {error}.") from error


# --- a sheet to fill in by hand -------------------------------------------------------------


#: the template's columns: the report's, and what the conversions were worth (optional,
#: for ROAS)
TEMPLATE_COLUMNS = (*GENERIC_COLUMNS, VALUE_FIELD)


def results_template(ws: Workspace, campaign_ref: int | str) -> bytes:
    """The studio's results template for a campaign: one row per ad (named by its key)
    with the numbers left to fill in, one row per day."""
    import csv
    import io

    campaign = store.get_campaign(ws, campaign_ref)
    keys = {asset_id: key for key, asset_id in ad_keys(ws, campaign.id).items()}
    copy_only = {t.id for t in store.campaign_targets(ws, campaign.id) if not t.image_formats}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for asset in store.current_assets(ws, campaign.id):
        if asset.status == "rejected" or asset.id not in keys:
            continue
        if asset.kind == "copy" and asset.target_id not in copy_only:
            continue  # copy shown on creatives is measured through them
        writer.writerow([f"{asset.format} {keys[asset.id]}", *[""] * (len(TEMPLATE_COLUMNS) - 1)])
    return buffer.getvalue().encode("utf-8")
