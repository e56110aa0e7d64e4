"""The rule-segment editor on the Audience screen: write a filter, check it, save it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import InputError
from studio.services.workspaces import Workspace
from studio.ui.errors import guarded, report_error
from studio.ui.topics import Topic
from studio.ui.widgets import button, row


class RuleEditor(QWidget):
    #: a rule segment was picked (its id): show its customers
    segment_picked = Signal(int)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        from studio.services.audience import METRIC_FIELDS

        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rules = QListWidget()
        self.rules.setAccessibleName("Rule segments")
        self.name = QLineEdit()
        self.name.setAccessibleName("Rule segment name")
        self.name.setPlaceholderText("Lapsed coffee lovers")
        self.text = QLineEdit()
        self.text.setAccessibleName("Rule")
        self.text.setPlaceholderText("share:Coffee >= 0.5 and days_since_last_order > 120")
        self.text.setToolTip(
            "Conditions joined by 'and'. Fields: country, city, customer attributes and\n"
            + "\n".join(f"{name}: {what}" for name, what in METRIC_FIELDS.items())
        )
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_button = button("Check", "Check the rule without saving it")
        self.save_button = button("Save rule segment", "Save the rule and find its customers")
        self.refresh_button = button("Re-evaluate", "Apply the selected rule to today's data")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Rule", row(self.text, self.check_button))
        layout.addLayout(form)
        layout.addWidget(self.check_label)
        layout.addLayout(row(self.save_button, self.refresh_button, None, stretch_at=2))
        layout.addWidget(self.rules, 1)
        self.check_button.clicked.connect(self.check)
        self.text.returnPressed.connect(self.check)
        self.save_button.clicked.connect(self.save)
        self.refresh_button.clicked.connect(self.reevaluate)
        self.rules.itemActivated.connect(
            lambda item: self.segment_picked.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.rules.itemClicked.connect(
            lambda item: self.segment_picked.emit(item.data(Qt.ItemDataRole.UserRole))
        )

    def refresh(self, workspace: Workspace | None) -> None:
        self.rules.clear()
        if workspace is None:
            return
        from studio.services.catalog import rule_segments

        for segment in rule_segments(workspace):
            item = QListWidgetItem(f"{segment['name']}  ({segment['size']:,})")
            item.setToolTip(segment["description"])
            item.setData(Qt.ItemDataRole.UserRole, segment["id"])
            self.rules.addItem(item)

    def check(self) -> bool:
        from studio.services.audience import parse_rule

        try:
            rule = parse_rule(self.text.text())
        except InputError as error:
            self.check_label.setText(f"✗ {error}")
            return False
        self.check_label.setText(f"✓ {len(rule['all'])} condition(s), ready to save")
        return True

    def save(self):
        if not self.check():
            return None
        name, text = self.name.text().strip(), self.text.text().strip()
        path = self.session.require_workspace().path

        def work(sink, cancel):
            from studio.services.audience import add_rule_segment, compute_recommendations

            with Workspace.open(path) as ws:
                sink.update("Finding the customers", 0.1)
                segment_id = add_rule_segment(ws, name, text)
                cancel.raise_if_cancelled()
                sink.update("Recommending products", 0.5)
                compute_recommendations(ws, segment_ids=[segment_id])
                return segment_id

        def saved(segment_id: int) -> None:
            self.name.clear()
            self.text.clear()
            self.check_label.setText("Saved.")
            self.session.data_changed.emit(Topic.SEGMENTS)
            self.segment_picked.emit(segment_id)

        return self.session.tasks.run(
            "Saving the rule segment",
            work,
            on_success=saved,
            on_failure=lambda error: report_error(error, context="Saving the rule", parent=self),
        )

    def reevaluate(self) -> None:
        from studio.services.audience import refresh_rule_segment

        item = self.rules.currentItem()
        if item is None:
            return
        with guarded("Re-evaluating the rule", self):
            refresh_rule_segment(
                self.session.require_workspace(), item.data(Qt.ItemDataRole.UserRole)
            )
            self.session.data_changed.emit(Topic.SEGMENTS)
