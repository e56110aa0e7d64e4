"""Audience: segments of a run with stats and charts, their customers, re-segmenting."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.services.audience import MIN_HISTORY_DAYS
from studio.services.workspaces import Workspace
from studio.ui.charts import Bar, BarChart
from studio.ui.errors import guarded, report_error
from studio.ui.screens.base import Screen
from studio.ui.screens.rule_editor import RuleEditor
from studio.ui.topics import Topic
from studio.ui.viewmodels.customers import customer_model, customer_source
from studio.ui.widgets import ProgressPanel, button, empty_state, muted, row

CARD_COLUMNS = 3


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def segment_facts(segment: dict[str, Any]) -> str:
    stats = segment.get("stats") or {}
    inside = stats.get("segment") or {}
    currency = stats.get("currency") or ""
    parts = [f"{segment['size']:,} customers", f"{_percent(segment['revenue_share'])} of revenue"]
    if inside.get("spend_mean") is not None:
        parts.append(f"avg spend {inside['spend_mean']:,.0f} {currency}".strip())
    if inside.get("orders_mean") is not None:
        parts.append(f"{inside['orders_mean']:.1f} orders")
    if inside.get("recency_median") is not None and _timed(stats):
        parts.append(f"last order {inside['recency_median']:.0f} days ago (median)")
    categories = [c["name"] for c in stats.get("categories", [])[:2] if c.get("share")]
    if categories:
        parts.append("buys " + " and ".join(categories))
    return " · ".join(parts)


def _timed(stats: dict[str, Any]) -> bool:
    """Whether the history is long enough for recency to mean anything (older runs did
    not record it: shown as before)."""
    history = stats.get("history_days")
    return history is None or history >= MIN_HISTORY_DAYS


def segment_bars(segment: dict[str, Any], longest_recency: float) -> list[Bar]:
    stats = segment.get("stats") or {}
    customer_share = stats.get("customer_share") or 0.0
    revenue_share = segment.get("revenue_share") or 0.0
    bars = [
        Bar("Customers", customer_share, _percent(customer_share)),
        Bar("Revenue", revenue_share, _percent(revenue_share)),
    ]
    recency = (stats.get("segment") or {}).get("recency_median")
    overall = (stats.get("overall") or {}).get("recency_median")
    if recency is not None and longest_recency > 0 and _timed(stats):
        bars.append(
            Bar(
                "Recency",
                recency / longest_recency,
                f"{recency:.0f} d",
                None if overall is None else overall / longest_recency,
            )
        )
    return bars


class SegmentCard(QFrame):
    clicked = Signal(int)

    def __init__(self, segment: dict[str, Any], longest_recency: float) -> None:
        super().__init__()
        self.segment_id = segment["id"]
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(f"Segment {segment['name']}")
        self.setToolTip("Click to list this segment's customers")
        layout = QVBoxLayout(self)
        name = QLabel(f"<b>{segment['name']}</b>")
        name.setTextFormat(Qt.TextFormat.RichText)
        description = QLabel(segment["description"])
        description.setWordWrap(True)
        facts = QLabel(segment_facts(segment))
        facts.setWordWrap(True)
        muted(facts)
        self.chart = BarChart()
        self.chart.set_bars(segment_bars(segment, longest_recency))
        for widget in (name, description, facts, self.chart):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        self.setStyleSheet(
            "SegmentCard { border: 2px solid palette(highlight); border-radius: 6px; }"
            if selected
            else "SegmentCard { border: 1px solid palette(mid); border-radius: 6px; }"
        )

    def mouseReleaseEvent(self, event) -> None:
        self.clicked.emit(self.segment_id)
        super().mouseReleaseEvent(event)


class ResegmentDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Re-segment customers")
        form = QFormLayout(self)
        self.method = QComboBox()
        self.method.setAccessibleName("Method")
        self.method.addItem("k-means (clear, similar-sized groups)", "kmeans")
        self.method.addItem("Gaussian mixture (softer, uneven groups)", "gmm")
        self.k = QSpinBox()
        self.k.setAccessibleName("Number of segments")
        self.k.setRange(0, 30)
        self.k.setSpecialValueText("Automatic")
        self.k.setToolTip("How many segments to find; Automatic picks the clearest split.")
        self.seed = QSpinBox()
        self.seed.setAccessibleName("Seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed on the same data gives the same segments.")
        form.addRow("Method", self.method)
        form.addRow("Segments", self.k)
        form.addRow("Seed", self.seed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Segment")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> dict[str, Any]:
        return {
            "method": self.method.currentData(),
            "k": self.k.value() or None,
            "seed": self.seed.value(),
        }


class AudienceScreen(Screen):
    title = "Audience"
    description = (
        "Customer segments found in your orders. Click a segment to see its customers; "
        "re-segment to try another number of segments or method (older runs are kept)."
    )
    icon = QStyle.StandardPixmap.SP_DirLinkIcon
    watches = (Topic.CUSTOMERS, Topic.SEGMENTS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.run = QComboBox()
        self.run.setAccessibleName("Segmentation run")
        self.run.setToolTip("Which segmentation to show (each re-segmenting adds one)")
        self.run.setMinimumWidth(320)
        self.resegment_button = button(
            "&Segment customers…", "Find segments in the customers' orders", shortcut="Ctrl+Shift+S"
        )
        self.run_info = QLabel()
        muted(self.run_info)
        self.layout_.addLayout(
            row(self.run, self.resegment_button, self.run_info, None, stretch_at=3)
        )
        # what makes these segments less trustworthy (a short history, few customers)
        self.thin_data = QLabel()
        self.thin_data.setWordWrap(True)
        self.thin_data.setObjectName("thinData")
        self.thin_data.setAccessibleName("Data warnings")
        self.thin_data.hide()
        self.layout_.addWidget(self.thin_data)
        self.progress = ProgressPanel()
        self.layout_.addWidget(self.progress)

        self.cards_host = QWidget()
        self.cards = QGridLayout(self.cards_host)
        self.cards.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.cards_host)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumHeight(250)  # a row of segment cards stays readable

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.table_title = QLabel()
        self.all_button = button("All customers", "Show every customer, not one segment")
        lower_layout.addLayout(row(self.table_title, None, self.all_button, stretch_at=1))
        self.customers = customer_model()
        self.table = QTableView()
        self.table.setModel(self.customers)
        self.table.setAccessibleName("Customers")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        lower_layout.addWidget(self.table)

        self.rule_editor = RuleEditor(session)
        self.rule_editor.segment_picked.connect(self.select_segment)
        tabs = QTabWidget()
        tabs.addTab(lower, "Customers")
        tabs.addTab(self.rule_editor, "Rule segments")
        self.tabs = tabs
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(scroll)
        splitter.addWidget(tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.layout_.addWidget(splitter, 1)

        self.segments: list[dict[str, Any]] = []
        self.card_widgets: dict[int, SegmentCard] = {}
        self.selected_segment: int | None = None
        self.run.activated.connect(lambda _index: self._show_run(self.run.currentData()))
        self.resegment_button.clicked.connect(self.resegment_dialog)
        self.all_button.clicked.connect(lambda: self.select_segment(None))

    # --- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        workspace = self.session.workspace
        self.run.clear()
        self.rule_editor.refresh(workspace)
        if workspace is None:
            self._show_segments([])
            self.customers.set_source(None, None)
            return
        from studio.services.catalog import segmentation_runs

        runs = segmentation_runs(workspace)
        for entry in runs:
            when = entry["created_at"][:16].replace("T", " ")
            self.run.addItem(f"Run {entry['id']} — {entry['method']}, {when}", entry["id"])
        self._show_run(runs[0]["id"] if runs else None)

    def _show_run(self, run_id: int | None) -> None:
        from studio.services.audience import list_segments, run_info

        workspace = self.session.workspace
        if workspace is None:
            return
        with guarded("Showing the segments", self):
            if run_id is None:
                self.run_info.setText("No segments yet: segment the customers to find them.")
                self.thin_data.hide()
                self._show_segments([])
            else:
                info = run_info(workspace, run_id)
                warnings = info["parameters"].get("warnings", [])
                self.thin_data.setText(
                    "<b>Thin data.</b> " + " ".join(warnings) if warnings else ""
                )
                self.thin_data.setVisible(bool(warnings))
                quality = _distinctness(info["metrics"].get("silhouette"))
                self.run_info.setText(
                    f"{info['parameters'].get('k')} segments of "
                    f"{info['n_customers']:,} buying customers{quality}"
                )
                self._show_segments(list_segments(workspace, run_id))
            self.select_segment(None)

    def _show_segments(self, segments: list[dict[str, Any]]) -> None:
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.segments = segments
        self.card_widgets = {}
        if not segments:
            self.cards.addWidget(
                empty_state("No segments yet. Click “Segment customers…” to find them."), 0, 0
            )
            return
        longest = max(
            ((s["stats"].get("segment") or {}).get("recency_median") or 0 for s in segments),
            default=0,
        )
        for index, segment in enumerate(segments):
            card = SegmentCard(segment, float(longest))
            card.clicked.connect(self.select_segment)
            self.cards.addWidget(card, index // CARD_COLUMNS, index % CARD_COLUMNS)
            self.card_widgets[segment["id"]] = card

    def select_segment(self, segment_id: int | None) -> None:
        workspace = self.session.workspace
        self.selected_segment = segment_id
        for card_id, card in self.card_widgets.items():
            card.set_selected(card_id == segment_id)
        if workspace is None:
            return
        self.customers.set_source(*customer_source(workspace, segment_id))
        name = next((s["name"] for s in self.segments if s["id"] == segment_id), None)
        if name is None and segment_id is not None:
            from studio.services.catalog import segment_name

            name = segment_name(workspace, segment_id)
        what = f"Customers in “{name}”" if name else "All customers"
        self.table_title.setText(f"<b>{what}</b> — {self.customers.total:,}")
        self.all_button.setEnabled(segment_id is not None)

    # --- re-segmenting ------------------------------------------------------------------

    def resegment_dialog(self) -> None:
        dialog = ResegmentDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.resegment(**dialog.options())

    def resegment(self, *, method: str = "kmeans", k: int | None = None, seed: int = 0):
        """Segment in the background, then compute recommendations for the new segments."""
        path = self.session.require_workspace().path

        def work(sink, cancel):
            from studio.services.audience import find_segments

            def progress(description: str, fraction: float | None = None) -> None:
                cancel.raise_if_cancelled()  # rolls the run's transaction back
                sink.update(description, fraction)

            with Workspace.open(path) as ws:
                return find_segments(ws, k=k, method=method, seed=seed, progress=progress)

        task = self.session.tasks.run(
            "Segmenting customers",
            work,
            on_success=lambda _run: self.session.data_changed.emit(Topic.SEGMENTS),
            on_failure=lambda error: report_error(error, context="Segmenting", parent=self),
        )
        self.progress.track(task)
        return task


def _distinctness(silhouette: float | None) -> str:
    """The silhouette score in words a marketer reads; the number follows for analysts."""
    if silhouette is None:
        return ""
    if silhouette >= 0.5:
        words = "clearly distinct groups"
    elif silhouette >= 0.25:
        words = "fairly distinct groups"
    else:
        words = "overlapping groups: treat the boundaries as soft"
    return f"; {words} (silhouette {silhouette:.2f})"
