"""The persisted job queue: order, reorder, cancel, retry, dependencies, crash recovery."""

from __future__ import annotations

import pytest

from studio.core.errors import NotFound, StudioError
from studio.jobs.queue import MAX_ATTEMPTS, JobQueue
from studio.storage.workspace import Workspace


@pytest.fixture
def queue(workspace: Workspace) -> JobQueue:
    return JobQueue(workspace)


def test_jobs_are_claimed_in_order_and_persist_across_reopen(workspace, queue):
    first = queue.enqueue("copy", {"n": 1})
    second = queue.enqueue("visual")
    assert [j.id for j in queue.list("queued")] == [first, second]

    workspace.close()
    with Workspace.open(workspace.path) as reopened:
        queue = JobQueue(reopened)
        job = queue.claim_next()
        assert (job.id, job.status, job.payload, job.attempts) == (first, "running", {"n": 1}, 1)
        queue.finish(job.id, {"asset_ids": [3]})
        assert queue.get(first).status == "done"
        assert queue.get(first).result == {"asset_ids": [3]}
        assert queue.claim_next().id == second
        assert queue.claim_next() is None


def test_move_reorders_pending_jobs_only(queue):
    a, b, c = (queue.enqueue("copy") for _ in range(3))
    queue.move(c, 0)
    assert [j.id for j in queue.list("queued")] == [c, a, b]
    queue.move(c, 99)
    assert [j.id for j in queue.list("queued")] == [a, b, c]
    d = queue.enqueue("copy")
    assert [j.id for j in queue.list("queued")][-1] == d  # new jobs still go last
    queue.claim_next()
    with pytest.raises(StudioError, match="only queued jobs can be moved"):
        queue.move(a, 2)


def test_cancel_one_and_all_and_retry(queue):
    a, b, c = (queue.enqueue("copy") for _ in range(3))
    assert queue.cancel(b) is True
    assert queue.get(b).status == "cancelled"
    assert queue.cancel(b) is False  # already finished
    assert queue.claim_next().id == a
    assert queue.cancel_all() == 2  # the running one and the queued one
    assert {j.status for j in queue.list()} == {"cancelled"}

    assert queue.retry(b) == b
    assert queue.get(b).status == "queued"
    assert queue.get(b).position > queue.get(c).position
    with pytest.raises(StudioError, match="only failed or cancelled"):
        queue.retry(b)
    with pytest.raises(NotFound):
        queue.get(999)


def test_cancelling_a_running_job_calls_the_hook_and_keeps_the_decision(queue):
    job_id = queue.enqueue("visual")
    cancelled: list[int | None] = []
    queue.add_cancel_hook(cancelled.append)
    queue.claim_next()
    queue.cancel(job_id)
    assert cancelled == [job_id]
    # the worker's later "done" must not overwrite the user's cancel
    assert queue.set_progress(job_id, 0.5, "step") is False
    queue.finish(job_id, {"asset_ids": [1]})
    assert queue.get(job_id).status == "cancelled"


def test_a_job_waits_for_the_jobs_it_depends_on(queue):
    copy_id, visual_id, creative_id = queue.enqueue_many(
        [
            ("copy", {}, None, None),
            ("visual", {}, None, None),
            ("creative", {"after": [-1, -2]}, None, None),
        ]
    )
    assert queue.get(creative_id).after == [copy_id, visual_id]
    queue.move(creative_id, 0)
    assert queue.claim_next().id == copy_id  # the creative is first but must wait
    queue.fail(copy_id, "broken")
    assert queue.claim_next().id == visual_id
    queue.finish(visual_id)
    # a failed dependency no longer blocks: the creative runs and reports what is missing
    assert queue.claim_next().id == creative_id


def test_claim_next_can_be_limited_to_one_campaign(workspace, queue):
    with workspace.write() as db:
        db.execute(
            "INSERT INTO campaigns (id, name, created_at, updated_at) VALUES (5, 'c', 'x', 'x')"
        )
    queue.enqueue("copy")
    mine = queue.enqueue("copy", campaign_id=5)
    assert queue.claim_next(campaign_id=5).id == mine
    assert queue.pending_count(5) == 1
    assert queue.claim_next(campaign_id=5) is None


def test_interrupted_jobs_are_queued_again_then_failed_after_repeated_crashes(queue):
    job_id = queue.enqueue("visual")
    for attempt in range(1, MAX_ATTEMPTS):
        assert queue.claim_next().attempts == attempt
        assert queue.recover_interrupted() == [job_id]  # the process died mid-job
        assert queue.get(job_id).status == "queued"
    queue.claim_next()
    queue.recover_interrupted()
    job = queue.get(job_id)
    assert job.status == "failed"
    assert "stopped while running this job" in job.error
    queue.retry(job_id)
    assert queue.get(job_id).status == "queued"


def test_retry_failed_and_remove_finished(queue):
    a, b = queue.enqueue("copy"), queue.enqueue("copy")
    queue.claim_next()
    queue.fail(a, "no model")
    assert queue.get(a).error == "no model"
    assert queue.retry_failed() == [a]
    assert queue.counts() == {"queued": 2}
    queue.cancel(b)
    assert queue.remove_finished() == 1
    assert [j.id for j in queue.list()] == [a]
