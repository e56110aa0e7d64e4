"""Results: the ad platforms' reports in, each test's ads with honest uncertainty, what wins
per segment, a winner of your own, and the next round."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.services import result_imports, results, rounds
from studio.services.workspaces import Workspace
from studio.ui.charts import IntervalChart
from studio.ui.errors import guarded, report_error
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.traffic_plan_dialog import TrafficPlanDialog
from studio.ui.viewmodels.results import (
    ad_rows,
    lift_intervals,
    rate_intervals,
    test_title,
    verdict_text,
)
from studio.ui.viewmodels.review import campaigns
from studio.ui.widgets import ProgressPanel, button, empty_state, refill, row

COLUMNS = ("Ad", "Impr.", "Clicks", "Conv.", "Spend", "CPC", "CPA", "ROAS", "Rate (95 %)",
           "Confidence it is best", "Next split", "")  # fmt: skip
REPORT_FILTER = "Ad results (*.csv *.tsv *.txt);;All files (*)"


class ResultsScreen(Screen):
    title = "Results"
    description = (
        "Import the ad-level report of Meta Ads Manager or Google Ads (by day): every row is "
        "matched to its ad by the key in its name or link. Each test shows its ads with 95 % "
        "intervals and the chance each is best; a winner is called only when the data say so."
    )
    icon = QStyle.StandardPixmap.SP_FileDialogInfoView
    watches = (Topic.ASSETS, Topic.CAMPAIGNS, Topic.RESULTS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.campaign = QComboBox()
        self.campaign.setAccessibleName("Campaign")
        self.judge_on = QComboBox()
        self.judge_on.setAccessibleName("Judge tests on")
        for key, (label, _, _) in results.METRICS.items():
            self.judge_on.addItem(label.capitalize(), key)
        self.import_button = button(
            "Import &results…", "Read a Meta or Google Ads report", primary=True
        )  # fmt: skip
        self.next_button = button("Plan next round…", "Keep winners, drop losers, add challengers")
        self.plan_button = button(
            "Plan a test…", "The traffic and full weeks a new test needs to find a lift"
        )
        self.layout_.addLayout(
            row(QLabel("Campaign"), self.campaign, QLabel("Judge on"), self.judge_on, None,
                self.plan_button, self.import_button, self.next_button, stretch_at=4)
        )  # fmt: skip
        self.progress = ProgressPanel()
        self.layout_.addWidget(self.progress)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.layout_.addWidget(self.summary)
        self.empty = empty_state(
            "No results yet. Export a bundle, run its ads, then import the platform's report "
            "(level Ad, broken down by day)."
        )
        self.layout_.addWidget(self.empty)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        self.tests = QListWidget()
        self.tests.setAccessibleName("Tests")
        self.tests.setMaximumHeight(120)
        body.addWidget(self.tests)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Ads of the test")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        body.addWidget(self.table)
        self.rates = IntervalChart()
        self.rates.setAccessibleName("Rates with 95 % intervals")
        body.addWidget(self.rates)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.winner_button = button(
            "Choose as winner…", "Make the selected ad this test's winner (recorded)"
        )
        body.addLayout(row(self.verdict, self.winner_button, stretch_at=0))
        lifts = QGroupBox("What wins in this segment (change against the creative, 95 %)")
        lifts_layout = QVBoxLayout(lifts)
        self.lifts = IntervalChart()
        self.lifts.setAccessibleName("Attribute lifts")
        self.no_lifts = QLabel("Needs variants measured against their creative.")
        lifts_layout.addWidget(self.lifts)
        lifts_layout.addWidget(self.no_lifts)
        body.addWidget(lifts)
        body.addStretch(1)
        self.layout_.addWidget(self.body, 1)

        self.found: results.CampaignResults | None = None
        self.campaign.activated.connect(lambda _i: self.reload())
        self.judge_on.activated.connect(lambda _i: self.reload())
        self.tests.currentRowChanged.connect(self._show_test)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.import_button.clicked.connect(self.choose_report)
        self.winner_button.clicked.connect(self.choose_winner)
        self.next_button.clicked.connect(self.plan_next_round)
        self.plan_button.clicked.connect(self.plan_test)

    # --- loading -------------------------------------------------------------------------

    def refresh(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        with guarded("Loading the campaigns", self):
            refill(self.campaign, [(e["name"], e["id"]) for e in campaigns(workspace)])
        self.reload()

    def reload(self) -> None:
        workspace = self.session.workspace
        campaign_id = self.campaign.currentData()
        self.found = None
        if workspace is not None and campaign_id is not None:
            with guarded("Reading the results", self):
                self.found = results.campaign_results(
                    workspace, campaign_id, self.judge_on.currentData()
                )
        found = self.found
        has_tests = bool(found and found.tests)
        self.empty.setVisible(not has_tests)
        self.body.setVisible(has_tests)
        self.next_button.setEnabled(has_tests)
        self.import_button.setEnabled(workspace is not None)
        self.summary.setText(self._summary())
        self.tests.clear()
        if not has_tests:
            return
        for test in found.tests:
            item = QListWidgetItem(f"{test_title(test)} — {self._status(test)}")
            item.setData(Qt.ItemDataRole.UserRole, test.test_id)
            self.tests.addItem(item)
        self.tests.setCurrentRow(0)

    def _summary(self) -> str:
        found = self.found
        if found is None or not found.tests:
            return ""
        winners = sum(1 for t in found.tests if t.winner_id is not None)
        text = (
            f"{len(found.tests)} test{'s' if len(found.tests) != 1 else ''} with results "
            f"to {found.last_day}; "
            f"{winners} with a winner. Judged on {found.metric_label}."
        )
        if found.conversions_until:
            text += f" Conversions count for days before {found.conversions_until}."
        return text

    @staticmethod
    def _status(test: results.TestResult) -> str:
        if test.override is not None:
            return "your pick"
        return test.verdict.status

    def current_test(self) -> results.TestResult | None:
        if self.found is None or self.tests.currentRow() < 0:
            return None
        return self.found.tests[self.tests.currentRow()]

    def _show_test(self, index: int) -> None:
        test = self.current_test()
        self.table.setRowCount(0)
        if test is None:
            return
        rows = ad_rows(test)
        # ROAS needs the conversions' value, which not every report has
        self.table.setColumnHidden(COLUMNS.index("ROAS"), not any(ad.roas for ad in rows))
        for row_index, ad in enumerate(rows):
            self.table.insertRow(row_index)
            values = (ad.label, ad.impressions, ad.clicks, ad.conversions, ad.spend, ad.cpc,
                      ad.cpa, ad.roas, ad.rate, ad.p_best, ad.split, ad.badge)  # fmt: skip
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(Qt.ItemDataRole.UserRole, ad.asset_id)
                if 0 < column < len(COLUMNS) - 1:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row_index, column, cell)
        self.table.resizeColumnsToContents()
        self.rates.set_rows(rate_intervals(test))
        self.verdict.setText(verdict_text(test))
        lifts = lift_intervals(self.found, test.segment) if self.found else []
        self.lifts.set_rows(lifts)
        self.lifts.setVisible(bool(lifts))
        self.no_lifts.setVisible(not lifts)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.winner_button.setEnabled(self.selected_ad() is not None)

    def selected_ad(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    # --- actions ---------------------------------------------------------------------------

    def choose_report(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        path = QFileDialog.getOpenFileName(
            self, "Import ad results", str(Path.home()), REPORT_FILTER
        )[0]
        if path:
            self.import_report(Path(path))

    def import_report(self, path: Path, *, skip_bad_rows: bool = False):
        workspace = self.session.require_workspace()
        location = workspace.path

        def work(sink, cancel):
            sink.update(f"Reading {path.name}", None)
            with Workspace.open(location) as ws:
                return result_imports.import_results(ws, path, skip_bad_rows=skip_bad_rows)

        task = self.session.tasks.run(
            "Importing ad results",
            work,
            on_success=self._imported,
            on_failure=lambda error: report_error(error, context="Importing results", parent=self),
        )
        self.progress.track(task)
        return task

    def _imported(self, report: result_imports.ResultsImport) -> None:
        message = (
            f"Imported {report.matched_rows} rows of {report.file}: {report.days_new} new "
            f"ad-days, {report.days_replaced} replaced."
        )
        if report.unmatched:
            lines = [str(p) for p in report.unmatched[:5]]
            more = len(report.unmatched) - len(lines)
            message += f"\n{len(report.unmatched)} rows matched no ad:\n" + "\n".join(lines)
            message += f"\n… and {more} more" if more > 0 else ""
        self.session.status_message.emit(message.splitlines()[0])
        self.session.data_changed.emit(Topic.RESULTS)
        if report.unmatched:
            QMessageBox.information(self, "Results imported", message)

    def choose_winner(self) -> None:
        asset_id = self.selected_ad()
        workspace = self.session.workspace
        if asset_id is None or workspace is None:
            return
        note, ok = QInputDialog.getText(self, "Choose as winner", "Why (kept with the decision):")
        if not ok:
            return
        with guarded("Recording the winner", self):
            results.choose_winner(
                workspace, asset_id, metric=self.judge_on.currentData(), note=note
            )
            self.session.data_changed.emit(Topic.RESULTS)

    def plan_test(self) -> None:
        TrafficPlanDialog(self, metric=self.judge_on.currentData()).exec()

    def plan_next_round(self) -> None:
        workspace = self.session.workspace
        campaign_id = self.campaign.currentData()
        if workspace is None or campaign_id is None:
            return
        metric = self.judge_on.currentData()
        with guarded("Planning the next round", self):
            plan = rounds.plan_next_round(workspace, campaign_id, metric)
            lines = []
            for test in plan.tests:
                challengers = "; ".join(
                    ", ".join(f"{k}: {v}" for k, v in c.items()) for c in test.challengers
                )
                lines.append(
                    f"{test.segment} · {test.format}: {test.status} — keep {len(test.keep)}, "
                    f"drop {len(test.drop)}" + (f", new: {challengers}" if challengers else "")
                )
            answer = QMessageBox.question(
                self,
                "Plan next round",
                "\n".join(lines) + "\n\nDropped ads are rejected (they leave the next bundle); "
                "challengers are queued. Start this round?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            started = rounds.start_next_round(workspace, campaign_id, metric, self.session.queue)
            self.session.status_message.emit(
                f"Round {started.number}: {len(started.job_ids)} challenger job(s) queued"
            )
            self.session.data_changed.emit(Topic.ASSETS)
            self.session.data_changed.emit(Topic.RESULTS)
