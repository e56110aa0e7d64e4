"""The whole flow through the real window on the demo workspace:
open demo → segment → build a campaign → generate → approve → export."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt


def _wait_for_queue(window, qtbot, timeout_ms: int = 240_000) -> None:
    ws = window.session.workspace
    qtbot.waitUntil(
        lambda: ws.scalar("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')") == 0,
        timeout=timeout_ms,
    )


def test_demo_to_generated_campaign(window, qtbot, demo_customers, tiny_copy_model_dir):
    models = window.show_screen("Models")
    models.add_local(tiny_copy_model_dir, "copy", "llama", "Tiny test LM")
    assert models.selected().kind == "copy"
    qtbot.mouseClick(models.default_button, Qt.MouseButton.LeftButton)
    assert window.session.settings.default_models["copy"] == models.selected().id

    start = window.screens["Start"]
    start.demo_customers = demo_customers
    qtbot.mouseClick(start.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.workspace is not None, timeout=120_000)
    assert window.session.workspace.path.name == "Demo workspace"
    window.show_screen("Start")
    qtbot.waitUntil(
        lambda: start.counts["customers"].text() == f"{demo_customers:,}", timeout=30_000
    )

    audience = window.show_screen("Audience")
    task = audience.resegment(k=3, seed=0)
    with qtbot.waitSignal(task.ended, timeout=180_000):
        pass
    qtbot.waitUntil(lambda: len(audience.card_widgets) >= 3, timeout=10_000)

    builder = window.show_screen("Campaign builder")
    first_segment = next(iter(audience.card_widgets))
    builder.name.setText("Autumn coffee")
    builder.select_segments([first_segment])
    builder.top.setValue(1)
    builder.select_formats(["instagram_caption"])
    builder.landing_url.setText("https://shop.example/autumn")
    builder.occasion.setText("autumn")
    assert "1 targets" in builder.estimate.text() or "1 target" in builder.estimate.text()
    assert builder.generate_button.isEnabled()
    qtbot.mouseClick(builder.generate_button, Qt.MouseButton.LeftButton)
    assert window.current_screen.title == "Queue"
    queue = window.current_screen
    assert queue.model.rowCount() >= 3  # copy, visual, creative
    assert "Queue: " in window.queue_label.text() and window.queue_label.text() != "Queue: 0"

    _wait_for_queue(window, qtbot)
    ws = window.session.workspace
    statuses = {row["status"] for row in ws.query("SELECT status FROM jobs")}
    errors = ws.query("SELECT kind, error FROM jobs WHERE status != 'done'")
    assert statuses == {"done"}, errors
    qtbot.waitUntil(lambda: all(j["status"] == "done" for j in queue.model.jobs), timeout=5_000)
    creatives = ws.scalar("SELECT count(*) FROM assets WHERE kind = 'creative'")
    assert creatives == 2  # instagram_caption: 1080x1080 and 1080x1350

    # --- review: approve one, undo, approve again, edit the copy (creatives re-render) ---
    review = window.show_screen("Review board")
    assert review.campaign.currentText().startswith("Autumn coffee")
    assert review.tree.topLevelItemCount() == 1
    group = review.tree.topLevelItem(0)
    assert group.childCount() == 2 and "draft" in group.child(0).text(0)
    review.tree.setCurrentItem(group.child(0))
    chosen = review.selected.id
    qtbot.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
    status = "SELECT status FROM assets WHERE id = ?"
    assert ws.scalar(status, (chosen,)) == "approved"
    assert "approved" in review.tree.topLevelItem(0).child(0).text(0)
    window.undo_action.trigger()
    assert ws.scalar(status, (chosen,)) == "draft"
    window.redo_action.trigger()
    assert ws.scalar(status, (chosen,)) == "approved"

    caption = review.copy_editors["caption"]
    product = ws.query(
        "SELECT p.name FROM campaign_targets t JOIN products p ON p.id = t.product_id"
    )[0]["name"]
    caption.setPlainText(f"Autumn mornings feel better with {product}.")
    qtbot.mouseClick(review.save_copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.session.tasks.active(), timeout=60_000)
    copy = ws.query(
        "SELECT content, version FROM assets WHERE kind = 'copy' ORDER BY id DESC LIMIT 1"
    )[0]
    assert copy["version"] == 2 and "Autumn mornings" in copy["content"]
    assert '"text_problems": {}' in copy["content"]  # the edit passes every check
    rerendered = ws.scalar("SELECT count(*) FROM assets WHERE kind = 'creative' AND version = 2")
    assert rerendered == 2
    # the tree refreshes when the re-render's data change arrives: wait for that, not a count
    qtbot.waitUntil(
        lambda: (
            review.tree.topLevelItemCount() == 1
            and "v2" in review.tree.topLevelItem(0).child(0).text(0)
        ),
        timeout=10_000,
    )

    # leaving an item with unsaved copy edits asks: Cancel stays, Discard moves on
    group = review.tree.topLevelItem(0)
    review.tree.setCurrentItem(group.child(0))
    review.copy_editors["caption"].setPlainText("An edit nobody saved.")
    asked = []
    review.ask_unsaved = lambda: asked.append("cancel") or "cancel"
    review.tree.setCurrentItem(group.child(1))
    assert asked and review.tree.currentItem() is group.child(0)
    assert review.copy_editors["caption"].toPlainText() == "An edit nobody saved."
    review.ask_unsaved = lambda: "discard"
    review.tree.setCurrentItem(group.child(1))
    assert review.tree.currentItem() is group.child(1)

    qtbot.mouseClick(review.approve_all_button, Qt.MouseButton.LeftButton)
    drafts = ws.scalar(
        "SELECT count(*) FROM assets a WHERE kind IN ('creative', 'copy') AND status = 'draft'"
        " AND NOT EXISTS (SELECT 1 FROM assets n WHERE n.supersedes_id = a.id)"
    )
    assert drafts == 0

    campaign = window.session.workspace.query("SELECT settings FROM campaigns")[0]
    assert json.loads(campaign["settings"])["landing_url"] == "https://shop.example/autumn"

    # --- export ---------------------------------------------------------------------------
    export = window.show_screen("Export")
    assert export.campaign.currentText() == "Autumn coffee"
    task = export.export()
    with qtbot.waitSignal(task.ended, timeout=120_000):
        pass
    report = export.last_report
    assert report is not None and report.path.exists()
    assert report.creatives == 2
    assert report.path.name in export.result.text()
    assert export.open_button.isVisible()

    from studio.export import verify_bundle

    assert verify_bundle(report.path).ok

    # exporting again asks before the file is replaced; "No" leaves it as it was
    asked = []
    export.confirm_replace = lambda out: asked.append(out) or False
    before = report.path.read_bytes()
    assert export.export() is None and asked == [report.path]
    assert report.path.read_bytes() == before
