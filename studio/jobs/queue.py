"""The persisted job queue: one row per job in the workspace's ``jobs`` table.

Jobs run in ``position`` order, one at a time, by the :class:`~studio.jobs.worker.Worker`.
A job may name jobs it must wait for (``payload["after"]``); it is not claimed while any of
them is still queued or running, so reordering the queue never runs a creative before the
copy it needs.

Statuses: ``queued`` → ``running`` → ``done`` | ``failed`` | ``cancelled``. Failed and
cancelled jobs can be retried (queued again at the end). A job left ``running`` by a crash
is queued again when the next worker starts, at most :data:`MAX_ATTEMPTS` times in all,
so a job that crashes the process cannot crash it forever.

The SQL, with the guards that keep a job from running twice, is :mod:`studio.storage.jobs`;
this queue adds what is not SQL: waking an attached worker at once, and telling it when
the user cancels the job it runs.
"""

from __future__ import annotations

import builtins
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.core.errors import NotFound, StudioError
from studio.storage import jobs as store
from studio.storage.jobs import MAX_ATTEMPTS, PENDING
from studio.storage.workspace import Workspace

__all__ = ["MAX_ATTEMPTS", "PENDING", "Job", "JobQueue"]


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    position: int
    campaign_id: int | None = None
    target_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    progress: float = 0.0
    message: str = ""
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def after(self) -> list[int]:
        """Ids of the jobs this one waits for."""
        return [int(i) for i in self.payload.get("after", [])]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        return cls(
            id=row["id"],
            kind=row["kind"],
            status=row["status"],
            position=row["position"],
            campaign_id=row["campaign_id"],
            target_id=row["target_id"],
            payload=json.loads(row["payload"] or "{}"),
            progress=row["progress"],
            message=row["message"],
            error=row["error"],
            result=json.loads(row["result"] or "{}"),
            attempts=row["attempts"],
            created_at=row["created_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )


class JobQueue:
    """The queue of one workspace, over that workspace's connection.

    Every thread uses its own :class:`Workspace` (the worker opens one in its thread).
    Changes made through this object wake a :class:`~studio.jobs.worker.Worker` attached
    to it at once; changes made by another process are seen at the worker's next poll.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.changed = threading.Event()
        self._cancel_hooks: list[Callable[[int | None], None]] = []

    # --- adding -------------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        campaign_id: int | None = None,
        target_id: int | None = None,
    ) -> int:
        """Add a job at the end of the queue; returns its id."""
        return self.enqueue_many([(kind, payload or {}, campaign_id, target_id)])[0]

    def enqueue_many(
        self, jobs: Iterable[tuple[str, dict[str, Any], int | None, int | None]]
    ) -> list[int]:
        """Add several jobs in one transaction: all are queued or none is.

        Each item is ``(kind, payload, campaign_id, target_id)``; a payload's ``"after"``
        may hold negative numbers ``-k`` meaning "the k-th job of this call" (1-based), so
        a batch can depend on jobs it creates itself.
        """
        batch = list(jobs)
        if any(not kind for kind, *_ in batch):
            raise StudioError("A job needs a kind (e.g. 'copy', 'visual', 'creative').")
        ids = store.insert_jobs(self.ws, batch)
        self.changed.set()
        return ids

    # --- reading ------------------------------------------------------------------------

    def get(self, job_id: int) -> Job:
        row = store.job_row(self.ws, job_id)
        if row is None:
            raise NotFound(f"No job {job_id} in the queue of {self.ws.path}.")
        return Job.from_row(row)

    def list(self, status: str | Iterable[str] | None = None) -> list[Job]:
        """Jobs, running first, then queued in run order, then finished ones (newest
        first)."""
        statuses = [status] if isinstance(status, str) else status
        return [Job.from_row(row) for row in store.job_rows(self.ws, statuses)]

    def counts(self) -> dict[str, int]:
        return store.status_counts(self.ws)

    def finished_results(self, kind: str, limit: int) -> builtins.list[dict[str, Any]]:
        """Results of the latest jobs of a kind that finished (for timing estimates)."""
        return store.finished_results(self.ws, kind, limit)

    def pending_count(self, campaign_id: int | None = None) -> int:
        return store.pending_count(self.ws, campaign_id)

    # --- the worker's side --------------------------------------------------------------

    def claim_next(self, campaign_id: int | None = None) -> Job | None:
        """Mark the first runnable queued job ``running`` and return it (None when none).

        With ``campaign_id``, only that campaign's jobs are considered.
        """
        job_id = store.claim_next(self.ws, campaign_id)
        return None if job_id is None else self.get(job_id)

    def set_progress(self, job_id: int, fraction: float | None, message: str) -> bool:
        """Record progress of a running job; False when the job is no longer running
        (another process cancelled it), which tells the worker to stop it."""
        return store.set_progress(self.ws, job_id, fraction, message)

    def finish(self, job_id: int, result: dict[str, Any] | None = None, message: str = "") -> None:
        store.end_job(self.ws, job_id, "done", message=message, result=result or {}, progress=1.0)

    def fail(self, job_id: int, error: str) -> None:
        store.end_job(self.ws, job_id, "failed", message="Failed", error=error)

    def mark_cancelled(self, job_id: int) -> None:
        store.end_job(self.ws, job_id, "cancelled", message="Cancelled")

    def interrupt(
        self, job_id: int, note: str = "Interrupted: it runs again when the studio next starts"
    ) -> None:
        """Put a running job back in its place in the queue: the studio was closed while it
        ran, or the disk filled up. Neither is the job's fault, so it is not an attempt."""
        store.interrupt(self.ws, job_id, note)
        self.changed.set()

    def recover_interrupted(self) -> builtins.list[int]:
        """Queue again the jobs a crashed worker left ``running`` (failed after
        :data:`MAX_ATTEMPTS`). Only a worker holding the workspace's worker lock calls
        this: then no other worker can be running them."""
        recovered = store.recover_running(self.ws)
        if recovered:
            self.changed.set()
        return recovered

    def requeue(self, job_id: int, reason: str) -> bool:
        """Queue a running job again after the machine running it was lost; it fails
        instead once it has been tried :data:`MAX_ATTEMPTS` times. True when queued."""
        queued = store.requeue(self.ws, job_id, reason)
        if queued:
            self.changed.set()
        return queued

    # --- the user's side ----------------------------------------------------------------

    def cancel(self, job_id: int) -> bool:
        """Cancel a queued or running job; False when it had already finished.

        A running job stops at its generator's next cancel check; its row is marked
        ``cancelled`` now, so the queue shows the user's decision at once.
        """
        self.get(job_id)  # a job that does not exist is named
        cancelled, running = store.cancel_jobs(self.ws, job_id=job_id)
        self._stop(running)
        return cancelled == 1

    def cancel_all(self, campaign_id: int | None = None) -> int:
        """Cancel every queued and running job (of one campaign, when given)."""
        cancelled, running = store.cancel_jobs(self.ws, campaign_id=campaign_id)
        self._stop(running)
        return cancelled

    def _stop(self, running: builtins.list[int]) -> None:
        for job_id in running:
            for hook in builtins.list(self._cancel_hooks):
                hook(job_id)
        self.changed.set()

    def retry(self, job_id: int) -> int:
        """Queue a failed or cancelled job again, at the end of the queue."""
        job = self.get(job_id)
        if job.status not in ("failed", "cancelled"):
            raise StudioError(
                f"Job {job_id} is {job.status}; only failed or cancelled jobs can be retried."
            )
        store.queue_again(self.ws, job_id)
        self.changed.set()
        return job_id

    def retry_failed(self, campaign_id: int | None = None) -> builtins.list[int]:
        """Queue every failed job again (of one campaign, when given), in their order."""
        jobs = [
            job
            for job in sorted(self.list("failed"), key=lambda j: (j.position, j.id))
            if campaign_id is None or job.campaign_id == campaign_id
        ]
        return [self.retry(job.id) for job in jobs]

    def move(self, job_id: int, new_position: int) -> None:
        """Move a queued job to index ``new_position`` (0 = next to run) among queued jobs."""
        job = self.get(job_id)
        if job.status != "queued":
            raise StudioError(f"Job {job_id} is {job.status}; only queued jobs can be moved.")
        store.move(self.ws, job_id, new_position)
        self.changed.set()

    def remove_finished(self, campaign_id: int | None = None) -> int:
        """Delete done, failed and cancelled jobs from the list (their assets stay)."""
        return store.remove_finished(self.ws, campaign_id)

    # --- the worker attaches here -------------------------------------------------------

    def add_cancel_hook(self, hook: Callable[[int | None], None]) -> None:
        self._cancel_hooks.append(hook)

    def remove_cancel_hook(self, hook: Callable[[int | None], None]) -> None:
        if hook in self._cancel_hooks:
            self._cancel_hooks.remove(hook)
