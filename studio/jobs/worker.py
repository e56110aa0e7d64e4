"""The one background worker that runs the queue's jobs, one at a time.

The worker is a plain thread (no Qt): it opens its own workspace connection, claims the
next job, runs the job's handler with a :class:`ProgressSink` and a :class:`CancelToken`,
stores the outcome, and reports every step as a :class:`JobEvent` to a listener callback.
The GUI adapts the listener to queued Qt signals; the CLI draws a progress bar.

Only one worker runs per workspace, across processes: it holds ``worker.lock`` in the
workspace folder while it runs. Holding that lock also proves that jobs still marked
``running`` belong to a worker that died, so they are queued again on start.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout

from studio.core.errors import Cancelled, StorageFull, StudioError, WorkspaceBusy
from studio.core.machine_load import LoadMeter
from studio.core.progress import CancelToken, ProgressEvent, ProgressSink
from studio.jobs.queue import Job, JobQueue
from studio.storage import timings
from studio.storage.workspace import WORKER_LOCK, Workspace

log = logging.getLogger(__name__)

#: progress is written to the database at most this often (events are not throttled)
PROGRESS_WRITE_INTERVAL_S = 0.5
#: how often an idle worker looks for jobs queued by another process
POLL_INTERVAL_S = 0.5
#: pause between tries while another process holds the workspace's write lock (each
#: try itself waits SQLite's busy timeout)
BUSY_RETRY_S = 1.0

EventKind = Literal[
    "started", "progress", "preview", "text", "finished", "failed", "cancelled", "interrupted"
]


#: what a job put back in the queue by a full disk says in the Queue
DISK_FULL_NOTE = "Waiting: the disk was full; it runs again when there is room"


@dataclass(frozen=True)
class JobEvent:
    """One thing that happened to a job, as the worker reports it.

    ``fraction`` is in [0, 1] (None when unknown); ``preview`` is a PIL image (a diffusion
    step); ``text`` is streamed text (copy tokens); ``error`` is the message of a failure;
    ``result`` is what a finished job returned (e.g. ``{"asset_ids": [...]}``).
    """

    job_id: int
    kind: EventKind
    fraction: float | None = None
    message: str = ""
    preview: Any = None
    text: str | None = None
    error: str | None = None
    job_kind: str = ""
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobContext:
    """What a handler gets: the worker's own workspace connection, the job, progress, cancel."""

    ws: Workspace
    job: Job
    sink: ProgressSink
    cancel: CancelToken


@dataclass
class JobOutcome:
    """What a handler made: its result, and how to store what it made.

    ``store`` runs in the same transaction that marks the job done, so a job's assets and
    its completion land together: a crash leaves neither, and the rerun cannot store them
    twice. It returns the ids of the rows it wrote (kept in the result as ``asset_ids``).
    """

    result: dict[str, Any] = field(default_factory=dict)
    store: Callable[[Workspace], list[int]] | None = None


#: a handler runs one job (computing, never writing) and returns its outcome
Handler = Callable[[JobContext], JobOutcome]
#: set to "after-store" to end the process between a job's store and its commit (tests)
FAULT_ENV = "STUDIO_FAULT"
Listener = Callable[[JobEvent], None]


