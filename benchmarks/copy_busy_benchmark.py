"""Copy on a busy desktop: seconds per ``meta_feed`` target, idle and with CPU-bound
processes beside it, for OpenMP threads that sleep while they wait (the studio's
``OMP_WAIT_POLICY=PASSIVE``) against threads that spin (``ACTIVE``, the runtime's usual
behaviour), all measured in one run.

Each configuration runs in a fresh process (the wait policy is read when the OpenMP
runtime starts), loads the default copy model, writes one target to warm up, then times
``--targets`` targets. "Busy" starts ``--busy`` pure-Python processes that spin for the
whole measurement, as other programs on a desktop would.

    .venv/bin/python benchmarks/copy_busy_benchmark.py --targets 2 --busy 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time

REQUEST_CODE = """
import json, time
from studio.core.progress import CancelToken, ProgressSink
from generators.copy import CopyRequest, ProductFacts, SegmentBrief, generate_copy

def request(seed):
    return CopyRequest(
        product=ProductFacts("Espresso Dark Roast", "Coffee",
                             "A syrupy dark roast made for espresso machines.", price=14.5,
                             currency="EUR"),
        channel_format="meta_feed",
        segment=SegmentBrief("Active big spenders (Coffee)", approach="loyalty"),
        brief="Christmas gifts for our regulars", seed=seed)

generate_copy(request(0))  # load and warm up
times = []
for seed in range(1, {targets} + 1):
    start = time.perf_counter()
    generate_copy(request(seed))
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def _spin(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def measure(policy: str, busy: int, targets: int) -> float:
    env = {**os.environ, "OMP_WAIT_POLICY": policy}
    spinners = []
    if busy:
        stop_at = time.time() + 3600
        spinners = [multiprocessing.Process(target=_spin, args=(stop_at,)) for _ in range(busy)]
        for spinner in spinners:
            spinner.start()
    try:
        done = subprocess.run(
            [sys.executable, "-c", REQUEST_CODE.format(targets=targets)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        for spinner in spinners:
            spinner.terminate()
            spinner.join()
    times = json.loads(done.stdout.strip().splitlines()[-1])
    return sum(times) / len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2)
    parser.add_argument("--busy", type=int, default=2)
    args = parser.parse_args()
    rows = {}
    for policy in ("PASSIVE", "ACTIVE"):
        idle = measure(policy, 0, args.targets)
        loaded = measure(policy, args.busy, args.targets)
        rows[policy] = {"idle_s": round(idle, 1), "busy_s": round(loaded, 1),
                        "busy_over_idle": round(loaded / idle, 2)}  # fmt: skip
    print(json.dumps({"targets": args.targets, "busy_processes": args.busy, **rows}, indent=2))


if __name__ == "__main__":
    main()
