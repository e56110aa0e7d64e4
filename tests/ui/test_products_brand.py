"""Products with recommendations, and the brand kit with undo and a live preview."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt


def test_products_grid_shows_photos_and_recommendations(window, qtbot, segmented_path):
    window.screens["Start"].open_workspace(segmented_path)
    screen = window.show_screen("Products")
    products = window.session.workspace.query("SELECT count(*) AS n FROM products")[0]["n"]
    assert screen.grid_model.rowCount() == products
    assert not screen.grid_model.item(0).icon().isNull()  # the packshot thumbnail
    screen.grid.setCurrentIndex(screen.grid_model.index(2, 0))
    assert screen.name.text() == screen.products[2]["name"]
    assert screen.segment_choice.count() >= 3
    first = screen.products_list.item(0).text()
    stored = window.session.workspace.query(
        "SELECT p.name, r.explanation FROM recommendations r JOIN products p ON p.id = r.product_id"
        " WHERE r.segment_id = ? ORDER BY r.rank LIMIT 1",
        (screen.segment_choice.currentData(),),
    )[0]
    assert first.startswith(stored["name"]) and stored["explanation"] in first


def test_brand_kit_edits_are_saved_undone_and_previewed(window, qtbot, demo_path):
    window.screens["Start"].open_workspace(demo_path)
    screen = window.show_screen("Brand kit")
    qtbot.waitUntil(lambda: screen.preview_image is not None, timeout=30_000)
    first_preview = screen.preview_image
    ws = window.session.workspace

    def stored_palette():
        return json.loads(
            ws.scalar("SELECT palette FROM brand_kits WHERE name = ?", (screen.kit.name,))
        )

    old = stored_palette()["primary"]
    screen.edit("palette.primary", "#00AA55", "Change primary colour")
    assert stored_palette()["primary"] == "#00AA55"
    assert "#00AA55" in screen.swatches["primary"].toolTip()
    qtbot.waitUntil(lambda: screen.preview_image is not first_preview, timeout=30_000)

    screen.banned_words.setText("cheap, free")
    screen.banned_words.editingFinished.emit()
    assert json.loads(ws.scalar("SELECT banned_words FROM brand_kits")) == ["cheap", "free"]

    window.undo_action.trigger()  # banned words back
    assert json.loads(ws.scalar("SELECT banned_words FROM brand_kits")) == []
    window.undo_action.trigger()  # colour back
    assert stored_palette()["primary"] == old
    window.redo_action.trigger()
    assert stored_palette()["primary"] == "#00AA55"
    qtbot.waitUntil(lambda: not window.session.tasks.active(), timeout=30_000)


def test_a_bad_colour_is_refused_with_a_message(window, qtbot, demo_path):
    from studio.ui import errors

    window.screens["Start"].open_workspace(demo_path)
    screen = window.show_screen("Brand kit")
    shown = []
    errors.error_listeners.append(shown.append)
    try:
        screen.edit("palette.accent", "not-a-colour", "Change accent colour")
    finally:
        errors.error_listeners.remove(shown.append)
    assert shown and "colour" in shown[0].what
    assert "not-a-colour" not in window.session.workspace.scalar("SELECT palette FROM brand_kits")
    shown[0].close()
    qtbot.waitUntil(lambda: not window.session.tasks.active(), timeout=30_000)


def test_ctrl_z_in_a_brand_kit_field_undoes_the_last_kit_change(window, qtbot, demo_path):
    window.screens["Start"].open_workspace(demo_path)
    screen = window.show_screen("Brand kit")
    ws = window.session.workspace
    screen.banned_words.setText("cheap, free")
    screen.banned_words.editingFinished.emit()
    assert json.loads(ws.scalar("SELECT banned_words FROM brand_kits")) == ["cheap", "free"]

    field = screen.tone_words  # a field with nothing of its own to undo
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5_000)
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert json.loads(ws.scalar("SELECT banned_words FROM brand_kits")) == []

    field.setText("")
    qtbot.keyClicks(field, "warm")  # now the field's own typing is undone first
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == ""
    qtbot.waitUntil(lambda: not window.session.tasks.active(), timeout=30_000)


def test_a_shop_without_a_kit_sees_the_neutral_one_and_makes_it_its_own(window, qtbot, tmp_path):
    window.screens["Start"].create_workspace(tmp_path / "corner-shop")
    screen = window.show_screen("Brand kit")
    ws = window.session.workspace
    assert not screen.neutral_note.isHidden()
    assert screen.kit.name == "Neutral kit" and screen.kit.tone_words == []
    assert ws.scalar("SELECT count(*) FROM brand_kits") == 0  # shown, not saved
    screen.edit("palette.primary", "#00AA55", "Change primary colour")
    assert ws.query("SELECT name FROM brand_kits")[0]["name"] == "Corner Shop"
    assert screen.neutral_note.isHidden()
    assert screen.kit_choice.currentText() == "Corner Shop"
    qtbot.waitUntil(lambda: not window.session.tasks.active(), timeout=30_000)
