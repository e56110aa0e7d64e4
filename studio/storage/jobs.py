"""The ``jobs`` table: every read and write of the persisted queue.

Each status change is one short write whose guards (status, dependencies, attempts) are
in the statement or the transaction itself, so no job can run twice whichever process
asks. :class:`studio.jobs.JobQueue` adds what is not SQL: waking the worker, and telling
it when the user cancels the job it runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from studio.storage.workspace import Workspace, inserted_id, to_json, utcnow

PENDING = ("queued", "running")
#: a job interrupted by a crash this many times is marked failed instead of queued again
MAX_ATTEMPTS = 3


def run_order(alias: str = "") -> str:
    """The one order jobs are listed in: running, then queued in run order, then the
    finished ones, newest first."""
    a = f"{alias}." if alias else ""
    return (
        f"CASE {a}status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END,"
        f" CASE WHEN {a}status IN ('running', 'queued') THEN {a}position ELSE -{a}id END"
    )


def _campaign_filter(campaign_id: int | None) -> tuple[str, tuple[Any, ...]]:
    return ("", ()) if campaign_id is None else (" AND campaign_id = ?", (campaign_id,))


# --- adding ------------------------------------------------------------------------------


def insert_jobs(
    ws: Workspace, jobs: Iterable[tuple[str, dict[str, Any], int | None, int | None]]
) -> list[int]:
    """Add jobs at the end of the queue in one transaction: all or none. A payload's
    ``after`` may hold ``-k``, "the k-th job of this call" (1-based)."""
    ids: list[int] = []
    with ws.write() as db:
        for kind, payload, campaign_id, target_id in jobs:
            payload = dict(payload)
            if "after" in payload:
                payload["after"] = [ids[-i - 1] if i < 0 else i for i in payload["after"]]
            position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM jobs").fetchone()[0]
            ids.append(
                inserted_id(
                    db.execute(
                        "INSERT INTO jobs (campaign_id, target_id, kind, payload, status,"
                        " position, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                        (campaign_id, target_id, kind, to_json(payload), position, utcnow()),
                    )
                )
            )
    return ids


# --- reading ---------------------------------------------------------------------------------


def job_row(ws: Workspace, job_id: int) -> dict[str, Any] | None:
    rows = ws.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
    return rows[0] if rows else None


def job_rows(ws: Workspace, statuses: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Jobs in :func:`run_order`, of the given statuses when named."""
    if statuses is None:
        return ws.query(f"SELECT * FROM jobs ORDER BY {run_order()}")
    wanted = list(statuses)
    marks = ", ".join("?" for _ in wanted)
    return ws.query(
        f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY {run_order()}", tuple(wanted)
    )


def queue_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Every job with what it works on, running first, then queued, then the newest done."""
    rows = ws.query(
        """
        SELECT j.id, j.kind, j.status, j.position, j.progress, j.message, j.error, j.payload,
               j.started_at, j.campaign_id, c.name AS campaign, s.name AS segment,
               p.name AS product, t.channel_format
        FROM jobs j
        LEFT JOIN campaigns c ON c.id = j.campaign_id
        LEFT JOIN campaign_targets t ON t.id = j.target_id
        LEFT JOIN segments s ON s.id = t.segment_id
        LEFT JOIN products p ON p.id = t.product_id
        ORDER BY """
        + run_order("j")
    )
    for row in rows:
        row["payload"] = json.loads(row["payload"] or "{}")
    return rows


def status_counts(ws: Workspace) -> dict[str, int]:
    rows = ws.query("SELECT status, count(*) AS n FROM jobs GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


def finished_results(ws: Workspace, kind: str, limit: int) -> list[dict[str, Any]]:
    """Results of the latest jobs of a kind that finished (for timing estimates)."""
    rows = ws.query(
        "SELECT result FROM jobs WHERE kind = ? AND status = 'done' ORDER BY id DESC LIMIT ?",
        (kind, limit),
    )
    return [json.loads(row["result"] or "{}") for row in rows]


def pending_count(ws: Workspace, campaign_id: int | None = None) -> int:
    where, params = _campaign_filter(campaign_id)
    return int(
        ws.scalar(f"SELECT count(*) FROM jobs WHERE status IN ('queued', 'running'){where}", params)
    )


# --- the worker's side -----------------------------------------------------------------------


def claim_next(ws: Workspace, campaign_id: int | None = None) -> int | None:
    """Mark the first queued job whose dependencies have all finished ``running``; its id
    (None when no job can run now)."""
    where, params = _campaign_filter(campaign_id)
    with ws.write() as db:
        queued = db.query(
            f"SELECT id, payload FROM jobs WHERE status = 'queued'{where} ORDER BY position, id",
            params,
        )
        waiting_on = {
            row[0]
            for row in db.execute("SELECT id FROM jobs WHERE status IN ('queued', 'running')")
        }
        for row in queued:
            after = json.loads(row["payload"] or "{}").get("after", [])
            if any(int(dep) in waiting_on for dep in after):
                continue
            db.execute(
                "UPDATE jobs SET status = 'running', started_at = ?, finished_at = NULL,"
                " progress = 0, message = '', error = NULL, attempts = attempts + 1"
                " WHERE id = ?",
                (utcnow(), row["id"]),
            )
            return int(row["id"])
    return None


def set_progress(ws: Workspace, job_id: int, fraction: float | None, message: str) -> bool:
    """Record a running job's progress; False when it is no longer running."""
    with ws.write() as db:
        cursor = db.execute(
            "UPDATE jobs SET progress = coalesce(?, progress), message = ?"
            " WHERE id = ? AND status = 'running'",
            (fraction, message, job_id),
        )
    return cursor.rowcount == 1


