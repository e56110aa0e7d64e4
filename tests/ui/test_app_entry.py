"""``studio app``: the entry point opens the window on a workspace and exits cleanly."""

from __future__ import annotations

import faulthandler
import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from studio.core import paths
from studio.core.settings import load_settings


def test_run_app_opens_the_workspace_and_exits(qapp, workspace, monkeypatch):
    from studio.app import run_app
    from studio.ui import errors

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    handlers = list(logging.getLogger().handlers)
    seen = {}

    def close_all() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isWindow() and widget.isVisible() and hasattr(widget, "session"):
                seen["title"] = widget.windowTitle()
                widget.close()

    QTimer.singleShot(500, close_all)
    try:
        assert run_app(workspace.path) == 0
    finally:
        for handler in logging.getLogger().handlers:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()
        faulthandler.enable(sys.__stderr__)
        errors._crash_stream = None
    assert workspace.path.name in seen["title"]
    assert str(workspace.path.resolve()) in load_settings().recent_workspaces
    assert (paths.log_dir() / "studio.log").read_text().count("starting") == 1
    assert (paths.log_dir() / "crash.log").exists()
