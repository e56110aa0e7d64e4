"""Throughput of a campaign's generation: the local worker against a Ray cluster of
one and of two workers on this machine, in one run.

The campaign has one email creative per (segment, product) pair, at least 200, with its
copy already written (copy generation is measured in ``copy_benchmark.py``), so the run
times what the cluster changes: claiming, shipping the database snapshot and the
campaign's photos, rendering on the actors, returning the bytes, and storing them. Each
configuration runs on its own copy of the same workspace; the creatives must come out
byte-identical.

    .venv/bin/python benchmarks/cluster_benchmark.py --creatives 200 --json cluster.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from studio.cluster.dispatcher import ClusterOptions, ClusterWorker
from studio.core.channels import get_channel_format
from studio.core.records import NewAsset
from studio.data.demo import create_demo_workspace
from studio.data.segmentation import run_segmentation
from studio.jobs import JobQueue, Worker
from studio.services import campaigns as c
from studio.services.generation import default_handlers
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

EMAIL_COPY = {
    "subject": ["Fresh picks for your mornings"],
    "preheader": ["Chosen for you from this season's range"],
    "body": ["Start the day with something new from our shop."],
    "cta": ["Shop now"],
}


def build(folder: Path, creatives: int) -> tuple[Path, int]:
    """A demo workspace with a queued email campaign of ``creatives`` targets."""
    path = folder / "template"
    with create_demo_workspace(path, seed=7, n_customers=800) as ws:
        run_segmentation(ws, seed=0)
        segments = [r["id"] for r in ws.query("SELECT id FROM segments ORDER BY id")]
        products = [r["id"] for r in ws.query("SELECT id FROM products ORDER BY id")]
        pairs = [(s, p) for p in products for s in segments][:creatives]
        if len(pairs) < creatives:
            sys.exit(f"the demo has only {len(pairs)} segment × product pairs")
        campaign_id = c.create_campaign(ws, "Bench", pairs=pairs, channel_formats=["email"])
        channel = get_channel_format("email").channel
        with ws.write():
            for target in store.campaign_targets(ws, campaign_id):
                store.insert_asset(
                    ws,
                    NewAsset(
                        kind="copy", generator="copy", campaign_id=campaign_id,
                        target_id=target.id, channel=channel, format="email",
                        content={"fields": EMAIL_COPY, "channel_format": "email",
                                 "passed": True},
                        model_id="benchmark-copy", seed=1,
                    ),
                )  # fmt: skip
        enqueue_generation(ws, campaign_id)
    return path, campaign_id


def run(template: Path, folder: Path, name: str, make) -> dict:
    path = folder / name
    shutil.copytree(template, path)
    with Workspace.open(path) as ws:
        queue = JobQueue(ws)
        jobs = queue.pending_count()
        first: list[float] = []

        def listener(event) -> None:
            if event.kind == "started" and not first:
                first.append(time.perf_counter())

        worker = make(path, queue, listener)
        began = time.perf_counter()
        worker.start()
        worker.join()
        ended = time.perf_counter()
        startup = first[0] - began if first else 0.0
        seconds = ended - began - startup  # generation only: Ray starts once a session
        if worker.error is not None:
            raise worker.error
        made = [
            r["sha256"]
            for r in ws.query("SELECT sha256 FROM assets WHERE kind = 'creative' ORDER BY sha256")
        ]
        failed = [j for j in queue.list() if j.status != "done"]
    return {
        "config": name,
        "jobs": jobs,
        "creatives": len(made),
        "failed_jobs": len(failed),
        "startup_seconds": round(startup, 2),
        "seconds": round(seconds, 2),
        "creatives_per_minute": round(60 * len(made) / seconds, 1),
        "sha256": made,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creatives", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)  # as each cluster worker, so the bytes can be compared
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        folder = Path(tmp)
        template, _ = build(folder, args.creatives)
        local = run(
            template, folder, "local",
            lambda p, q, listen: Worker(p, q, default_handlers(), listen, stop_when_idle=True),
        )  # fmt: skip
        rows = [local]
        for workers in (1, 2):
            rows.append(
                run(
                    template, folder, f"ray-{workers}",
                    lambda p, q, listen, n=workers: ClusterWorker(
                        p, q, listen, stop_when_idle=True,
                        options=ClusterOptions(workers=n, init={"num_cpus": 2}),
                    ),
                )
            )  # fmt: skip
    reference = local["sha256"]
    for row in rows:
        row["same_bytes_as_local"] = row.pop("sha256") == reference
    local_s = local["seconds"]
    for row in rows:
        row["speed_vs_local"] = round(local_s / row["seconds"], 2)
    one = next(r for r in rows if r["config"] == "ray-1")
    overhead_ms = 1000 * (one["seconds"] - local_s) / max(1, one["jobs"])
    print(f"{'config':<8} {'jobs':>5} {'creatives':>9} {'start s':>8} {'s':>8} {'/min':>7} "
          f"{'× local':>8} same")  # fmt: skip
    for row in rows:
        print(
            f"{row['config']:<8} {row['jobs']:>5} {row['creatives']:>9} "
            f"{row['startup_seconds']:>8} {row['seconds']:>8} "
            f"{row['creatives_per_minute']:>7} {row['speed_vs_local']:>8} "
            f"{row['same_bytes_as_local']}"
        )
    print(f"cluster overhead per job (ray-1 against local): {overhead_ms:.0f} ms")
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "overhead_ms_per_job": round(overhead_ms, 1)}, indent=2)
        )


if __name__ == "__main__":
    main()
