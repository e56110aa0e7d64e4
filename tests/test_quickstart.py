"""``studio quickstart``: demo data → segments → campaign → creatives → approved bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tiny_copy import register_as_default, tiny_copy_model_dir

from studio.cli import cli, main
from studio.core.settings import load_settings
from studio.export.reader import verify_bundle
from studio.storage import campaigns
from studio.storage.workspace import Workspace


@pytest.fixture
def tiny_copy(tmp_path_factory: pytest.TempPathFactory):
    from generators.registry import model_cache

    yield register_as_default(tiny_copy_model_dir(tmp_path_factory))
    model_cache.release()


def test_quickstart_runs_the_main_job_end_to_end(tmp_path: Path, tiny_copy: str):
    workspace, bundle = tmp_path / "demo", tmp_path / "out" / "spring.zip"
    args = [
        "quickstart", "--workspace", str(workspace), "--out", str(bundle),
        "--demo-customers", "300", "--segments", "2", "--products", "1",
        "--formats", "email,sms", "--variants", "1", "--json",
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)

    # 2 segments × 1 product × (email + sms): 4 copy, 2 visuals, 2 creatives, 2 variants
    assert summary["assets"] == {"copy": 4, "visual": 2, "creative": 2, "variant": 2}
    assert summary["approved"] == 8  # copy, creatives and variants; visuals are parts
    assert summary["copy_fields_for_review"] == 0 and summary["copy_fields_approved"] == 10
    assert Path(summary["bundle"]) == bundle
    assert load_settings().recent_workspaces[0] == str(workspace.resolve())  # for `studio app`
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.creatives >= 2

    with Workspace.open(workspace) as ws:
        campaign_id = summary["campaign_id"]
        creatives = campaigns.current_assets(ws, campaign_id, "creative")
        assert {c.status for c in creatives} == {"approved"}
        copies = {c.id: c for c in campaigns.current_assets(ws, campaign_id, "copy")}
        for creative in creatives:  # each shows a text of the copy it names
            shown = creative.content["layout"]["text"][0]["text"]
            copy = copies[creative.content["copy_asset_id"]]
            assert shown in [t for texts in copy.content["fields"].values() for t in texts]
        segments = ws.query(
            "SELECT DISTINCT s.name FROM campaign_targets t JOIN segments s ON s.id = t.segment_id"
            " WHERE t.campaign_id = ?",
            (campaign_id,),
        )
        assert sorted(s["name"] for s in segments) == sorted(summary["segments"])

    # a second run reuses the workspace and its segments, and makes a new campaign
    again = CliRunner().invoke(cli, [*args[:3], "--formats", "sms", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["campaign_id"] == campaign_id + 1


def test_unknown_format_is_a_clear_error(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(
            ["quickstart", "--workspace", str(tmp_path / "demo"), "--demo-customers", "300",
             "--formats", "fax"]
        )  # fmt: skip
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Unknown channel format 'fax'" in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.model
def test_quickstart_with_the_embedded_models(tmp_path: Path):
    """The README's command as a user runs it: the embedded copy model, the vintage GAN."""
    bundle = tmp_path / "bundle.zip"
    result = CliRunner().invoke(
        cli, ["quickstart", "--workspace", str(tmp_path / "demo"), "--out", str(bundle), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["assets"]["creative"] >= 1
    assert summary["copy_fields_for_review"] == 0
    assert verify_bundle(bundle).ok
