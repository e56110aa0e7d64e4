"""Models: installed models per kind with size and licence, defaults, add, download, remove."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QStyle,
    QTableView,
    QWidget,
)

from generators import registry
from generators.registry import ModelSpec
from studio.core.errors import Cancelled
from studio.ui.errors import guarded, report_error
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.widgets import ProgressPanel, button, row

KIND_LABELS = {
    "copy": "Copy (language model)",
    "visual": "Visuals (diffusion)",
    "variant": "Variants (GAN style)",
    "embedding": "Embeddings",
    "decoder": "Decoder",
}
COLUMNS = ("Model", "Kind", "Source", "Size", "Licence", "State", "Default")
Index = QModelIndex | QPersistentModelIndex


def human_size(size: int | None) -> str:
    if not size:
        return "–"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB") else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class ModelTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.specs: list[ModelSpec] = []
        self.available: dict[str, bool] = {}
        self.defaults: dict[str, str] = {}

    def load(self, defaults: dict[str, str]) -> None:
        self.beginResetModel()
        order = list(KIND_LABELS)
        self.specs = sorted(
            registry.all_specs(),
            key=lambda s: (order.index(s.kind) if s.kind in order else 99, s.display_name),
        )
        self.available = {spec.id: registry.is_available(spec) for spec in self.specs}
        self.defaults = dict(defaults)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.specs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def is_default(self, spec: ModelSpec) -> bool:
        """The user's default for the kind, else the one the generators fall back to."""
        from generators.copy.specs import DEFAULT_COPY_MODEL
        from generators.scoring.embeddings import DEFAULT_EMBEDDING_MODEL

        fallback = {"copy": DEFAULT_COPY_MODEL, "embedding": DEFAULT_EMBEDDING_MODEL}
        return self.defaults.get(spec.kind, fallback.get(spec.kind)) == spec.id

    def state(self, spec: ModelSpec) -> str:
        if self.available.get(spec.id):
            return "Installed" if spec.source != "package" else "Built in"
        return "Not downloaded" if spec.source == "hub" else "Missing"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        spec = self.specs[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                spec.display_name,
                KIND_LABELS.get(spec.kind, spec.kind),
                {"package": "Shipped", "local": "Local", "hub": "Hugging Face"}[spec.source],
                human_size(spec.size_bytes),
                spec.license or "–",
                self.state(spec),
                "✓" if self.is_default(spec) else "",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{spec.id}\n{spec.description or spec.location}"
        if role == Qt.ItemDataRole.FontRole and self.is_default(spec):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return spec
        return None


class AddModelDialog(QDialog):
    """Kind, family and name for a local folder or file the user picked."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a local model")
        form = QFormLayout(self)
        self.path = path
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for kind in ("copy", "visual", "variant"):
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.family = QLineEdit()
        self.family.setAccessibleName("Family")
        self.family.setPlaceholderText("e.g. llama, qwen2, stable-diffusion, cyclegan")
        self.name = QLineEdit(path.stem)
        self.name.setAccessibleName("Name")
        form.addRow("File or folder", QLineEdit(str(path), readOnly=True))
        form.addRow("Kind", self.kind)
        form.addRow("Family", self.family)
        form.addRow("Name", self.name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ModelsScreen(Screen):
    title = "Models"
    description = (
        "The models that generate copy, visuals and variants on this computer. The default "
        "of each kind is used unless a campaign picks another. Downloads are checked "
        "against their published checksum."
    )
    icon = QStyle.StandardPixmap.SP_DriveHDIcon
    watches = (Topic.MODELS,)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model = ModelTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Models")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.default_button = button("Use as default", "Use the selected model for its kind")
        self.add_file_button = button("Add file…", "Add a single-file model (.gguf, .safetensors)")
        self.add_folder_button = button("Add folder…", "Add a Hugging Face model folder")
        self.download_button = button("Download", "Download the selected model and verify it")
        self.remove_button = button("Remove", "Forget the selected model (downloads are deleted)")
        self.layout_.addLayout(
            row(
                self.default_button,
                self.download_button,
                self.remove_button,
                None,
                self.add_file_button,
                self.add_folder_button,
                stretch_at=3,
            )
        )
        self.progress = ProgressPanel()
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.table, 1)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.default_button.clicked.connect(self.make_default)
        self.add_file_button.clicked.connect(lambda: self.add_dialog(folder=False))
        self.add_folder_button.clicked.connect(lambda: self.add_dialog(folder=True))
        self.download_button.clicked.connect(self.download_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        session.settings_changed.connect(self.mark_stale)

    def refresh(self) -> None:
        with guarded("Listing the models", self):
            self.model.load(self.session.settings.default_models)
        self._update_buttons()

    def selected(self) -> ModelSpec | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.specs[rows[0].row()] if rows else None

    def select(self, model_id: str) -> None:
        for index, spec in enumerate(self.model.specs):
            if spec.id == model_id:
                self.table.selectRow(index)

    def _update_buttons(self) -> None:
        spec = self.selected()
        available = bool(spec and self.model.available.get(spec.id))
        self.default_button.setEnabled(available and spec.kind in ("copy", "visual", "variant"))
        self.download_button.setEnabled(bool(spec and spec.source == "hub" and not available))
        self.remove_button.setEnabled(bool(spec and spec.source != "package"))

    def make_default(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        self.session.settings.default_models[spec.kind] = spec.id
        self.session.save_settings()
        self.session.status_message.emit(
            f"{spec.display_name} is now the default {spec.kind} model"
        )
        self.refresh()
        self.select(spec.id)

    def add_dialog(self, *, folder: bool) -> None:
        if folder:
            chosen = QFileDialog.getExistingDirectory(self, "Add a model folder")
        else:
            chosen = QFileDialog.getOpenFileName(
                self,
                "Add a model file",
                "",
                "Model weights (*.gguf *.safetensors *.pth *.pt *.bin)",
            )[0]
        if not chosen:
            return
        dialog = AddModelDialog(Path(chosen), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_local(
                Path(chosen), dialog.kind.currentData(), dialog.family.text(), dialog.name.text()
            )

    def add_local(self, path: Path, kind: str, family: str, name: str = "") -> None:
        with guarded("Adding the model", self):
            spec = registry.add_local_model(
                path,
                kind,
                family.strip() or "unknown",
                name=name.strip(),
                allow_pickle=self.session.settings.allow_pickle_checkpoints,
            )
            self.session.data_changed.emit(Topic.MODELS)  # refreshes this screen too
            self.refresh_now()
            self.select(spec.id)

    def remove_selected(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        with guarded("Removing the model", self):
            registry.remove_model(spec.id)
            if self.session.settings.default_models.get(spec.kind) == spec.id:
                del self.session.settings.default_models[spec.kind]
                self.session.save_settings()
            self.session.data_changed.emit(Topic.MODELS)
            self.refresh_now()

    def download_selected(self) -> None:
        spec = self.selected()
        if spec is None:
            return

        def fetch(sink, cancel):
            def on_progress(done: int, total: int | None) -> None:
                # raising here stops the download; a later download resumes the file
                cancel.raise_if_cancelled()
                fraction = done / total if total else None
                sink.update(f"{human_size(done)} of {human_size(total)}", fraction)

            return registry.download(spec, on_progress=on_progress)

        def failed(error: BaseException) -> None:
            if not isinstance(error, Cancelled):
                report_error(error, context=f"Downloading {spec.display_name}", parent=self)

        task = self.session.tasks.run(
            f"Downloading {spec.display_name}",
            fetch,
            on_success=lambda _path: (self.refresh(), self.session.data_changed.emit(Topic.MODELS)),
            on_failure=failed,
        )
        self.progress.track(task)
