"""Before a test starts: how much traffic and how many full weeks it needs to find the
smallest lift worth finding (:func:`studio.services.results.plan_test`)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from studio.core.errors import StudioError
from studio.services import results


class TrafficPlanDialog(QDialog):
    """Figures in, the plan out, recomputed as the user types."""

    def __init__(self, parent: QWidget | None = None, *, metric: str = "ctr") -> None:
        super().__init__(parent)
        self.setWindowTitle("Plan a test")
        form = QFormLayout(self)
        self.judge_on = QComboBox()
        self.judge_on.setAccessibleName("Judge on")
        for key, (label, _, _) in results.METRICS.items():
            self.judge_on.addItem(label.capitalize(), key)
        self.judge_on.setCurrentIndex(max(self.judge_on.findData(metric), 0))
        self.rate = QDoubleSpinBox()
        self.rate.setAccessibleName("Rate today (%)")
        self.rate.setRange(0.01, 99.0)
        self.rate.setDecimals(2)
        self.rate.setSuffix(" %")
        self.rate.setValue(1.2)
        self.lift = QSpinBox()
        self.lift.setAccessibleName("Smallest lift worth finding (%)")
        self.lift.setRange(1, 500)
        self.lift.setSuffix(" %")
        self.lift.setValue(20)
        self.ads = QSpinBox()
        self.ads.setAccessibleName("Ads in the test")
        self.ads.setRange(2, 100)
        self.ads.setValue(4)
        self.daily = QSpinBox()
        self.daily.setAccessibleName("Traffic per day")
        self.daily.setRange(1, 100_000_000)
        self.daily.setGroupSeparatorShown(True)
        self.daily.setValue(3_000)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setMinimumWidth(420)
        self.answer.setAccessibleName("Traffic the test needs")
        form.addRow("Judge on", self.judge_on)
        form.addRow("Rate today", self.rate)
        form.addRow("Smallest lift worth finding", self.lift)
        form.addRow("Ads in the test", self.ads)
        form.addRow("Impressions (or clicks) per day", self.daily)
        form.addRow(self.answer)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for box in (self.rate, self.lift, self.ads, self.daily):
            box.valueChanged.connect(self.update_answer)
        self.judge_on.currentIndexChanged.connect(self.update_answer)
        self.update_answer()

    def update_answer(self) -> None:
        metric = self.judge_on.currentData()
        try:
            needed = results.plan_test(
                self.rate.value() / 100, self.lift.value() / 100, self.ads.value(),
                daily=self.daily.value(), metric=metric,
            )  # fmt: skip
        except StudioError as error:
            self.answer.setText(str(error))
            return
        unit = results.METRICS[metric][1]
        weeks = needed.weeks or 0
        self.answer.setText(
            f"<b>{needed.per_ad:,} {unit} per ad</b> ({needed.total:,} in all): "
            f"{needed.days} days of traffic, so run it <b>{weeks} full "
            f"week{'s' if weeks != 1 else ''}</b> ({weeks * 7} days) and every weekday "
            "counts alike.<br><br>Ads inside one Meta ad set are not shown at random; for a "
            "clean comparison use one ad set per variant or a Meta A/B test."
        )
