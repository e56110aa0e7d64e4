"""The background worker: one job at a time, events, cancel, failures, shutdown."""

from __future__ import annotations

import threading
import time

import pytest
from PIL import Image

from studio.core.errors import GenerationError, StudioError
from studio.jobs import JobContext, JobEvent, JobOutcome, JobQueue, Worker
from studio.storage.workspace import Workspace


class Recorder:
    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self.lock = threading.Lock()

    def __call__(self, event: JobEvent) -> None:
        with self.lock:
            self.events.append(event)

    def kinds(self, job_id: int) -> list[str]:
        with self.lock:
            return [e.kind for e in self.events if e.job_id == job_id]


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def write_note(ctx: JobContext) -> JobOutcome:
    """A real handler: reports steps, then hands back a row for the worker to store in
    the transaction that finishes the job."""
    for step in range(3):
        ctx.cancel.raise_if_cancelled()
        ctx.sink.update(f"step {step}", (step + 1) / 3)
    ctx.sink.update("token", text="Hello")
    ctx.sink.update("preview", 0.9, preview=Image.new("RGB", (8, 8)))

    def store(ws: Workspace) -> list[int]:
        cursor = ws.db.execute(
            "INSERT INTO evaluations (kind, created_at, parameters) VALUES ('note', 'now', ?)",
            (str(ctx.job.payload),),
        )
        return [cursor.lastrowid]

    return JobOutcome({"steps": 3}, store)


def test_worker_runs_jobs_in_order_with_events_and_results(workspace: Workspace):
    queue = JobQueue(workspace)
    first = queue.enqueue("note", {"n": 1})
    second = queue.enqueue("note", {"n": 2})
    events = Recorder()
    worker = Worker(workspace.path, queue, {"note": write_note}, events, stop_when_idle=True)
    worker.start()
    assert worker.join(20)
    assert worker.error is None

    assert queue.get(first).status == queue.get(second).status == "done"
    assert queue.get(first).result["asset_ids"] == [1] and queue.get(first).result["steps"] == 3
    assert queue.get(first).result["seconds"] >= 0
    kinds = events.kinds(first)
    assert kinds[0] == "started" and kinds[-1] == "finished"
    assert {"progress", "text", "preview"} <= set(kinds)
    preview = next(e for e in events.events if e.kind == "preview")
    assert preview.preview.size == (8, 8)
    assert next(e for e in events.events if e.kind == "text").text == "Hello"
    started = [e.job_id for e in events.events if e.kind == "started"]
    assert started == [first, second]
    assert workspace.scalar("SELECT count(*) FROM evaluations WHERE kind = 'note'") == 2


def test_failures_are_recorded_and_the_worker_goes_on(workspace):
    def broken(ctx: JobContext) -> JobOutcome:
        raise GenerationError("No candidate passed the length limit.")

    def buggy(ctx: JobContext) -> JobOutcome:
        raise ZeroDivisionError("oops")

    queue = JobQueue(workspace)
    a = queue.enqueue("broken")
    b = queue.enqueue("buggy")
    c = queue.enqueue("unknown-kind")
    d = queue.enqueue("note")
    events = Recorder()
    handlers = {"broken": broken, "buggy": buggy, "note": write_note}
    worker = Worker(workspace.path, queue, handlers, events, stop_when_idle=True)
    worker.start()
    assert worker.join(20)
    assert queue.get(a).error == "No candidate passed the length limit."
    assert "ZeroDivisionError" in queue.get(b).error
    assert "cannot run" in queue.get(c).error
    assert queue.get(d).status == "done"
    failed = [e for e in events.events if e.kind == "failed"]
    assert [e.job_id for e in failed] == [a, b, c]
    assert all(e.error for e in failed)


def slow(ctx: JobContext) -> JobOutcome:
    for step in range(1000):
        ctx.cancel.raise_if_cancelled()
        ctx.sink.update("slow step", step / 1000)
        time.sleep(0.01)
    return JobOutcome()


def test_cancelling_the_running_job_stops_it_and_the_next_one_runs(workspace):
    queue = JobQueue(workspace)
    running = queue.enqueue("slow")
    after = queue.enqueue("note")
    events = Recorder()
    worker = Worker(workspace.path, queue, {"slow": slow, "note": write_note}, events)
    worker.start()
    wait_until(lambda: worker.current_job_id == running)
    assert worker.is_busy
    queue.cancel(running)
    wait_until(lambda: queue.get(after).status == "done")
    assert queue.get(running).status == "cancelled"
    assert events.kinds(running)[-1] == "cancelled"
    assert worker.stop(timeout=10)
    assert not worker.is_running


