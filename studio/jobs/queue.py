"""The persisted job queue: one row per job in the workspace's ``jobs`` table.

Jobs run in ``position`` order, one at a time, by the :class:`~studio.jobs.worker.Worker`.
A job may name jobs it must wait for (``payload["after"]``); it is not claimed while any of
them is still queued or running, so reordering the queue never runs a creative before the
copy it needs.

Statuses: ``queued`` → ``running`` → ``done`` | ``failed`` | ``cancelled``. Failed and
cancelled jobs can be retried (queued again at the end). A job left ``running`` by a crash
is queued again when the next worker starts, at most :data:`MAX_ATTEMPTS` times in all,
so a job that crashes the process cannot crash it forever.

One module because every status change is a short SQL write whose guards (status,
dependencies, attempts) must be read together to see that no job can run twice.
"""

from __future__ import annotations

import builtins
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.core.errors import NotFound, StudioError
from studio.storage.workspace import Workspace, to_json, utcnow

PENDING = ("queued", "running")
#: a job interrupted by a crash this many times is marked failed instead of queued again
MAX_ATTEMPTS = 3


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


_ORDER = "CASE status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, position, id"


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
        with self.ws.write() as db:
            job_id = self._insert(db, kind, payload or {}, campaign_id, target_id)
        self.changed.set()
        return job_id

    def enqueue_many(
        self, jobs: Iterable[tuple[str, dict[str, Any], int | None, int | None]]
    ) -> list[int]:
        """Add several jobs in one transaction: all are queued or none is.

        Each item is ``(kind, payload, campaign_id, target_id)``; a payload's ``"after"``
        may hold negative numbers ``-k`` meaning "the k-th job of this call" (1-based), so
        a batch can depend on jobs it creates itself.
        """
        ids: list[int] = []
        with self.ws.write() as db:
            for kind, payload, campaign_id, target_id in jobs:
                payload = dict(payload)
                if "after" in payload:
                    payload["after"] = [ids[-i - 1] if i < 0 else i for i in payload["after"]]
                ids.append(self._insert(db, kind, payload, campaign_id, target_id))
        self.changed.set()
        return ids

    @staticmethod
    def _insert(
        db: Any, kind: str, payload: dict[str, Any], campaign_id: int | None, target_id: int | None
    ) -> int:
        if not kind:
            raise StudioError("A job needs a kind (e.g. 'copy', 'visual', 'creative').")
        position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM jobs").fetchone()[0]
        cursor = db.execute(
            "INSERT INTO jobs (campaign_id, target_id, kind, payload, status, position,"
            " created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
            (campaign_id, target_id, kind, to_json(payload), position, utcnow()),
        )
        return int(cursor.lastrowid)

    # --- reading ------------------------------------------------------------------------

    def get(self, job_id: int) -> Job:
        rows = self.ws.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise NotFound(f"No job {job_id} in the queue of {self.ws.path}.")
        return Job.from_row(rows[0])

    def list(self, status: str | Iterable[str] | None = None) -> list[Job]:
        """Jobs, running first, then queued in run order, then finished ones."""
        if status is None:
            rows = self.ws.query(f"SELECT * FROM jobs ORDER BY {_ORDER}")
        else:
            statuses = [status] if isinstance(status, str) else list(status)
            marks = ", ".join("?" for _ in statuses)
            rows = self.ws.query(
                f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY {_ORDER}", tuple(statuses)
            )
        return [Job.from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self.ws.query("SELECT status, count(*) AS n FROM jobs GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

    def finished_results(self, kind: str, limit: int) -> builtins.list[dict[str, Any]]:
        """Results of the latest jobs of a kind that finished (for timing estimates)."""
        rows = self.ws.query(
            "SELECT result FROM jobs WHERE kind = ? AND status = 'done' ORDER BY id DESC LIMIT ?",
            (kind, limit),
        )
        return [json.loads(row["result"] or "{}") for row in rows]

    def pending_count(self, campaign_id: int | None = None) -> int:
        sql = "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')"
        if campaign_id is None:
            return int(self.ws.scalar(sql))
        return int(self.ws.scalar(sql + " AND campaign_id = ?", (campaign_id,)))

    # --- the worker's side --------------------------------------------------------------

    def claim_next(self, campaign_id: int | None = None) -> Job | None:
        """Mark the first runnable queued job ``running`` and return it (None when none).

        With ``campaign_id``, only that campaign's jobs are considered.
        """
        sql = "SELECT * FROM jobs WHERE status = 'queued'"
        params: tuple[Any, ...] = ()
        if campaign_id is not None:
            sql += " AND campaign_id = ?"
            params = (campaign_id,)
        with self.ws.write() as db:
            queued = [Job.from_row(row) for row in db.query(sql + " ORDER BY position, id", params)]
            waiting_on = {
                row[0]
                for row in db.execute("SELECT id FROM jobs WHERE status IN ('queued', 'running')")
            }
            for job in queued:
                if any(dep in waiting_on for dep in job.after):
                    continue
                db.execute(
                    "UPDATE jobs SET status = 'running', started_at = ?, finished_at = NULL,"
                    " progress = 0, message = '', error = NULL, attempts = attempts + 1"
                    " WHERE id = ?",
                    (utcnow(), job.id),
                )
                return self.get(job.id)
        return None

    def set_progress(self, job_id: int, fraction: float | None, message: str) -> bool:
        """Record progress of a running job; False when the job is no longer running
        (another process cancelled it), which tells the worker to stop it."""
        with self.ws.write() as db:
            cursor = db.execute(
                "UPDATE jobs SET progress = coalesce(?, progress), message = ?"
                " WHERE id = ? AND status = 'running'",
                (fraction, message, job_id),
            )
        return cursor.rowcount == 1

    def finish(self, job_id: int, result: dict[str, Any] | None = None, message: str = "") -> None:
        self._end(job_id, "done", message=message, result=result or {}, progress=1.0)

    def fail(self, job_id: int, error: str) -> None:
        self._end(job_id, "failed", message="Failed", error=error)

    def mark_cancelled(self, job_id: int) -> None:
        self._end(job_id, "cancelled", message="Cancelled")

    def _end(
        self,
        job_id: int,
        status: str,
        *,
        message: str,
        error: str | None = None,
        result: dict[str, Any] | None = None,
        progress: float | None = None,
    ) -> None:
        # only a running job ends: a job cancelled meanwhile stays cancelled
        with self.ws.write() as db:
            db.execute(
                "UPDATE jobs SET status = ?, message = ?, error = ?,"
                " result = coalesce(?, result), progress = coalesce(?, progress),"
                " finished_at = ? WHERE id = ? AND status = 'running'",
                (
                    status,
                    message,
                    error,
                    None if result is None else to_json(result),
                    progress,
                    utcnow(),
                    job_id,
                ),
            )

    def interrupt(
        self, job_id: int, note: str = "Interrupted: it runs again when the studio next starts"
    ) -> None:
        """Put a running job back in its place in the queue: the studio was closed while it
        ran, or the disk filled up. Neither is the job's fault, so it is not an attempt."""
        with self.ws.write() as db:
            db.execute(
                "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL,"
                " attempts = max(attempts - 1, 0), message = ?"
                " WHERE id = ? AND status = 'running'",
                (note, job_id),
            )
        self.changed.set()

    def recover_interrupted(self) -> builtins.list[int]:
        """Queue again the jobs a crashed worker left ``running`` (failed after
        :data:`MAX_ATTEMPTS`). Only a worker holding the workspace's worker lock calls
        this: then no other worker can be running them."""
        with self.ws.write() as db:
            rows = list(db.execute("SELECT id, attempts FROM jobs WHERE status = 'running'"))
            for job_id, attempts in rows:
                if attempts >= MAX_ATTEMPTS:
                    db.execute(
                        "UPDATE jobs SET status = 'failed', finished_at = ?, message = 'Failed',"
                        " error = ? WHERE id = ?",
                        (
                            utcnow(),
                            f"The studio stopped while running this job {attempts} times; "
                            "it was not started again. Retry it when the cause is fixed.",
                            job_id,
                        ),
                    )
                else:
                    db.execute(
                        "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL,"
                        " message = 'Queued again: the studio stopped while it ran'"
                        " WHERE id = ?",
                        (job_id,),
                    )
        if rows:
            self.changed.set()
        return [row[0] for row in rows]

    def requeue(self, job_id: int, reason: str) -> bool:
        """Queue a running job again after the machine running it was lost; it fails
        instead once it has been tried :data:`MAX_ATTEMPTS` times. True when queued."""
        with self.ws.write() as db:
            row = db.execute(
                "SELECT attempts FROM jobs WHERE id = ? AND status = 'running'", (job_id,)
            ).fetchone()
            if row is None:
                return False
            if row[0] >= MAX_ATTEMPTS:
                db.execute(
                    "UPDATE jobs SET status = 'failed', finished_at = ?, message = 'Failed',"
                    " error = ? WHERE id = ?",
                    (utcnow(), f"{reason}, {row[0]} times; it was not started again.", job_id),
                )
                return False
            db.execute(
                "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL,"
                " message = ? WHERE id = ?",
                (f"Queued again: {reason}", job_id),
            )
        self.changed.set()
        return True

    # --- the user's side ----------------------------------------------------------------

    def cancel(self, job_id: int) -> bool:
        """Cancel a queued or running job; False when it had already finished.

        A running job stops at its generator's next cancel check; its row is marked
        ``cancelled`` now, so the queue shows the user's decision at once.
        """
        job = self.get(job_id)
        if job.status not in PENDING:
            return False
        with self.ws.write() as db:
            db.execute(
                "UPDATE jobs SET status = 'cancelled', message = 'Cancelled', finished_at = ?"
                " WHERE id = ? AND status IN ('queued', 'running')",
                (utcnow(), job_id),
            )
        if job.status == "running":
            for hook in list(self._cancel_hooks):
                hook(job_id)
        self.changed.set()
        return True

    def cancel_all(self, campaign_id: int | None = None) -> int:
        """Cancel every queued and running job (of one campaign, when given)."""
        where = "status IN ('queued', 'running')"
        params: tuple[Any, ...] = ()
        if campaign_id is not None:
            where += " AND campaign_id = ?"
            params = (campaign_id,)
        with self.ws.write() as db:
            running = [
                row[0]
                for row in db.execute(
                    f"SELECT id FROM jobs WHERE {where} AND status = 'running'", params
                )
            ]
            cursor = db.execute(
                f"UPDATE jobs SET status = 'cancelled', message = 'Cancelled', finished_at = ?"
                f" WHERE {where}",
                (utcnow(), *params),
            )
        for job_id in running:
            for hook in list(self._cancel_hooks):
                hook(job_id)
        self.changed.set()
        return cursor.rowcount

    def retry(self, job_id: int) -> int:
        """Queue a failed or cancelled job again, at the end of the queue."""
        job = self.get(job_id)
        if job.status not in ("failed", "cancelled"):
            raise StudioError(
                f"Job {job_id} is {job.status}; only failed or cancelled jobs can be retried."
            )
        with self.ws.write() as db:
            position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM jobs").fetchone()[0]
            db.execute(
                "UPDATE jobs SET status = 'queued', position = ?, progress = 0, message = '',"
                " error = NULL, started_at = NULL, finished_at = NULL WHERE id = ?",
                (position, job_id),
            )
        self.changed.set()
        return job_id

    def retry_failed(self, campaign_id: int | None = None) -> builtins.list[int]:
        """Queue every failed job again (of one campaign, when given), in their order."""
        jobs = [
            job
            for job in self.list("failed")
            if campaign_id is None or job.campaign_id == campaign_id
        ]
        return [self.retry(job.id) for job in jobs]

    def move(self, job_id: int, new_position: int) -> None:
        """Move a queued job to index ``new_position`` (0 = next to run) among queued jobs."""
        job = self.get(job_id)
        if job.status != "queued":
            raise StudioError(f"Job {job_id} is {job.status}; only queued jobs can be moved.")
        with self.ws.write() as db:
            rows = list(
                db.execute(
                    "SELECT id, position FROM jobs WHERE status = 'queued' ORDER BY position, id"
                )
            )
            ids = [row[0] for row in rows]
            slots = [row[1] for row in rows]
            ids.remove(job_id)
            ids.insert(max(0, min(new_position, len(ids))), job_id)
            # the queued jobs keep the same set of positions, in the new order, so jobs
            # added later still go after them
            for new_slot, moved_id in zip(slots, ids, strict=True):
                db.execute("UPDATE jobs SET position = ? WHERE id = ?", (new_slot, moved_id))
        self.changed.set()

    def remove_finished(self, campaign_id: int | None = None) -> int:
        """Delete done, failed and cancelled jobs from the list (their assets stay)."""
        sql = "DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled')"
        params: tuple[Any, ...] = ()
        if campaign_id is not None:
            sql += " AND campaign_id = ?"
            params = (campaign_id,)
        with self.ws.write() as db:
            return db.execute(sql, params).rowcount

    # --- the worker attaches here -------------------------------------------------------

    def add_cancel_hook(self, hook: Callable[[int | None], None]) -> None:
        self._cancel_hooks.append(hook)

    def remove_cancel_hook(self, hook: Callable[[int | None], None]) -> None:
        if hook in self._cancel_hooks:
            self._cancel_hooks.remove(hook)
