"""Generation on a real local Ray cluster: the same campaign as on the local worker, the
workspace's queue the only source of truth, a worker killed mid-run, a cancel that
reaches the remote job."""

from __future__ import annotations

import os
import shutil
import signal
import threading

import pytest
from campaign_helpers import add_copy

from studio.cluster.dispatcher import ClusterOptions, ClusterWorker, parse_address
from studio.core.campaign_settings import CampaignSettings
from studio.core.errors import StudioError
from studio.jobs import JobQueue, Worker
from studio.services import campaigns as c
from studio.services.generation import default_handlers
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

ray = pytest.importorskip("ray")

EMAIL_COPY = {
    "subject": ["Fresh beans for your mornings"],
    "preheader": ["House Blend Beans, roasted for you"],
    "body": ["Start the day with our House Blend Beans."],
    "cta": ["Shop now"],
}


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module's tests (two CPU slots)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def one_thread():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as each cluster worker: the same bytes
    yield
    torch.set_num_threads(threads)


def _campaign(ws: Workspace, products: list[int], variants: int = 1) -> int:
    campaign_id = c.create_campaign(
        ws, "Cluster", pairs=[(1, p) for p in products], channel_formats=["email"],
        settings=CampaignSettings(variants=variants),
    )  # fmt: skip
    for target in store.campaign_targets(ws, campaign_id):
        add_copy(ws, campaign_id, target, EMAIL_COPY)
    enqueue_generation(ws, campaign_id)
    return campaign_id


def _run(worker, timeout: float = 600) -> None:
    worker.start()
    assert worker.join(timeout), "the run did not end"
    assert worker.error is None, worker.error


def _made(ws: Workspace) -> list[tuple[str, str | None, str | None]]:
    rows = ws.query(
        "SELECT kind, format, sha256 FROM assets WHERE kind != 'copy' ORDER BY kind, format, sha256"
    )
    return [(r["kind"], r["format"], r["sha256"]) for r in rows]


def _twins(demo_ws: Workspace, tmp_path, products: list[int], variants: int = 1):
    """The same queued campaign in two workspaces."""
    _campaign(demo_ws, products, variants)
    demo_ws.close()
    twin = tmp_path / "twin"
    shutil.copytree(demo_ws.path, twin)
    return Workspace.open(demo_ws.path), Workspace.open(twin)


def _assert_each_job_stored_once(ws: Workspace) -> None:
    jobs = JobQueue(ws).list()
    assert {j.status for j in jobs} == {"done"}, [(j.kind, j.status, j.error) for j in jobs]
    stored = [i for j in jobs for i in j.result.get("asset_ids", [])]
    assert len(stored) == len(set(stored))
    assert ws.scalar("PRAGMA integrity_check") == "ok"
    assert ws.verify_files() == []


def test_a_campaign_on_the_cluster_makes_what_the_local_worker_makes(local_ray, demo_ws, tmp_path):
    here, there = _twins(demo_ws, tmp_path, products=[1, 2])
    try:
        _run(Worker(here.path, JobQueue(here), default_handlers(), stop_when_idle=True))
        events = []
        worker = ClusterWorker(
            there.path, JobQueue(there), events.append, stop_when_idle=True,
            options=ClusterOptions(workers=2),
        )  # fmt: skip
        _run(worker)
        _assert_each_job_stored_once(there)
        assert _made(there) == _made(here)  # the same bytes, content-addressed
        kinds = {e.kind for e in events}
        assert {"started", "progress", "finished"} <= kinds
        assert worker.requeued == []
    finally:
        here.close()
        there.close()


@pytest.mark.cluster
def test_a_worker_killed_mid_run_costs_a_retry_not_a_job(local_ray, demo_ws, tmp_path):
    here, there = _twins(demo_ws, tmp_path, products=[1, 2, 3], variants=2)
    try:
        _run(Worker(here.path, JobQueue(here), default_handlers(), stop_when_idle=True))
        killed = threading.Event()
        holder: dict = {}

        def listener(event) -> None:
            if event.kind == "started" and event.job_kind == "creative" and not killed.is_set():
                killed.set()
                threading.Thread(target=kill_one, daemon=True).start()

        def kill_one() -> None:
            worker = holder["worker"]
            with worker._state:
                flight = next(iter(worker._flights.values()), None)
            if flight is not None:
                os.kill(ray.get(flight.actor.pid.remote()), signal.SIGKILL)

        worker = ClusterWorker(
            there.path, JobQueue(there), listener, stop_when_idle=True,
            options=ClusterOptions(workers=2),
        )  # fmt: skip
        holder["worker"] = worker
        _run(worker)
        assert killed.is_set() and worker.requeued, "no job was lost to the kill"
        _assert_each_job_stored_once(there)
        assert _made(there) == _made(here)
    finally:
        here.close()
        there.close()


@pytest.mark.cluster
def test_a_cancel_reaches_the_remote_job(local_ray, demo_ws, tmp_path):
    _campaign(demo_ws, [1, 2], variants=4)
    queue = JobQueue(demo_ws)
    cancelled: list[int] = []

    def listener(event) -> None:
        if event.kind == "started" and event.job_kind == "variants" and not cancelled:
            cancelled.append(event.job_id)
            queue.cancel(event.job_id)

    worker = ClusterWorker(
        demo_ws.path, queue, listener, stop_when_idle=True, options=ClusterOptions(workers=1)
    )
    _run(worker)
    job = queue.get(cancelled[0])
    assert job.status == "cancelled" and "asset_ids" not in job.result
    assert store.current_variant_count(demo_ws, job.target_id) == 0
    others = [j for j in queue.list() if j.id != job.id]
    assert {j.status for j in others} == {"done"}


def test_cluster_addresses_are_checked():
    assert parse_address("auto") == "auto"
    assert parse_address("ray://10.0.0.5:10001") == "ray://10.0.0.5:10001"
    assert parse_address("head.local:6379") == "head.local:6379"
    with pytest.raises(StudioError, match="not a Ray cluster address"):
        parse_address("http://head")


@pytest.mark.cluster
def test_stopping_mid_run_leaves_no_job_running(local_ray, demo_ws):
    """As closing the app or Ctrl-C: the running jobs are cancelled, the rest wait."""
    _campaign(demo_ws, [1, 2], variants=4)
    queue = JobQueue(demo_ws)
    started = threading.Event()

    def listener(event) -> None:
        if event.kind == "started" and event.job_kind == "variants":
            started.set()

    worker = ClusterWorker(demo_ws.path, queue, listener, options=ClusterOptions(workers=1))
    worker.start()
    assert started.wait(300), "no variants job started"
    assert worker.stop(cancel_running=True, timeout=120)
    assert worker.error is None
    statuses = {j.status for j in queue.list()}
    assert "running" not in statuses and "cancelled" in statuses
    assert demo_ws.scalar("PRAGMA integrity_check") == "ok"
