"""A cluster worker: one Ray actor per GPU or CPU slot, holding its loaded models.

The actor runs the studio's own job handlers on a private copy of the workspace: a
snapshot of the database the desktop sends when a job needs newer data than the actor
has, and stored files fetched from the object store the first time a job opens them
(checked by sha256). It gets the desktop's settings and model list, and the files of any
model this machine lacks, so a model id means the same model on every node. A handler's
outcome (its result and its store step) goes back to the desktop, which alone writes.

Two threads per actor: one runs the job, the other answers progress polls and cancels.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import AssetStoreError, ModelError
from studio.core.progress import CancelToken, ProgressEvent, ProgressSink
from studio.jobs.queue import Job
from studio.jobs.worker import JobContext, JobOutcome
from studio.storage.workspace import DB_NAME, Workspace

#: progress events kept per running job between two polls
EVENT_BUFFER = 64


@dataclass(frozen=True)
class NodeSetup:
    """What a worker needs to behave like the desktop: its settings and model list."""

    settings: dict[str, Any]
    user_models: list[dict[str, Any]]
    #: the desktop's model cache (used when this node can write there: the same machine)
    cache_dir: str
    threads: int = 1


class RemoteWorkspace(Workspace):
    """A worker's copy of the workspace: files arrive from the desktop on first use."""

    files: dict[str, Any]

    def blob_path(self, sha256: str) -> Path:
        try:
            return super().blob_path(sha256)
        except AssetStoreError:
            if sha256 not in self.files:
                raise
        import ray

        media_type = self.scalar("SELECT media_type FROM blobs WHERE sha256 = ?", (sha256,))
        stored = self.assets.put_bytes(ray.get(self.files[sha256]), media_type)
        if stored.sha256 != sha256:
            raise AssetStoreError(f"The file {sha256[:12]}… arrived damaged (sha256 differs).")
        return super().blob_path(sha256)


class GenerationNode:
    """The actor's body (made a Ray actor by the dispatcher)."""

    def __init__(self, setup: NodeSetup) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="studio-node-"))
        os.environ["STUDIO_HOME"] = str(self.home / "home")
        os.environ["STUDIO_CACHE_DIR"] = _writable(setup.cache_dir) or str(self.home / "cache")
        self._write_settings(setup)
        if setup.threads:
            import torch

            torch.set_num_threads(setup.threads)  # the same bytes as a local run's threads
        self.folder = self.home / "workspace"
        self.folder.mkdir()
        self.ws: RemoteWorkspace | None = None
        self.epoch = -1
        self.received: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._events: dict[int, deque[dict[str, Any]]] = {}
        self._tokens: dict[int, CancelToken] = {}
        from generators.registry import add_file_provider

        add_file_provider(self._provide)

    # --- setup ------------------------------------------------------------------------------

    @staticmethod
    def _write_settings(setup: NodeSetup) -> None:
        from generators.registry import USER_MODELS_FILE
        from studio.core import paths, settings

        # On the desktop's own machine (or one sharing its folder) read its models in
        # place; elsewhere keep a private list, and missing files arrive from the desktop.
        shared = setup.settings.get("models_dir")
        if shared and not _lists_models(Path(shared), setup.user_models):
            shared = None
        settings_path = settings.settings_path()
        settings_path.write_text(json.dumps({**setup.settings, "models_dir": shared}))
        if shared is None:
            models = paths.default_models_dir()
            (models / USER_MODELS_FILE).write_text(json.dumps(setup.user_models))

    def missing_models(self, model_ids: list[str]) -> list[str]:
        """Of the desktop's models, those whose files this machine lacks."""
        from generators.registry import get_spec, is_on_this_machine

        missing = []
        for model_id in model_ids:
            try:
                if not is_on_this_machine(get_spec(model_id)):
                    missing.append(model_id)
            except ModelError:
                missing.append(model_id)
        return missing

    def receive_model(self, model_id: str, manifest: list[dict], refs: list[Any], single: bool):
        """Store a model's files sent by the desktop (checked by sha256)."""
        import ray

        from studio.cluster.transfer import ModelFile, manifest_digest
        from studio.core import paths
        from studio.core.hashing import sha256_file

        files = [ModelFile(**entry) for entry in manifest]
        root = paths.cache_dir() / "cluster-models" / manifest_digest(files)
        for item, ref in zip(files, refs, strict=True):
            target = root / item.relative
            if target.exists() and sha256_file(target) == item.sha256:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(ray.get(ref))
            if sha256_file(partial) != item.sha256:
                partial.unlink()
                raise ModelError(f"A file of model '{model_id}' arrived damaged: {item.relative}.")
            partial.replace(target)
        self.received[model_id] = root / files[0].relative if single else root
        return str(self.received[model_id])

    def _provide(self, spec: Any) -> Path | None:
        return self.received.get(spec.id)

    # --- jobs -------------------------------------------------------------------------------

    def run(self, job: Job, epoch: int, snapshot: Any | None, files: dict[str, Any]) -> JobOutcome:
        """Run one job's handler; returns its outcome for the desktop to store."""
        from studio.services.generation import default_handlers

        if snapshot is not None and epoch > self.epoch:
            self._load_snapshot(snapshot, epoch)
        assert self.ws is not None, "the first job of a worker carries a snapshot"
        self.ws.files = files
        token = CancelToken()
        with self._lock:
            self._tokens[job.id] = token
            self._events[job.id] = deque(maxlen=EVENT_BUFFER)
        sink = ProgressSink(lambda event: self._record(job.id, event))
        try:
            handler = default_handlers()[job.kind]
            return handler(JobContext(ws=self.ws, job=job, sink=sink, cancel=token))
        finally:
            with self._lock:
                self._tokens.pop(job.id, None)

    def _load_snapshot(self, snapshot: Any, epoch: int) -> None:
        import ray

        data = ray.get(snapshot) if not isinstance(snapshot, bytes) else snapshot
        if self.ws is not None:
            self.ws.close()
        for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"):
            (self.folder / name).unlink(missing_ok=True)
        (self.folder / DB_NAME).write_bytes(data)
        self.ws = RemoteWorkspace.open(self.folder)
        self.ws.files = {}
        self.epoch = epoch

    def _record(self, job_id: int, event: ProgressEvent) -> None:
        with self._lock:
            buffer = self._events.get(job_id)
            if buffer is not None:
                buffer.append(
                    {
                        "status": event.status,
                        "fraction": event.fraction,
                        "text": event.text,
                        "preview": event.preview,
                    }
                )

    def poll(self, job_id: int, final: bool = False) -> list[dict[str, Any]]:
        """The job's progress events since the last poll (``final``: and forget the job)."""
        with self._lock:
            buffer = self._events.pop(job_id, None) if final else self._events.get(job_id)
            events = list(buffer) if buffer else []
            if buffer:
                buffer.clear()
        return events

    def cancel(self, job_id: int) -> bool:
        with self._lock:
            token = self._tokens.get(job_id)
        if token is not None:
            token.cancel()
        return token is not None

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _writable(folder: str) -> str | None:
    path = Path(folder)
    return folder if path.is_dir() and os.access(path, os.W_OK) else None


def _lists_models(folder: Path, user_models: list[dict[str, Any]]) -> bool:
    """Whether ``folder`` is a model cache with the desktop's own model list."""
    from generators.registry import USER_MODELS_FILE

    listing = folder / USER_MODELS_FILE
    try:
        listed = json.loads(listing.read_text()) if listing.is_file() else []
    except (OSError, ValueError):
        return False
    return folder.is_dir() and listed == user_models
