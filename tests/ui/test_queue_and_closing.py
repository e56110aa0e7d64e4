"""The queue's controls, the status bar, and closing the window while work runs."""

from __future__ import annotations

from filelock import FileLock
from PySide6.QtCore import Qt

from studio.services.campaigns import create_campaign
from studio.services.planning import enqueue_generation
from studio.storage.workspace import WORKER_LOCK as LOCK_NAME
from studio.storage.workspace import Workspace
from studio.ui import errors
from studio.ui.viewmodels.jobs import ETA_COLUMN


def _campaign_with_jobs(path, targets: int = 2) -> list[int]:
    with Workspace.open(path) as ws:
        segments = [r["id"] for r in ws.query("SELECT id FROM segments ORDER BY id LIMIT ?",
                                               (targets,))]  # fmt: skip
        product = ws.scalar("SELECT id FROM products ORDER BY id LIMIT 1")
        campaign = create_campaign(ws, "Queue test", segment_ids=segments, product_ids=[product],
                                   channel_formats=["instagram_caption"])  # fmt: skip
        return enqueue_generation(ws, campaign)


def test_queue_controls_while_another_window_generates(window, qtbot, segmented_path):
    jobs = _campaign_with_jobs(segmented_path)
    shown = []
    errors.error_listeners.append(shown.append)
    lock = FileLock(str(segmented_path / LOCK_NAME))
    lock.acquire()
    try:
        window.screens["Start"].open_workspace(segmented_path)
        assert shown and "already generating" in shown[0].what
        shown[0].close()
        queue = window.show_screen("Queue")
        assert [j["id"] for j in queue.model.jobs] == jobs
        assert window.queue_label.text() == f"Queue: {len(jobs)}"
        assert queue.model.index(0, ETA_COLUMN).data()  # an ETA for queued work

        queue.table.selectRow(0)
        qtbot.mouseClick(queue.cancel_button, Qt.MouseButton.LeftButton)
        ws = window.session.workspace
        assert ws.scalar("SELECT status FROM jobs WHERE id = ?", (jobs[0],)) == "cancelled"
        assert queue.model.jobs[-1]["id"] == jobs[0]  # finished jobs go last
        queue.table.selectRow(len(jobs) - 1)
        qtbot.mouseClick(queue.retry_button, Qt.MouseButton.LeftButton)
        assert ws.scalar("SELECT status FROM jobs WHERE id = ?", (jobs[0],)) == "queued"
        last = queue.model.row_of(jobs[0])
        queue.table.selectRow(last)
        qtbot.mouseClick(queue.up_button, Qt.MouseButton.LeftButton)
        assert queue.model.row_of(jobs[0]) == last - 1
        qtbot.mouseClick(queue.cancel_all_button, Qt.MouseButton.LeftButton)
        assert ws.scalar("SELECT count(*) FROM jobs WHERE status = 'queued'") == 0
        assert window.queue_label.text() == "Queue: 0"
    finally:
        errors.error_listeners.remove(shown.append)
        lock.release()


def test_closing_with_a_running_job_asks_and_stops_cleanly(
    window, qtbot, segmented_path, tiny_copy_model_dir
):
    from generators.registry import add_local_model

    spec = add_local_model(tiny_copy_model_dir, "copy", "llama", model_id="tiny-close")
    window.session.settings.default_models["copy"] = spec.id
    window.session.save_settings()
    jobs = _campaign_with_jobs(segmented_path, targets=3)
    asked = []
    window.ask_to_stop = lambda busy: asked.append(busy) or False  # "Keep working" first
    window.screens["Start"].open_workspace(segmented_path)
    ws = window.session.workspace
    qtbot.waitUntil(
        lambda: ws.scalar("SELECT count(*) FROM jobs WHERE status = 'running'") == 1,
        timeout=60_000,
    )
    qtbot.waitUntil(lambda: window.session.worker.current_job_id is not None, timeout=10_000)
    queue = window.show_screen("Queue")
    queue.table.clearSelection()
    assert queue.cancel_button.isEnabled()  # with nothing selected it cancels the running job
    # the status bar names the model while it generates, not only between jobs
    qtbot.waitUntil(lambda: "tiny-close" in window.model_label.text(), timeout=30_000)
    assert not window.close()  # the user chose to keep working
    assert asked and any("Generating" in label for label in asked[-1])
    assert window.isVisible()

    interrupted = window.session.worker.current_job_id
    window.ask_to_stop = lambda busy: True
    assert window.close()
    assert window.session.worker is None and window.session.workspace is None
    with Workspace.open(segmented_path) as reopened:
        rows = reopened.query("SELECT id, status, message FROM jobs ORDER BY id")
    statuses = [r["status"] for r in rows]
    assert "running" not in statuses and "cancelled" not in statuses
    assert "queued" in statuses  # what had not started waits for next time
    assert len(statuses) == len(jobs)
    # the job closing interrupted is queued again, to run first when the studio reopens
    (job,) = [r for r in rows if r["id"] == interrupted]
    assert job["status"] == "queued" and job["message"].startswith("Interrupted")


def test_status_bar_shows_the_device(window, qtbot):
    qtbot.waitUntil(lambda: "detecting" not in window.device_label.text(), timeout=60_000)
    assert "CPU" in window.device_label.text()
    assert window.model_label.text().startswith("Model:")
