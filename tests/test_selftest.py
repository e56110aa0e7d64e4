"""``studio --self-test``: the report, a failing step named, and the whole run (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from generators.copy import specs as copy_specs
from studio import selftest
from studio.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the self-test makes its temporary folder, to check it is removed."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_embedded_models_pass_and_nothing_is_left_behind(scratch, monkeypatch) -> None:
    monkeypatch.setattr(selftest, "STEPS", (("embedded models", selftest.step_embedded_models),))
    home_before = os.environ.get("STUDIO_HOME")
    report = selftest.run_self_test()
    assert report.ok, report.as_dict()
    detail = report.steps[0].detail
    assert "smollm2-135m-instruct" in detail and "vintage-film" in detail
    assert os.environ.get("STUDIO_HOME") == home_before
    assert not list(scratch.glob("studio-self-test-*"))


def test_a_corrupt_embedded_model_fails_its_step_and_stops_the_run(scratch, monkeypatch) -> None:
    damaged = replace(copy_specs.SMOLLM2_135M, sha256="0" * 64)
    monkeypatch.setattr(copy_specs, "SPECS", [damaged])
    ran_after = []
    monkeypatch.setattr(
        selftest,
        "STEPS",
        (
            ("embedded models", selftest.step_embedded_models),
            ("workspace", lambda state, report: ran_after.append(True) or "ran"),
        ),
    )
    result = CliRunner().invoke(cli, ["--self-test", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and report["failed_step"] == "embedded models"
    assert [step["name"] for step in report["steps"]] == ["embedded models"]
    assert "does not match the sha256" in report["steps"][0]["detail"]
    assert not ran_after


def test_main_window_step_measures_the_first_window(scratch, monkeypatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(selftest, "STEPS", (("main window", selftest.step_main_window),))
    report = selftest.run_self_test()
    assert report.ok, report.as_dict()
    assert "screens" in report.steps[0].detail
    assert report.timings["first_window_s"] > 0


def test_text_output_names_each_step(scratch, monkeypatch) -> None:
    monkeypatch.setattr(selftest, "STEPS", (("embedded models", selftest.step_embedded_models),))
    result = CliRunner().invoke(cli, ["--self-test"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok   embedded models")
    assert "Self-test passed" in result.output


@pytest.mark.slow
@pytest.mark.model
def test_the_whole_self_test_passes_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STUDIO_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "studio", "--self-test", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert [step["name"] for step in report["steps"]] == [name for name, _ in selftest.STEPS]
    assert all(step["ok"] for step in report["steps"])
    assert report["timings"]["first_window_s"] > 0
    assert not (tmp_path / "config" / "settings.json").exists()  # the user's home untouched
