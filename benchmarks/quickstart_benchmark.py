"""The main job, phase by phase: ``studio quickstart`` cold and warm, against its estimate.

* **cold**: a new process and a fresh ``STUDIO_HOME`` (no settings, no timings measured
  yet), as a user's first run after set-up: the copy model's GGUF conversion is what
  set-up does (``studio models prepare``), so the model cache is the machine's prepared
  one (``--cold-cache`` converts it again first and times that too, apart);
* **warm**: the same process runs the quickstart again on a new workspace, with the
  models loaded.

Each run prints its phases (demo, segment, recommend, plan, then every job kind as the
jobs measured themselves, the jobs' own overhead, approval and export) with seconds and
share, the peak memory, and the plan's estimate against the measured total.

    .venv/bin/python benchmarks/quickstart_benchmark.py --json quickstart.json
    .venv/bin/python benchmarks/quickstart_benchmark.py --customers 50000   # 10× the demo
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
from collections import defaultdict
from pathlib import Path
from typing import Any

#: what the quickstart says as each phase begins → the phase's name
PHASES = (
    ("Creating the demo workspace", "demo"),
    ("Finding customer segments", "segment"),
    ("Recommending products", "recommend, create and plan"),
    ("Campaign '", "jobs"),
    ("Approving what passes", "approve and export"),
)


def run_once(workspace: Path, customers: int) -> dict[str, Any]:
    """One quickstart in this process, timed by phase."""
    from studio.services.quickstart import QuickstartOptions, quickstart
    from studio.storage.workspace import Workspace

    stamps: list[tuple[str, float]] = []

    def say(text: str) -> None:
        phase = next((name for start, name in PHASES if text.startswith(start)), None)
        if phase is not None:
            stamps.append((phase, time.perf_counter()))

    started = time.perf_counter()
    options = QuickstartOptions(workspace, workspace / "campaign.zip", demo_customers=customers)
    summary = quickstart(options, say=say)
    ended = time.perf_counter()
    phases: dict[str, float] = {}
    for (name, at), (_, until) in zip(stamps, [*stamps[1:], ("end", ended)], strict=True):
        phases[name] = until - at
    # the plan is made between recommending and the campaign's first message
    ws = Workspace.open(workspace)
    try:
        kinds: dict[str, float] = defaultdict(float)
        for row in ws.query("SELECT kind, result FROM jobs WHERE status = 'done'"):
            kinds[row["kind"]] += float(json.loads(row["result"]).get("seconds") or 0.0)
    finally:
        ws.close()
    jobs = phases.pop("jobs", 0.0)
    for kind, seconds in sorted(kinds.items()):
        phases[f"job: {kind}"] = seconds
    phases["jobs: queue, loading and saving"] = max(jobs - sum(kinds.values()), 0.0)
    total = ended - started
    return {
        "total_seconds": round(total, 1),
        "estimate_seconds": summary["estimate_seconds"],
        "estimate_over_measured": round(summary["estimate_seconds"] / total, 2),
        "phases": {name: round(seconds, 1) for name, seconds in phases.items()},
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def child(args: argparse.Namespace) -> None:
    """Runs in a fresh process: cold, then warm on a second workspace."""
    out: dict[str, Any] = {}
    base = Path(args.child)
    out["cold"] = run_once(base / "cold", args.customers)
    out["warm"] = run_once(base / "warm", args.customers)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=5000, help="Demo shop size.")
    parser.add_argument(
        "--cold-cache", action="store_true",
        help="Convert the copy model again first (what set-up does), timed.",
    )  # fmt: skip
    parser.add_argument("--json", default=None, help="Write the figures here too.")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    figures: dict[str, Any] = {"customers": args.customers}
    from studio.core import paths

    with tempfile.TemporaryDirectory(prefix="quickstart-bench-") as folder:
        # a fresh home, and the model cache set-up prepared (a fresh home alone would
        # move the cache too, and the first campaign would convert the GGUF again)
        env = {
            **os.environ,
            "STUDIO_HOME": str(Path(folder) / "home"),
            "STUDIO_CACHE_DIR": str(paths.cache_dir()),
        }
        if args.cold_cache:
            env["STUDIO_CACHE_DIR"] = str(Path(folder) / "cache")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "studio", "models", "prepare"], env=env,
                           check=True, capture_output=True)  # fmt: skip
            figures["prepare_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--child", folder, "--customers", str(args.customers)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        figures["process_seconds"] = round(time.perf_counter() - started, 1)
        figures.update(json.loads(done.stdout.strip().splitlines()[-1]))
    for run in ("cold", "warm"):
        found = figures[run]
        total = found["total_seconds"]
        estimate, ratio = found["estimate_seconds"], found["estimate_over_measured"]
        print(f"\n{run}: {total:.1f} s measured, {estimate:.1f} s estimated ({ratio:.2f}×), "
              f"peak {found['peak_memory_mib']} MiB")  # fmt: skip
        for name, seconds in found["phases"].items():
            print(f"  {name:<34} {seconds:7.1f} s  {seconds / total:6.1%}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
