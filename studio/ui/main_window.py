"""The main window: a sidebar of screens, menus with shortcuts, a status bar, drop to import."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from studio import __version__
from studio.services.imports import TABLE_SUFFIXES
from studio.ui import errors
from studio.ui.screens.base import Screen
from studio.ui.session import Session
from studio.ui.topics import Topic

log = logging.getLogger(__name__)

IMPORTABLE = {*TABLE_SUFFIXES, ".png", ".jpg", ".jpeg", ".webp"}


def screen_classes() -> list[type[Screen]]:
    from studio.ui.screens.audience import AudienceScreen
    from studio.ui.screens.brand_kit import BrandKitScreen
    from studio.ui.screens.campaign_builder import CampaignBuilderScreen
    from studio.ui.screens.export import ExportScreen
    from studio.ui.screens.models import ModelsScreen
    from studio.ui.screens.products import ProductsScreen
    from studio.ui.screens.queue import QueueScreen
    from studio.ui.screens.results import ResultsScreen
    from studio.ui.screens.review import ReviewScreen
    from studio.ui.screens.settings import SettingsScreen
    from studio.ui.screens.start import StartScreen

    return [
        StartScreen,
        AudienceScreen,
        ProductsScreen,
        BrandKitScreen,
        CampaignBuilderScreen,
        QueueScreen,
        ReviewScreen,
        ExportScreen,
        ResultsScreen,
        ModelsScreen,
        SettingsScreen,
    ]


def droppable_paths(urls) -> list[Path]:
    found = []
    for url in urls:
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.is_dir() or path.suffix.lower() in IMPORTABLE:
            found.append(path)
    return found


class MainWindow(QMainWindow):
    def __init__(self, session: Session | None = None) -> None:
        super().__init__()
        self.session = session or Session(self)
        self.setWindowTitle("Campaign Studio")
        self.setAcceptDrops(True)
        self.resize(1280, 820)
        self.setMinimumSize(QSize(960, 600))

        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Screens")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setSpacing(2)
        self.stack = QStackedWidget()
        self.screens: dict[str, Screen] = {}
        for number, cls in enumerate(screen_classes(), start=1):
            screen = cls(self.session)
            self.screens[cls.title] = screen
            self.stack.addWidget(screen)
            item = QListWidgetItem(self.style().standardIcon(cls.icon), cls.title)
            shortcut = f"Ctrl+{number % 10}" if number <= 10 else ""
            item.setToolTip(f"{cls.title} ({shortcut})" if shortcut else cls.title)
            self.sidebar.addItem(item)
        # as wide as the longest title needs, so the screens keep the rest of a small window
        width = self.sidebar.sizeHintForColumn(0) + 2 * self.sidebar.frameWidth() + 16
        for index in range(self.sidebar.count()):
            self.sidebar.item(index).setSizeHint(QSize(width - 8, 34))
        self.sidebar.setFixedWidth(width)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self.session.workspace_changed.connect(self._on_workspace_changed)
        self.session.status_message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.session.data_changed.connect(self._on_data_changed)
        self.session.worker_unavailable.connect(
            lambda error: errors.report_error(error, context="Starting generation", parent=self)
        )
        self.sidebar.setCurrentRow(0)
        self._on_workspace_changed()
        QTimer.singleShot(0, self._detect_device)

    # --- navigation ---------------------------------------------------------------------

    def show_screen(self, title: str) -> Screen:
        screen = self.screens[title]
        self.sidebar.setCurrentRow(self.stack.indexOf(screen))
        return screen

    @property
    def current_screen(self) -> Screen:
        return self.stack.currentWidget()

    # --- menus and shortcuts ------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setToolTip(tip or text.replace("&", ""))
        action.setStatusTip(tip or text.replace("&", ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        start = self.screens["Start"]
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(
            self._action(
                "&New workspace…", start.new_workspace_dialog, QKeySequence.StandardKey.New
            )
        )
        file_menu.addAction(
            self._action(
                "&Open workspace…", start.open_workspace_dialog, QKeySequence.StandardKey.Open
            )
        )
        file_menu.addAction(self._action("Open &demo workspace", start.open_demo))
        self.import_action = self._action(
            "&Import files…", start.import_dialog, "Ctrl+I", "Import CSV files and product photos"
        )
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Close workspace", self.session.close_workspace))
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit_menu = bar.addMenu("&Edit")
        undo = self.session.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.session.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.undo_action, self.redo_action = undo, redo

        view_menu = bar.addMenu("&View")
        for number, title in enumerate(self.screens, start=1):
            shortcut = f"Ctrl+{number % 10}" if number <= 10 else None
            view_menu.addAction(
                self._action(title, lambda _=False, t=title: self.show_screen(t), shortcut)
            )
        view_menu.addSeparator()
        view_menu.addAction(
            self._action("&Refresh", lambda: self.current_screen.refresh_now(), "F5")
        )

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("Open &log folder", errors.open_log_folder))
        help_menu.addAction(self._action("&About Campaign Studio", self._about))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Campaign Studio",
            f"Campaign Studio {__version__}\n\nSegments, recommendations and creative "
            "generation on your own computer. Nothing leaves this machine.",
        )

    # --- status bar ---------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.workspace_label = QLabel()
        self.device_label = QLabel("Device: detecting…")
        self.device_label.setToolTip("Where models run (change it in Settings)")
        self.model_label = QLabel("Model: none loaded")
        self.model_label.setToolTip("Models loaded in memory")
        self.queue_label = QLabel("Queue: 0")
        self.queue_label.setToolTip("Jobs waiting or running")
        for label in (self.workspace_label, self.device_label, self.model_label, self.queue_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)
        # a model loads and unloads inside a job, between the job's events: look each second
        self._model_timer = QTimer(self)
        self._model_timer.setInterval(1000)
        self._model_timer.timeout.connect(self._show_loaded_models)
        self._model_timer.start()

    def _show_loaded_models(self) -> None:
        from studio.ui.status import loaded_models_text

        text = f"Model: {loaded_models_text()}"
        if self.model_label.text() != text:
            self.model_label.setText(text)

    def _detect_device(self) -> None:
        from studio.ui.status import detect_device

        settings = self.session.settings
        self.session.tasks.run(
            "Detecting the device",
            lambda sink, cancel: detect_device(settings.device, settings.precision),
            on_success=lambda text: self.device_label.setText(f"Device: {text}"),
            on_failure=lambda error: self.device_label.setText(f"Device: {error}"),
            ask_before_closing=False,
        )

    def update_status(self) -> None:
        self._show_loaded_models()
        workspace = self.session.workspace
        if workspace is None:
            self.queue_label.setText("Queue: –")
            return
        queue = self.session.queue
        pending = queue.pending_count() if queue is not None else 0
        self.queue_label.setText(f"Queue: {pending}")

    def _on_workspace_changed(self) -> None:
        workspace = self.session.workspace
        name = workspace.path.name if workspace else "no workspace"
        self.setWindowTitle(f"{name} — Campaign Studio")
        self.workspace_label.setText(f"Workspace: {name}")
        self.import_action.setEnabled(workspace is not None)
        for title, screen in self.screens.items():
            if title not in ("Start", "Models", "Settings"):
                screen.setEnabled(workspace is not None)
        self.update_status()

    def _on_data_changed(self, area: str) -> None:
        if area in (Topic.JOBS, Topic.MODELS, Topic.ALL):
            self.update_status()

    # --- drag and drop import -----------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and droppable_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = droppable_paths(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.start_import(paths)

    def start_import(self, paths: list[Path]) -> None:
        """Show the mapping and preview step for dropped or chosen files."""
        from studio.ui.import_dialog import ImportDialog

        with errors.guarded("Importing", self):
            workspace = self.session.require_workspace()
            dialog = ImportDialog(self.session, workspace, paths, self)
            dialog.open()
            self.import_dialog = dialog

    # --- closing ------------------------------------------------------------------------

    def ask_to_stop(self, busy: list[str]) -> bool:
        """Ask before interrupting work; True means stop it and close."""
        listing = "\n".join(f"• {label}" for label in busy[:8])
        answer = QMessageBox.question(
            self,
            "Stop running work?",
            f"This work is still running:\n{listing}\n\nClosing stops it safely: nothing "
            "half-written is kept, and queued generations wait in the queue for next time.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:
        busy = self.session.busy()
        if busy and not self.ask_to_stop(busy):
            event.ignore()
            return
        self.statusBar().showMessage("Stopping…")
        self.session.shutdown()
        log.info("main window closed")
        event.accept()
