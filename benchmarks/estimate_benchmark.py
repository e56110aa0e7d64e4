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
±25 %. Estimates read how busy the machine is when they are made
(:mod:`studio.core.machine_load`), so the busy *cold* run is the one that tests that.

At scale, ``--customers 50000 --segments 5 --products 4 --runs cold --states idle``
makes a 40-target campaign (5 segments × 4 products × Meta feed and email) on a shop
10× the demo, and prints each phase (demo, segments and recommendations, the campaign's
jobs) and the child's peak memory.

    .venv/bin/python benchmarks/estimate_benchmark.py --json estimates.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUSY_LOOP = "while True: pass"


def campaign_run(ws: Any, name: str, segments: list[int], products: int) -> dict[str, Any]:
    from studio.core.campaign_settings import CampaignSettings
    from studio.services import audience, campaigns
    from studio.services.foreground import run_campaign
    from studio.services.planning import plan_generation

    pairs = audience.recommended_pairs(ws, segments, products)
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
        "targets": len(pairs) * 2,
        "jobs": len(plan.jobs),
        "estimate_seconds": plan.estimate_seconds,
        "measured_seconds": round(measured, 1),
        "estimate_over_measured": round(plan.estimate_seconds / measured, 2),
    }


def child(folder: Path, args: argparse.Namespace) -> None:
    from studio.data.demo import create_demo_workspace
    from studio.data.recommend import compute_recommendations
    from studio.data.segmentation import run_segmentation
    from studio.services.audience import top_segments

    started = time.perf_counter()
    ws = create_demo_workspace(folder / "demo", n_customers=args.customers)
    built = time.perf_counter()
    compute_recommendations(ws, run_segmentation(ws, seed=0))
    segmented = time.perf_counter()
    segments = [s["id"] for s in top_segments(ws, args.segments)]
    out: dict[str, Any] = {
        "phases": {"demo": round(built - started, 1), "segments": round(segmented - built, 1)}
    }
    for run in args.runs.split(","):
        out[run] = campaign_run(ws, run.capitalize(), segments, args.products)
    ws.close()
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000, help="Demo shop size.")
    parser.add_argument("--states", default="idle,busy", help="idle, busy or both.")
    parser.add_argument("--segments", type=int, default=2, help="Segments in the campaign.")
    parser.add_argument("--products", type=int, default=2, help="Products per segment.")
    parser.add_argument("--runs", default="cold,warm", help="cold, warm or both.")
    parser.add_argument("--json", default=None, help="Write the figures here too.")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args)
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
                     "--customers", str(args.customers), "--segments", str(args.segments),
                     "--products", str(args.products), "--runs", args.runs],
                    env=env, check=True, capture_output=True, text=True,
                )  # fmt: skip
            finally:
                if spinner is not None:
                    spinner.kill()
            figures[state] = json.loads(done.stdout.strip().splitlines()[-1])
            # the largest child so far: the campaign's process (the spinner is tiny)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
            figures[state]["peak_memory_gib"] = round(peak, 2)
    print(f"{'machine':<8} {'run':<5} {'targets':>7} {'jobs':>4} {'estimate':>9} "
          f"{'measured':>9} {'ratio':>6}")  # fmt: skip
    for state, runs in figures.items():
        for run in args.runs.split(","):
            found = runs[run]
            estimate, measured = found["estimate_seconds"], found["measured_seconds"]
            ratio = found["estimate_over_measured"]
            print(f"{state:<8} {run:<5} {found['targets']:>7} {found['jobs']:>4} "
                  f"{estimate:>8.1f}s {measured:>8.1f}s {ratio:>6.2f}")  # fmt: skip
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in runs["phases"].items())
        print(f"{state:<8} before the campaign: {phases}; peak memory "
              f"{runs['peak_memory_gib']:.2f} GiB")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
