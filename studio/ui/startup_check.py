"""Building the main window without a display, for ``studio --self-test``."""

from __future__ import annotations

import os
import time


def show_main_window_offscreen() -> tuple[float, str]:
    """Build and show the main window; returns when it was shown (epoch s) and a summary.

    The offscreen platform is used unless another is set, so this runs on servers and in
    installers without a display.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from studio.ui.application import application
    from studio.ui.main_window import MainWindow

    app = application()
    window = MainWindow()
    window.show()
    app.processEvents()
    shown_at = time.time()
    if not window.isVisible():
        raise RuntimeError("the main window did not show")
    summary = f"{len(window.screens)} screens on the '{QApplication.platformName()}' platform"
    window.session.shutdown()
    window.close()
    window.deleteLater()
    app.processEvents()
    return shown_at, summary
