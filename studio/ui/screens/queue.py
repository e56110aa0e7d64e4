"""Queue: every generation job with status, progress, ETA and live previews; control it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.ui.errors import guarded
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.viewmodels.jobs import PROGRESS_COLUMN, JobTableModel, format_seconds
from studio.ui.widgets import button, row


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a progress bar."""

    def paint(self, painter, option, index: QModelIndex) -> None:
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 4, -2, -4)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int((index.data(Qt.ItemDataRole.UserRole) or 0.0) * 1000)
        bar.text = index.data()
        bar.textVisible = True
        bar.state = option.state
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class QueueScreen(Screen):
    title = "Queue"
    description = (
        "Generation runs here, one job at a time, on this computer. The queue is saved: "
        "jobs left when you close the app continue next time."
    )
    icon = QStyle.StandardPixmap.SP_BrowserReload
    watches = (Topic.JOBS,)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model = JobTableModel(session.jobs)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Jobs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the two long texts share what is left; their tooltips hold the whole text
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PROGRESS_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS_COLUMN, 110)
        header.setStretchLastSection(True)

        self.cancel_button = button(
            "Cancel", "Cancel the selected jobs (with none selected: the running one)",
            shortcut="Del",
        )  # fmt: skip
        self.cancel_all_button = button("Cancel all", "Cancel every queued and running job")
        self.retry_button = button("Retry", "Queue the selected failed or cancelled jobs again")
        self.retry_failed_button = button("Retry failed", "Queue every failed job again")
        self.up_button = button("Move up", "Run the selected queued job sooner", shortcut="Ctrl+Up")
        self.down_button = button(
            "Move down", "Run the selected queued job later", shortcut="Ctrl+Down"
        )
        self.clear_button = button("Clear finished", "Remove finished jobs from the list")
        self.summary = QLabel()
        self.layout_.addLayout(
            row(
                self.cancel_button,
                self.cancel_all_button,
                self.retry_button,
                self.retry_failed_button,
                self.up_button,
                self.down_button,
                self.clear_button,
                None,
                self.summary,
                stretch_at=7,
            )
        )

        live = QWidget()
        live_layout = QVBoxLayout(live)
        live_layout.setContentsMargins(0, 0, 0, 0)
        self.live_title = QLabel("<b>Live</b>")
        self.preview = QLabel("Previews of running visuals appear here.")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(200, 200)
        self.preview.setAccessibleName("Live preview")
        self.preview.setWordWrap(True)
        self.stream = QPlainTextEdit()
        self.stream.setReadOnly(True)
        self.stream.setAccessibleName("Streamed copy")
        self.stream.setPlaceholderText("Copy appears here word by word as it is written.")
        live_layout.addWidget(self.live_title)
        live_layout.addWidget(self.preview)
        live_layout.addWidget(self.stream, 1)

        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(live)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        live.setMinimumWidth(200)
        live.setMaximumWidth(420)  # the table's columns matter more in a small window
        self.layout_.addWidget(splitter, 1)

        self.cancel_button.clicked.connect(self.cancel_selected)
        self.cancel_all_button.clicked.connect(self.cancel_all)
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_failed_button.clicked.connect(self.retry_failed)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(+1))
        self.clear_button.clicked.connect(self.clear_finished)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        session.jobs.live_changed.connect(self._on_live, Qt.ConnectionType.QueuedConnection)

    # --- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_ids()
        self.model.load(self.session.workspace)
        for job_id in selected:
            found = self.model.row_of(job_id)
            if found is not None:
                self.table.selectRow(found)
        self._update_summary()
        self._selection_changed()

    def _update_summary(self) -> None:
        """'3 to do, about 2 min 10 s · 1 done': the total is the last pending job's ETA
        (each ETA counts the jobs before it), so it counts down as the running job goes."""
        counts: dict[str, int] = {}
        for job in self.model.jobs:
            counts[job["status"]] = counts.get(job["status"], 0) + 1
        pending = counts.get("queued", 0) + counts.get("running", 0)
        left = self.model.total_eta()
        eta = format_seconds(left) if left else ""
        parts = [f"{pending} to do" + (f", about {eta}" if eta else "")]
        parts += [f"{counts[s]} {s}" for s in ("failed", "cancelled", "done") if counts.get(s)]
        self.summary.setText(" · ".join(parts))

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.jobs[r]["id"] for r in rows if r < len(self.model.jobs)]

    def _selected_jobs(self) -> list[dict]:
        ids = set(self.selected_ids())
        return [job for job in self.model.jobs if job["id"] in ids]

    def _cancellable(self) -> list[dict]:
        """The selected jobs, or the running one when none is selected."""
        selected = self._selected_jobs()
        if selected:
            return selected
        return [job for job in self.model.jobs if job["status"] == "running"][:1]

    def _selection_changed(self) -> None:
        jobs = self._selected_jobs()
        statuses = {job["status"] for job in jobs}
        cancellable = {job["status"] for job in self._cancellable()}
        self.cancel_button.setEnabled(bool(cancellable & {"queued", "running"}))
        self.retry_button.setEnabled(bool(statuses & {"failed", "cancelled"}))
        movable = len(jobs) == 1 and jobs[0]["status"] == "queued"
        self.up_button.setEnabled(movable)
        self.down_button.setEnabled(movable)
        self._show_live(self.shown_job_id())

    def shown_job_id(self) -> int | None:
        """The selected job, else the running one."""
        jobs = self._selected_jobs()
        if jobs:
            return jobs[0]["id"]
        running = [job for job in self.model.jobs if job["status"] == "running"]
        return running[0]["id"] if running else None

    def _on_live(self, job_id: int) -> None:
        self.model.live_changed(job_id)
        self._update_summary()
        if job_id == self.shown_job_id():
            self._show_live(job_id)

    def _show_live(self, job_id: int | None) -> None:
        live = self.session.jobs.live(job_id) if job_id is not None else None
        self.live_title.setText(f"<b>Live — job #{job_id}</b>" if job_id else "<b>Live</b>")
        if live is not None and live.preview is not None:
            self.preview.setPixmap(
                QPixmap.fromImage(live.preview).scaled(
                    self.preview.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        elif self.preview.pixmap() is not None and not self.preview.pixmap().isNull():
            self.preview.clear()
            self.preview.setText("Previews of running visuals appear here.")
        text = live.text if live is not None else ""
        if self.stream.toPlainText() != text:
            self.stream.setPlainText(text)
            self.stream.moveCursor(self.stream.textCursor().MoveOperation.End)

    # --- actions ------------------------------------------------------------------------

    def cancel_selected(self) -> None:
        with guarded("Cancelling", self):
            queue = self.session.require_queue()
            for job in self._cancellable():
                queue.cancel(job["id"])
            self.session.data_changed.emit(Topic.JOBS)

    def cancel_all(self) -> None:
        with guarded("Cancelling", self):
            count = self.session.require_queue().cancel_all()
            self.session.status_message.emit(f"Cancelled {count} jobs")
            self.session.data_changed.emit(Topic.JOBS)

    def retry_selected(self) -> None:
        with guarded("Retrying", self):
            queue = self.session.require_queue()
            for job in self._selected_jobs():
                if job["status"] in ("failed", "cancelled"):
                    queue.retry(job["id"])
            self.session.data_changed.emit(Topic.JOBS)

    def retry_failed(self) -> None:
        with guarded("Retrying", self):
            retried = self.session.require_queue().retry_failed()
            self.session.status_message.emit(f"Queued {len(retried)} failed jobs again")
            self.session.data_changed.emit(Topic.JOBS)

    def move_selected(self, step: int) -> None:
        jobs = self._selected_jobs()
        if len(jobs) != 1:
            return
        queued = [job["id"] for job in self.model.jobs if job["status"] == "queued"]
        job_id = jobs[0]["id"]
        with guarded("Reordering", self):
            self.session.require_queue().move(job_id, max(0, queued.index(job_id) + step))
            self.session.data_changed.emit(Topic.JOBS)
            self.table.clearSelection()
            self.table.selectRow(self.model.row_of(job_id))

    def clear_finished(self) -> None:
        with guarded("Clearing the list", self):
            self.session.require_queue().remove_finished()
            self.session.data_changed.emit(Topic.JOBS)
