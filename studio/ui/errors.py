"""The GUI's one error boundary: log, then tell the user what happened and what to do.

Every failure a user can meet ends in :func:`report_error` — from a button's action
(:func:`guarded`), a background task, a job, or an exception nobody caught
(``sys.excepthook``). The message says what happened and what to do; "Show details"
holds the traceback and "Open log folder" opens the folder with the full log. A native
crash leaves a trace through :mod:`faulthandler`.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from studio.core import paths
from studio.core.errors import Cancelled, StudioError

log = logging.getLogger("studio.ui")

LOG_FILE = "studio.log"
CRASH_FILE = "crash.log"
_crash_stream: IO[str] | None = None


def setup_logging() -> Path:
    """Log to a rotating file in the platform's log folder; enable faulthandler there."""
    global _crash_stream
    folder = paths.log_dir()
    handler = logging.handlers.RotatingFileHandler(
        folder / LOG_FILE, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == handler.baseFilename for h in root.handlers):
        root.addHandler(handler)
    else:
        handler.close()
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    if _crash_stream is None:
        # faulthandler writes with the raw file descriptor, so the file stays open
        _crash_stream = open(folder / CRASH_FILE, "a", encoding="utf-8")  # noqa: SIM115
        faulthandler.enable(_crash_stream, all_threads=True)
    return folder


def describe(error: BaseException) -> tuple[str, str]:
    """(what happened, what to do) for a user."""
    if isinstance(error, StudioError):
        what = error.message
        todo = error.hint or "Check the input named above and try again."
        problems = getattr(error, "problems", None)
        if problems:
            shown = "\n".join(f"• {p}" for p in problems[:5])
            more = f"\n… and {len(problems) - 5} more" if len(problems) > 5 else ""
            what = f"{what}\n{shown}{more}"
        return what, todo
    if isinstance(error, MemoryError):
        return (
            "The computer ran out of memory.",
            "Close other programs, or pick a smaller model in Models, then try again.",
        )
    if isinstance(error, OSError):
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return (
            f"A file could not be read or written{where}: {error.strerror or error}.",
            "Check that the disk is not full and that you may write to that folder.",
        )
    return (
        f"Something went wrong inside Campaign Studio ({type(error).__name__}: {error}).",
        "Your saved work is safe. Try again; if it keeps happening, send the log file "
        "from the log folder to support.",
    )


class ErrorDialog(QMessageBox):
    """What happened, what to do, 'Show details' (the traceback) and 'Open log folder'."""

    def __init__(self, parent: QWidget | None, context: str, error: BaseException) -> None:
        super().__init__(parent)
        what, todo = describe(error)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Campaign Studio")
        self.setText(f"<b>{context} failed.</b>" if context else "<b>That did not work.</b>")
        self.setInformativeText(f"{what}\n\nWhat to do: {todo}")
        self.setDetailedText("".join(traceback.format_exception(error)))
        self.what = what
        self.todo = todo
        self.log_button: QPushButton = self.addButton(
            "Open log folder", QMessageBox.ButtonRole.ActionRole
        )
        self.log_button.setToolTip(f"Open {paths.log_dir()} in the file manager")
        self.log_button.clicked.disconnect()  # keep the dialog open when clicked
        self.log_button.clicked.connect(open_log_folder)
        self.addButton(QMessageBox.StandardButton.Close)
        self.setAccessibleName("Error message")


def open_log_folder() -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))


#: called with each dialog shown (tests and the status bar listen)
error_listeners: list[Callable[[ErrorDialog], None]] = []


def report_error(error: BaseException, *, context: str = "", parent: QWidget | None = None):
    """Log an error and show it; a user's cancel is not an error and shows nothing."""
    if isinstance(error, Cancelled):
        log.info("%s: cancelled", context or "operation")
        return None
    if isinstance(error, StudioError):
        log.warning("%s: %s", context or "operation", error)
    else:
        log.error("%s failed", context or "operation", exc_info=error)
    dialog = ErrorDialog(parent, context, error)
    dialog.setModal(True)
    dialog.open()  # not exec(): the event loop and the queue keep running
    for listener in error_listeners:
        listener(dialog)
    return dialog


@contextmanager
def guarded(context: str, parent: QWidget | None = None) -> Iterator[None]:
    """Run a user action; any exception ends at the boundary instead of the event loop."""
    try:
        yield
    except Exception as error:
        report_error(error, context=context, parent=parent)


def install_excepthook(parent: Callable[[], QWidget | None]) -> None:
    """Route exceptions nobody caught (e.g. in a slot) to the boundary."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        report_error(error.with_traceback(tb), context="An action", parent=parent())

    sys.excepthook = hook
