"""The next round of a campaign's tests: keep the winners, drop the losers, make new
challengers on what wins for each segment.

Per test with results:

* a winner (called by the studio, or chosen by a person) is kept and every other ad of
  the test is dropped;
* without a winner, an ad is dropped only when the data says it is worse: very unlikely
  to be best (P(best) under :data:`~studio.stats.posteriors.DROP_BELOW`), behind the leader with
  :data:`~studio.stats.posteriors.DROP_CONFIDENCE`, on enough traffic
  (:func:`~studio.stats.posteriors.is_worse`); the rest keep running. With every ad
  truly equal, fewer than 5 % of tests ever drop one (benchmarks/results_benchmark.py);
  on P(best) alone, 71 % did;
* tests without enough data yet keep everything and get no challengers.

Challengers are new variants of the test's creative that build on the winner: they keep
the winner's changes and add, first, the values that win for the segment on other axes
(:func:`studio.stats.attributes.winning_values`), then values the test has not tried.
Dropped ads turn ``rejected`` (so they leave the next bundle); the decisions, the round's
plan and the figures it rests on are stored with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.core.errors import InputError
from studio.jobs.queue import JobQueue
from studio.services.generation.payloads import VariantsPayload
from studio.services.results import MIN_TRIALS, CampaignResults, TestResult, campaign_results
from studio.stats.attributes import winning_values
from studio.stats.posteriors import DROP_CONFIDENCE, is_worse
from studio.storage import campaigns as store
from studio.storage import results as results_store
from studio.storage.workspace import Workspace

#: new challengers per test at most
CHALLENGERS_PER_TEST = 2


@dataclass
class TestPlan:
    test_id: int
    segment: str
    product: str
    format: str
    status: str
    winner_id: int | None
    keep: list[int]
    drop: list[int]
    #: the changes of each new challenger (variant cells of the test's creative)
    challengers: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RoundPlan:
    campaign_id: int
    metric: str
    tests: list[TestPlan]
    results: CampaignResults

    @property
    def challenger_count(self) -> int:
        return sum(len(t.challengers) for t in self.tests)

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "metric": self.metric,
            "tests": [t.as_dict() for t in self.tests],
            "keep": sum(len(t.keep) for t in self.tests),
            "drop": sum(len(t.drop) for t in self.tests),
            "challengers": self.challenger_count,
        }


def plan_next_round(ws: Workspace, campaign_ref: int | str, metric: str = "ctr") -> RoundPlan:
    """What the next round would keep, drop and make; writes nothing."""
    results = campaign_results(ws, campaign_ref, metric)
    if not results.tests:
        raise InputError(
            f"Campaign '{results.campaign.name}' has no ad results yet.",
            hint="import a results report first: studio results import WORKSPACE FILE",
        )
    tests = [_plan_test(ws, results, test) for test in results.tests]
    return RoundPlan(results.campaign.id, metric, tests, results)


def _plan_test(ws: Workspace, results: CampaignResults, test: TestResult) -> TestPlan:
    ids = [ad.asset.id for ad in test.ads]
    winner = test.winner_id
    plan = TestPlan(
        test.test_id, test.segment, test.product, test.format, test.verdict.status, winner,
        keep=list(ids), drop=[], reason=test.verdict.reason,
    )  # fmt: skip
    if winner is not None:
        plan.keep = [winner]
        plan.drop = [i for i in ids if i != winner]
        plan.reason = (
            "chosen by you" + (f": {test.override.note}" if test.override.note else "")
            if test.override is not None
            else test.verdict.reason
        )
    elif test.verdict.status == "keep testing":
        plan.drop = [
            ad.asset.id
            for ad in test.ads
            if ad.estimate is not None and is_worse(ad.estimate, MIN_TRIALS[results.metric])
        ]
        plan.keep = [i for i in ids if i not in plan.drop]
        if plan.drop:
            plan.reason = (
                f"{len(plan.drop)} of {len(ids)} ads are behind the leader with at least "
                f"{DROP_CONFIDENCE:.1%} certainty and stop; the others keep running"
            )
    else:
        return plan  # not enough data: everything keeps running as it is
    root = store.get_asset(ws, test.test_id)
    if root.kind == "creative":
        base = test.ad(winner).attributes if winner is not None else {}
        wanted = max(len(plan.drop), 1)
        plan.challengers = _challengers(ws, root.id, base, results, test, wanted)
    return plan


def _challengers(
    ws: Workspace,
    creative_id: int,
    base: dict[str, str],
    results: CampaignResults,
    test: TestResult,
    wanted: int,
) -> list[dict[str, Any]]:
    """New cells of the creative that keep ``base`` (the winner's changes), preferring
    the segment's winning values, then values the test has not tried."""
    from generators.variants.matrix import DEFAULT_AXES, plan_cells
    from studio.services.generation.variants import variant_source

    source = variant_source(ws, store.get_asset(ws, creative_id))
    tried = {_key(ad.attributes) for ad in test.ads}
    made = {
        _key(_as_text(a.content.get("axes") or {})) for a in store.current_children(ws, creative_id)
    }
    winning = winning_values(results.effects, test.segment)
    cells = plan_cells(source, DEFAULT_AXES, 10_000, seed=creative_id)
    candidates = []
    for order, cell in enumerate(cells):
        changes = _as_text(cell.changes())
        if any(changes.get(axis) != value for axis, value in base.items()):
            continue
        if _key(changes) in tried | made:
            continue
        added = {a: v for a, v in changes.items() if a not in base}
        if not added:
            continue
        score = sum(1 for a, v in added.items() if winning.get(a) == v)
        candidates.append((-score, len(added), order, cell.changes()))
    candidates.sort(key=lambda c: c[:3])
    return [changes for *_, changes in candidates[: min(wanted, CHALLENGERS_PER_TEST)]]


def _as_text(changes: dict[str, Any]) -> dict[str, str]:
    return {axis: str(value) for axis, value in changes.items()}


def _key(changes: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(changes.items()))


@dataclass(frozen=True)
class StartedRound:
    round_id: int
    number: int
    plan: RoundPlan
    job_ids: list[int]


def start_next_round(
    ws: Workspace,
    campaign_ref: int | str,
    metric: str = "ctr",
    queue: JobQueue | None = None,
) -> StartedRound:
    """Store the round (decisions, dropped ads, the figures behind them) and queue its
    challengers, in one write."""
    plan = plan_next_round(ws, campaign_ref, metric)
    queue = queue or JobQueue(ws)
    campaign_id = plan.campaign_id
    record = {**plan.as_dict(), "results": plan.results.as_dict()}
    with ws.write():
        round_id, number = results_store.insert_round(ws, campaign_id, record)
        for test in plan.tests:
            if test.winner_id is not None:
                evidence = next(t for t in plan.results.tests if t.test_id == test.test_id)
                source = "override" if evidence.override is not None else "studio"
                results_store.insert_decision(
                    ws,
                    campaign_id=campaign_id,
                    test_id=test.test_id,
                    winner_id=test.winner_id,
                    source=source,
                    metric=metric,
                    note=test.reason,
                    evidence=evidence.as_dict(),
                    round_id=round_id,
                )
        store.set_statuses(ws, [i for t in plan.tests for i in t.drop], "rejected")
        batch = []
        for test in plan.tests:
            if not test.challengers:
                continue
            root = store.get_asset(ws, test.test_id)
            payload = VariantsPayload(
                parent_id=root.id, cells=tuple(test.challengers), round=number
            ).as_dict()
            batch.append(("variants", payload, campaign_id, root.target_id))
        job_ids = queue.enqueue_many(batch) if batch else []
    return StartedRound(round_id, number, plan, job_ids)
