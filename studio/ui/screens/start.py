"""Start: create or open a workspace, reopen a recent one, open the demo, import files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QWidget,
)

from studio.core import paths
from studio.services.workspaces import DB_NAME, Workspace
from studio.ui.errors import guarded, report_error
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.widgets import ProgressPanel, button, hint, row

DEMO_FOLDER = "Demo workspace"
DEMO_CUSTOMERS = 5000
SUMMARY_FIELDS = (
    ("customers", "Customers"),
    ("order_count", "Orders"),
    ("products", "Products"),
    ("segments", "Segments"),
    ("campaigns", "Campaigns"),
    ("assets", "Creatives and copy"),
)


class StartScreen(Screen):
    title = "Start"
    description = (
        "Open a workspace to begin. A workspace is a folder that holds your customers, "
        "products, segments and campaigns. Drop CSV files or a folder of product photos "
        "anywhere on this window to import them."
    )
    icon = QStyle.StandardPixmap.SP_DirHomeIcon
    watches = (Topic.CUSTOMERS, Topic.PRODUCTS, Topic.SEGMENTS, Topic.CAMPAIGNS, Topic.ASSETS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.demo_customers = DEMO_CUSTOMERS
        self.summary: dict | None = None
        self.new_button = button("&New workspace…", "Create an empty workspace in a new folder")
        self.open_button = button("&Open workspace…", "Open a workspace folder")
        self.demo_button = button(
            "Open &demo workspace",
            "Open a workspace filled with generated customers, orders and products",
            primary=True,
        )
        self.import_button = button(
            "&Import files…", "Import customers, orders, products (CSV) and product photos"
        )
        self.layout_.addLayout(
            row(
                self.demo_button,
                self.new_button,
                self.open_button,
                self.import_button,
                None,
                stretch_at=4,
            )
        )
        self.progress = ProgressPanel()
        self.layout_.addWidget(self.progress)

        self.current = QGroupBox("Current workspace")
        grid = QGridLayout(self.current)
        self.current_path = QLabel()
        self.current_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.current_path, 0, 0, 1, 6)
        self.counts: dict[str, QLabel] = {}
        for column, (key, label) in enumerate(SUMMARY_FIELDS):
            value = QLabel("–")
            value.setStyleSheet("font-size: 18pt; font-weight: 600;")
            value.setAccessibleName(label)
            grid.addWidget(value, 1, column)
            grid.addWidget(QLabel(label), 2, column)
            self.counts[key] = value
        self.layout_.addWidget(self.current)

        self.layout_.addWidget(QLabel("Recent workspaces"))
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent workspaces")
        self.recent.setToolTip("Double-click (or press Enter) to open")
        self.layout_.addWidget(self.recent, 1)
        self.layout_.addWidget(
            hint("Tip: drop customers.csv, orders.csv, products.csv or a folder of photos here.")
        )

        self.new_button.clicked.connect(self.new_workspace_dialog)
        self.open_button.clicked.connect(self.open_workspace_dialog)
        self.demo_button.clicked.connect(self.open_demo)
        self.import_button.clicked.connect(self.import_dialog)
        self.recent.itemActivated.connect(self._open_recent)
        session.settings_changed.connect(self.mark_stale)

    # --- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        workspace = self.session.workspace
        self.current.setVisible(workspace is not None)
        self.import_button.setEnabled(workspace is not None)
        if workspace is not None:
            self.current_path.setText(f"<b>{workspace.path.name}</b> — {workspace.path}")
            self._count_in_background(workspace.path)
        self.recent.clear()
        for entry in self.session.settings.recent_workspaces:
            item = QListWidgetItem(f"{Path(entry).name}    {entry}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            if not (Path(entry) / DB_NAME).exists():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("This folder no longer holds a workspace")
            self.recent.addItem(item)

    def _count_in_background(self, path: Path) -> None:
        """Counting a big workspace's orders takes a while: never on the GUI thread."""

        def count(_sink, _cancel) -> dict:
            with Workspace.open(path) as ws:
                return ws.summary()

        def show(summary: dict) -> None:
            if self.session.workspace_path != Path(summary["path"]):
                return  # another workspace was opened meanwhile
            for key, label in self.counts.items():
                label.setText(f"{summary.get(key, 0):,}")
            self.summary = summary

        for label in self.counts.values():
            label.setText("…")
        self.session.tasks.run(
            "Counting",
            count,
            on_success=show,
            on_failure=lambda error: report_error(
                error, context="Reading the workspace", parent=self
            ),
            ask_before_closing=False,
        )

    # --- actions ------------------------------------------------------------------------

    def workspaces_root(self) -> Path:
        chosen = self.session.settings.workspaces_dir
        return Path(chosen) if chosen else paths.default_workspaces_dir()

    def new_workspace_dialog(self) -> None:
        folder = QFileDialog.getSaveFileName(
            self, "New workspace folder", str(self.workspaces_root() / "New workspace")
        )[0]
        if folder:
            self.create_workspace(Path(folder))

    def open_workspace_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open workspace", str(self.workspaces_root())
        )
        if folder:
            self.open_workspace(Path(folder))

    def create_workspace(self, path: Path) -> None:
        with guarded("Creating the workspace", self):
            self.session.create_workspace(path)

    def open_workspace(self, path: Path) -> None:
        with guarded("Opening the workspace", self):
            self.session.open_workspace(path)

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.open_workspace(Path(item.data(Qt.ItemDataRole.UserRole)))

    def open_demo(self) -> None:
        """Open the demo workspace, creating it (in the background) the first time."""
        target = self.workspaces_root() / DEMO_FOLDER
        if (target / DB_NAME).exists():
            self.open_workspace(target)
            return
        from studio.services.imports import build_demo

        customers = self.demo_customers

        def build(sink, cancel):
            def progress(description: str, fraction: float | None = None) -> None:
                cancel.raise_if_cancelled()
                sink.update(description, fraction)

            return build_demo(target, customers=customers, progress=progress)

        task = self.session.tasks.run(
            "Creating the demo workspace",
            build,
            on_success=lambda path: self.open_workspace(Path(path)),
            on_failure=lambda error: report_error(
                error, context="Creating the demo workspace", parent=self
            ),
        )
        self.progress.track(task)

    def import_dialog(self) -> None:
        files = QFileDialog.getOpenFileNames(
            self,
            "Import files",
            str(Path.home()),
            "Tables and images (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.png *.jpg *.jpeg *.webp)",
        )[0]
        if files:
            self.window().start_import([Path(f) for f in files])
