"""``studio campaign create|list|show``, ``studio generate`` and ``studio approve``."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli, main
from studio.jobs import JobContext, JobOutcome, JobQueue
from studio.storage.workspace import Workspace


@pytest.fixture
def shop(demo_shop: Path) -> Path:
    return demo_shop


def _run(*args: str) -> dict | list:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fails(capsys: pytest.CaptureFixture, *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code == 1
    return capsys.readouterr().err


def test_create_generate_show_and_approve(shop: Path):
    created = _run(
        "campaign", "create", str(shop), "--name", "Spring", "--segments", "1",
        "--products", "FH-COF-01", "--formats", "email,sms", "--variants", "1",
    )  # fmt: skip
    assert created["targets"] == 2
    assert created["assets"] == {"copy": 2, "visual": 1, "creative": 1, "variant": 1}
    assert created["estimate_seconds"] > 0

    listed = _run("campaign", "list", str(shop))
    assert [(c["name"], c["targets"], c["assets"]) for c in listed] == [("Spring", 2, 0)]

    summary = _run("generate", str(shop), "Spring")
    assert summary["failed"] == []
    assert summary["assets"] == {"copy": 2, "visual": 1, "creative": 1, "variant": 1}

    shown = _run("campaign", "show", str(shop), "Spring")
    assert {a["status"] for a in shown["assets"]} == {"draft"}
    assert shown["still_to_generate"] == {"copy": 0, "visual": 0, "creative": 0, "variant": 0}
    sms = next(a for a in shown["assets"] if a["format"] == "sms")
    assert "our everyday" in sms["text"].lower()  # the product's own words

    result = CliRunner().invoke(cli, ["approve", str(shop), "Spring", "--all"])
    assert result.exit_code == 0, result.output
    assert "Approved 4 assets" in result.output  # 2 copy, 1 creative, 1 variant
    shown = _run("campaign", "show", str(shop), "1")
    assert {a["status"] for a in shown["assets"] if a["kind"] != "visual"} == {"approved"}

    # nothing is missing: generating again queues nothing
    assert _run("generate", str(shop), "Spring")["jobs_queued"] == 0


def test_products_default_to_each_segments_recommendations(shop: Path):
    created = _run(
        "campaign", "create", str(shop), "--name", "Recs", "--segments", "1,2",
        "--top-products", "2", "--formats", "sms",
    )  # fmt: skip
    assert created["targets"] == 4
    with Workspace.open(shop) as ws:
        pairs = ws.query("SELECT segment_id, product_id FROM campaign_targets")
        for segment_id in (1, 2):
            recommended = ws.query(
                "SELECT product_id FROM recommendations WHERE segment_id = ? ORDER BY rank LIMIT 2",
                (segment_id,),
            )
            assert {p["product_id"] for p in pairs if p["segment_id"] == segment_id} == {
                r["product_id"] for r in recommended
            }


def test_bad_input_gets_one_clear_line(shop: Path, capsys):
    args = ["campaign", "create", str(shop), "--name", "X", "--products", "FH-COF-01"]
    err = _fails(capsys, *args, "--segments", "1", "--formats", "fax")
    assert "Unknown channel format 'fax'" in err and "Traceback" not in err
    err = _fails(capsys, *args, "--segments", "Nobody", "--formats", "sms")
    assert "No segment 'Nobody'" in err
    err = _fails(capsys, *args[:-1], "NOPE", "--segments", "1", "--formats", "sms")
    assert "No product 'NOPE'" in err
    err = _fails(capsys, "generate", str(shop), "Missing")
    assert "No campaign 'Missing'" in err
    err = _fails(capsys, "campaign", "list", str(shop.parent / "nowhere"))
    assert "No workspace" in err


def test_ctrl_c_cancels_the_running_job_and_a_second_run_continues(shop: Path, capsys, monkeypatch):
    import studio.services.foreground as handlers

    _run(
        "campaign", "create", str(shop), "--name", "Stop", "--segments", "1",
        "--products", "FH-COF-01", "--formats", "sms",
    )  # fmt: skip
    real = handlers.default_handlers
    started = threading.Event()

    def slow_copy(ctx: JobContext) -> JobOutcome:
        started.set()
        while True:
            ctx.cancel.raise_if_cancelled()
            ctx.sink.update("thinking", 0.1)
            time.sleep(0.02)

    monkeypatch.setattr(handlers, "default_handlers", lambda: {**real(), "copy": slow_copy})

    # a real SIGINT with Python's own handler, as a terminal sends it: an earlier test or
    # library may have left the signal ignored, and a simulated one would then do nothing
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def press_ctrl_c() -> None:
        started.wait(300)  # once the job runs: on a loaded machine the start takes a while
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    try:
        with pytest.raises(SystemExit) as exit_:
            main(["generate", str(shop), "Stop"])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert started.is_set() and exit_.value.code == 130
    assert "rest stay queued" in capsys.readouterr().err
    with Workspace.open(shop) as ws:
        assert [job.status for job in JobQueue(ws).list()] == ["cancelled"]

    monkeypatch.setattr(handlers, "default_handlers", real)
    summary = _run("generate", str(shop), "Stop")
    assert summary["assets"] == {"copy": 1}
