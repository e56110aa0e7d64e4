"""Settings: device, precision, folders for models and workspaces, a Ray cluster to
generate on, theme."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStyle,
    QWidget,
)

from studio.cluster.dispatcher import parse_address
from studio.core import paths
from studio.core.errors import StudioError
from studio.core.settings import models_dir as models_folder
from studio.ui.screens.base import Screen
from studio.ui.theme import apply_theme
from studio.ui.widgets import button, row

DEVICES = [
    ("auto", "Automatic (GPU when present, otherwise CPU)"),
    ("cuda", "NVIDIA GPU (CUDA)"),
    ("mps", "Apple GPU (Metal)"),
    ("cpu", "CPU only"),
]
PRECISIONS = [
    ("auto", "Automatic (half precision on GPUs, full on CPU)"),
    ("fp32", "Full (fp32)"),
    ("fp16", "Half (fp16)"),
    ("bf16", "bfloat16"),
]
THEMES = [("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")]


def _combo(choices: list[tuple[str, str]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for value, label in choices:
        combo.addItem(label, value)
    return combo


class SettingsScreen(Screen):
    title = "Settings"
    description = "Changes are saved at once and apply to the next generation."
    icon = QStyle.StandardPixmap.SP_FileDialogDetailedView

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        generation = QGroupBox("Generation")
        form = QFormLayout(generation)
        self.device = _combo(DEVICES, "Device")
        self.device.setToolTip("Where models run. Automatic picks a GPU when one is present.")
        self.precision = _combo(PRECISIONS, "Precision")
        self.precision.setToolTip("Number format for model weights; half precision needs a GPU.")
        self.allow_pickle = QCheckBox(
            "Allow older model files that can run code when loaded (.bin, .pt, .ckpt)"
        )
        self.allow_pickle.setToolTip(
            "These 'pickle' files can carry programs. Allow them only for models from a "
            "source you trust; .safetensors and .gguf files never run code."
        )
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        form.addRow("", self.allow_pickle)

        folders = QGroupBox("Folders")
        folder_form = QFormLayout(folders)
        self.models_dir = QLineEdit()
        self.models_dir.setAccessibleName("Models folder")
        self.models_dir.setPlaceholderText(str(models_folder()))
        self.workspaces_dir = QLineEdit()
        self.workspaces_dir.setAccessibleName("Workspaces folder")
        self.workspaces_dir.setPlaceholderText(str(paths.default_workspaces_dir()))
        browse_models = button("Browse…", "Choose the folder for downloaded models")
        browse_workspaces = button("Browse…", "Choose the folder for new workspaces")
        folder_form.addRow("Models", row(self.models_dir, browse_models))
        folder_form.addRow("Workspaces", row(self.workspaces_dir, browse_workspaces))

        cluster = QGroupBox("Cluster")
        cluster_form = QFormLayout(cluster)
        self.cluster_address = QLineEdit()
        self.cluster_address.setAccessibleName("Cluster address")
        self.cluster_address.setPlaceholderText("Off: generate on this computer")
        self.cluster_address.setToolTip(
            "Generate on a Ray cluster: auto (a Ray on this computer), HOST:PORT of the "
            "cluster's head, or ray://HOST:PORT. Needs the cluster extra installed."
        )
        self.cluster_workers = QSpinBox()
        self.cluster_workers.setAccessibleName("Cluster workers")
        self.cluster_workers.setRange(0, 256)
        self.cluster_workers.setSpecialValueText("Automatic (one per GPU, else per CPU)")
        self.cluster_status = QLabel()
        self.cluster_status.setWordWrap(True)
        cluster_form.addRow("Address", self.cluster_address)
        cluster_form.addRow("Workers", self.cluster_workers)
        cluster_form.addRow("", self.cluster_status)

        appearance = QGroupBox("Appearance")
        look = QFormLayout(appearance)
        self.theme = _combo(THEMES, "Theme")
        self.theme.setToolTip("Light or dark; 'Follow the system' switches with the system.")
        look.addRow("Theme", self.theme)

        for group in (generation, folders, cluster, appearance):
            self.layout_.addWidget(group)
        self.layout_.addStretch(1)

        self.device.currentIndexChanged.connect(self._save)
        self.precision.currentIndexChanged.connect(self._save)
        self.allow_pickle.toggled.connect(self._save)
        self.theme.currentIndexChanged.connect(self._save)
        self.models_dir.editingFinished.connect(self._save)
        self.workspaces_dir.editingFinished.connect(self._save)
        self.cluster_address.editingFinished.connect(self._save_cluster)
        self.cluster_workers.editingFinished.connect(self._save_cluster)
        browse_models.clicked.connect(lambda: self._browse(self.models_dir))
        browse_workspaces.clicked.connect(lambda: self._browse(self.workspaces_dir))
        self._loading = False

    def refresh(self) -> None:
        self._loading = True
        settings = self.session.settings
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))
        self.precision.setCurrentIndex(max(0, self.precision.findData(settings.precision)))
        self.allow_pickle.setChecked(settings.allow_pickle_checkpoints)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.models_dir.setText(settings.models_dir or "")
        self.workspaces_dir.setText(settings.workspaces_dir or "")
        self.cluster_address.setText(settings.cluster_address or "")
        self.cluster_workers.setValue(settings.cluster_workers or 0)
        self._loading = False

    def _browse(self, field: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder", field.text())
        if folder:
            field.setText(folder)
            self._save()

    def _save(self) -> None:
        if self._loading:
            return
        settings = self.session.settings
        settings.device = self.device.currentData()
        settings.precision = self.precision.currentData()
        settings.allow_pickle_checkpoints = self.allow_pickle.isChecked()
        settings.models_dir = self.models_dir.text().strip() or None
        settings.workspaces_dir = self.workspaces_dir.text().strip() or None
        settings.theme = self.theme.currentData()
        self.session.save_settings()
        apply_theme(QApplication.instance(), settings.theme)

    def _save_cluster(self) -> None:
        """Check the address, save it, and move the queue to the cluster (or back)."""
        if self._loading:
            return
        settings = self.session.settings
        text = self.cluster_address.text().strip()
        try:
            address = parse_address(text) if text and text != "off" else None
        except StudioError as error:
            self.cluster_status.setText(str(error))
            return
        workers = self.cluster_workers.value() or None
        if (address, workers) == (settings.cluster_address, settings.cluster_workers):
            return
        settings.cluster_address, settings.cluster_workers = address, workers
        self.session.save_settings()
        if not self.session.restart_worker():
            self.cluster_status.setText(
                "Applies when the running job finishes and the workspace is opened again."
            )
        elif address:
            self.cluster_status.setText(f"Generating on the cluster at {address}.")
        else:
            self.cluster_status.setText("Generating on this computer.")
