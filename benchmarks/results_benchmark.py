"""The results loop against known truth: simulated campaigns with true click and
conversion rates, run day by day with the studio's own posteriors and verdicts.

Measured in one run:

* **regret** of Thompson allocation (the studio's next split: shares = P(best), with a
  10 % floor per ad until every ad has the minimum data) against plain Thompson (no
  floor), an even split and epsilon-greedy (10 % exploration): clicks lost to not always
  showing the truly best ad, as a share of the clicks the best would have had;
* **stalled tests** under each allocation: tests in which, after the last day, some ad
  still has less than the minimum data, so no winner can ever be called;
* **winners called correctly** at given traffic per ad, under an even split: how often a
  winner is called, and how often the called winner is truly the best;
* **calibration** of P(best): of the ads called best at P(best) ≥ 0.95 (each test stopped
  at its first call, as a user would), the share truly best, plus a reliability table of
  the leader's P(best) against how often it is right;
* **false drops**: with every ad of a test truly equal, looked at every day for the test's
  days with the studio's next split, the share of tests in which some ad is ever judged
  worse (:func:`~studio.stats.posteriors.is_worse`, what drops an ad from the next
  round), against the earlier rule on P(best) alone; and, with one ad truly 30 % worse,
  how often that ad is dropped (the rule's power);
* calibration over ``--seeds`` seeds (each its own simulated campaigns), pooled with its
  interval and the range of the per-seed figures;
* **delayed conversions**: conversions arrive days after the click; the conversion rate
  with the latest days left out (the studio's ``conversion_lag_days``) against one that
  counts every day.

    .venv/bin/python benchmarks/results_benchmark.py --runs 300 --json results.json
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

import numpy as np

from studio.stats.posteriors import (
    DROP_BELOW,
    MIN_TRIALS,
    WIN_PROBABILITY,
    Arm,
    estimate,
    is_worse,
    next_split,
    thompson_split,
    verdict,
)

SEGMENTS = 4
ADS = 4
DAYS = 14
#: impressions a test gets per day
DAILY_IMPRESSIONS = 3_000
#: mean days between a click and its conversion (geometric, at least one)
CONVERSION_DELAY_DAYS = 2.0
#: impressions per day of the ad followed in the delayed-conversion simulation
LAG_IMPRESSIONS = 50_000
LAG_DAYS = 2
EPSILON = 0.1
#: fewer posterior draws than the product's, for speed; P(best) to about ±0.01
DRAWS = 4_000


@dataclass
class Truth:
    ctr: np.ndarray  # (segments, ads)
    cvr: np.ndarray


def draw_truth(rng: np.random.Generator) -> Truth:
    """Base rates per segment; each ad a relative lift (most small, some real)."""
    base = rng.uniform(0.008, 0.02, size=(SEGMENTS, 1))
    lift = rng.normal(0.0, 0.15, size=(SEGMENTS, ADS))
    ctr = np.clip(base * np.exp(lift), 1e-4, 0.5)
    cvr = np.clip(rng.uniform(0.03, 0.08, size=(SEGMENTS, 1)) * np.exp(
        rng.normal(0.0, 0.15, size=(SEGMENTS, ADS))), 1e-4, 0.5)  # fmt: skip
    return Truth(ctr, cvr)


def split_for(policy: str, clicks: np.ndarray, shows: np.ndarray, rng, seed: int) -> np.ndarray:
    """Traffic shares of one test's ads for the next day."""
    if policy == "even":
        return np.full(ADS, 1 / ADS)
    arms = [Arm(str(i), float(shows[i]), float(clicks[i])) for i in range(ADS)]
    if policy in ("thompson", "thompson without floor"):
        found = estimate(arms, seed=seed, draws=DRAWS)
        split = next_split(found) if policy == "thompson" else thompson_split(found)
        return np.array(list(split.values()))
    means = (clicks + 1) / (shows + 2)
    shares = np.full(ADS, EPSILON / ADS)
    shares[int(np.argmax(means + rng.uniform(0, 1e-12, ADS)))] += 1 - EPSILON
    return shares


