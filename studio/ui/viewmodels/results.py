"""What the Results screen shows, computed from a campaign's results (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.services.results import AdResult, CampaignResults, TestResult
from studio.ui.charts import Interval
from studio.ui.viewmodels.format_names import format_label


@dataclass(frozen=True)
class AdRow:
    asset_id: int
    label: str
    impressions: str
    clicks: str
    conversions: str
    spend: str
    #: cost per click and per conversion (CPC, CPA), when the report has spend
    cpc: str
    cpa: str
    #: return on ad spend with its range, when the report gave the conversions' value
    roas: str
    rate: str
    p_best: str
    split: str
    badge: str


def verdict_text(test: TestResult) -> str:
    said = _verdict(test)
    if test.compared_since:
        said += f" Compared on the days from {test.compared_since}, when all its ads ran."
    return said


def _verdict(test: TestResult) -> str:
    if test.override is not None:
        note = f": {test.override.note}" if test.override.note else ""
        return f"Winner chosen by you{note}."
    verdict = test.verdict
    if verdict.status == "winner":
        return f"Winner: {verdict.reason}."
    if verdict.status == "keep testing":
        return f"Keep testing: {verdict.reason}."
    more = f" About {verdict.trials_needed:,} more per ad." if verdict.trials_needed else ""
    return f"Not enough data yet: {verdict.reason}.{more}"


def test_title(test: TestResult) -> str:
    return f"{test.segment} · {test.product} · {format_label(test.format)}"


def ad_rows(test: TestResult) -> list[AdRow]:
    rows = []
    for ad in test.ads:
        est = ad.estimate
        badge = ""
        if ad.asset.id == test.winner_id:
            badge = "★ winner" if test.override is None else "★ your pick"
        elif ad.asset.status == "rejected":
            badge = "dropped"
        rows.append(
            AdRow(
                asset_id=ad.asset.id,
                label=ad.label,
                impressions=f"{ad.totals.impressions:,}",
                clicks=f"{ad.totals.clicks:,}",
                conversions=f"{ad.totals.conversions:,.0f}",
                spend=f"{ad.totals.spend:,.2f}" if ad.totals.spend else "",
                cpc=_money(ad.cost_per_click),
                cpa=_money(ad.cost_per_conversion),
                roas=_roas(ad),
                rate=_rate(ad),
                p_best=f"{est.p_best:.0%}" if est else "",
                split=f"{ad.share:.0%}" if ad.share is not None else "",
                badge=badge,
            )
        )
    return rows


def _roas(ad: AdResult) -> str:
    if ad.roas is None:
        return ""
    span = ad.roas_range()
    return f"{ad.roas:.2f}×" + (f" ({span[0]:.1f}–{span[1]:.1f})" if span else "")


def _money(value: float | None) -> str:
    return f"{value:,.2f}" if value is not None else ""


def _rate(ad: AdResult) -> str:
    est = ad.estimate
    if est is None:
        return ""
    return f"{est.mean:.2%} ({est.low:.2%}–{est.high:.2%})"


def rate_intervals(test: TestResult) -> list[Interval]:
    """Each ad's rate with its 95 % interval, the winner (or leader) highlighted."""
    lead = test.winner_id
    return [
        Interval(
            label=ad.label,
            mean=ad.estimate.mean,
            low=ad.estimate.low,
            high=ad.estimate.high,
            text=f"{ad.estimate.mean:.2%}",
            highlight=ad.asset.id == lead,
        )
        for ad in test.ads
        if ad.estimate is not None
    ]


def lift_intervals(results: CampaignResults, segment: str) -> list[Interval]:
    """What each attribute value does in a segment, against the creative it varies."""
    return [
        Interval(
            label=f"{effect.axis}: {effect.value}",
            mean=effect.lift,
            low=effect.low,
            high=effect.high,
            text=f"{effect.lift:+.0%}" + ("" if effect.clear else " (unclear)"),
            highlight=effect.clear and effect.lift > 0,
        )
        for effect in results.effects
        if effect.segment == segment
    ]
