"""Running a campaign's queued jobs now, in the foreground, with overall progress.

The command line's ``studio generate``, the quickstart and the self-test run campaigns
this way: the one worker thread runs the jobs, and this reports their weighted progress
to the caller's callbacks. A cancel (Ctrl-C) stops the running job cooperatively; jobs not
started stay queued, so running again continues where it stopped.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

from studio.core.errors import Cancelled, StudioError
from studio.jobs import JobEvent, JobQueue, Worker
from studio.services.generation import default_handlers
from studio.services.planning import enqueue_generation, job_units
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

Update = Callable[[str, float | None], None]
#: told of a job that failed, or that stored copy needing edits: (job label, message)
Problem = Callable[[str, str], None]


class ForegroundRun:
    def __init__(
        self,
        ws: Workspace,
        campaign_id: int,
        update: Update,
        on_problem: Problem | None = None,
        make_worker: Callable[..., Any] = Worker,
    ) -> None:
        self.queue = JobQueue(ws)
        self.update = update
        self.on_problem = on_problem or (lambda label, message: None)
        self.units = {
            job.id: max(1, job_units(ws, job.kind, job.payload, job.target_id))
            for job in self.queue.list("queued")
            if job.campaign_id == campaign_id
        }
        self.total = sum(self.units.values()) or 1
        self.done_units = 0.0
        self.failed: list[tuple[int, str, str]] = []
        self.worker = make_worker(
            ws.path,
            self.queue,
            default_handlers(),
            self.on_event,
            stop_when_idle=True,
            campaign_id=campaign_id,
        )

    def on_event(self, event: JobEvent) -> None:
        units = self.units.get(event.job_id, 1)
        label = f"{event.job_kind} (job {event.job_id})"
        if event.kind in ("finished", "failed", "cancelled"):
            self.done_units += units
            if event.kind == "failed":
                self.failed.append((event.job_id, event.job_kind, event.error or ""))
                self.on_problem(label, event.error or "failed")
            elif event.result.get("passed") is False:  # stored, but a field has no pass
                problems = "; ".join(event.result.get("problems", []))
                self.on_problem(label, f"needs editing: {problems}")
            self.update(f"{label} {event.kind}", min(self.done_units / self.total, 1.0))
        elif event.kind in ("started", "progress"):
            fraction = (self.done_units + units * (event.fraction or 0.0)) / self.total
            self.update(f"{label}: {event.message or event.kind}", min(fraction, 1.0))

    def run(self) -> None:
        self.worker.start()
        try:
            while not self.worker.join(0.2):
                pass
        except KeyboardInterrupt:
            self.update("Cancelling…", None)
            self.worker.stop(cancel_running=True, timeout=120)
            raise Cancelled(
                "Cancelled; the running job stopped and the rest stay queued "
                "(run the command again to continue)."
            ) from None
        if self.worker.error is not None:
            error = self.worker.error
            if isinstance(error, StudioError):
                raise error
            raise StudioError(f"The job worker stopped: {error}")


def quiet_model_progress_bars() -> None:
    """One progress bar: the model loaders' own bars would tear the caller's apart."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # loaders that use tqdm directly (GGUF)
    if "transformers" in sys.modules:  # already imported: its setting was read at import
        sys.modules["transformers"].utils.logging.disable_progress_bar()


def run_campaign(
    ws: Workspace,
    campaign_id: int,
    *,
    update: Update | None = None,
    on_problem: Problem | None = None,
    make_worker: Callable[..., Any] = Worker,
) -> dict[str, Any]:
    """Queue what a campaign still lacks and run its jobs; returns a summary.

    ``make_worker`` builds what runs the jobs (the local worker, or a cluster's; same
    arguments as :class:`~studio.jobs.Worker`)."""
    queue = JobQueue(ws)
    queued = []
    if not queue.pending_count(campaign_id):
        queued = enqueue_generation(ws, campaign_id, queue)
    started = time.perf_counter()
    quiet_model_progress_bars()
    run = ForegroundRun(
        ws, campaign_id, update or (lambda text, fraction: None), on_problem, make_worker
    )
    run.run()
    counts: dict[str, int] = {}
    for asset in store.current_assets(ws, campaign_id):
        counts[asset.kind] = counts.get(asset.kind, 0) + 1
    return {
        "campaign_id": campaign_id,
        "jobs_queued": len(queued),
        "failed": [{"job_id": j, "kind": k, "error": e} for j, k, e in run.failed],
        "assets": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
