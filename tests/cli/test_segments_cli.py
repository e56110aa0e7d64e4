"""The segment, segments, rule-segment and recommend commands, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from synthetic_shop import build_shop

from studio.cli import cli, main


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    build_shop(tmp_path / "shop", loyalty=0.9).close()
    return tmp_path / "shop"


def _run(*args: str) -> dict | list:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_segment_then_list_recommend_and_evaluate(shop: Path) -> None:
    run = _run("segment", str(shop), "--k", "3", "--seed", "2")
    assert len(run["segments"]) == 4  # three clusters and the prospects
    listed = _run("segments", str(shop))
    assert [s["id"] for s in listed] == [s["id"] for s in run["segments"]]

    recommended = _run("recommend", str(shop), "--top", "2")
    assert len(recommended) == 4
    assert all(len(r["products"]) == 2 for r in recommended)
    assert recommended[0]["products"][0]["explanation"]

    evaluation = _run("recommend", "evaluate", str(shop), "--holdout-days", "90", "--k", "3")
    assert evaluation["segments"]["ndcg"] > evaluation["popularity"]["ndcg"]


def test_human_output(shop: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["segment", str(shop), "--k", "3"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Prospects: no orders yet" in result.stdout
    result = runner.invoke(cli, ["recommend", str(shop), "--top", "1"], catch_exceptions=False)
    assert " 1. " in result.stdout and "bought by" in result.stdout
    result = runner.invoke(cli, ["recommend", "evaluate", str(shop), "--k", "3"])
    assert "popularity" in result.stdout and "Stored as evaluation" in result.stdout


def test_rule_segment_commands(shop: Path) -> None:
    added = _run("rule-segment", "add", str(shop), "Germans", "country = Germany and orders >= 2")
    assert added["kind"] == "rule" and added["size"] > 0
    assert [r["name"] for r in _run("rule-segment", "list", str(shop))] == ["Germans"]
    refreshed = _run("rule-segment", "evaluate", str(shop), "Germans")
    assert refreshed["size"] == added["size"]
    assert [s["name"] for s in _run("segments", str(shop))] == ["Germans"]  # no run yet


def test_user_errors_are_one_line_messages(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        (["recommend", str(shop)], "no segmentation yet"),
        (["segment", str(shop), "--k", "99"], "between 2 and 30"),
        (["rule-segment", "add", str(shop), "X", "colour = red"], "Unknown field 'colour'"),
        (["segment", str(tmp_path / "missing")], "No workspace at"),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_too_few_customers_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_shop(tmp_path / "tiny", n_customers=8).close()
    with pytest.raises(SystemExit):
        main(["segment", str(tmp_path / "tiny")])
    assert "Only 8 customers have orders; segmentation needs at least 20" in capsys.readouterr().err
