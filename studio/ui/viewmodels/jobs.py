"""The queue as a table: every job with what it makes, its status, progress and ETA."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from studio.core.channels import get_channel_format
from studio.core.errors import NotFound
from studio.services.generation.payloads import payload_units
from studio.services.workspaces import Workspace
from studio.ui.jobs_bridge import JobBridge
from studio.ui.viewmodels.format_names import format_label

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Job", "Makes", "Campaign", "For", "Format", "Status", "Progress", "ETA", "Message")
PROGRESS_COLUMN = COLUMNS.index("Progress")
STATUS_COLUMN = COLUMNS.index("Status")
ETA_COLUMN = COLUMNS.index("ETA")
KIND_LABELS = {"copy": "Copy", "visual": "Visual", "creative": "Creatives", "variants": "Variants"}
STATUS_COLOURS = {"failed": "#c0392b", "cancelled": "#8a8d93", "done": "#2e8b57"}


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def job_units(job: dict[str, Any]) -> int:
    """Units of work of a job, as the campaign planner counts them."""
    try:
        images = len(get_channel_format(job["channel_format"]).image_formats)
    except (NotFound, TypeError):
        images = 1
    return payload_units(job["kind"], job["payload"], images)


class JobTableModel(QAbstractTableModel):
    def __init__(self, bridge: JobBridge) -> None:
        super().__init__()
        self.bridge = bridge
        self.jobs: list[dict[str, Any]] = []
        self.rates: dict[str, float] = {}
        #: seconds the copy model will take to load before the first copy job writes
        self.loading = 0.0

    def load(self, ws: Workspace | None) -> None:
        from studio.services.catalog import queue_rows
        from studio.services.planning import copy_model_load_seconds, seconds_per_unit

        self.beginResetModel()
        self.jobs = []
        if ws is not None:
            self.rates = seconds_per_unit(ws)
            self.loading = copy_model_load_seconds()
            self.jobs = queue_rows(ws)
        self.endResetModel()

    def row_of(self, job_id: int) -> int | None:
        for index, job in enumerate(self.jobs):
            if job["id"] == job_id:
                return index
        return None

    def live_changed(self, job_id: int) -> None:
        row = self.row_of(job_id)
        if row is not None:
            self.dataChanged.emit(
                self.index(row, PROGRESS_COLUMN), self.index(row, len(COLUMNS) - 1)
            )
            # queued jobs' ETAs depend on the running one
            if self.jobs[row]["status"] == "running" and len(self.jobs) > row + 1:
                last = len(self.jobs) - 1
                self.dataChanged.emit(self.index(row + 1, ETA_COLUMN), self.index(last, ETA_COLUMN))

    def eta(self, row: int) -> float | None:
        """Seconds until the job at ``row`` is done (queued jobs wait for those before)."""
        total = 0.0
        loading = self.loading  # counted once, with the first copy job to come
        for job in self.jobs[: row + 1]:
            if job["status"] not in ("queued", "running"):
                continue
            expected = self.rates.get(job["kind"], 1.0) * job_units(job)
            if job["kind"] == "copy":
                expected, loading = expected + loading, 0.0
            live = self.bridge.live(job["id"]) if job["status"] == "running" else None
            total += live.eta_seconds(expected) if live else expected
        return total if self.jobs[row]["status"] in ("queued", "running") else None

    def total_eta(self) -> float | None:
        """Seconds until every pending job is done (the sum the ETA column counts up to)."""
        pending = [i for i, job in enumerate(self.jobs) if job["status"] in ("queued", "running")]
        return self.eta(pending[-1]) if pending else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def fraction(self, job: dict[str, Any]) -> float:
        if job["status"] == "running":
            live = self.bridge.live(job["id"])
            if live and live.fraction is not None:
                return live.fraction
        return 1.0 if job["status"] == "done" else float(job["progress"] or 0.0)

    def message(self, job: dict[str, Any]) -> str:
        if job["status"] == "failed":
            return job["error"] or job["message"]
        live = self.bridge.live(job["id"]) if job["status"] == "running" else None
        return live.message if live and live.message else job["message"]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"#{job['id']}"
            if column == 1:
                return KIND_LABELS.get(job["kind"], job["kind"])
            if column == 2:
                return job["campaign"] or ""
            if column == 3:
                return " × ".join(p for p in (job["segment"], job["product"]) if p)
            if column == 4:
                return format_label(job["channel_format"])
            if column == STATUS_COLUMN:
                return job["status"].capitalize()
            if column == PROGRESS_COLUMN:
                return f"{self.fraction(job) * 100:.0f}%"
            if column == ETA_COLUMN:
                return format_seconds(self.eta(index.row()))
            if column == len(COLUMNS) - 1:
                return self.message(job)
        if role == Qt.ItemDataRole.UserRole:
            return self.fraction(job) if column == PROGRESS_COLUMN else job
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN:
            colour = STATUS_COLOURS.get(job["status"])
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and column in (3, 4, len(COLUMNS) - 1):
            # the whole text of the columns a narrow window cuts short
            return self.data(index) if column in (3, 4) else self.message(job)
        return None
