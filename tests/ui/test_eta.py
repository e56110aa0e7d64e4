"""The queue's time estimate for a running job moves smoothly from the expected time to
what the progress rate says: no jump when the first steps report."""

from __future__ import annotations

import time

import pytest

from studio.core.campaign_settings import CampaignSettings
from studio.ui.jobs_bridge import OVERDUE_SHARE, LiveJob


def _job(elapsed: float, fraction: float | None) -> LiveJob:
    return LiveJob(job_id=1, fraction=fraction, started=time.monotonic() - elapsed)


def test_before_any_progress_the_expected_time_counts_down() -> None:
    assert _job(30, None).eta_seconds(90) == pytest.approx(60, abs=1)
    # overdue at 0 %: still a share of the expected time left, never "0 s"
    assert _job(120, 0.0).eta_seconds(90) == pytest.approx(OVERDUE_SHARE * 90)


def test_slow_first_steps_do_not_make_the_estimate_jump() -> None:
    # a model took 80 s to load, then the first 3 % of the work came at once
    before = _job(80, 0.0).eta_seconds(90)
    after = _job(80, 0.03).eta_seconds(90)
    assert abs(after - before) < 0.1 * 80 / 0.03  # far from the raw rate's 43 minutes
    assert after < 5 * 60


def test_near_the_end_the_progress_rate_decides() -> None:
    remaining = _job(100, 0.9).eta_seconds(500)
    assert remaining == pytest.approx(0.1 * 400 + 0.9 * 100 * 0.1 / 0.9, rel=0.01)
    assert _job(100, 1.0).eta_seconds(500) == 0


def test_the_header_total_is_the_sum_of_the_rows_with_the_model_loading_once(qtbot) -> None:
    from studio.ui.jobs_bridge import JobBridge
    from studio.ui.viewmodels.jobs import JobTableModel

    model = JobTableModel(JobBridge())
    model.rates, model.loading = {"copy": 10.0, "creative": 2.0}, 8.0
    job = {"payload": {}, "channel_format": "sms"}  # one unit each
    model.jobs = [
        {**job, "id": 1, "kind": "copy", "status": "queued"},
        {**job, "id": 2, "kind": "copy", "status": "queued"},
        {**job, "id": 3, "kind": "creative", "status": "queued"},
        {**job, "id": 4, "kind": "copy", "status": "done"},
    ]
    assert model.eta(0) == pytest.approx(18.0)  # the first copy job waits for the model
    assert model.eta(1) == pytest.approx(28.0)  # … and only the first
    assert model.total_eta() == pytest.approx(30.0) == model.eta(2)


#: what the quickstart's jobs took on 2 idle cores (docs/quickstart.md): per job kind,
#: (jobs, units each, seconds each), the copy model's loading apart
RECORDED = {
    "copy": (4, 1, 16.0),
    "visual": (2, 1, 0.1),
    "creative": (2, 2, 0.5),
    "variants": (2, 2, 0.6),
}
RECORDED_LOAD = 7.0


def test_the_builders_first_estimate_is_the_planners_and_near_the_recorded_run(
    demo_ws, monkeypatch
) -> None:
    """Jobs this machine ran before (recorded figures, not wall-clock) teach the estimate;
    the builder's preview says what the planner will, within 25 % of the recorded run."""
    from generators.registry import model_cache
    from studio.jobs.queue import JobQueue
    from studio.services import audience, campaigns, planning
    from studio.storage import timings

    queue = JobQueue(demo_ws)
    for kind, (jobs, units, seconds) in RECORDED.items():
        for _ in range(jobs):
            queue.finish(queue.enqueue(kind), {"seconds": seconds * units, "units": units})
    timings.remember("load:copy", RECORDED_LOAD)
    monkeypatch.setattr(model_cache, "loaded", lambda **_: [])  # a new process

    segments = [r["id"] for r in demo_ws.query("SELECT id FROM segments ORDER BY id LIMIT 2")]
    pairs = audience.recommended_pairs(demo_ws, segments, 1)
    settings = CampaignSettings(variants=1)
    shown = planning.plan_draft(demo_ws, pairs, ["meta_feed", "email"], settings)
    campaign_id = campaigns.create_campaign(
        demo_ws,
        "Estimated",
        pairs=pairs,
        channel_formats=["meta_feed", "email"],
        settings=settings,
    )
    planned = planning.plan_generation(demo_ws, campaign_id).estimate_seconds
    recorded = RECORDED_LOAD + sum(n * u * s for n, u, s in RECORDED.values())
    assert shown.estimate_seconds == pytest.approx(planned, abs=0.1)
    assert abs(shown.estimate_seconds - recorded) <= 0.25 * recorded
