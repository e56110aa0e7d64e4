"""The desktop's side of cluster generation: the single writer that feeds Ray actors.

:class:`ClusterWorker` has the local :class:`~studio.jobs.worker.Worker`'s interface
(start, stop, join, job events to a listener) and holds the same workspace lock, so the
app and the command line use either. Its thread:

1. claims ready jobs from the queue (a job waits for the jobs it depends on), one per idle
   actor, and sends each with what it reads: a database snapshot when the job needs newer
   data than the actor has, and object-store references to the campaign's files;
2. polls running jobs for progress (and previews) and forwards cancels to them;
3. stores each outcome in one transaction with the job's completion, as the local worker
   does, so a job is never stored twice;
4. when an actor or its node dies, queues its job again (bounded by the queue's attempts)
   and starts a new actor; the run finishes on the others.

Models reach the actors without a hub: an actor resolves the desktop's model ids from its
own machine and receives the files of any it lacks (checked by sha256).

The four steps stay in one module because they share one state, the table of jobs in
flight and the pool of idle actors, which only the dispatcher's thread changes.

One module because the claim, poll and store steps share the thread's bookkeeping of
which job runs on which actor.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.cluster.transfer import campaign_files, database_snapshot, model_manifest
from studio.core.errors import Cancelled, StudioError
from studio.jobs.queue import Job, JobQueue
from studio.jobs.worker import JobEvent, Listener, QueueRunner
from studio.storage.workspace import Workspace, utcnow

log = logging.getLogger(__name__)

AUTO = "auto"
#: how often running jobs are polled for progress, and the loop wakes (seconds)
POLL_S = 0.25
#: a progress poll that takes longer than this is skipped (the actor is busy or gone)
POLL_TIMEOUT_S = 5.0
#: how long a stop waits for the running jobs to see their cancel (seconds)
WIND_DOWN_S = 20.0
#: progress is written to the database at most this often per job
PROGRESS_WRITE_S = 0.5


def ray_module() -> Any:
    """Ray, or a clear error when the cluster extra is not installed."""
    try:
        import ray
    except ImportError as error:
        raise StudioError(
            "Generating on a cluster needs Ray, which is not installed.",
            hint="install the cluster extra: pip install 'campaign-studio[cluster]'",
        ) from error
    return ray


@dataclass
class Flight:
    """A job out on an actor."""

    job: Job
    actor: Any
    started: float
    last_write: float = 0.0
    cancelled: bool = False


@dataclass
class ClusterOptions:
    #: ``auto`` (a Ray on this machine), ``HOST:PORT`` of a head node, or ``ray://HOST:PORT``
    address: str = AUTO
    #: actors to start; None: one per GPU, else one per ``cpus_per_worker`` CPUs
    workers: int | None = None
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0
    #: extra ``ray.init`` arguments (tests pass a temporary folder)
    init: dict[str, Any] = field(default_factory=dict)


class ClusterWorker(QueueRunner):
    """Runs the queue's jobs on Ray actors, storing their outcomes here."""

    thread_name = "studio-cluster"

    def __init__(
        self,
        ws_path: Path | str,
        queue: JobQueue,
        listener: Listener | None = None,
        *,
        options: ClusterOptions | None = None,
        stop_when_idle: bool = False,
        campaign_id: int | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(
            ws_path, queue, listener, stop_when_idle=stop_when_idle, campaign_id=campaign_id
        )
        #: told (from the dispatcher's thread) when the run stops on an error, such as a
        #: cluster that cannot be reached
        self.on_error = on_error
        self.options = options or ClusterOptions()
        self._state = threading.Lock()
        self._flights: dict[Any, Flight] = {}
        self._cancel_requests: set[int] = set()
        self.actors: list[Any] = []
        self._idle: list[Any] = []
        self._epoch = 0
        self._store_times: list[str] = []
        self._job_epochs: dict[int, int] = {}
        self._actor_epochs: dict[Any, int] = {}
        self._snapshot: tuple[int, Any] | None = None
        self._file_refs: dict[str, Any] = {}
        self._model_refs: dict[str, tuple[list[dict], list[Any], bool]] = {}
        self._owns_ray = False
        #: job ids that were re-queued after their actor died (for reports and tests)
        self.requeued: list[int] = []

    # --- control (as the local worker) ------------------------------------------------------

    def start(self) -> None:
        ray_module()  # a clear error now when Ray is missing, not later in the thread
        super().start()

    @property
    def is_busy(self) -> bool:
        with self._state:
            return bool(self._flights)

    @property
    def current_job_id(self) -> int | None:
        with self._state:
            return next((f.job.id for f in self._flights.values()), None)

    def _on_cancel(self, job_id: int | None) -> None:
        with self._state:
            for flight in self._flights.values():
                if job_id in (None, flight.job.id):
                    self._cancel_requests.add(flight.job.id)

    # --- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            with Workspace.open(self.ws_path) as ws:
                queue = JobQueue(ws)
                recovered = queue.recover_interrupted()
                if recovered:
                    log.warning("queued again after an interrupted run: jobs %s", recovered)
                self._connect()
                self._start_actors(self._actor_count())
                self._loop(ws, queue)
                self._wind_down(ws, queue)
        except BaseException as error:  # the thread must report, never vanish silently
            log.exception("the cluster dispatcher stopped on an error")
            self.error = error
            if self.on_error is not None:
                self.on_error(error)
        finally:
            self._shutdown()
            self._ended()

    def _connect(self) -> None:
        ray = ray_module()
        if ray.is_initialized():
            return
        address = self.options.address
        arguments: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
            **self.options.init,
        }
        try:
            if address == AUTO:
                cpus = max(1, int((self.options.workers or 1) * self.options.cpus_per_worker))
                ray.init(num_cpus=arguments.pop("num_cpus", cpus), **arguments)
            else:
                ray.init(address=address, **arguments)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise StudioError(
                f"Cannot connect to the Ray cluster at {address}: {error}",
                hint="start its head with 'ray start --head' and check the address and "
                "that this machine can reach it",
            ) from error
        self._owns_ray = True

    def _actor_count(self) -> int:
        if self.options.workers:
            return self.options.workers
        resources = ray_module().cluster_resources()
        if self.options.gpus_per_worker and resources.get("GPU"):
            return max(1, int(resources["GPU"] / self.options.gpus_per_worker))
        return max(1, int(resources.get("CPU", 1) / self.options.cpus_per_worker))

    def _start_actors(self, count: int) -> None:
        for _ in range(count):
            actor = self._new_actor()
            self.actors.append(actor)
            self._idle.append(actor)

    def _new_actor(self) -> Any:
        from generators.registry import all_specs, is_on_this_machine
        from studio.cluster.node import GenerationNode, NodeSetup

        ray = ray_module()
        setup = self._setup()
        actor = (
            ray.remote(GenerationNode)
            .options(
                num_cpus=self.options.cpus_per_worker,
                num_gpus=self.options.gpus_per_worker,
                max_concurrency=2,
            )
            .remote(NodeSetup(**setup))
        )
        here = [spec.id for spec in all_specs() if is_on_this_machine(spec)]
        for model_id in ray.get(actor.missing_models.remote(here)):
            manifest, refs, single = self._model_files(model_id)
            ray.get(actor.receive_model.remote(model_id, manifest, refs, single))
        self._actor_epochs[actor] = -1
        return actor

    def _setup(self) -> dict[str, Any]:
        from dataclasses import asdict

        from generators.registry import USER_MODELS_FILE
        from studio.core import paths, settings

        models = settings.models_dir() / USER_MODELS_FILE
        user_models = json.loads(models.read_text()) if models.exists() else []
        return {
            "settings": {
                **asdict(settings.load_settings()),
                "models_dir": str(settings.models_dir()),
            },
            "user_models": user_models,
            "cache_dir": str(paths.cache_dir()),
            "threads": max(1, int(self.options.cpus_per_worker)),
        }

    def _model_files(self, model_id: str) -> tuple[list[dict], list[Any], bool]:
        """The files of a model this machine has, put in the object store once."""
        if model_id not in self._model_refs:
            from dataclasses import asdict

            from generators.registry import get_spec, resolve_path

            ray = ray_module()
            path = resolve_path(get_spec(model_id), allow_pickle=True)
            files = model_manifest(path)
            root = path.parent if path.is_file() else path
            refs = [ray.put((root / item.relative).read_bytes()) for item in files]
            self._model_refs[model_id] = ([asdict(f) for f in files], refs, path.is_file())
        return self._model_refs[model_id]

    def _loop(self, ws: Workspace, queue: JobQueue) -> None:
        ray = ray_module()
        while not self._stopping.is_set():
            self.queue.changed.clear()
            self._dispatch(ws, queue)
            with self._state:
                refs = list(self._flights)
            if not refs:
                if self.stop_when_idle and queue.pending_count(self.campaign_id) == 0:
                    return
                self.queue.changed.wait(POLL_S)
                continue
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=POLL_S)
            for ref in ready:
                self._collect(ws, queue, ref)
            self._forward_cancels()
            self._poll(queue)

    def _wind_down(self, ws: Workspace, queue: JobQueue) -> None:
        """On stop: let the running jobs see their cancel and store what they return;
        a job whose actor does not answer in time is queued again for the next run."""
        ray = ray_module()
        self._forward_cancels()
        deadline = time.monotonic() + WIND_DOWN_S
        while time.monotonic() < deadline:
            with self._state:
                refs = list(self._flights)
            if not refs:
                return
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=POLL_S)
            for ref in ready:
                self._collect(ws, queue, ref)
        with self._state:
            left = [flight.job.id for flight in self._flights.values()]
            self._flights.clear()
        for job_id in left:
            queue.requeue(job_id, "the run was stopped while this job ran on the cluster")

    def _dispatch(self, ws: Workspace, queue: JobQueue) -> None:
        while self._idle and not self._stopping.is_set():
            job = queue.claim_next(campaign_id=self.campaign_id)
            if job is None:
                return
            actor = self._idle.pop(0)
            snapshot = None
            needed = self._needed_epoch(job)
            if self._actor_epochs.get(actor, -1) < needed:
                snapshot = self._snapshot_ref(ws)
                self._actor_epochs[actor] = self._epoch
            files = self._files(ws, job.campaign_id)
            ref = actor.run.remote(job, self._epoch, snapshot, files)
            with self._state:
                self._flights[ref] = Flight(job, actor, time.perf_counter())
            self._emit(
                JobEvent(job.id, "started", 0.0, "Started on the cluster", job_kind=job.kind)
            )

    def _needed_epoch(self, job: Job) -> int:
        """The oldest snapshot a job can run on: one with the outcomes stored before it
        was queued, and those of the jobs it waits for."""
        before = sum(1 for stored in self._store_times if stored <= job.created_at)
        return max([before, *(self._job_epochs.get(dep, 0) for dep in job.after)])

    def _snapshot_ref(self, ws: Workspace) -> Any:
        if self._snapshot is None or self._snapshot[0] != self._epoch:
            self._snapshot = (self._epoch, ray_module().put(database_snapshot(ws)))
        return self._snapshot[1]

    def _files(self, ws: Workspace, campaign_id: int | None) -> dict[str, Any]:
        ray = ray_module()
        refs = {}
        for sha256, media_type in campaign_files(ws, campaign_id):
            if sha256 not in self._file_refs:
                try:
                    data = ws.assets.open(sha256, media_type).read_bytes()
                except (StudioError, OSError):
                    continue  # a missing file fails the job that needs it, clearly
                self._file_refs[sha256] = ray.put(data)
            refs[sha256] = self._file_refs[sha256]
        return refs

    def _collect(self, ws: Workspace, queue: JobQueue, ref: Any) -> None:
        ray = ray_module()
        with self._state:
            flight = self._flights.pop(ref)
            self._cancel_requests.discard(flight.job.id)
        job = flight.job
        try:
            outcome = ray.get(ref)
        except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as error:
            self._replace(flight.actor)
            reason = "the cluster worker running it was lost"
            log.warning("job %s: %s (%s)", job.id, reason, type(error).__name__)
            if queue.requeue(job.id, reason):
                self.requeued.append(job.id)
            else:
                self._emit(JobEvent(job.id, "failed", error=reason, job_kind=job.kind))
            return
        except ray.exceptions.RayTaskError as error:
            self._idle.append(flight.actor)
            self._failed(queue, job, error.cause if error.cause is not None else error)
            return
        self._idle.append(flight.actor)
        self._drain(queue, flight)
        try:
            result = dict(outcome.result)
            result["seconds"] = round(time.perf_counter() - flight.started, 3)
            with ws.write():
                if outcome.store is not None:
                    result["asset_ids"] = outcome.store(ws) + result.get("asset_ids", [])
                queue.finish(job.id, result, message="Done")
        except Exception as error:
            self._failed(queue, job, error)
            return
        self._epoch += 1
        self._store_times.append(utcnow())
        self._job_epochs[job.id] = self._epoch
        self._emit(JobEvent(job.id, "finished", 1.0, "Done", job_kind=job.kind, result=result))

    def _failed(self, queue: JobQueue, job: Job, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            self._record_cancelled(queue, job)
            return
        if isinstance(error, StudioError):
            message = str(error)
        else:
            log.error("job %s (%s) failed on the cluster: %r", job.id, job.kind, error)
            message = f"Unexpected error in the {job.kind} job: {type(error).__name__}: {error}"
        queue.fail(job.id, message)
        self._emit(JobEvent(job.id, "failed", error=message, job_kind=job.kind))

    def _replace(self, actor: Any) -> None:
        ray = ray_module()
        if actor in self.actors:
            self.actors.remove(actor)
        self._actor_epochs.pop(actor, None)
        with contextlib.suppress(Exception):  # already gone
            ray.kill(actor)
        if not self._stopping.is_set():
            new = self._new_actor()
            self.actors.append(new)
            self._idle.append(new)

    def _forward_cancels(self) -> None:
        with self._state:
            wanted = [f for f in self._flights.values()
                      if f.job.id in self._cancel_requests and not f.cancelled]  # fmt: skip
        for flight in wanted:
            flight.cancelled = True
            flight.actor.cancel.remote(flight.job.id)

    def _poll(self, queue: JobQueue) -> None:
        ray = ray_module()
        with self._state:
            flights = list(self._flights.values())
        if not flights:
            return
        polls = [flight.actor.poll.remote(flight.job.id) for flight in flights]
        ready, _ = ray.wait(polls, num_returns=len(polls), timeout=POLL_TIMEOUT_S)
        for flight, poll in zip(flights, polls, strict=True):
            if poll not in ready:
                continue
            try:
                events = ray.get(poll)
            except ray.exceptions.RayError:
                continue  # the job's own result will say what happened
            for event in events:
                self._forward(queue, flight, event)

    def _drain(self, queue: JobQueue, flight: Flight) -> None:
        """Forward what a finished job reported since the last poll (short jobs finish
        between two polls)."""
        ray = ray_module()
        try:
            events = ray.get(flight.actor.poll.remote(flight.job.id, True), timeout=POLL_TIMEOUT_S)
        except (ray.exceptions.RayError, TimeoutError):
            return
        for event in events:
            self._forward(queue, flight, event)

    def _forward(self, queue: JobQueue, flight: Flight, event: dict[str, Any]) -> None:
        job = flight.job
        kind = (
            "preview" if event["preview"] is not None else "text" if event["text"] else "progress"
        )
        self._emit(
            JobEvent(job.id, kind, event["fraction"], event["status"], preview=event["preview"],
                     text=event["text"], job_kind=job.kind)
        )  # fmt: skip
        now = time.monotonic()
        if now - flight.last_write >= PROGRESS_WRITE_S:
            flight.last_write = now
            if not queue.set_progress(job.id, event["fraction"], event["status"]):
                with self._state:
                    self._cancel_requests.add(job.id)  # cancelled from another process

    def _shutdown(self) -> None:
        try:
            ray = ray_module()
        except StudioError:
            return
        for actor in self.actors:
            with contextlib.suppress(Exception):
                ray.kill(actor)
        self.actors.clear()
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()


def worker_factory(options: ClusterOptions) -> Callable[..., ClusterWorker]:
    """Build cluster workers where the foreground run and the app build local ones."""

    def make(ws_path, queue, handlers, listener=None, **kwargs) -> ClusterWorker:
        return ClusterWorker(ws_path, queue, listener, options=options, **kwargs)

    return make


def parse_address(text: str) -> str:
    """``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``; anything else is refused."""
    value = text.strip()
    if value == AUTO:
        return value
    host_port = value.removeprefix("ray://")
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise StudioError(
            f"'{text}' is not a Ray cluster address.",
            hint="use auto (a Ray on this machine), HOST:PORT of a head node, or ray://HOST:PORT",
        )
    return value
