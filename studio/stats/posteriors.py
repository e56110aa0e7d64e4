"""What the results say about each variant of a test: Beta-Binomial posteriors, the
probability of being best, the expected loss of choosing it, and whether to call it.

Each variant's rate (clicks per impression, or conversions per click) gets a Beta
posterior. Its prior is shared by the ads of the test and learnt from them (empirical
Bayes): centred on the test's pooled rate, as wide as the ads' rates truly differ beyond
what their counts explain (a method-of-moments fit of the Beta-Binomial), and never
stronger than one ad's own data. Ads of one test are versions of one idea; a flat
Beta(1, 1) would treat a 3 % and a 30 % click rate as equally likely and make small
differences look surer than they are (measured: benchmarks/results_benchmark.py, in
docs/results.md). "Best" and "expected loss" come from joint
draws of the posteriors: P(best) is the share of draws in which a variant has the
highest rate; its expected loss is how much rate one gives up on average by choosing it
(zero when it is the best in every draw). A winner is called only when P(best) reaches
:data:`WIN_PROBABILITY` and every variant has :data:`MIN_TRIALS`; otherwise the verdict
says how much more traffic a call would take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: the prior when the test's ads cannot inform one (no trials yet)
PRIOR_SUCCESSES, PRIOR_FAILURES = 1.0, 1.0
CREDIBLE_MASS = 0.95
#: joint posterior draws; 20 000 give P(best) to about ±0.003
DRAWS = 20_000
#: a test is looked at every day and stopped at its first call, which makes calls at
#: P(best) ≥ 0.95 right only 93 % of the time; at 0.98 they are right 96 % [94–98 %]
#: (20 seeds, benchmarks/results_benchmark.py), which keeps the promise of 95 %
WIN_PROBABILITY = 0.98
#: no winner is called on fewer trials per variant than this, however lopsided: early
#: calls on a few hundred impressions are the ones that turn out wrong (docs/results.md)
MIN_TRIALS = 1000
#: the power a "traffic still needed" estimate plans for
PLANNING_POWER = 0.8


@dataclass(frozen=True)
class Arm:
    """One variant's trials (impressions, or clicks) and successes (clicks, conversions)."""

    key: str
    trials: float
    successes: float


