"""A personal pick for every customer of a campaign's segments: their three products.

Each customer gets their segment's scores (popularity blended in as the shop's hold-out
chose) with their own purchases mixed in at the weight the hold-out chose
(:func:`studio.data.recommend.chosen_personal_weight`), and a reason in plain words.
Customers are scored in chunks, so memory stays bounded on a large shop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from studio.core.errors import NotEnoughData
from studio.core.names import display_name
from studio.core.records import PersonalPick, PickedProduct
from studio.data.evaluate import PERSONAL_K
from studio.data.features import load_workspace_data
from studio.data.recommend import (
    Signals,
    blend,
    build_signals,
    chosen_blend,
    chosen_personal_weight,
    own_signals,
    personal_scores,
    product_embeddings,
    rank_scores,
    score_segment,
)
from studio.storage.workspace import Workspace

#: customers scored at once: (chunk × products) floats
CHUNK = 4_096
#: a product this similar to one the customer bought is "often bought with" it
COMPANION_SIMILARITY = 0.05


def personal_picks(
    ws: Workspace, segment_ids: Sequence[int], k: int = PERSONAL_K
) -> list[PersonalPick]:
    """Every member of ``segment_ids`` (once, with the first segment that has them) with
    their ``k`` best products and why."""
    data = load_workspace_data(ws)
    if len(data.catalog.ids) == 0:
        raise NotEnoughData(f"{ws.path} has no products to pick from.")
    signals = build_signals(
        data.lines, len(data.customers.ids), product_embeddings(ws, data.catalog.texts),
        data.guests,
    )  # fmt: skip
    popularity_weight, _ = chosen_blend(ws)
    weight = chosen_personal_weight(ws)
    rows = ws.query("SELECT id, external_id, name, email FROM customers")
    customers = {r["id"]: r for r in rows}
    index = {int(cid): i for i, cid in enumerate(data.customers.ids)}
    names = _names(ws, data.catalog.ids, data.catalog.names)
    k = min(k, len(names))
    picks: list[PersonalPick] = []
    seen: set[int] = set()
    for segment_id in segment_ids:
        members = [
            r["customer_id"]
            for r in ws.query(
                "SELECT customer_id FROM segment_members WHERE segment_id = ? ORDER BY customer_id",
                (segment_id,),
            )
            if r["customer_id"] not in seen and r["customer_id"] in index
        ]
        seen.update(members)
        if not members:
            continue
        positions = np.array([index[m] for m in members])
        mask = np.zeros(len(data.customers.ids), dtype=bool)
        mask[positions] = True
        segment = blend(score_segment(signals, mask).score, signals.overall_rate, popularity_weight)
        for start in range(0, len(members), CHUNK):
            chunk = positions[start : start + CHUNK]
            own = own_signals(signals, chunk)
            scores = personal_scores(np.tile(segment, (len(chunk), 1)), own, weight)
            for row, customer in enumerate(members[start : start + CHUNK]):
                best = rank_scores(scores[row])[:k]
                products = tuple(
                    PickedProduct(
                        data.catalog.skus[p], names[p], _reason(signals, chunk[row], p, names)
                    )
                    for p in best
                )
                record = customers[customer]
                picks.append(
                    PersonalPick(
                        customer=record["external_id"],
                        name=record["name"] or "",
                        email=record["email"] or "",
                        segment_id=segment_id,
                        products=products,
                    )
                )
    return picks


def _names(ws: Workspace, product_ids: np.ndarray, stored: list[str]) -> list[str]:
    """The names customers see (the user's display names, capitals title-cased)."""
    overrides = {
        r["id"]: r["display"]
        for r in ws.query(
            "SELECT id, json_extract(attributes, '$.display_name') AS display FROM products"
        )
    }
    return [
        display_name(name, overrides.get(int(pid)))
        for pid, name in zip(product_ids, stored, strict=True)
    ]


def _reason(signals: Signals, customer: int, product: int, names: list[str]) -> str:
    """Why this product, in words a customer may read."""
    bought = signals.bought[customer].indices
    if product in bought:
        return "bought before"
    if len(bought):
        similarity = signals.similarity[product, bought]
        if similarity.max() >= COMPANION_SIMILARITY:
            return f"often bought with {names[bought[int(similarity.argmax())]]}"
    return "popular with customers like you"
