"""Importing dropped or chosen files: map each file to what it holds, preview its rows,
import in the background, and show the importer's problems row by row."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import InputError
from studio.services.workspaces import Workspace
from studio.ui.errors import report_error
from studio.ui.session import Session
from studio.ui.topics import Topic
from studio.ui.viewmodels.import_preview import (
    ORDER_LINES_ROLE,
    CsvPreview,
    read_preview,
    sort_dropped,
)
from studio.ui.widgets import ProgressPanel

ROLES = [("Customers", "customers"), ("Orders", "orders"), ("Products", "products"),
         ("Order lines (customers, products and orders from one export)", ORDER_LINES_ROLE),
         ("Do not import", None)]  # fmt: skip


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    for r, values in enumerate(rows):
        for c, value in enumerate(values[: len(headers)]):
            item = QTableWidgetItem(value)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(r, c, item)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class FilePage(QWidget):
    """One CSV: its role, how its columns map, and its first rows."""

    def __init__(self, preview: CsvPreview) -> None:
        super().__init__()
        self.preview = preview
        layout = QVBoxLayout(self)
        self.role = QComboBox()
        self.role.setAccessibleName(f"What {preview.path.name} holds")
        for label, value in ROLES:
            self.role.addItem(label, value)
        self.role.setCurrentIndex(self.role.findData(preview.role))
        form = QFormLayout()
        form.addRow(f"{preview.path.name} holds", self.role)
        layout.addLayout(form)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        if preview.error:
            self.note.setText(f"This file cannot be read: {preview.error}")
            self.role.setCurrentIndex(self.role.findData(None))
            self.role.setEnabled(False)
            return
        self.table = _table(preview.header, preview.rows)
        layout.addWidget(self.table, 1)
        self.role.currentIndexChanged.connect(lambda _i: self._show_mapping())
        self._show_mapping()

    def _show_mapping(self) -> None:
        role = self.role.currentData()
        mapping = self.preview.mapping(role)
        for column, (name, target) in enumerate(zip(self.preview.header, mapping, strict=True)):
            item = QTableWidgetItem(f"{name}\n{target}" if target else name)
            self.table.setHorizontalHeaderItem(column, item)
        missing = self.preview.missing_required(role)
        if role is None:
            self.note.setText("This file will not be imported.")
        elif missing:
            self.note.setText("Missing required columns: " + ", ".join(missing))
        else:
            self.note.setText(f"Columns are matched by name; the first {len(self.preview.rows)} "
                              "rows are shown.")  # fmt: skip


class ImportDialog(QDialog):
    def __init__(self, session: Session, workspace: Workspace, paths: list[Path], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Import into {workspace.path.name}")
        self.resize(900, 600)
        self.session = session
        self.workspace_path = workspace.path
        dropped = sort_dropped(paths)
        self.image_folders = dropped.image_folders
        self.loose_images = dropped.images
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.pages = [FilePage(read_preview(path)) for path in dropped.csvs]
        for page in self.pages:
            self.tabs.addTab(page, page.preview.path.name)
        photos = len(self.loose_images) + sum(
            1 for folder in self.image_folders for p in folder.iterdir() if p.is_file()
        )
        self.photo_note = QLabel(
            f"{photos} product photos will be matched to products by file name or SKU."
            if photos
            else "No product photos."
        )
        self.skip_bad_rows = QCheckBox("Skip bad rows (they are listed in a report)")
        self.skip_bad_rows.setToolTip("Otherwise any bad row stops the import and nothing changes")
        self.problems = QTableWidget(0, 4)
        self.problems.setHorizontalHeaderLabels(["File", "Line", "Column", "Problem"])
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setAccessibleName("Import problems")
        self.problems.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.progress = ProgressPanel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.photo_note)
        layout.addWidget(self.skip_bad_rows)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self.report = None
        self.task = None
        #: the order-lines file whose derived summary the user has seen (written next)
        self.previewed: Path | None = None

    def chosen(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for page in self.pages:
            role = page.role.currentData()
            if role is None:
                continue
            if role in files:
                raise InputError(
                    f"Both {files[role].name} and {page.preview.path.name} are marked as {role}.",
                    hint="import one of them now and the other after",
                )
            files[role] = page.preview.path
        if ORDER_LINES_ROLE in files and len(files) > 1:
            raise InputError(
                f"{files[ORDER_LINES_ROLE].name} holds customers, products and orders already.",
                hint="import the other files after it, or mark them 'Do not import'",
            )
        return files

    def start(self):
        try:
            files = self.chosen()
        except InputError as error:
            report_error(error, context="Importing", parent=self)
            return None
        folders = list(self.image_folders)
        loose = list(self.loose_images)
        skip = self.skip_bad_rows.isChecked()
        path = self.workspace_path

        lines = files.get(ORDER_LINES_ROLE)
        dry_run = lines is not None and self.previewed != lines

        def work(sink, cancel):
            from studio.services.imports import import_files, import_order_lines

            def progress(description: str, fraction: float | None = None) -> None:
                cancel.raise_if_cancelled()  # rolls the import back
                sink.update(description, fraction)

            if lines is not None:  # first what would be derived, then (confirmed) the write
                with Workspace.open(path) as ws:
                    return import_order_lines(
                        ws, lines, images=folders[0] if len(folders) == 1 else None,
                        skip_bad_rows=skip, dry_run=dry_run, progress=progress,
                    )  # fmt: skip

            with tempfile.TemporaryDirectory() as staging:
                images = folders[0] if len(folders) == 1 and not loose else None
                if loose or len(folders) > 1:  # one folder for the importer to read
                    images = Path(staging)
                    for source in loose + [p for f in folders for p in f.iterdir()]:
                        if source.is_file():
                            shutil.copy2(source, images / source.name)
                with Workspace.open(path) as ws:
                    return import_files(
                        ws, customers=files.get("customers"), orders=files.get("orders"),
                        products=files.get("products"), images=images, skip_bad_rows=skip,
                        progress=progress,
                    )  # fmt: skip

        self.import_button.setEnabled(False)
        self.problems.hide()
        self.task = self.session.tasks.run(
            "Importing", work, on_success=self._done, on_failure=self._failed
        )
        self.progress.track(self.task)
        return self.task

    def _show_problems(self, problems) -> None:
        self.problems.setRowCount(len(problems))
        for r, problem in enumerate(problems):
            values = [problem.file, "" if problem.line is None else str(problem.line),
                      problem.column or "", problem.reason]  # fmt: skip
            for c, value in enumerate(values):
                self.problems.setItem(r, c, QTableWidgetItem(value))
        self.problems.resizeColumnsToContents()
        self.problems.setVisible(bool(problems))

    def _done(self, report) -> None:
        derived = report.derived.lines_of_text() if report.derived else []
        if report.dry_run:
            self.previewed = self.chosen().get(ORDER_LINES_ROLE)
            self.summary.setText(
                "<b>This is what the export holds.</b> Nothing is written yet; press Import "
                "to write it.<br>" + "<br>".join(derived)
            )
            self._show_problems(report.problems)
            self.import_button.setEnabled(True)
            return
        self.report = report
        lines = derived + [
            f"{f.file} ({f.kind}): {f.inserted:,} added, {f.updated:,} updated, "
            f"{f.skipped:,} skipped"
            for f in report.files
        ]
        if report.photos_stored:
            lines.append(f"{report.photos_stored} photos stored")
        lines += report.warnings
        if report.report_path:
            lines.append(f"Skipped rows are listed in {report.report_path}")
        self.summary.setText("<b>Imported.</b><br>" + "<br>".join(lines))
        self._show_problems(report.problems)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        self.session.data_changed.emit(Topic.ALL)

    def _failed(self, error: BaseException) -> None:
        self.import_button.setEnabled(True)
        problems = getattr(error, "problems", [])
        if problems:
            more = getattr(error, "message", str(error))
            self.summary.setText(
                f"<b>Nothing was imported.</b> {more}<br>Fix these rows and import again, or "
                "tick “Skip bad rows”."
            )
            self._show_problems(problems)
        else:
            report_error(error, context="Importing", parent=self)

    def reject(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
        super().reject()
