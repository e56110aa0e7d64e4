"""Where a new user stumbled: names instead of ids, words instead of scores, Tab that
moves on, and an Export button that says why it waits."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.services.campaigns import create_campaign
from studio.storage.workspace import Workspace
from studio.ui.screens.audience import _distinctness
from studio.ui.viewmodels.format_names import format_label


def test_formats_are_shown_by_their_names() -> None:
    assert format_label("iab_728x90") == "IAB leaderboard 728×90"
    assert format_label("google_rsa") == "Google responsive search ad"
    assert format_label("made_up_size") == "made_up_size"  # unknown: shown as it is
    assert format_label(None) == ""


def test_segment_quality_is_said_in_words() -> None:
    assert _distinctness(0.62).startswith("; clearly distinct groups")
    assert "fairly distinct" in _distinctness(0.31)
    assert "overlapping" in _distinctness(0.12) and "(silhouette 0.12)" in _distinctness(0.12)
    assert _distinctness(None) == ""


def test_tab_leaves_the_brief(window, qtbot, demo_path) -> None:
    window.screens["Start"].open_workspace(demo_path)
    builder = window.show_screen("Campaign builder")
    window.activateWindow()
    builder.brief.setFocus()
    qtbot.waitUntil(builder.brief.hasFocus, timeout=5_000)
    qtbot.keyClick(builder.brief, Qt.Key.Key_Tab)
    assert not builder.brief.hasFocus()
    assert "\t" not in builder.brief.toPlainText()


def test_export_waits_for_approved_work_and_says_so(window, qtbot, segmented_path) -> None:
    with Workspace.open(segmented_path) as ws:
        segment = ws.scalar("SELECT id FROM segments ORDER BY id LIMIT 1")
        product = ws.scalar("SELECT id FROM products ORDER BY id LIMIT 1")
        create_campaign(ws, "Nothing approved", segment_ids=[segment], product_ids=[product],
                        channel_formats=["google_display"])  # fmt: skip
    window.screens["Start"].open_workspace(segmented_path)
    export = window.show_screen("Export")
    assert not export.export_button.isEnabled()
    assert "approve creatives in Review" in export.counts.text()
    export.include_drafts.setChecked(True)
    assert export.export_button.isEnabled()
    labels = [export.formats.item(i).text() for i in range(export.formats.count())]
    assert labels and not any(label.startswith("iab_") for label in labels)


def test_a_segment_without_recommendations_says_why(window, qtbot, segmented_path) -> None:
    with Workspace.open(segmented_path) as ws:
        first, second = [r["id"] for r in ws.query("SELECT id FROM segments ORDER BY id LIMIT 2")]
        with ws.write() as db:
            db.execute("DELETE FROM recommendations WHERE segment_id = ?", (second,))
        name = ws.scalar("SELECT name FROM segments WHERE id = ?", (second,))
    window.screens["Start"].open_workspace(segmented_path)
    builder = window.show_screen("Campaign builder")
    builder.name.setText("Reasons")
    builder.select_formats(["sms"])
    builder.select_segments([second])
    assert not builder.generate_button.isEnabled()
    assert "no recommended products yet" in builder.estimate.text()
    assert name in builder.estimate.text()
    builder.select_segments([first, second])
    assert builder.generate_button.isEnabled()
    assert f"Left out, with no recommended products: “{name}”" in builder.estimate.text()