@dataclass(frozen=True)
class Estimate:
    key: str
    trials: float
    successes: float
    mean: float
    low: float
    high: float
    p_best: float
    expected_loss: float
    #: the probability that its rate is below the leader's (the variant with the highest
    #: P(best)); 0 for the leader itself
    p_behind: float = 0.0

    def as_dict(self) -> dict[str, float | str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Verdict:
    #: "winner", "keep testing" or "not enough data"
    status: str
    leader: str | None
    #: more trials per variant a call would take (None: no difference to plan for yet)
    trials_needed: int | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def shared_prior(trials: np.ndarray, successes: np.ndarray) -> tuple[float, float]:
    """The Beta prior of a test's ads: (alpha, beta) fitted to their counts."""
    total = trials.sum()
    if total <= 0 or len(trials) < 2:
        return PRIOR_SUCCESSES, PRIOR_FAILURES
    mean = float(np.clip(successes.sum() / total, 1e-6, 1 - 1e-6))
    seen = trials > 0
    rates = successes[seen] / trials[seen]
    # spread of the rates beyond the binomial noise of their counts
    noise = float(np.mean(mean * (1 - mean) / trials[seen]))
    spread = float(np.var(rates, ddof=1)) - noise if seen.sum() > 1 else 0.0
    # no more prior weight than the ad with the fewest trials brings itself
    strongest = max(float(trials[seen].min()), 2.0)
    strength = strongest if spread <= 0 else min(mean * (1 - mean) / spread - 1, strongest)
    strength = max(strength, 2.0)
    return mean * strength, (1 - mean) * strength


def estimate(arms: list[Arm], *, seed: int = 0, draws: int = DRAWS) -> list[Estimate]:
    """Posterior summaries of each arm, in the arms' order."""
    if not arms:
        return []
    successes = np.array([min(a.successes, a.trials) for a in arms], dtype=float)
    trials = np.array([a.trials for a in arms], dtype=float)
    prior_alpha, prior_beta = shared_prior(trials, successes)
    alpha = successes + prior_alpha
    beta = trials - successes + prior_beta
    tail = (1 - CREDIBLE_MASS) / 2
    low = stats.beta.ppf(tail, alpha, beta)
    high = stats.beta.ppf(1 - tail, alpha, beta)
    rng = np.random.default_rng(seed)
    samples = rng.beta(alpha[:, None], beta[:, None], size=(len(arms), draws))
    best = samples.max(axis=0)
    p_best = np.bincount(samples.argmax(axis=0), minlength=len(arms)) / draws
    loss = (best[None, :] - samples).mean(axis=1)
    leader = int(np.argmax(p_best))
    behind = (samples < samples[leader][None, :]).mean(axis=1)
    return [
        Estimate(
            key=arm.key,
            trials=arm.trials,
            successes=float(successes[i]),
            mean=float(alpha[i] / (alpha[i] + beta[i])),
            low=float(low[i]),
            high=float(high[i]),
            p_best=float(p_best[i]),
            expected_loss=float(loss[i]),
            p_behind=float(behind[i]),
        )
        for i, arm in enumerate(arms)
    ]


def verdict(
    estimates: list[Estimate], *, unit: str = "impressions", min_trials: float = MIN_TRIALS
) -> Verdict:
    """Call a winner, or say what the test still needs."""
    if len(estimates) < 2:
        return Verdict("not enough data", None, None, "a test needs at least two variants")
    ranked = sorted(estimates, key=lambda e: e.p_best, reverse=True)
    leader, runner_up = ranked[0], max(ranked[1:], key=lambda e: e.mean)
    fewest = min(e.trials for e in estimates)
    needed = trials_needed(leader, runner_up)
    if fewest < min_trials:
        more = max(needed or 0, math.ceil(min_trials - fewest))
        return Verdict(
            "not enough data",
            leader.key,
            more,
            f"every variant needs at least {min_trials:,.0f} {unit} (the fewest has {fewest:,.0f})",
        )
    if leader.p_best >= WIN_PROBABILITY:
        return Verdict(
            "winner",
            leader.key,
            0,
            f"P(best) {leader.p_best:.1%} ≥ {WIN_PROBABILITY:.0%}; choosing it loses "
            f"{leader.expected_loss:.3%} of rate on average",
        )
    if needed is None:
        reason = "the variants perform the same so far"
    else:
        reason = (
            f"P(best) of the leader is {leader.p_best:.1%}; about {needed:,} more {unit} "
            f"per variant would tell a difference this size"
        )
    return Verdict("keep testing", leader.key, needed, reason)


#: a variant this unlikely to be best, on enough traffic, may stop running …
DROP_BELOW = 0.05
#: … when it is also this sure to be behind the leader: a test is looked at again every
#: day, and a looser bar drops equal ads on noise (docs/results.md)
DROP_CONFIDENCE = 0.995


def is_worse(found: Estimate, min_trials: float = MIN_TRIALS) -> bool:
    """Does the data say this variant is worse, so it may stop running: unlikely to be
    best, almost surely behind the leader, on at least ``min_trials``."""
    return (
        found.trials >= min_trials
        and found.p_best < DROP_BELOW
        and found.p_behind >= DROP_CONFIDENCE
    )


def trials_needed(first: Estimate, second: Estimate) -> int | None:
    """More trials per variant to tell the two rates apart (a two-proportion power
    calculation at their current means), or None when the means are the same."""
    p1, p2 = first.mean, second.mean
    if math.isclose(p1, p2, rel_tol=1e-9):
        return None
    z = stats.norm.ppf(1 - (1 - CREDIBLE_MASS) / 2) + stats.norm.ppf(PLANNING_POWER)
    total = z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2
    return max(0, math.ceil(total - min(first.trials, second.trials)))


#: while some variant has less than the minimum data, each gets at least this share of
#: the next flight: a lagging ad at 0 % would never reach the minimum, and its test would
#: never be decided
LEARNING_FLOOR = 0.10


def next_split(estimates: list[Estimate], *, min_trials: float = MIN_TRIALS) -> dict[str, float]:
    """The next flight's traffic shares: Thompson sampling, with :data:`LEARNING_FLOOR`
    per variant until every variant has ``min_trials`` (so no test can stall)."""
    learning = any(e.trials < min_trials for e in estimates)
    floor = min(LEARNING_FLOOR, 1 / max(len(estimates), 1)) if learning else 0.0
    return thompson_split(estimates, floor=floor)


def thompson_split(estimates: list[Estimate], *, floor: float = 0.0) -> dict[str, float]:
    """Traffic shares for the next flight: each variant's probability of being best
    (what Thompson sampling allocates in expectation over one flight), optionally with
    a floor so no variant still in the test gets nothing; shares sum to 1."""
    if not estimates:
        return {}
    shares = np.array([e.p_best for e in estimates], dtype=float)
    shares = shares / shares.sum() if shares.sum() > 0 else np.full(len(shares), 1 / len(shares))
    if floor > 0:  # every share at least the floor, the rest in proportion to P(best)
        above = np.maximum(shares - floor, 0.0)
        spare = 1.0 - floor * len(shares)
        if above.sum() > 0:
            shares = floor + above / above.sum() * spare
        else:  # every share at the floor already: what is spare is split evenly
            shares = np.full(len(shares), floor + spare / len(shares))
    return {e.key: float(s) for e, s in zip(estimates, shares, strict=True)}