def test_a_job_cancelled_by_another_process_stops_at_its_next_progress_write(workspace):
    queue = JobQueue(workspace)
    job_id = queue.enqueue("slow")
    worker = Worker(workspace.path, queue, {"slow": slow})
    worker.start()
    wait_until(lambda: worker.current_job_id == job_id)
    with Workspace.open(workspace.path) as other:  # no hook: only the row changes
        JobQueue(other).cancel(job_id)
    wait_until(lambda: not worker.is_busy)
    assert queue.get(job_id).status == "cancelled"
    assert worker.stop(timeout=10)


def test_stop_cancels_cooperatively_and_leaves_the_rest_queued(workspace):
    queue = JobQueue(workspace)
    running = queue.enqueue("slow")
    waiting = queue.enqueue("note")
    worker = Worker(workspace.path, queue, {"slow": slow, "note": write_note})
    worker.start()
    wait_until(lambda: worker.is_busy)
    assert worker.stop(cancel_running=True, timeout=10)
    assert queue.get(running).status == "cancelled"
    assert queue.get(waiting).status == "queued"


def test_a_job_interrupted_by_closing_runs_again_next_time_and_its_dependents_wait(workspace):
    queue = JobQueue(workspace)
    running = queue.enqueue("slow")
    after = queue.enqueue("note", {"after": [running]})
    events = Recorder()
    worker = Worker(workspace.path, queue, {"slow": slow, "note": write_note}, events)
    worker.start()
    wait_until(lambda: worker.is_busy)
    assert worker.stop(cancel_running=True, timeout=10, requeue_running=True)
    job = queue.get(running)
    assert job.status == "queued" and job.message.startswith("Interrupted")
    assert job.attempts == 0  # closing is not a crash: it never counts towards failing
    assert events.kinds(running)[-1] == "interrupted"
    assert queue.get(after).status == "queued"

    calls: list[int] = []

    def quick(ctx: JobContext) -> JobOutcome:
        calls.append(ctx.job.id)
        return write_note(ctx)

    rerun = Worker(workspace.path, queue, {"slow": quick, "note": quick}, stop_when_idle=True)
    rerun.start()
    assert rerun.join(20)
    assert calls == [running, after]  # the interrupted job first, then what needs it
    assert queue.get(running).status == queue.get(after).status == "done"


def test_only_one_worker_per_workspace_and_crashed_jobs_run_again(workspace):
    queue = JobQueue(workspace)
    job_id = queue.enqueue("note")
    queue.claim_next()  # a worker that died while running this job
    worker = Worker(workspace.path, queue, {"note": write_note, "slow": slow})
    worker.start()
    try:
        second = Worker(workspace.path, queue, {})
        with pytest.raises(StudioError, match="already generating"):
            second.start()
        wait_until(lambda: queue.get(job_id).status == "done")
        assert queue.get(job_id).attempts == 2
    finally:
        assert worker.stop(timeout=10)
    # the lock is released on stop: a new worker can start
    again = Worker(workspace.path, queue, {}, stop_when_idle=True)
    again.start()
    assert again.join(10)


def test_a_new_job_wakes_an_idle_worker(workspace):
    queue = JobQueue(workspace)
    worker = Worker(workspace.path, queue, {"note": write_note})
    worker.start()
    try:
        job_id = queue.enqueue("note")
        wait_until(lambda: queue.get(job_id).status == "done")
    finally:
        assert worker.stop(timeout=10)


def test_a_broken_listener_does_not_break_the_queue(workspace):
    def listener(event: JobEvent) -> None:
        raise RuntimeError("listener bug")

    queue = JobQueue(workspace)
    job_id = queue.enqueue("note")
    worker = Worker(workspace.path, queue, {"note": write_note}, listener, stop_when_idle=True)
    worker.start()
    assert worker.join(10)
    assert queue.get(job_id).status == "done"


HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def test_another_process_writing_for_long_delays_the_worker_but_loses_nothing(
    workspace, monkeypatch
):
    import subprocess
    import sys

    import studio.storage.workspace as workspace_module

    monkeypatch.setattr(workspace_module, "BUSY_TIMEOUT_MS", 200)  # the worker's connection
    gate = threading.Event()

    def waits_for_the_test(ctx: JobContext) -> JobOutcome:
        gate.wait(10)
        return write_note(ctx)

    queue = JobQueue(workspace)
    first = queue.enqueue("note", {"n": 1})
    second = queue.enqueue("note", {"n": 2})
    events = Recorder()
    handlers = {"note": waits_for_the_test}
    worker = Worker(workspace.path, queue, handlers, events, stop_when_idle=True)
    worker.start()
    wait_until(lambda: queue.get(first).status == "running")
    # like a long import in another window: the write lock is held for seconds
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(workspace.path / "workspace.db"), "2.5"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    gate.set()  # the first job has made its result and must now store it
    assert worker.join(30)
    assert holder.wait(10) == 0
    assert worker.error is None
    assert queue.get(first).status == queue.get(second).status == "done"
    assert any(e.message.startswith("Waiting: another program") for e in events.events)
    assert workspace.scalar("SELECT count(*) FROM evaluations WHERE kind = 'note'") == 2
