"""What won out: reading each test of a campaign's ads, and overriding a call.

A *test* is a creative and its variants (or a copy and its angle alternates) as they ran
in one segment: the studio's asset keys in the ad names and links tie every report row to
one of them. Per test and metric (clicks per impression, conversions per click) each ad
gets a posterior, P(best), expected loss and a verdict (:mod:`studio.stats.posteriors`);
per segment, the attribute values that win (:mod:`studio.stats.attributes`).

Reports come in through :mod:`studio.services.result_imports`; the statistics themselves
live in :mod:`studio.stats`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from studio.core.errors import InputError, NotFound
from studio.core.records import Asset, Campaign
from studio.export.catalog import ad_keys
from studio.stats.attributes import Effect, Observation, attribute_effects
from studio.stats.posteriors import Arm, Estimate, Verdict, estimate, next_split, verdict
from studio.stats.sizing import TrafficNeeded, traffic_needed
from studio.storage import campaigns as store
from studio.storage import results as results_store
from studio.storage.results import Decision, Totals
from studio.storage.workspace import Workspace

#: what a test can be judged on: (name, trials, successes)
METRICS = {
    "ctr": ("click-through rate", "impressions", "clicks"),
    "cvr": ("conversion rate", "clicks", "conversions"),
}
#: the fewest trials per ad before a winner is called, per metric
MIN_TRIALS = {"ctr": 1000, "cvr": 200}


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