class QueueRunner:
    """What every runner of a workspace's queue shares: the workspace lock (one runner per
    workspace, across processes), the thread's start and end, and job events to a
    listener. :class:`Worker` runs jobs here; :class:`studio.cluster.dispatcher.ClusterWorker`
    on a Ray cluster."""

    #: the thread's name, for logs and debuggers
    thread_name = "studio-runner"

    def __init__(
        self,
        ws_path: Path | str,
        queue: JobQueue,
        listener: Listener | None = None,
        *,
        stop_when_idle: bool = False,
        campaign_id: int | None = None,
    ) -> None:
        self.ws_path = Path(ws_path)
        self.queue = queue
        self.listener = listener
        self.stop_when_idle = stop_when_idle
        self.campaign_id = campaign_id
        self._stopping = threading.Event()
        # set when the thread has ended; used instead of Thread.join/is_alive, whose
        # state a Ctrl-C during join can corrupt on Python < 3.13
        self._finished = threading.Event()
        self._finished.set()
        self._lock = FileLock(str(self.ws_path / WORKER_LOCK), thread_local=False)
        self.error: BaseException | None = None
        #: set by ``stop(requeue_running=True)``: a job cancelled by the stop goes back
        #: in the queue instead of ending cancelled
        self._requeue_running = False

    def start(self) -> None:
        """Start the thread. Raises StudioError when another runner has this workspace."""
        if self.is_running:
            return
        try:
            self._lock.acquire(timeout=0)
        except Timeout as error:
            raise StudioError(
                f"Another Campaign Studio window or command is already generating in "
                f"{self.ws_path}.",
                hint="wait for it to finish, or close it, then try again",
            ) from error
        self._stopping.clear()
        self._finished.clear()
        self.queue.add_cancel_hook(self._on_cancel)
        threading.Thread(target=self._run, name=self.thread_name, daemon=True).start()

    def stop(
        self,
        cancel_running: bool = True,
        timeout: float | None = 30.0,
        *,
        requeue_running: bool = False,
    ) -> bool:
        """Stop after the running jobs (cancelling them when ``cancel_running``; with
        ``requeue_running`` they are queued again instead) and join.

        Returns True when the thread has ended within ``timeout``.
        """
        self._requeue_running = requeue_running
        self._stopping.set()
        self.queue.changed.set()
        if cancel_running:
            self._on_cancel(None)
        return self.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        return self._finished.wait(timeout)

    @property
    def is_running(self) -> bool:
        return not self._finished.is_set()

    def _ended(self) -> None:
        """The thread's last step, whatever happened."""
        self.queue.remove_cancel_hook(self._on_cancel)
        self._lock.release()
        self._finished.set()

    def _emit(self, event: JobEvent) -> None:
        if self.listener is None:
            return
        try:
            self.listener(event)
        except Exception:  # a broken listener must not break the queue
            log.exception("job event listener failed on %s", event.kind)

    def _on_cancel(self, job_id: int | None) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        raise NotImplementedError

    def _record_cancelled(self, queue: JobQueue, job: Job) -> None:
        """A job that stopped on a cancel: back in the queue when the runner was stopped
        to close the app (it runs again on the next start, and the jobs after it wait for
        it), cancelled otherwise."""
        if self._requeue_running and self._stopping.is_set():
            queue.interrupt(job.id)
            message = "Interrupted: it runs again when the studio next starts"
            self._emit(JobEvent(job.id, "interrupted", message=message, job_kind=job.kind))
        else:
            queue.mark_cancelled(job.id)
            self._emit(JobEvent(job.id, "cancelled", message="Cancelled", job_kind=job.kind))