def simulate_regret(runs: int, seed: int) -> tuple[dict[str, float], dict[str, int]]:
    rng = np.random.default_rng(seed)
    lost = {p: 0.0 for p in ("even", "epsilon-greedy", "thompson", "thompson without floor")}
    stalled = dict.fromkeys(lost, 0)
    best_total = 0.0
    for run in range(runs):
        truth = draw_truth(rng)
        for s in range(SEGMENTS):
            best_total += DAYS * DAILY_IMPRESSIONS * truth.ctr[s].max()
            for policy in lost:
                clicks, shows = np.zeros(ADS), np.zeros(ADS)
                for day in range(DAYS):
                    shares = split_for(policy, clicks, shows, rng, run * 1000 + s * 50 + day)
                    shown = rng.multinomial(DAILY_IMPRESSIONS, shares)
                    got = rng.binomial(shown, truth.ctr[s])
                    shows += shown
                    clicks += got
                    lost[policy] += float(shown @ (truth.ctr[s].max() - truth.ctr[s]))
                stalled[policy] += int(shows.min() < MIN_TRIALS)
    return {p: lost[p] / best_total for p in lost}, stalled


def simulate_calls(runs: int, seed: int) -> tuple[list[dict], dict]:
    """Even split: verdicts after each day, against the truth."""
    rng = np.random.default_rng(seed)
    by_traffic: dict[int, list[int]] = {}
    called_right, called = 0, 0
    bins = np.linspace(0, 1, 11)
    reliability = {i: [0, 0] for i in range(10)}  # bin → [leader right, leader count]
    for run in range(runs):
        truth = draw_truth(rng)
        for s in range(SEGMENTS):
            clicks, shows = np.zeros(ADS), np.zeros(ADS)
            best = int(np.argmax(truth.ctr[s]))
            stopped = False  # a user stops a test at its first call
            for day in range(DAYS):
                shown = np.full(ADS, DAILY_IMPRESSIONS // ADS)
                clicks += rng.binomial(shown, truth.ctr[s])
                shows += shown
                arms = [Arm(str(i), float(shows[i]), float(clicks[i])) for i in range(ADS)]
                found = estimate(arms, seed=run * 1000 + s * 50 + day, draws=DRAWS)
                leader = max(range(ADS), key=lambda i: found[i].p_best)
                b = min(int(np.digitize(found[leader].p_best, bins)) - 1, 9)
                reliability[b][1] += 1
                reliability[b][0] += int(leader == best)
                outcome = verdict(found)
                per_ad = int(shows[0])
                slot = by_traffic.setdefault(per_ad, [0, 0, 0])
                slot[2] += 1
                if outcome.status == "winner":
                    slot[0] += 1
                    slot[1] += int(outcome.leader == str(best))
                    if not stopped:
                        stopped = True
                        called += 1
                        called_right += int(outcome.leader == str(best))
    table = [
        {
            "impressions_per_ad": traffic,
            "winner_called": calls / total,
            "called_winner_truly_best": (right / calls) if calls else None,
        }
        for traffic, (calls, right, total) in sorted(by_traffic.items())
    ]
    calibration = {
        "called_at": WIN_PROBABILITY,
        "calls": called,
        "truly_best": called_right / called if called else None,
        "truly_best_95ci": _wilson(called_right, called),
        "reliability": [
            {
                "p_best": f"{bins[i]:.1f}–{bins[i + 1]:.1f}",
                "leaders": n,
                "leader_truly_best": right / n if n else None,
            }
            for i, (right, n) in reliability.items()
        ],
    }
    return table, calibration


#: how much worse the one truly worse ad is when measuring the drop rule's power
WORSE_LIFT = 0.7


def simulate_drops(runs: int, seed: int) -> dict[str, float]:
    """Tests run day by day on the studio's split; at each daily look, is some ad judged
    worse (dropped)? Equal truth: every drop is false. One ad 30 % worse: its drop is
    right."""
    rng = np.random.default_rng(seed)
    tests = runs * SEGMENTS
    counts = {"rule": 0, "p_best_alone": 0, "worse_dropped": 0, "wrong_dropped": 0}
    for test in range(tests):
        base = rng.uniform(0.008, 0.02)
        one_worse = np.array([base] * (ADS - 1) + [base * WORSE_LIFT])
        for scenario, ctr in (("equal", np.full(ADS, base)), ("one worse", one_worse)):
            clicks, shows = np.zeros(ADS), np.zeros(ADS)
            dropped: set[int] = set()
            alone = False
            for day in range(DAYS):
                arms = [Arm(str(i), float(shows[i]), float(clicks[i])) for i in range(ADS)]
                found = estimate(arms, seed=test * 100 + day, draws=DRAWS)
                dropped |= {i for i in range(ADS) if is_worse(found[i])}
                alone |= any(e.trials >= MIN_TRIALS and e.p_best < DROP_BELOW for e in found)
                shown = rng.multinomial(DAILY_IMPRESSIONS, list(next_split(found).values()))
                clicks += rng.binomial(shown, ctr)
                shows += shown
            if scenario == "equal":
                counts["rule"] += int(bool(dropped))
                counts["p_best_alone"] += int(alone)
            else:
                counts["worse_dropped"] += int(ADS - 1 in dropped)
                counts["wrong_dropped"] += int(bool(dropped - {ADS - 1}))
    return {
        "tests": tests,
        "equal_truth_tests_with_a_drop": counts["rule"] / tests,
        "equal_truth_tests_with_a_drop_95ci": _wilson(counts["rule"], tests),
        "equal_truth_with_the_p_best_rule_alone": counts["p_best_alone"] / tests,
        "one_ad_30pct_worse_dropped": counts["worse_dropped"] / tests,
        "one_ad_30pct_worse_an_equal_ad_dropped": counts["wrong_dropped"] / tests,
    }


def calibration_over_seeds(seeds: int, runs: int, seed: int) -> dict:
    """The calibration of calls at P(best) ≥ 0.95 on ``seeds`` independent seeds."""
    right = calls = 0
    shares = []
    for offset in range(seeds):
        _, found = simulate_calls(runs, seed + 1_000 * offset)
        calls += found["calls"]
        right += round(found["truly_best"] * found["calls"]) if found["calls"] else 0
        if found["calls"]:
            shares.append(found["truly_best"])
    return {
        "seeds": seeds,
        "runs_per_seed": runs,
        "calls": calls,
        "truly_best": right / calls if calls else None,
        "truly_best_95ci": _wilson(right, calls),
        "per_seed_range": (min(shares), max(shares)) if shares else None,
    }


def _wilson(successes: int, n: int) -> tuple[float, float] | None:
    """The Wilson 95 % interval of a share, to read a simulated share with its noise."""
    if n == 0:
        return None
    z = 1.959964
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (float(centre - half), float(centre + half))


def simulate_lag(runs: int, seed: int) -> dict[str, float]:
    """Conversions reported by the day the report is read, against the conversions the
    counted clicks will truly bring, with and without the latest ``LAG_DAYS`` left out."""
    rng = np.random.default_rng(seed)
    p_arrive = 1 / CONVERSION_DELAY_DAYS
    seen = {"lag": 0.0, "all": 0.0}
    due = {"lag": 0.0, "all": 0.0}
    for _ in range(runs):
        truth = draw_truth(rng)
        for s in range(SEGMENTS):
            daily_clicks = rng.binomial(LAG_IMPRESSIONS, truth.ctr[s, 0], size=DAYS)
            for day, clicks in enumerate(daily_clicks):
                converted = rng.binomial(clicks, truth.cvr[s, 0])
                delays = rng.geometric(p_arrive, size=converted)  # ≥ 1 day after the click
                reported = float((day + delays < DAYS).sum())
                for rule in ("lag", "all"):
                    if rule == "lag" and day >= DAYS - LAG_DAYS:
                        continue
                    seen[rule] += reported
                    due[rule] += clicks * truth.cvr[s, 0]
    return {
        "lag_days_left_out": LAG_DAYS,
        "mean_delay_days": CONVERSION_DELAY_DAYS,
        "estimate_over_truth_with_lag": seen["lag"] / due["lag"],
        "estimate_over_truth_counting_every_day": seen["all"] / due["all"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=20, help="Seeds the calibration pools.")
    parser.add_argument("--seed-runs", type=int, default=40, help="Runs per calibration seed.")
    parser.add_argument("--json", type=str, default=None, help="Write the figures here too.")
    args = parser.parse_args()
    started = time.perf_counter()
    regret, stalled = simulate_regret(args.runs, args.seed)
    table, calibration = simulate_calls(args.runs, args.seed + 1)
    lag = simulate_lag(args.runs, args.seed + 2)
    drops = simulate_drops(args.runs, args.seed + 3)
    over_seeds = calibration_over_seeds(args.seeds, args.seed_runs, args.seed + 4)
    figures = {
        "runs": args.runs,
        "segments": SEGMENTS,
        "ads_per_test": ADS,
        "days": DAYS,
        "daily_impressions_per_test": DAILY_IMPRESSIONS,
        "regret_share_of_best_clicks": regret,
        "tests": args.runs * SEGMENTS,
        "stalled_tests": stalled,
        "thompson_regret_vs_even": regret["thompson"] / regret["even"],
        "thompson_regret_vs_epsilon_greedy": regret["thompson"] / regret["epsilon-greedy"],
        "calls_by_traffic": table,
        "calibration": calibration,
        "calibration_over_seeds": over_seeds,
        "drops": drops,
        "delayed_conversions": lag,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
