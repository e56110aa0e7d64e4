"""The first-run welcome: workspace choice, recommended downloads, skip, resume, sha256.

No hub can be reached here, so ``huggingface_hub.snapshot_download`` is replaced at its
boundary by a copy of real bytes that keeps huggingface_hub's ``local_dir`` layout: an
``.incomplete`` file that grows until it is complete, and a metadata file holding the
commit and the etag (the sha256 for large files) the hub served.
"""

from __future__ import annotations

import hashlib
import json
import struct
import time
from pathlib import Path

import pytest

from generators import registry
from studio.core.errors import ModelError
from studio.core.settings import load_settings

CHUNK = 4096


def _safetensors(size: int) -> bytes:
    """A valid safetensors file of about ``size`` bytes (one uint8 tensor)."""
    tensor = size - 120
    header = json.dumps({"w": {"dtype": "U8", "shape": [tensor], "data_offsets": [0, tensor]}})
    raw = header.encode().ljust(112)
    return struct.pack("<Q", len(raw)) + raw + (bytes(range(256)) * (tensor // 256 + 1))[:tensor]


PAYLOAD = _safetensors(51_200)  # several progress updates


class FakeHub:
    """Serves ``files`` like snapshot_download into local_dir; can drop the connection."""

    def __init__(self, files: dict[str, bytes], *, etags: dict[str, str] | None = None):
        self.files = files
        self.etags = etags or {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
        self.fail_at: int | None = None
        self.resumed_from: list[int] = []

    def snapshot_download(self, repo_id, *, revision=None, local_dir, tqdm_class, **_):
        local_dir = Path(local_dir)
        meta_dir = local_dir / ".cache" / "huggingface" / "download"
        for name, data in self.files.items():
            metadata = meta_dir / f"{name}.metadata"
            metadata.parent.mkdir(parents=True, exist_ok=True)
            incomplete = metadata.with_suffix(".incomplete")
            have = incomplete.stat().st_size if incomplete.exists() else 0
            self.resumed_from.append(have)
            bar = tqdm_class(total=len(data), initial=have, unit="B", desc=name)
            with open(incomplete, "ab") as handle:
                for start in range(have, len(data), CHUNK):
                    if self.fail_at is not None and start >= self.fail_at:
                        raise OSError("Connection reset by peer")
                    handle.write(data[start : start + CHUNK])
                    bar.update(len(data[start : start + CHUNK]))
            target = local_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            incomplete.replace(target)
            metadata.write_text(f"{'a' * 40}\n{self.etags[name]}\n{time.time()}\n")
        return str(local_dir)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    import huggingface_hub

    fake = FakeHub(
        {"model_index.json": b'{"_class_name": "x"}', "unet/weights.safetensors": PAYLOAD}
    )
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake.snapshot_download)
    return fake


@pytest.fixture
def wizard(window, qtbot):
    from studio.ui.first_run import FirstRunWizard

    dialog = FirstRunWizard(window)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    if dialog.models_page.task is not None and dialog.models_page.task.running:
        dialog.models_page.task.cancel()
        qtbot.waitUntil(lambda: not dialog.models_page.task.running, timeout=10_000)


# --- the steps ---------------------------------------------------------------------------


def test_models_step_lists_recommended_downloads_with_size_and_licence(wizard) -> None:
    page = wizard.models_page
    ids = [spec.id for spec in page.specs]
    assert "sd-turbo" in ids and "qwen2.5-0.5b-instruct" in ids
    # shipped models are not offered as downloads, visuals come first
    assert "smollm2-135m-instruct" not in ids and "vintage-film" not in ids
    assert page.specs[0].kind == "visual"
    text = page.boxes["sd-turbo"].text()
    assert "SD-Turbo" in text and "GB" in text
    labels = " ".join(label.text() for label in page.findChildren(type(page.status)))
    assert "sai-nc-community" in labels and "Apache-2.0" in labels
    assert "Visuals:" in labels and "Copy:" in labels


def test_welcome_shows_once_and_skip_is_remembered(window, qtbot) -> None:
    from studio.ui.first_run import welcome_if_first_run

    assert welcome_if_first_run(window, None)
    wizard = window.first_run
    qtbot.addWidget(wizard)
    assert wizard.isVisible()
    wizard.reject()  # "Skip"
    assert load_settings().first_run_done
    assert window.session.workspace is None  # skipping opens nothing
    assert not welcome_if_first_run(window, None)


def test_a_workspace_named_on_the_command_line_skips_the_welcome(window, tmp_path) -> None:
    from studio.ui.first_run import welcome_if_first_run

    assert not welcome_if_first_run(window, tmp_path / "ws")
    assert not load_settings().first_run_done


def test_new_workspace_choice_creates_it(wizard, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "Shop"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    wizard.workspace_page.new.setChecked(True)
    wizard.accept()
    assert window.session.workspace_path == target
    assert load_settings().first_run_done


# --- downloading -------------------------------------------------------------------------


def test_download_shows_progress_and_registers_the_model(wizard, hub, qtbot) -> None:
    page = wizard.models_page
    page.boxes["sd-turbo"].setChecked(True)
    page.download_selected()
    qtbot.waitUntil(lambda: page.status.text() != "", timeout=20_000)
    assert "Downloaded" in page.status.text()
    spec = registry.get_spec("sd-turbo")
    assert registry.is_available(spec)
    folder = registry.hub_folder(spec)
    assert (folder / "unet" / "weights.safetensors").read_bytes() == PAYLOAD
    assert not page.boxes["sd-turbo"].isEnabled()
    # the user model list records the size on disk
    recorded = [s for s in registry._load_user_specs() if s.id == "sd-turbo"]
    assert recorded and recorded[0].size_bytes == registry._size_of(folder)


def test_interrupted_download_keeps_its_part_and_resumes(hub) -> None:
    spec = registry.get_spec("sd-turbo")
    hub.fail_at = len(PAYLOAD) // 2
    with pytest.raises(ModelError, match="Connection reset") as caught:
        registry.download(spec)
    assert "resumes" in (caught.value.hint or "")
    partial = list(registry.hub_folder(spec).rglob("*.incomplete"))
    assert partial and 0 < partial[0].stat().st_size < len(PAYLOAD)

    kept = partial[0].stat().st_size
    hub.fail_at = None
    reported: list[tuple[int, int | None]] = []
    path = registry.download(spec, on_progress=lambda done, total: reported.append((done, total)))
    assert hub.resumed_from[-1] == kept  # the second attempt continued, it did not restart
    big = [done for done, total in reported if total == len(PAYLOAD)]
    assert big[0] > kept and big[-1] == len(PAYLOAD) and big == sorted(big)
    assert (path / "unet" / "weights.safetensors").read_bytes() == PAYLOAD
    assert registry.verify_hub_files(spec, path) == 2


def test_a_file_that_does_not_match_its_sha256_is_deleted(hub) -> None:
    spec = registry.get_spec("sd-turbo")
    hub.etags["unet/weights.safetensors"] = hashlib.sha256(b"other bytes").hexdigest()
    with pytest.raises(ModelError, match="does not match the sha256"):
        registry.download(spec)
    folder = registry.hub_folder(spec)
    assert not (folder / "unet" / "weights.safetensors").exists()
    assert not any(folder.rglob("weights.safetensors.metadata"))
    assert not any(s.id == "sd-turbo" for s in registry._load_user_specs())


def test_failed_download_is_reported_and_can_be_retried(wizard, hub, qtbot) -> None:
    from studio.ui import errors

    shown = []
    errors.error_listeners.append(shown.append)
    try:
        hub.etags["unet/weights.safetensors"] = "0" * 64
        page = wizard.models_page
        page.boxes["sd-turbo"].setChecked(True)
        page.download_selected()
        qtbot.waitUntil(lambda: page.status.text() != "", timeout=20_000)
    finally:
        errors.error_listeners.remove(shown.append)
    assert "Download failed" in page.status.text()
    assert shown, "the error was not shown to the user"
    for dialog in shown:
        dialog.close()
    assert page.download_button.isEnabled() and page.boxes["sd-turbo"].isEnabled()
