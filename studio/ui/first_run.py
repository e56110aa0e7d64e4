"""The first-run welcome: pick a workspace, then optionally download better models.

Shown once, when ``Settings.first_run_done`` is false. The embedded models generate
without any download, so every step can be skipped; skipping or finishing both record
that the welcome was seen. Downloads go through :func:`generators.registry.download`
(resumable, checked against the published sha256) into the app's model folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from generators import registry
from generators.registry import ModelSpec
from studio.core.errors import Cancelled
from studio.core.settings import models_dir as models_folder
from studio.ui.errors import report_error
from studio.ui.screens.models import human_size
from studio.ui.topics import Topic
from studio.ui.widgets import ProgressPanel, button, hint

#: what each kind of download improves, in the user's words
IMPROVES = {
    "visual": "Visuals: generated backgrounds and scenes instead of designed ones.",
    "copy": "Copy: more fluent, more varied headlines and texts.",
}
DEMO, NEW, LATER = "demo", "new", "later"


def recommended_downloads() -> list[ModelSpec]:
    """Recommended models that are not part of the app, visuals first, smallest first."""
    specs = [s for s in registry.all_specs() if s.recommended and s.source == "hub"]
    order = {"visual": 0, "copy": 1}
    return sorted(specs, key=lambda s: (order.get(s.kind, 2), s.size_bytes or 0))


class WorkspacePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Welcome to Campaign Studio")
        self.setSubTitle(
            "Everything you import and generate stays on this computer. "
            "Start with the demo to see the whole flow, or with your own workspace."
        )
        self.demo = QRadioButton("Open the &demo workspace (generated customers and products)")
        self.new = QRadioButton("Create a &new workspace for my own data…")
        self.later = QRadioButton("Decide &later")
        self.demo.setChecked(True)
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for choice, radio in ((DEMO, self.demo), (NEW, self.new), (LATER, self.later)):
            radio.setProperty("choice", choice)
            self.group.addButton(radio)
            layout.addWidget(radio)
        layout.addStretch(1)

    @property
    def choice(self) -> str:
        return self.group.checkedButton().property("choice")


class ModelsPage(QWizardPage):
    """Recommended downloads with size, licence and what each improves."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setTitle("Better models (optional)")
        self.setSubTitle(
            "The studio already writes copy and makes creatives with the models it ships "
            "with. These downloads improve the results; you can also get them later on "
            "the Models screen."
        )
        layout = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        self.specs = recommended_downloads()
        for spec in self.specs:
            box = QCheckBox(f"{spec.display_name} — {human_size(spec.size_bytes)}")
            box.setAccessibleName(spec.display_name)
            details = QLabel(
                f"{IMPROVES.get(spec.kind, '')} {spec.description}<br>"
                f"<small>Licence: {spec.license}</small>"
            )
            details.setWordWrap(True)
            details.setTextFormat(Qt.TextFormat.RichText)
            details.setContentsMargins(24, 0, 0, 6)
            if registry.is_available(spec):
                box.setText(f"{spec.display_name} — downloaded")
                box.setEnabled(False)
            self.boxes[spec.id] = box
            layout.addWidget(box)
            layout.addWidget(details)
        layout.addWidget(
            hint(
                f"Models are saved in {models_folder()}. Downloads resume after "
                "an interruption and are checked against their published sha256."
            )
        )
        self.download_button = button(
            "&Download selected", "Download the ticked models now, in the background"
        )
        self.download_button.clicked.connect(self.download_selected)
        layout.addWidget(self.download_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.progress = ProgressPanel()
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.task = None

    def selected(self) -> list[ModelSpec]:
        return [
            s for s in self.specs if self.boxes[s.id].isEnabled() and self.boxes[s.id].isChecked()
        ]

    def download_selected(self) -> None:
        specs = self.selected()
        if not specs or (self.task is not None and self.task.running):
            return
        total = sum(s.size_bytes or 0 for s in specs) or None

        def fetch(sink, cancel):
            offset = 0
            for spec in specs:
                registry.download(spec, on_progress=reporter(spec, offset, sink, cancel))
                offset += spec.size_bytes or 0
            return [spec.id for spec in specs]

        def reporter(spec: ModelSpec, offset: int, sink, cancel):
            def on_progress(done: int, size: int | None) -> None:
                # raising here stops the download; the next one resumes the files
                cancel.raise_if_cancelled()
                fraction = min((offset + done) / total, 1.0) if total else None
                sink.update(
                    f"{spec.display_name}: {human_size(done)} of {human_size(size)}", fraction
                )

            return on_progress

        self.download_button.setEnabled(False)
        self.status.clear()
        self.task = self.session.tasks.run(
            "Downloading models",
            fetch,
            on_success=self._downloaded,
            on_failure=self._failed,
        )
        self.progress.track(self.task)

    def _downloaded(self, ids: list[str]) -> None:
        for model_id in ids:
            box = self.boxes[model_id]
            box.setChecked(False)
            box.setEnabled(False)
            box.setText(f"{box.accessibleName()} — downloaded")
        self.status.setText("Downloaded and verified; the Models screen lists them.")
        self.download_button.setEnabled(True)
        self.session.data_changed.emit(Topic.MODELS)

    def _failed(self, error: BaseException) -> None:
        self.download_button.setEnabled(True)
        if isinstance(error, Cancelled):
            self.status.setText("Download stopped; downloading again resumes it.")
            return
        self.status.setText(f"Download failed: {error}")
        report_error(error, context="Downloading models", parent=self)


class FirstRunWizard(QWizard):
    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.session = window.session
        self.setWindowTitle("Welcome")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Start")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Skip")
        self.workspace_page = WorkspacePage()
        self.models_page = ModelsPage(self.session)
        self.addPage(self.workspace_page)
        self.addPage(self.models_page)
        self.resize(720, 560)
        self.finished.connect(self._done)

    def _done(self, result: int) -> None:
        """Skipped or finished, the welcome has been seen; apply the workspace choice."""
        self.session.settings.first_run_done = True
        self.session.save_settings()
        if result != QWizard.DialogCode.Accepted:
            return
        start = self.window_.screens["Start"]
        choice = self.workspace_page.choice
        if choice == DEMO:
            start.open_demo()
        elif choice == NEW:
            self.create_workspace(start)

    def create_workspace(self, start) -> None:
        folder = QFileDialog.getSaveFileName(
            self.window_, "New workspace folder", str(start.workspaces_root() / "My workspace")
        )[0]
        if folder:
            start.create_workspace(Path(folder))


def welcome_if_first_run(window, requested: Path | None) -> bool:
    """Show the welcome on the first run; True when it shows (it then picks the workspace).

    A workspace named on the command line wins: the welcome is left for a later start.
    """
    if window.session.settings.first_run_done or requested is not None:
        return False
    wizard = FirstRunWizard(window)
    window.first_run = wizard  # kept alive while its downloads run
    wizard.open()
    return True
