"""The window shell: screens, workspace open/create/recent, settings, models, errors."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from studio.core.settings import load_settings, settings_path
from studio.storage.workspace import Workspace


def test_sidebar_lists_every_screen_and_switches(window, qtbot):
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == list(window.screens)
    window.sidebar.setCurrentRow(titles.index("Settings"))
    assert window.current_screen.title == "Settings"


def test_create_then_reopen_from_recent(window, qtbot, tmp_path):
    start = window.screens["Start"]
    start.create_workspace(tmp_path / "shop")
    assert window.session.workspace_path == tmp_path / "shop"
    assert "shop" in window.windowTitle()
    assert str((tmp_path / "shop").resolve()) in load_settings().recent_workspaces
    window.session.close_workspace()
    assert window.session.workspace is None
    start.refresh_now()
    item = start.recent.item(0)
    assert "shop" in item.text()
    start.recent.itemActivated.emit(item)
    assert window.session.workspace_path == tmp_path / "shop"


def test_opening_a_folder_without_workspace_shows_what_to_do(window, qtbot, tmp_path):
    from studio.ui import errors

    shown = []
    errors.error_listeners.append(shown.append)
    try:
        window.screens["Start"].open_workspace(tmp_path / "nothing-here")
    finally:
        errors.error_listeners.remove(shown.append)
    assert len(shown) == 1
    dialog = shown[0]
    assert "No workspace at" in dialog.what
    assert "create one" in dialog.todo
    assert "Traceback" in dialog.detailedText()
    assert dialog.log_button.text() == "Open log folder"
    dialog.close()
    assert window.session.workspace is None


def test_settings_are_saved_when_changed(window, qtbot, qapp):
    screen = window.show_screen("Settings")
    screen.device.setCurrentIndex(screen.device.findData("cpu"))
    screen.theme.setCurrentIndex(screen.theme.findData("dark"))
    saved = json.loads(settings_path().read_text())
    assert saved["device"] == "cpu"
    assert saved["theme"] == "dark"
    assert qapp.palette().window().color().lightness() < 80


def test_models_screen_lists_builtin_models_and_sets_default(window, qtbot):
    screen = window.show_screen("Models")
    ids = [spec.id for spec in screen.model.specs]
    assert "smollm2-135m-instruct" in ids
    screen.select("smollm2-135m-instruct")
    row = ids.index("smollm2-135m-instruct")
    assert screen.model.index(row, 5).data() == "Built in"
    assert screen.default_button.isEnabled()
    qtbot.mouseClick(screen.default_button, Qt.MouseButton.LeftButton)
    assert load_settings().default_models["copy"] == "smollm2-135m-instruct"
    assert screen.model.index(row, 6).data() == "✓"


def test_workspace_summary_shows_counts(window, qtbot, tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    ws.close()
    window.screens["Start"].open_workspace(tmp_path / "ws")
    start = window.show_screen("Start")
    qtbot.waitUntil(lambda: start.counts["customers"].text() == "0", timeout=30_000)


def test_every_button_has_a_name_and_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QCheckBox, QRadioButton

    unnamed = []
    for screen in window.screens.values():
        for widget in screen.findChildren(QAbstractButton):
            if isinstance(widget, QCheckBox | QRadioButton) or widget.objectName().startswith(
                "qt_"
            ):
                continue  # their text is their name; Qt's own parts (table corners) are not ours
            if not (widget.text().replace("&", "") or widget.accessibleName()):
                unnamed.append(f"{screen.title}: {widget!r}")
            elif not widget.toolTip() and widget.text() not in ("", "OK", "Cancel"):
                unnamed.append(f"{screen.title}: '{widget.text()}' has no tooltip")
    assert not unnamed, "\n".join(unnamed)


def test_shortcuts_switch_screens(window, qtbot):
    from PySide6.QtGui import QKeySequence

    actions = {a.text(): a for a in window.actions()}
    assert actions["Queue"].shortcut() == QKeySequence("Ctrl+6")
    actions["Queue"].trigger()
    assert window.current_screen.title == "Queue"


def test_models_folder_setting_moves_the_model_cache(window, tmp_path):
    from studio.core.settings import models_dir as models_folder

    screen = window.show_screen("Settings")
    screen.models_dir.setText(str(tmp_path / "my-models"))
    screen.models_dir.editingFinished.emit()
    assert models_folder() == tmp_path / "my-models"
    assert (tmp_path / "my-models").is_dir()


def test_a_failed_download_says_what_to_do(window, qtbot):
    from studio.ui import errors

    screen = window.show_screen("Models")
    hub = next(s for s in screen.model.specs if s.source == "hub")
    screen.select(hub.id)
    assert screen.download_button.isEnabled()
    shown = []
    errors.error_listeners.append(shown.append)
    try:
        qtbot.mouseClick(screen.download_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(shown), timeout=60_000)
    finally:
        errors.error_listeners.remove(shown.append)
    assert hub.id in shown[0].what
    assert shown[0].todo  # e.g. check the connection; a retry resumes
    shown[0].close()
    assert screen.model.state(hub) == "Not downloaded"
