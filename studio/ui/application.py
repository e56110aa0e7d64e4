"""Starting the desktop app: the QApplication, logging, theme, the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.core import paths
from studio.services.workspaces import DB_NAME
from studio.ui import errors
from studio.ui.display_check import require_display_libraries
from studio.ui.first_run import welcome_if_first_run
from studio.ui.main_window import MainWindow
from studio.ui.theme import apply_theme, follow_system

log = logging.getLogger(__name__)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), themed and named."""
    app = QApplication.instance()
    if app is None:
        # fractional scale factors (150 %) are passed through instead of rounded: crisp text
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("Campaign Studio")
    app.setOrganizationName(paths.APP_NAME)
    app.setApplicationVersion(__version__)
    icon = paths.resources_dir() / "icons" / "campaign-studio.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def starting_workspace(window: MainWindow, requested: Path | None) -> None:
    """Open the requested workspace, else the last one used, else the demo."""
    start = window.screens["Start"]
    if requested is not None:
        start.open_workspace(Path(requested))
        return
    for entry in window.session.settings.recent_workspaces:
        if (Path(entry) / DB_NAME).exists():
            start.open_workspace(Path(entry))
            return
    start.open_demo()


def run(workspace: Path | None = None) -> int:
    log_folder = errors.setup_logging()
    log.info("Campaign Studio %s starting; logs in %s", __version__, log_folder)
    require_display_libraries()
    app = application()
    window = MainWindow()
    theme = lambda: window.session.settings.theme  # noqa: E731
    apply_theme(app, theme())
    follow_system(app, theme)
    errors.install_excepthook(lambda: window)
    window.show()
    if not welcome_if_first_run(window, workspace):
        starting_workspace(window, workspace)
    code = app.exec()
    log.info("Campaign Studio exited with %s", code)
    return code
