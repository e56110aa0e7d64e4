"""Small building blocks shared by the screens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def heading(text: str, *, size: float = 1.5) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def muted(label: QLabel) -> QLabel:
    """Secondary text; a palette role (not a style sheet) so it follows theme changes."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def hint(text: str) -> QLabel:
    """A muted, wrapping explanation under a heading."""
    label = QLabel(text)
    label.setWordWrap(True)
    muted(label)
    return label


def button(text: str, tooltip: str, *, shortcut: str | None = None, primary=False) -> QPushButton:
    widget = QPushButton(text)
    widget.setToolTip(f"{tooltip} ({shortcut})" if shortcut else tooltip)
    widget.setAccessibleName(text.replace("&", "").rstrip("…"))
    widget.setAccessibleDescription(tooltip)
    if shortcut:
        widget.setShortcut(shortcut)
    if primary:
        widget.setDefault(True)
        widget.setAutoDefault(True)
    return widget


def row(*widgets: QWidget | None, stretch_at: int | None = None) -> QHBoxLayout:
    layout = QHBoxLayout()
    for index, widget in enumerate(widgets):
        if stretch_at == index:
            layout.addStretch(1)
        if widget is not None:
            layout.addWidget(widget)
    if stretch_at is not None and stretch_at >= len(widgets):
        layout.addStretch(1)
    return layout


class ProgressPanel(QWidget):
    """A label, a progress bar and a Cancel button for one background task."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Progress")
        self.cancel_button = button("Cancel", "Stop this work; nothing half-done is kept")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row(self.bar, self.cancel_button))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._task = None
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def track(self, task) -> None:
        self._task = task
        self.label.setText(task.label)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        task.progress.connect(self.show_progress)
        task.ended.connect(self.hide)
        self.show()

    def show_progress(self, status: str, fraction: float) -> None:
        if status:
            self.label.setText(f"{self._task.label if self._task else ''} — {status}")
        if fraction < 0:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(fraction * 1000))

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"{self._task.label} — cancelling…")


def empty_state(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setContentsMargins(24, 24, 24, 24)
    muted(label)
    return label


def refill(combo: QComboBox, items: Iterable[tuple[str, Any]]) -> None:
    """Replace a combo box's (label, data) items, keeping the chosen one if still there."""
    current = combo.currentData()
    combo.clear()
    for label, data in items:
        combo.addItem(label, data)
    index = combo.findData(current)
    if current is not None and index >= 0:
        combo.setCurrentIndex(index)


class _UndoFallback(QObject):
    """Lets Ctrl+Z (and redo) reach the window's Undo action when the focused text field
    has nothing of its own to undo: a field otherwise takes the keys even then."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        redo = event.matches(QKeySequence.StandardKey.Redo)
        if not (redo or event.matches(QKeySequence.StandardKey.Undo)):
            return False
        if isinstance(watched, QLineEdit):
            own = watched.isRedoAvailable() if redo else watched.isUndoAvailable()
        elif isinstance(watched, QPlainTextEdit):
            document = watched.document()
            own = document.isRedoAvailable() if redo else document.isUndoAvailable()
        else:
            return False
        if own:
            return False
        event.ignore()  # not taken by the field: the shortcut goes to the window's action
        return True


def undo_reaches_the_app(*fields: QLineEdit | QPlainTextEdit) -> None:
    """Give Ctrl+Z in these fields to the app's undo stack once their own undo is empty."""
    for field in fields:
        fallback = _UndoFallback(field)  # parented: lives as long as the field
        field.installEventFilter(fallback)
