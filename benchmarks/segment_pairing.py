"""Copy for the segment, judged blind: can an independent scorer tell which ad is for which
segment?

Takes the first ``--products`` products of the shop briefs (``resources/copy/briefs/
shop.json``: names as shops export them), writes a ``meta_feed`` ad for each with the
default copy model for two contrasting segments (loyal big spenders; lapsed deal-seekers),
and gives a scorer that is not the copy model (all-MiniLM-L6-v2 sentence embeddings) both
segment descriptions and both ads' headline and primary text: the pairing is right when
the ads sit closer to their own segments than crossed. Prints each pair of ads, whether
they differ, and the share paired right.

    .venv/bin/python benchmarks/segment_pairing.py --products 10
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from generators.copy import generate_copy
from generators.copy.evaluate import load_briefs
from generators.copy.request import SegmentBrief
from generators.scoring.embeddings import embed_texts
from studio.core.paths import resources_dir

SEGMENTS = (
    SegmentBrief(
        "Loyal big spenders",
        "Customers with many orders and high spend.",
        approach="loyalty",
        audience="Loyal big spenders: 6.2 orders each, 2.4× the average spend",
    ),
    SegmentBrief(
        "Lapsed deal-seekers",
        "Customers whose last order was long ago, mostly bought on discount.",
        approach="win_back",
        audience="Lapsed light buyers: 1.3 orders each, last order a median 210 days ago",
    ),
)
FIELDS = ("headline", "primary_text")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10)
    args = parser.parse_args()
    briefs = load_briefs(resources_dir() / "copy" / "briefs" / "shop.json")
    products, seen = [], set()
    for _, request in briefs:
        if request.product.name not in seen:
            seen.add(request.product.name)
            products.append(request.product)
    descriptions = [f"{s.audience}. {s.description}" for s in SEGMENTS]
    base = replace(briefs[0][1], channel_format="meta_feed", brief="", occasion="")
    right = differ = 0
    rows = []
    for product in products[: args.products]:
        ads = []
        for segment in SEGMENTS:
            texts = generate_copy(replace(base, product=product, segment=segment)).texts()
            ads.append(" ".join(texts[f][0] for f in FIELDS if texts.get(f)))
        vectors = embed_texts(descriptions + ads)
        similarity = vectors[2:] @ vectors[:2].T  # ads × segments
        paired = bool(similarity[0, 0] + similarity[1, 1] > similarity[0, 1] + similarity[1, 0])
        right += paired
        differ += ads[0] != ads[1]
        rows.append({"product": product.name, "loyal": ads[0], "lapsed": ads[1],
                     "paired_right": paired})  # fmt: skip
    total = len(rows)
    print(json.dumps({"products": total, "ads_differ": differ, "paired_right": right,
                      "share": round(right / total, 2) if total else 0.0, "ads": rows},
                     indent=2, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
