"""Light and dark themes that follow the system's colour scheme unless the user picks one.

The Fusion style draws the same on every platform and scales cleanly on high-DPI
screens; its palette is set here from the scheme the system reports (Qt's
``QStyleHints.colorScheme``) and updated when the system switches.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

ThemeChoice = Literal["system", "light", "dark"]

ACCENT = QColor("#3b6fd8")


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def is_dark(choice: str) -> bool:
    if choice == "dark":
        return True
    if choice == "light":
        return False
    return system_is_dark()


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26272b",
        QPalette.ColorRole.ToolTipBase: "#2d2e31",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#8a8d93",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.Highlight: ACCENT.name(),
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Mid: "#3c3d41",
        QPalette.ColorRole.Dark: "#111214",
        QPalette.ColorRole.Light: "#3a3b3f",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#6f7277")
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def _light_palette() -> QPalette:
    palette = QApplication.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Highlight, ACCENT)
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return palette


def _dark_indicators() -> str:
    """Check boxes and radio buttons drawn with a visible edge: Fusion outlines them in a
    darker shade of the window colour, which vanishes on a dark list or window."""
    from studio.core.paths import resources_dir

    check = (resources_dir() / "icons" / "check-light.svg").as_posix()
    edge, fill, accent = "#8a8d93", "#17181a", ACCENT.name()
    box = f"width: 14px; height: 14px; border: 1px solid {edge}; background: {fill};"
    return (
        f"QCheckBox::indicator {{ {box} border-radius: 3px; }}"
        # list rows are barely taller than a box: a smaller one keeps rows apart
        f"QAbstractItemView::indicator {{ width: 11px; height: 11px; border: 1px solid {edge};"
        f" background: {fill}; border-radius: 2px; }}"
        f"QCheckBox::indicator:checked, QAbstractItemView::indicator:checked"
        f" {{ background: {accent}; border-color: {accent}; image: url({check}); }}"
        f"QCheckBox::indicator:disabled, QAbstractItemView::indicator:disabled"
        f" {{ border-color: #4a4c50; }}"
        f"QRadioButton::indicator {{ {box} border-radius: 8px; }}"
        f"QRadioButton::indicator:checked {{ border-color: {accent}; background: qradialgradient("
        f"cx: 0.5, cy: 0.5, radius: 0.5, fx: 0.5, fy: 0.5, stop: 0 {accent}, stop: 0.55 {accent},"
        f" stop: 0.6 {fill}, stop: 1 {fill}); }}"
    )


def apply_theme(app: QApplication, choice: str) -> None:
    """Apply the chosen theme ("system" follows the platform's light/dark setting)."""
    if app.style().name().lower() != "fusion":
        app.setStyle(QStyleFactory.create("Fusion"))
    dark = is_dark(choice)
    app.setPalette(_dark_palette() if dark else _light_palette())
    app.setStyleSheet(_dark_indicators() if dark else "")
    app.setProperty("studio_dark", dark)


def follow_system(app: QApplication, choice_getter) -> None:
    """Re-apply the theme when the system switches between light and dark."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app, choice_getter()))
