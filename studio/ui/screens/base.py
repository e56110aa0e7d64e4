"""The base of every screen: a title, the session, and lazy refreshing."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QStyle, QVBoxLayout, QWidget

from studio.ui.session import Session
from studio.ui.topics import Topic
from studio.ui.widgets import heading, hint


class Screen(QWidget):
    """A page of the main window. Reloads from the workspace when shown after a change."""

    title = ""
    description = ""
    icon = QStyle.StandardPixmap.SP_FileIcon
    #: what this screen shows, refreshed when it changes (see Session.data_changed)
    watches: tuple[Topic, ...] = ()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setAccessibleName(f"{self.title} screen")
        self._stale = True
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 18, 24, 12)
        self.layout_.setSpacing(10)
        self.layout_.addWidget(heading(self.title))
        if self.description:
            self.layout_.addWidget(hint(self.description))
        session.workspace_changed.connect(self.mark_stale)
        session.data_changed.connect(self._on_data_changed)

    def _on_data_changed(self, area: str) -> None:
        if area == Topic.ALL or area in self.watches:
            self.mark_stale()

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh_now()

    def refresh_now(self) -> None:
        self._stale = False
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh_now()

    def refresh(self) -> None:
        """Reload what the screen shows from the session (override)."""
