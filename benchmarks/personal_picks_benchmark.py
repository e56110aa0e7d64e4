"""Personal picks on the demo shop (5,000 customers), measured in one run.

Builds the demo workspace, segments it and judges recommendations on a 60-day hold-out,
then times, on the same approved email campaign for every segment:

* ``bundle``: the export without customer data (the baseline);
* ``bundle + personal/``: the same export with every customer's personal picks (scoring
  every member of the campaign's segments and writing the Mailchimp file).

It prints both times, their ratio, and the hold-out's hit rate@3 of personal picks
against the segment's own list and against popularity.

    .venv/bin/python benchmarks/personal_picks_benchmark.py
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from studio.data.demo import create_demo_workspace
from studio.data.evaluate import evaluate_recommendations
from studio.data.recommend import compute_recommendations
from studio.data.segmentation import run_segmentation
from studio.export.writer import export_bundle
from studio.services import campaigns
from studio.services.exports import export_campaign
from studio.services.foreground import run_campaign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        ws = create_demo_workspace(root / "demo", n_customers=args.customers)
        compute_recommendations(ws, run_segmentation(ws, seed=0))
        held_out = evaluate_recommendations(ws, holdout_days=60)["personal"]
        segments = [r["id"] for r in ws.query("SELECT id FROM segments WHERE kind = 'cluster'")]
        product = ws.scalar("SELECT min(id) FROM products")
        campaign_id = campaigns.create_campaign(
            ws, "Picks", pairs=[(s, product) for s in segments], channel_formats=["sms"]
        )
        run_campaign(ws, campaign_id)
        campaigns.approve_all(ws, campaign_id)
        members = ws.scalar(
            "SELECT count(DISTINCT customer_id) FROM segment_members WHERE segment_id IN "
            f"({', '.join(map(str, segments))})"
        )
        start = time.perf_counter()
        export_bundle(ws, campaign_id, root / "plain.zip")
        plain = time.perf_counter() - start
        start = time.perf_counter()
        report = export_campaign(ws, campaign_id, root / "personal.zip", personal_picks=True)
        personal = time.perf_counter() - start
        ws.close()
    result = {
        "customers": args.customers,
        "segment_members": members,
        "personal_rows": report.personal_rows,
        "bundle_s": round(plain, 2),
        "bundle_with_personal_s": round(personal, 2),
        "ratio": round(personal / plain, 2),
        "hold_out": held_out,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
