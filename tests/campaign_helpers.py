"""Running a workspace's queue to the end, and copy written as the copy job stores it."""

from __future__ import annotations

from studio.core.channels import get_channel_format
from studio.core.records import NewAsset, Target
from studio.jobs import JobQueue, Worker
from studio.services.generation import default_handlers
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace


def run_queue(ws: Workspace, campaign_id: int | None = None) -> JobQueue:
    queue = JobQueue(ws)
    worker = Worker(
        ws.path, queue, default_handlers(), stop_when_idle=True, campaign_id=campaign_id
    )
    worker.start()
    assert worker.join(300)
    assert worker.error is None
    return queue


def add_copy(ws: Workspace, campaign_id: int, target: Target, fields: dict) -> int:
    return store.insert_asset(
        ws,
        NewAsset(
            kind="copy",
            generator="copy",
            campaign_id=campaign_id,
            target_id=target.id,
            channel=get_channel_format(target.channel_format).channel,
            format=target.channel_format,
            content={"fields": fields, "channel_format": target.channel_format, "passed": True},
            model_id="test-copy",
            seed=1,
        ),
    )
