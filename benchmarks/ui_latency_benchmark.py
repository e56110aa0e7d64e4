"""Event-loop lateness of the main window while a generation runs, against idle.

Opens the real main window (offscreen by default) on a small demo workspace with a
segmented audience, shows the Queue screen, and measures how late a 10 ms ``QTimer``
fires:

* ``idle``: the window open, nothing running, for ``--seconds``;
* ``generating``: the same window while the job worker generates a campaign (copy with
  the default copy model, visuals, creatives) for ``--seconds``; the Queue screen redraws
  progress, streamed copy and previews as they come.

Lateness is ``actual interval - 10 ms`` per tick. It reports p50/p99/max for both runs,
the ratio of the p99s, and whether the p99 while generating meets the 50 ms target.
``--preload`` loads the copy model first, so "generating" covers token generation only.

    .venv/bin/python benchmarks/ui_latency_benchmark.py --seconds 30 [--preload]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

INTERVAL_MS = 10
TARGET_P99_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(app, seconds: float) -> list[float]:
    """Lateness (ms) of each tick of a precise 10 ms timer over ``seconds``."""
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    lateness: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(INTERVAL_MS)
    last = [0]

    def tick() -> None:
        now = clock.nsecsElapsed()
        lateness.append(max(0.0, (now - last[0]) / 1e6 - INTERVAL_MS))
        last[0] = now

    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)  # the event loop's own wait, as app.exec() would do
    timer.stop()
    return lateness[1:]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "ticks": len(values),
        "p50_ms": round(statistics.median(values), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "max_ms": round(max(values), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--targets", type=int, default=4)
    parser.add_argument(
        "--preload",
        action="store_true",
        help="load the copy model before measuring, so the run measures generation only",
    )
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="studio-ui-bench-"))
    os.environ["STUDIO_HOME"] = str(home)
    from studio.data.demo import create_demo_workspace
    from studio.data.recommend import compute_recommendations
    from studio.data.segmentation import run_segmentation
    from studio.services.campaigns import create_campaign
    from studio.services.planning import enqueue_generation
    from studio.ui.application import application
    from studio.ui.main_window import MainWindow

    path = home / "demo"
    with create_demo_workspace(path, n_customers=args.customers) as ws:
        compute_recommendations(ws, run_segmentation(ws, k=4, seed=0))
        segments = [r["id"] for r in ws.query("SELECT id FROM segments ORDER BY id")]
        products = [r["id"] for r in ws.query("SELECT id FROM products ORDER BY id LIMIT 1")]
        campaign = create_campaign(
            ws, "Latency", segment_ids=segments[: args.targets], product_ids=products,
            channel_formats=["meta_feed"],
        )  # fmt: skip

    if args.preload:
        from generators.copy.loading import copy_model_id, load_copy_model

        load_copy_model(copy_model_id(None))

    app = application()
    window = MainWindow()
    window.ask_to_stop = lambda busy: True
    window.show()
    window.screens["Start"].open_workspace(path)
    window.show_screen("Queue")
    idle = measure(app, args.seconds)

    enqueue_generation(window.session.workspace, campaign, window.session.queue)
    window.session.data_changed.emit("jobs")
    generating = measure(app, args.seconds)
    events = window.session.jobs.events_received
    signals = window.session.jobs.signals_sent
    done = window.session.workspace.scalar("SELECT count(*) FROM jobs WHERE status = 'done'")
    window.close()

    result = {
        "idle": summary(idle),
        "generating": summary(generating),
        "p99_ratio_generating_to_idle": round(
            summary(generating)["p99_ms"] / max(summary(idle)["p99_ms"], 0.01), 2
        ),
        "meets_p99_target": summary(generating)["p99_ms"] < TARGET_P99_MS,
        "worker_events": events,
        "gui_signals": signals,
        "jobs_done_during_measure": done,
        "copy_model_preloaded": args.preload,
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
