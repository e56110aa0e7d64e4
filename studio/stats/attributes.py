"""Which attributes win for which segment: lifts with partial pooling across segments.

Each variant is compared with the creative it varies (its test's control): the lift is
the difference of their log-odds (clicks per impression, or conversions per click), with
the variance the binomial counts give it. A Bayesian linear model of those lifts
(scikit-learn's ``BayesianRidge``, each row scaled by its inverse standard deviation) has
one coefficient per attribute value (``angle=detail``) shared by all segments, plus one
per segment and value. Both share one Gaussian prior whose precision the model learns
from the data (evidence maximisation), so a segment's own estimate is pulled towards the
value's overall effect as much as the segments' agreement warrants: partial pooling. The
noise precision is learned too, so results noisier than the counts say widen the
intervals.

A segment × value's effect is the sum of its two coefficients; its 95 % interval comes
from their joint posterior covariance. Lifts are reported as relative changes of the
rate (``+12 %``), which is what the log-odds difference means for small rates.

A table of many lifts shows some interval away from zero by chance alone, so an effect
is called *clear* only when its interval, widened for the number of lifts the table
holds (Bonferroni: 95 % for the table as a whole), excludes no change; challengers are
built only on clear effects.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: how many posterior standard deviations a 95 % interval spans either side
_Z95 = 1.959964
#: continuity correction: an empty cell (no clicks) still has a finite log-odds
_HALF = 0.5


@dataclass(frozen=True)
class Observation:
    segment: str
    #: the test it belongs to (a creative and its variants)
    test: str
    #: the axis values it changes; empty for the control
    attributes: dict[str, str]
    trials: float
    successes: float


@dataclass(frozen=True)
class Effect:
    #: None: over all segments
    segment: str | None
    axis: str
    value: str
    #: relative change of the rate against the control, and its 95 % interval
    lift: float
    low: float
    high: float
    variants: int
    #: the interval widened for the table's number of lifts excludes no change
    clear: bool = False

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _log_odds(trials: float, successes: float) -> tuple[float, float]:
    s = min(successes, trials) + _HALF
    f = trials - min(successes, trials) + _HALF
    return math.log(s / f), 1 / s + 1 / f


def attribute_effects(observations: list[Observation]) -> list[Effect]:
    """Every attribute value's lift, overall and per segment (empty without two or more
    variants measured against their controls)."""
    from sklearn.linear_model import BayesianRidge

    controls = {o.test: o for o in observations if not o.attributes}
    rows = [o for o in observations if o.attributes and o.test in controls and o.trials > 0]
    if len(rows) < 2:
        return []
    columns: dict[str, int] = {}

    def column(name: str) -> int:
        return columns.setdefault(name, len(columns))

    entries, targets, weights = [], [], []
    for row in rows:
        control = controls[row.test]
        y1, v1 = _log_odds(row.trials, row.successes)
        y0, v0 = _log_odds(control.trials, control.successes)
        features = []
        for axis, value in sorted(row.attributes.items()):
            features += [column(f"{axis}={value}"), column(f"{row.segment}|{axis}={value}")]
        entries.append(features)
        targets.append(y1 - y0)
        weights.append(1 / (v1 + v0))
    design = np.zeros((len(rows), len(columns)))
    for i, features in enumerate(entries):
        design[i, features] = 1.0
    # rows are scaled by their inverse standard deviation here rather than passed as
    # ``sample_weight``, which BayesianRidge treats as relative weights (its noise
    # precision then ignores the variances the counts give)
    scale = np.sqrt(np.array(weights))
    x, y = design * scale[:, None], np.array(targets) * scale
    model = BayesianRidge(fit_intercept=False)
    model.fit(x, y)
    # the counts set the noise: results may be noisier than they say (a learnt precision
    # below 1 widens the intervals), never surer; with as many lifts as rows the model
    # fits them exactly and would learn a near-infinite precision from a few clicks
    noise = min(float(model.alpha_), 1.0)
    sigma = np.linalg.inv(model.lambda_ * np.eye(len(columns)) + noise * x.T @ x)
    coef = noise * sigma @ x.T @ y

    counts: dict[tuple[str | None, str, str], int] = defaultdict(int)
    for row in rows:
        for axis, value in row.attributes.items():
            counts[(None, axis, value)] += 1
            counts[(row.segment, axis, value)] += 1
    # the z of a 95 % interval for the table as a whole (Bonferroni over its lifts)
    family_z = float(stats.norm.ppf(1 - (1 - 0.95) / (2 * len(counts))))
    effects = []
    for (segment, axis, value), n in sorted(counts.items(), key=lambda kv: _order(kv[0])):
        picks = [columns[f"{axis}={value}"]]
        if segment is not None:
            picks.append(columns[f"{segment}|{axis}={value}"])
        vector = np.zeros(len(columns))
        vector[picks] = 1.0
        mean = float(vector @ coef)
        sd = math.sqrt(max(float(vector @ sigma @ vector), 0.0))
        effects.append(
            Effect(
                segment=segment,
                axis=axis,
                value=value,
                lift=math.expm1(mean),
                low=math.expm1(mean - _Z95 * sd),
                high=math.expm1(mean + _Z95 * sd),
                variants=n,
                clear=abs(mean) > family_z * sd,
            )
        )
    return effects


def _order(key: tuple[str | None, str, str]) -> tuple[str, str, str]:
    segment, axis, value = key
    return ("" if segment is None else "~" + segment, axis, value)


def winning_values(effects: list[Effect], segment: str) -> dict[str, str]:
    """Per axis, the value with the highest clear positive lift in the segment (its own
    estimate, pooled): what the next round's challengers build on."""
    best: dict[str, Effect] = {}
    for effect in effects:
        if effect.segment != segment or not effect.clear or effect.lift <= 0:
            continue
        if effect.axis not in best or effect.lift > best[effect.axis].lift:
            best[effect.axis] = effect
    return {axis: effect.value for axis, effect in best.items()}
