"""Bundle export throughput and memory against a plain zip of the same files, in one run.

Builds a campaign with ``--creatives`` approved 1080x1080 PNG creatives (noisy, so they
do not compress to nothing) plus copy, then times:

* ``baseline``: every creative file read from the workspace and stored in a zip with
  :mod:`zipfile`, nothing else: the floor for any bundle writer;
* ``studio``: ``export_bundle`` (XMP labels, manifest with provenance, CSVs, emails,
  preview page, deterministic entries, temp file and rename).

It reports creatives/s for both and their ratio, and the peak resident memory above the
starting point for each (sampled by a thread with psutil), at ``--creatives`` and at a
tenth of it, so a flat memory figure shows that export streams.

    .venv/bin/python benchmarks/bundle_benchmark.py --creatives 2000
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
from render_bundle_preview import build_demo  # a campaign to start from

from studio.export import export_bundle
from studio.storage.workspace import Workspace, to_json


class PeakMemory:
    """Peak RSS above the level at start, sampled every 5 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0

    def __enter__(self) -> PeakMemory:
        gc.collect()
        self.start = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss - self.start)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def add_creatives(ws: Workspace, campaign: int, count: int, rng: random.Random) -> None:
    target = ws.scalar("SELECT id FROM campaign_targets WHERE campaign_id = ? LIMIT 1", (campaign,))
    tile = Image.effect_noise((270, 270), 40).convert("RGB")
    for i in range(count):
        image = Image.new("RGB", (1080, 1080), (rng.randrange(256), 90, 140))
        image.paste(tile, (rng.randrange(800), rng.randrange(800)))
        stored = ws.store_image(image)
        with ws.write() as db:
            db.execute(
                "INSERT INTO assets (campaign_id, target_id, kind, channel, format, sha256,"
                " content, status, generator, seed, created_at, updated_at)"
                " VALUES (?, ?, 'creative', 'meta', 'social_1080x1080', ?, ?, 'approved',"
                " 'compositor', ?, 'now', 'now')",
                (campaign, target, stored.sha256, to_json({"n": i}), i),
            )


def baseline(ws: Workspace, campaign: int, out: Path) -> None:
    rows = ws.query(
        "SELECT sha256 FROM assets WHERE campaign_id = ? AND sha256 IS NOT NULL"
        " AND kind = 'creative'",
        (campaign,),
    )
    with zipfile.ZipFile(out, "w") as bundle:
        for row in rows:
            bundle.writestr(f"{row['sha256']}.png", ws.blob_path(row["sha256"]).read_bytes())


def measure(ws: Workspace, campaign: int, folder: Path, count: int) -> dict[str, float]:
    results = {"creatives": count}
    for name, run in (
        ("baseline", lambda out: baseline(ws, campaign, out)),
        ("studio", lambda out: export_bundle(ws, campaign, out)),
    ):
        out = folder / f"{name}-{count}.zip"
        with PeakMemory() as memory:
            started = time.perf_counter()
            run(out)
            seconds = time.perf_counter() - started
        results[f"{name}_per_s"] = round(count / seconds, 1)
        results[f"{name}_peak_mib"] = round(memory.peak / 2**20, 1)
        results[f"{name}_mb"] = round(out.stat().st_size / 1e6, 1)
    results["ratio_studio_to_baseline_time"] = round(
        results["baseline_per_s"] / results["studio_per_s"], 2
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creatives", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small_count = max(1, args.creatives // 10)
        report = {}
        for label, count in (("small", small_count), ("large", args.creatives)):
            with Workspace.create(folder / label) as ws:
                campaign = build_demo(ws)
                existing = ws.scalar(
                    "SELECT count(*) FROM assets WHERE kind = 'creative' AND campaign_id = ?",
                    (campaign,),
                )
                add_creatives(ws, campaign, count - existing, rng)
                report[label] = measure(ws, campaign, folder, count)
        report["memory_growth_large_vs_small"] = round(
            report["large"]["studio_peak_mib"] / max(report["small"]["studio_peak_mib"], 0.1), 2
        )
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
