"""`studio generate --cluster`: a campaign generated on a real local Ray, its copy
written by the test's tiny model, which the workers resolve from the desktop's list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli, main
from studio.jobs import JobQueue
from studio.storage.workspace import Workspace


@pytest.fixture
def shop(demo_shop: Path) -> Path:
    return demo_shop


def _create(shop: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["campaign", "create", str(shop), "--name", "Spring", "--segments", "1",
         "--products", "FH-COF-01", "--formats", "email,sms", "--variants", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_wrong_cluster_address_is_one_clear_line(shop: Path, capsys):
    _create(shop)
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(shop), "Spring", "--cluster", "http://head"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "not a Ray cluster address" in err and "Traceback" not in err
    with Workspace.open(shop) as ws:
        assert JobQueue(ws).list() == []  # nothing was queued


@pytest.mark.cluster
def test_generate_on_a_local_cluster(shop: Path):
    pytest.importorskip("ray")
    _create(shop)
    result = CliRunner().invoke(
        cli, ["generate", str(shop), "Spring", "--cluster", "auto", "--workers", "2", "--json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] == []
    assert summary["assets"] == {"copy": 2, "visual": 1, "creative": 1, "variant": 1}
    with Workspace.open(shop) as ws:
        assert {j.status for j in JobQueue(ws).list()} == {"done"}
        assert ws.scalar("PRAGMA integrity_check") == "ok"
