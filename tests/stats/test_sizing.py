"""How much traffic a test needs before it starts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studio.cli import cli, main
from studio.stats.sizing import traffic_needed


def test_two_ads_match_the_textbook_two_proportion_size() -> None:
    # 10 % against 12 %, 5 % two-sided, 80 % power: about 3,840 per group
    needed = traffic_needed(0.10, 0.20, 2)
    assert 3_800 <= needed.per_ad <= 3_860 and needed.total == 2 * needed.per_ad


def test_more_ads_need_more_per_ad_and_days_round_up_to_full_weeks() -> None:
    two = traffic_needed(0.012, 0.2, 2, daily=3_000)
    four = traffic_needed(0.012, 0.2, 4, daily=3_000)
    assert four.per_ad > two.per_ad  # three comparisons share the 5 %
    assert four.days == -(-four.total // 3_000) and four.weeks == -(-four.days // 7)


def test_never_less_than_the_minimum_a_verdict_needs() -> None:
    assert traffic_needed(0.3, 1.0, 2, min_trials=1_000).per_ad == 1_000


@pytest.mark.parametrize(("rate", "lift"), [(0, 0.2), (1.2, 0.2), (0.5, 1.5), (0.1, 0)])
def test_impossible_plans_are_refused(rate: float, lift: float) -> None:
    with pytest.raises(ValueError):
        traffic_needed(rate, lift, 2)


def test_the_command_says_weeks_and_refuses_a_rate_over_one(capsys) -> None:
    shown = CliRunner().invoke(cli, ["results", "plan", "--rate", "1.2%", "--daily", "3000"])
    assert shown.exit_code == 0, shown.output
    assert "47,345 impressions per ad" in shown.output and "10 full weeks" in shown.output
    with pytest.raises(SystemExit) as exit_:
        main(["results", "plan", "--rate", "120%"])
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and "between 0 and 1" in err and "Traceback" not in err
