"""``studio init``, ``import``, ``info`` and ``demo`` from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli, main


def _json(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run through ``main`` (as the console script does); return the error line."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    return lines[-1]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "c.csv").write_text("Customer ID,Name\nC1,Ada\nC2,Bo\n")
    (tmp_path / "p.csv").write_text("SKU,Name,Price\nP1,Mug,12.00\n")
    (tmp_path / "o.csv").write_text(
        "Order ID,Customer ID,SKU,Order Date\nO1,C1,P1,2024-05-01\nO2,C3,P1,2024-05-02\n"
    )
    return {"c": tmp_path / "c.csv", "p": tmp_path / "p.csv", "o": tmp_path / "o.csv"}


def test_init_import_info(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "ws")
    assert _json("init", ws)["customers"] == 0
    assert "already holds a workspace" in _fails(capsys, "init", ws)

    # O2 names an unknown customer: nothing is imported, the reason names file and line
    base = ["import", ws, "--customers", str(files["c"]), "--products", str(files["p"])]
    error = _fails(capsys, *base, "--orders", str(files["o"]))
    assert "o.csv, line 3" in error and "C3" in error
    assert _json("info", ws)["customers"] == 0

    report_file = tmp_path / "skipped.csv"
    result = _json(*base, "--orders", str(files["o"]), "--skip-bad-rows",
                   "--report", str(report_file))  # fmt: skip
    assert [f["inserted"] for f in result["files"]] == [1, 2, 1]
    assert result["skipped_rows"] == 1 and result["report"] == str(report_file)
    with open(report_file, newline="") as handle:
        assert [r["line"] for r in csv.DictReader(handle)] == ["3"]

    info = _json("info", ws, "--verify")
    assert (info["customers"], info["products"], info["orders"]) == (2, 1, 1)
    assert info["integrity"] == "ok" and info["damaged_files"] == []


def test_human_output_and_missing_workspace(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(ws), "--create", "--products", str(files["p"])])
    assert result.exit_code == 0, result.output
    assert "p.csv" in result.stdout
    result = runner.invoke(cli, ["info", str(ws)])
    assert "products" in result.stdout and "1 (0 with photo)" in result.stdout
    assert "No workspace at" in _fails(capsys, "info", str(tmp_path / "nowhere"))
    assert "does not exist" in CliRunner().invoke(cli, ["import", str(ws), "--orders", "x"]).output


def test_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "demo")
    summary = _json("demo", ws, "--customers", "60", "--seed", "3")
    assert summary["customers"] == 60 and summary["products_with_image"] == 40
    assert "--force" in _fails(capsys, "demo", ws, "--customers", "60")
    again = _json("demo", ws, "--customers", "60", "--seed", "3", "--force")
    assert again["orders"] == summary["orders"]
