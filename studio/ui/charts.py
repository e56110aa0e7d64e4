"""Small charts drawn with QPainter (the studio ships without Qt Charts)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # 0..1 of the bar's full width
    text: str  # shown at the end of the bar
    reference: float | None = None  # 0..1: a tick for "everyone" to compare with


class BarChart(QWidget):
    """Labelled horizontal bars with an optional reference tick (segment vs everyone)."""

    BAR_HEIGHT = 12
    ROW_HEIGHT = 22

    def __init__(self, bars: list[Bar] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = bars or []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Chart")

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in bars))
        self.setToolTip("\n".join(f"{b.label}: {b.text}" for b in bars))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(220, max(1, len(self.bars)) * self.ROW_HEIGHT + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        accent = palette.highlight().color()
        track = palette.mid().color()
        track.setAlpha(70)
        text_colour = palette.windowText().color()
        metrics = painter.fontMetrics()
        label_width = max((metrics.horizontalAdvance(b.label) for b in self.bars), default=0) + 8
        value_width = max((metrics.horizontalAdvance(b.text) for b in self.bars), default=0) + 8
        bar_width = max(20.0, self.width() - label_width - value_width)
        for index, bar in enumerate(self.bars):
            top = index * self.ROW_HEIGHT + 4
            middle = top + self.BAR_HEIGHT / 2
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(0, top - 3, label_width, self.BAR_HEIGHT + 6),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                bar.label,
            )
            frame = QRectF(label_width, top, bar_width, self.BAR_HEIGHT)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(frame, 3, 3)
            painter.setBrush(accent)
            filled = QRectF(frame.left(), top, bar_width * min(max(bar.value, 0.0), 1.0), 12)
            painter.drawRoundedRect(filled, 3, 3)
            if bar.reference is not None:
                x = frame.left() + bar_width * min(max(bar.reference, 0.0), 1.0)
                painter.setPen(QColor(text_colour))
                painter.drawLine(int(x), int(top - 2), int(x), int(top + self.BAR_HEIGHT + 2))
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(frame.right() + 6, middle - 9, value_width, 18),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                bar.text,
            )
        painter.end()


@dataclass(frozen=True)
class Interval:
    label: str
    mean: float
    low: float
    high: float
    text: str  # shown at the right
    highlight: bool = False


class IntervalChart(QWidget):
    """Estimates with their 95 % intervals on one shared axis: a line from low to high and
    a dot at the estimate; highlighted rows (the winner) in the accent colour. The axis
    always holds 0, so lifts show which side of "no change" they fall."""

    ROW_HEIGHT = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Interval] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Interval chart")

    def set_rows(self, rows: list[Interval]) -> None:
        self.rows = rows
        summary = "; ".join(f"{r.label}: {r.text}" for r in rows)
        self.setAccessibleDescription(summary)
        self.setToolTip("\n".join(f"{r.label}: {r.text}" for r in rows))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, max(1, len(self.rows)) * self.ROW_HEIGHT + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        accent = palette.highlight().color()
        ink = palette.windowText().color()
        faint = QColor(ink)
        faint.setAlpha(90)
        metrics = painter.fontMetrics()
        label_width = max(metrics.horizontalAdvance(r.label) for r in self.rows) + 10
        text_width = max(metrics.horizontalAdvance(r.text) for r in self.rows) + 10
        left, right = label_width, max(label_width + 40.0, self.width() - text_width)
        low = min(0.0, *(r.low for r in self.rows))
        high = max(0.0, *(r.high for r in self.rows))
        span = (high - low) or 1.0

        def x(value: float) -> float:
            return left + (value - low) / span * (right - left)

        painter.setPen(faint)
        painter.drawLine(int(x(0.0)), 2, int(x(0.0)), int(len(self.rows) * self.ROW_HEIGHT + 4))
        for index, item in enumerate(self.rows):
            middle = index * self.ROW_HEIGHT + 4 + self.ROW_HEIGHT / 2
            colour = accent if item.highlight else ink
            painter.setPen(ink)
            painter.drawText(
                QRectF(0, middle - 9, label_width, 18),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                item.label,
            )
            pen = painter.pen()
            pen.setColor(colour)
            pen.setWidth(3 if item.highlight else 2)
            painter.setPen(pen)
            painter.drawLine(int(x(item.low)), int(middle), int(x(item.high)), int(middle))
            painter.setBrush(colour)
            painter.drawEllipse(QRectF(x(item.mean) - 4, middle - 4, 8, 8))
            painter.setPen(ink)
            painter.drawText(
                QRectF(right + 6, middle - 9, text_width, 18),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                item.text,
            )
        painter.end()
