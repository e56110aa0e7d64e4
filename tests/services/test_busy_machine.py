"""Estimates on a busy machine: timings kept as an idle machine's, scaled by the load now."""

from __future__ import annotations

import pytest

from studio.core.machine_load import LoadMeter, contention
from studio.jobs.queue import JobQueue
from studio.jobs.worker import JobContext, JobOutcome, Worker
from studio.services import planning
from studio.storage import timings


def test_contention_is_the_share_of_cores_other_programs_take() -> None:
    assert contention(0.0, 2) == 1.0
    assert contention(1.0, 2) == pytest.approx(1.5)  # one busy core beside a 2-core job
    assert contention(2.0, 4) == pytest.approx(1.5)
    assert contention(-0.3, 2) == 1.0  # a reading's noise never makes work faster


def test_the_meter_reads_cores_other_programs_keep_busy() -> None:
    meter = LoadMeter()
    others = meter.other_cores(settle=True)
    assert 0.0 <= others <= meter.cores


def test_a_job_on_a_busy_machine_is_remembered_as_an_idle_machines_figure(
    workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace
    monkeypatch.setattr(LoadMeter, "contention", lambda *_, **__: 2.0)

    def copy_job(ctx: JobContext) -> JobOutcome:
        return JobOutcome({"units": 1, "load_seconds": 0.0}, lambda _ws: [])

    queue = JobQueue(ws)
    queue.enqueue("copy")
    worker = Worker(ws.path, queue, {"copy": copy_job}, stop_when_idle=True)
    worker.start()
    assert worker.join(60) and worker.error is None
    [result] = queue.finished_results("copy", 5)
    assert result["contention"] == 2.0
    assert timings.measured()["copy"] == pytest.approx(result["seconds"] / 2.0, abs=1e-3)


def test_estimates_scale_with_the_load_now(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = workspace
    queue = JobQueue(ws)
    job = queue.enqueue("copy")
    queue.claim_next()
    queue.finish(job, {"seconds": 6.0, "units": 1, "contention": 1.5})  # 4 s when idle
    assert planning.seconds_per_unit(ws)["copy"] == pytest.approx(4.0)
    monkeypatch.setattr(planning, "current_contention", lambda: 1.5)
    assert planning.seconds_per_unit(ws)["copy"] == pytest.approx(6.0)
