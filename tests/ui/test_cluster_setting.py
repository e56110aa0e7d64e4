"""The Settings' cluster: an address is checked before it is saved, and the open
workspace's queue moves to the cluster (and back) without reopening it."""

from __future__ import annotations

import pytest
from campaign_helpers import add_copy

from studio.core.settings import load_settings
from studio.jobs import JobQueue, Worker
from studio.services import campaigns as c
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store

EMAIL_COPY = {
    "subject": ["Fresh beans for your mornings"],
    "preheader": ["House Blend Beans, roasted for you"],
    "body": ["Start the day with our House Blend Beans."],
    "cta": ["Shop now"],
}


def _set_cluster(screen, address: str, workers: int = 0) -> None:
    screen.cluster_address.setText(address)
    screen.cluster_workers.setValue(workers)
    screen.cluster_address.editingFinished.emit()


def test_a_wrong_cluster_address_is_explained_not_saved(window):
    screen = window.show_screen("Settings")
    _set_cluster(screen, "http://head")
    assert "not a Ray cluster address" in screen.cluster_status.text()
    assert load_settings().cluster_address is None


@pytest.mark.cluster
def test_the_queue_moves_to_the_cluster_and_back(window, qtbot, demo_ws):
    pytest.importorskip("ray")
    from studio.cluster.dispatcher import ClusterWorker

    campaign_id = c.create_campaign(demo_ws, "Cluster", pairs=[(1, 1)], channel_formats=["email"])
    for target in store.campaign_targets(demo_ws, campaign_id):
        add_copy(demo_ws, campaign_id, target, EMAIL_COPY)
    path = demo_ws.path
    demo_ws.close()
    window.screens["Start"].open_workspace(path)
    session = window.session
    session.worker.stop()  # the queue waits until it runs on the cluster
    enqueue_generation(session.workspace, campaign_id)

    screen = window.show_screen("Settings")
    _set_cluster(screen, "auto", workers=1)
    assert load_settings().cluster_address == "auto"
    assert isinstance(session.worker, ClusterWorker)
    queue = JobQueue(session.workspace)
    qtbot.waitUntil(lambda: queue.pending_count(campaign_id) == 0, timeout=180_000)
    assert {j.status for j in queue.list()} == {"done"}
    assert "cluster" in screen.cluster_status.text()

    _set_cluster(screen, "")
    assert isinstance(session.worker, Worker)
    assert load_settings().cluster_address is None
