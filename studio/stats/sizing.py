"""How much traffic a test needs before it starts: the impressions (or clicks) per ad and
the days to find a given lift, in full weeks.

A two-proportion power calculation at the current rate and the smallest lift worth
finding, with the significance level split over the comparisons a test of ``ads`` ads
makes against its best (Bonferroni), and never less than the minimum data a verdict
needs. Days are rounded up to full weeks: people click differently on weekends, and a
test that stops mid-week weighs some days twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

#: the chance of finding the lift when it is real
POWER = 0.8
#: the chance, over the whole test, of calling a lift that is not there
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class TrafficNeeded:
    rate: float
    lift: float
    ads: int
    #: impressions (or clicks) each ad needs
    per_ad: int
    total: int
    #: the traffic the test gets a day, if given; the days it takes, and in full weeks
    daily: float | None
    days: int | None
    weeks: int | None

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def traffic_needed(
    rate: float, lift: float, ads: int, *, daily: float | None = None, min_trials: float = 0
) -> TrafficNeeded:
    """The traffic a test of ``ads`` ads needs to find a relative ``lift`` on ``rate``."""
    if not 0 < rate < 1:
        raise ValueError(f"a rate is between 0 and 1, not {rate}")
    if lift <= 0 or rate * (1 + lift) >= 1:
        raise ValueError(f"the lift must be above 0 and keep the rate below 1, not {lift}")
    if ads < 2:
        raise ValueError("a test compares at least two ads")
    better = rate * (1 + lift)
    comparisons = ads - 1
    z = stats.norm.ppf(1 - SIGNIFICANCE / (2 * comparisons)) + stats.norm.ppf(POWER)
    variance = rate * (1 - rate) + better * (1 - better)
    per_ad = max(math.ceil(z**2 * variance / (better - rate) ** 2), math.ceil(min_trials))
    total = per_ad * ads
    days = math.ceil(total / daily) if daily else None
    weeks = math.ceil(days / 7) if days else None
    return TrafficNeeded(rate, lift, ads, per_ad, total, daily, days, weeks)
