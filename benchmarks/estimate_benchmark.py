"""How honest the first estimate is for a campaign of twenty-odd jobs: on an idle
machine and with one CPU-bound process beside it, cold and warm.

For each machine state a fresh process with a fresh ``STUDIO_HOME`` (no timings measured
yet; the model cache is the one set-up prepared) builds the demo shop and segments it,
then:

* **cold**: creates a campaign (2 segments × 2 recommended products × Meta feed and
  email, 1 variant per creative: 28 jobs), takes the planner's estimate, generates it and
  measures the time;
* **warm**: the same again with another campaign on the same workspace, the estimate now
  made from the jobs the cold run measured (and the model already loaded).

``busy`` runs one process spinning a core (``while True: pass``) for the whole child.
It prints measured against estimated seconds, and their ratio; the target is within
±25 %.

    .venv/bin/python benchmarks/estimate_benchmark.py --json estimates.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUSY_LOOP = "while True: pass"


def campaign_run(ws: Any, name: str, segments: list[int]) -> dict[str, Any]:
    from studio.core.campaign_settings import CampaignSettings
    from studio.services import audience, campaigns
    from studio.services.foreground import run_campaign
    from studio.services.planning import plan_generation

    pairs = audience.recommended_pairs(ws, segments, 2)
    campaign_id = campaigns.create_campaign(
        ws, name, pairs=pairs, channel_formats=["meta_feed", "email"],
        settings=CampaignSettings(variants=1),
    )  # fmt: skip
    plan = plan_generation(ws, campaign_id)
    started = time.perf_counter()
    summary = run_campaign(ws, campaign_id)
    measured = time.perf_counter() - started
    if summary["failed"]:
        raise SystemExit(f"{len(summary['failed'])} jobs failed: {summary['failed'][:2]}")
    return {
        "jobs": len(plan.jobs),
        "estimate_seconds": plan.estimate_seconds,
        "measured_seconds": round(measured, 1),
        "estimate_over_measured": round(plan.estimate_seconds / measured, 2),
    }


def child(folder: Path, customers: int) -> None:
    from studio.data.demo import create_demo_workspace
    from studio.data.recommend import compute_recommendations
    from studio.data.segmentation import run_segmentation
    from studio.services.audience import top_segments

    ws = create_demo_workspace(folder / "demo", n_customers=customers)
    compute_recommendations(ws, run_segmentation(ws, seed=0))
    segments = [s["id"] for s in top_segments(ws, 2)]
    out = {"cold": campaign_run(ws, "Cold", segments), "warm": campaign_run(ws, "Warm", segments)}
    ws.close()
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000, help="Demo shop size.")
    parser.add_argument("--states", default="idle,busy", help="idle, busy or both.")
    parser.add_argument("--json", default=None, help="Write the figures here too.")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.customers)
        return
    from studio.core import paths

    figures: dict[str, Any] = {}
    for state in args.states.split(","):
        with tempfile.TemporaryDirectory(prefix="estimate-bench-") as folder:
            env = {**os.environ, "STUDIO_HOME": str(Path(folder) / "home"),
                   "STUDIO_CACHE_DIR": str(paths.cache_dir())}  # fmt: skip
            spinner = (
                subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) if state == "busy" else None
            )
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--child", folder,
                     "--customers", str(args.customers)],
                    env=env, check=True, capture_output=True, text=True,
                )  # fmt: skip
            finally:
                if spinner is not None:
                    spinner.kill()
            figures[state] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{'machine':<8} {'run':<5} {'jobs':>4} {'estimate':>9} {'measured':>9} {'ratio':>6}")
    for state, runs in figures.items():
        for run, found in runs.items():
            estimate, measured = found["estimate_seconds"], found["measured_seconds"]
            ratio = found["estimate_over_measured"]
            print(f"{state:<8} {run:<5} {found['jobs']:>4} {estimate:>8.1f}s "
                  f"{measured:>8.1f}s {ratio:>6.2f}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