def end_job(
    ws: Workspace,
    job_id: int,
    status: str,
    *,
    message: str,
    error: str | None = None,
    result: dict[str, Any] | None = None,
    progress: float | None = None,
) -> None:
    """End a running job (a job cancelled meanwhile stays cancelled)."""
    with ws.write() as db:
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


def interrupt(ws: Workspace, job_id: int, note: str) -> None:
    """Put a running job back in its place; not counted as an attempt."""
    with ws.write() as db:
        db.execute(
            "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL,"
            " attempts = max(attempts - 1, 0), message = ?"
            " WHERE id = ? AND status = 'running'",
            (note, job_id),
        )


def _queue_again_or_fail(
    db: Any, job_id: int, attempts: int, *, queued_note: str, failed_error: str
) -> bool:
    """The one rule for a job that stopped without ending: queued again, or failed once it
    has been tried :data:`MAX_ATTEMPTS` times. True when queued."""
    if attempts >= MAX_ATTEMPTS:
        db.execute(
            "UPDATE jobs SET status = 'failed', finished_at = ?, message = 'Failed',"
            " error = ? WHERE id = ?",
            (utcnow(), failed_error, job_id),
        )
        return False
    db.execute(
        "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL,"
        " message = ? WHERE id = ?",
        (queued_note, job_id),
    )
    return True


def recover_running(ws: Workspace) -> list[int]:
    """Jobs a crashed worker left ``running``, queued again (or failed); their ids."""
    with ws.write() as db:
        rows = list(db.execute("SELECT id, attempts FROM jobs WHERE status = 'running'"))
        for job_id, attempts in rows:
            _queue_again_or_fail(
                db, job_id, attempts,
                queued_note="Queued again: the studio stopped while it ran",
                failed_error=f"The studio stopped while running this job {attempts} times; "
                "it was not started again. Retry it when the cause is fixed.",
            )  # fmt: skip
    return [row[0] for row in rows]


def requeue(ws: Workspace, job_id: int, reason: str) -> bool:
    """A running job whose machine was lost, queued again (or failed); True when queued."""
    with ws.write() as db:
        row = db.execute(
            "SELECT attempts FROM jobs WHERE id = ? AND status = 'running'", (job_id,)
        ).fetchone()
        return row is not None and _queue_again_or_fail(
            db, job_id, row[0],
            queued_note=f"Queued again: {reason}",
            failed_error=f"{reason}, {row[0]} times; it was not started again.",
        )  # fmt: skip


# --- the user's side -------------------------------------------------------------------------


def cancel_jobs(
    ws: Workspace, *, job_id: int | None = None, campaign_id: int | None = None
) -> tuple[int, list[int]]:
    """Cancel queued and running jobs (one, one campaign's, or all): how many, and the ids
    of those that were running (their generators must be told)."""
    where = "status IN ('queued', 'running')"
    params: tuple[Any, ...] = ()
    if job_id is not None:
        where, params = where + " AND id = ?", (job_id,)
    elif campaign_id is not None:
        where, params = where + " AND campaign_id = ?", (campaign_id,)
    with ws.write() as db:
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
    return cursor.rowcount, running


def queue_again(ws: Workspace, job_id: int) -> None:
    """A failed or cancelled job, queued again at the end."""
    with ws.write() as db:
        position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM jobs").fetchone()[0]
        db.execute(
            "UPDATE jobs SET status = 'queued', position = ?, progress = 0, message = '',"
            " error = NULL, started_at = NULL, finished_at = NULL WHERE id = ?",
            (position, job_id),
        )


def move(ws: Workspace, job_id: int, new_position: int) -> None:
    """Move a queued job to index ``new_position`` (0 = next) among queued jobs; they
    keep the same set of positions, so jobs added later still go after them."""
    with ws.write() as db:
        rows = list(
            db.execute(
                "SELECT id, position FROM jobs WHERE status = 'queued' ORDER BY position, id"
            )
        )
        ids = [row[0] for row in rows]
        slots = [row[1] for row in rows]
        ids.remove(job_id)
        ids.insert(max(0, min(new_position, len(ids))), job_id)
        for slot, moved in zip(slots, ids, strict=True):
            db.execute("UPDATE jobs SET position = ? WHERE id = ?", (slot, moved))


def remove_finished(ws: Workspace, campaign_id: int | None = None) -> int:
    """Delete done, failed and cancelled jobs (their assets stay)."""
    where, params = _campaign_filter(campaign_id)
    with ws.write() as db:
        return db.execute(
            f"DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled'){where}", params
        ).rowcount
