"""The session: the open workspace, the user's settings and the background runners.

Screens hold a reference to one :class:`Session` and listen to its signals; they never
open workspaces or settings files themselves. The GUI thread reads through its own
workspace connection; background work opens its own (SQLite WAL lets both run).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from studio.core.errors import StudioError
from studio.core.settings import Settings, load_settings, save_settings
from studio.services.jobs import JobEvent, JobQueue, Worker, default_handlers
from studio.services.workspaces import Workspace
from studio.ui.jobs_bridge import JobBridge
from studio.ui.tasks import TaskRunner
from studio.ui.topics import Topic

if TYPE_CHECKING:
    from studio.cluster.dispatcher import ClusterWorker

log = logging.getLogger(__name__)


class Session(QObject):
    workspace_changed = Signal()
    #: something in the open workspace changed: a :class:`~studio.ui.topics.Topic`
    data_changed = Signal(str)
    settings_changed = Signal()
    #: a short line for the status bar
    status_message = Signal(str)
    #: the job worker could not start or stopped (another window or command generates
    #: here, or the cluster cannot be reached)
    worker_unavailable = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings: Settings = load_settings()
        self.workspace: Workspace | None = None
        self.tasks = TaskRunner(self)
        self.undo_stack = QUndoStack(self)
        self.jobs = JobBridge(self)
        self.jobs.connect_gui(self._on_job_event, lambda _job_id: None)
        self.queue: JobQueue | None = None
        self.worker: Worker | ClusterWorker | None = None

    # --- workspace ----------------------------------------------------------------------

    @property
    def workspace_path(self) -> Path | None:
        return self.workspace.path if self.workspace else None

    def require_workspace(self) -> Workspace:
        from studio.core.errors import WorkspaceError

        if self.workspace is None:
            raise WorkspaceError(
                "No workspace is open.", hint="open or create one on the Start screen"
            )
        return self.workspace

    def open_workspace(self, path: Path) -> Workspace:
        workspace = Workspace.open(Path(path))
        self._switch_to(workspace)
        return workspace

    def create_workspace(self, path: Path) -> Workspace:
        workspace = Workspace.create(Path(path))
        self._switch_to(workspace)
        return workspace

    def _switch_to(self, workspace: Workspace) -> None:
        self.close_workspace(emit=False)
        self.workspace = workspace
        self.settings.remember_workspace(workspace.path)
        self.save_settings(emit=False)
        log.info("workspace opened: %s", workspace.path)
        self._start_worker()
        self.workspace_changed.emit()

    def close_workspace(self, *, emit: bool = True) -> None:
        if self.workspace is None:
            return
        self._stop_worker()
        self.undo_stack.clear()
        self.workspace.close()
        self.workspace = None
        if emit:
            self.workspace_changed.emit()

    # --- the job worker -----------------------------------------------------------------

    def _start_worker(self) -> None:
        """Run the workspace's queue (jobs left from last time continue)."""
        self.queue = JobQueue(self.workspace)
        try:
            if self.settings.cluster_address:
                self.worker = self._cluster_worker()
            else:
                self.worker = Worker(
                    self.workspace.path, self.queue, default_handlers(), self.jobs.listener
                )
            self.worker.start()
        except StudioError as error:
            log.warning("job worker not started: %s", error)
            self.worker = None
            self.worker_unavailable.emit(error)

    def _cluster_worker(self) -> ClusterWorker:
        """Generation on the Ray cluster named in Settings (imported only then)."""
        from studio.cluster.dispatcher import ClusterOptions, ClusterWorker, parse_address

        options = ClusterOptions(
            address=parse_address(self.settings.cluster_address or ""),
            workers=self.settings.cluster_workers,
        )
        return ClusterWorker(
            self.workspace.path, self.queue, self.jobs.listener, options=options,
            on_error=self.worker_unavailable.emit,
        )  # fmt: skip

    def restart_worker(self) -> bool:
        """Start the worker again with the current settings (the local one or the
        cluster's); refused while it runs a job, so no job is cut short."""
        if self.workspace is None:
            return True
        if self.worker is not None and self.worker.is_busy:
            return False
        self._stop_worker()
        self._start_worker()
        return True

    def _stop_worker(self) -> None:
        if self.worker is not None:
            # a running job is queued again: it runs when the studio next starts
            if not self.worker.stop(cancel_running=True, timeout=60, requeue_running=True):
                log.error("the job worker did not stop within a minute")
            self.worker = None
        self.queue = None

    def require_queue(self) -> JobQueue:
        self.require_workspace()
        return self.queue

    def _on_job_event(self, event: JobEvent) -> None:
        self.data_changed.emit(Topic.JOBS)
        if event.kind == "finished":
            self.data_changed.emit(Topic.ASSETS)

    # --- settings -----------------------------------------------------------------------

    def save_settings(self, *, emit: bool = True) -> None:
        save_settings(self.settings)
        if emit:
            self.settings_changed.emit()

    # --- shutting down ------------------------------------------------------------------

    def busy(self) -> list[str]:
        """Labels of the work that closing now would interrupt."""
        labels = [task.label for task in self.tasks.active() if task.ask_before_closing]
        job_id = self.worker.current_job_id if self.worker is not None else None
        if job_id is not None:
            labels.append(f"Generating: job {job_id}")
        return labels

    def shutdown(self) -> None:
        """Cancel cooperatively and wait: no thread left, nothing half-written."""
        self.tasks.shutdown()
        self.close_workspace(emit=False)