class Worker(QueueRunner):
    """Runs queued jobs in a background thread until stopped.

    ``queue`` is the caller's queue object: the worker wakes when it changes and is told
    through it when the user cancels a running job. The worker itself reads and writes
    through its own connection, opened in its thread.

    With ``stop_when_idle=True`` the worker ends when no runnable job is left (the CLI's
    foreground run); otherwise it waits for new jobs until :meth:`stop`.
    """

    thread_name = "studio-worker"

    def __init__(
        self,
        ws_path: Path | str,
        queue: JobQueue,
        handlers: Mapping[str, Handler],
        listener: Listener | None = None,
        *,
        stop_when_idle: bool = False,
        campaign_id: int | None = None,
    ) -> None:
        super().__init__(
            ws_path, queue, listener, stop_when_idle=stop_when_idle, campaign_id=campaign_id
        )
        self.handlers = dict(handlers)
        self._state_lock = threading.Lock()
        self._current: tuple[int, CancelToken] | None = None
        #: how busy other programs keep the machine while a job runs
        self._load = LoadMeter()

    # --- control ------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        """True while a job is running."""
        with self._state_lock:
            return self._current is not None

    @property
    def current_job_id(self) -> int | None:
        with self._state_lock:
            return None if self._current is None else self._current[0]

    def _on_cancel(self, job_id: int | None) -> None:
        with self._state_lock:
            if self._current is not None and job_id in (None, self._current[0]):
                self._current[1].cancel()

    # --- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        try:
            with Workspace.open(self.ws_path) as ws:
                queue = JobQueue(ws)
                recovered = queue.recover_interrupted()
                if recovered:
                    log.warning("queued again after an interrupted run: jobs %s", recovered)
                self._loop(queue)
        except StudioError as error:  # e.g. a full disk: said once, in the user's words
            log.error("the job worker stopped: %s", error)
            self.error = error
        except BaseException as error:  # the thread must report, never vanish silently
            log.exception("the job worker stopped on an unexpected error")
            self.error = error
        finally:
            self._ended()

    def _loop(self, queue: JobQueue) -> None:
        while not self._stopping.is_set():
            self.queue.changed.clear()
            try:
                job = queue.claim_next(campaign_id=self.campaign_id)
            except WorkspaceBusy:  # e.g. a long import in another window: wait for it
                self._stopping.wait(BUSY_RETRY_S)
                continue
            if job is None:
                if self.stop_when_idle and queue.pending_count(self.campaign_id) == 0:
                    return
                self.queue.changed.wait(POLL_INTERVAL_S)
                continue
            self._run_job(queue, job)

    def _run_job(self, queue: JobQueue, job: Job) -> None:
        token = CancelToken()
        with self._state_lock:
            self._current = (job.id, token)
        reporter = _Reporter(self, queue, job, token)
        self._emit(JobEvent(job.id, "started", 0.0, "Started", job_kind=job.kind))
        started = time.perf_counter()
        self._load.other_cores()  # from here: what else kept the machine busy
        try:
            handler = self.handlers.get(job.kind)
            if handler is None:
                raise StudioError(
                    f"Job {job.id} has kind '{job.kind}', which this studio cannot run.",
                    hint=f"known kinds: {', '.join(sorted(self.handlers))}",
                )
            token.raise_if_cancelled()
            outcome = handler(JobContext(ws=queue.ws, job=job, sink=reporter.sink, cancel=token))
            token.raise_if_cancelled()
            result = dict(outcome.result)
            result["seconds"] = round(time.perf_counter() - started, 3)
            result["contention"] = round(self._load.contention(), 3)
            self._store_when_free(queue, job, outcome, result, reporter)
            _remember_timing(job.kind, result)
        except Cancelled:
            self._end_when_free(partial(self._record_cancelled, queue, job))
        except StorageFull:
            # the job did nothing wrong: it goes back in the queue (not an attempt) and the
            # worker stops until there is room; if even that cannot be written, the job is
            # still "running" and the next start queues it again
            self._end_when_free(partial(queue.interrupt, job.id, DISK_FULL_NOTE))
            self._emit(JobEvent(job.id, "interrupted", message=DISK_FULL_NOTE, job_kind=job.kind))
            raise
        except StudioError as error:
            self._end_when_free(partial(queue.fail, job.id, str(error)))
            self._emit(JobEvent(job.id, "failed", error=str(error), job_kind=job.kind))
        except Exception as error:  # a bug in a generator must not end the worker
            log.exception("job %s (%s) failed", job.id, job.kind)
            message = f"Unexpected error in the {job.kind} job: {type(error).__name__}: {error}"
            self._end_when_free(partial(queue.fail, job.id, message))
            self._emit(JobEvent(job.id, "failed", error=message, job_kind=job.kind))
        else:
            self._emit(JobEvent(job.id, "finished", 1.0, "Done", job_kind=job.kind, result=result))
        finally:
            with self._state_lock:
                self._current = None

    def _store_when_free(
        self,
        queue: JobQueue,
        job: Job,
        outcome: JobOutcome,
        result: dict[str, Any],
        reporter: _Reporter,
    ) -> None:
        """Store what the job made and mark it done in one write, waiting as long as
        another process (a long import) holds the workspace: the work is not thrown away."""
        while True:
            try:
                with queue.ws.write():
                    if outcome.store is not None:
                        ids = outcome.store(queue.ws)
                        result["asset_ids"] = ids + result.get("asset_ids", [])
                        if os.environ.get(FAULT_ENV) == "after-store":
                            os._exit(9)  # a kill between storing and finishing, for the tests
                    queue.finish(job.id, result, message="Done")
                return
            except WorkspaceBusy:
                if self._stopping.is_set():
                    raise
                reporter.sink.update("Waiting: another program is writing to the workspace", 1.0)
                self._stopping.wait(BUSY_RETRY_S)

    def _end_when_free(self, end: Callable[[], None]) -> None:
        """Record how a job ended; when the workspace stays busy the job is left running,
        and the next start queues it again (this worker's lock proves it was ours)."""
        try:
            end()
        except WorkspaceBusy:
            log.warning("could not record a job's end: the workspace is busy")
        except StorageFull:
            log.warning("could not record a job's end: the disk is full")


class _Reporter:
    """Turns a generator's progress into job events and throttled database writes."""

    def __init__(self, worker: Worker, queue: JobQueue, job: Job, token: CancelToken) -> None:
        self.worker = worker
        self.queue = queue
        self.job = job
        self.token = token
        self.last_write = 0.0
        self.sink = ProgressSink(self.on_progress)

    def on_progress(self, event: ProgressEvent) -> None:
        job = self.job
        if event.preview is not None:
            kind: EventKind = "preview"
        elif event.text is not None:
            kind = "text"
        else:
            kind = "progress"
        self.worker._emit(
            JobEvent(
                job.id,
                kind,
                event.fraction,
                event.status,
                preview=event.preview,
                text=event.text,
                job_kind=job.kind,
            )
        )
        now = time.monotonic()
        if now - self.last_write >= PROGRESS_WRITE_INTERVAL_S:
            self.last_write = now
            try:
                running = self.queue.set_progress(job.id, event.fraction, event.status)
            except WorkspaceBusy:  # progress is only shown: the next write catches up
                return
            if not running:
                # cancelled from elsewhere (another window or process)
                self.token.cancel()


def _remember_timing(kind: str, result: dict[str, Any]) -> None:
    """This machine's seconds per unit of the job's kind (its model's loading apart), so
    the next campaign's estimate is measured, even in a new workspace."""
    units = result.get("units")
    if not units:
        return
    loading = float(result.get("load_seconds") or 0.0)
    # kept as an idle machine's figure: estimates scale it by how busy the machine is then
    contention = float(result.get("contention") or 1.0)
    timings.remember(kind, (float(result["seconds"]) - loading) / int(units) / contention)
    if loading > 0:
        timings.remember(f"load:{kind}", loading / contention)
