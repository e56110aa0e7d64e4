"""The session: the open workspace, the user's settings and the background runners.

Screens hold a reference to one :class:`Session` and listen to its signals; they never
open workspaces or settings files themselves. The GUI thread reads through its own
workspace connection; background work opens its own (SQLite WAL lets both run).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from studio.core.settings import Settings, load_settings, save_settings
from studio.storage.workspace import Workspace
from studio.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class Session(QObject):
    workspace_changed = Signal()
    #: something in the open workspace changed: "customers", "segments", "products",
    #: "brand", "campaigns", "assets", "jobs", "all"
    data_changed = Signal(str)
    settings_changed = Signal()
    #: a short line for the status bar
    status_message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings: Settings = load_settings()
        self.workspace: Workspace | None = None
        self.tasks = TaskRunner(self)
        self.undo_stack = QUndoStack(self)

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
        self.workspace_changed.emit()

    def close_workspace(self, *, emit: bool = True) -> None:
        if self.workspace is None:
            return
        self.undo_stack.clear()
        self.workspace.close()
        self.workspace = None
        if emit:
            self.workspace_changed.emit()

    def forget_recent(self, path: str) -> None:
        self.settings.recent_workspaces = [p for p in self.settings.recent_workspaces if p != path]
        self.save_settings()

    # --- settings -----------------------------------------------------------------------

    def save_settings(self, *, emit: bool = True) -> None:
        save_settings(self.settings)
        if emit:
            self.settings_changed.emit()

    # --- shutting down ------------------------------------------------------------------

    def busy(self) -> list[str]:
        """Labels of the work that closing now would interrupt."""
        return [task.label for task in self.tasks.active()]

    def shutdown(self) -> None:
        """Cancel cooperatively and wait: no thread left, nothing half-written."""
        self.tasks.shutdown()
        self.close_workspace(emit=False)
