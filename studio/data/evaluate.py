"""Offline evaluation of segment recommendations on a time-based hold-out.

Orders in the last ``holdout_days`` are hidden; segments and recommendations are learnt
again from the earlier orders only (so nothing leaks from the future), and every customer
who ordered both before and after the cut-off is given their segment's ranking. A hit is
a hidden purchase in the top K. The same customers are ranked by overall popularity and
at random as baselines.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from studio.core.errors import NotEnoughData
from studio.data.features import build_features, iso_day, load_workspace_data
from studio.data.recommend import (
    build_signals,
    product_embeddings,
    purchase_matrix,
    ranking,
    score_segment,
)
from studio.data.segmentation import cluster, latest_run_id
from studio.storage.workspace import Workspace, to_json, utcnow

EVALUATION_KIND = "recommendations"


def ranking_metrics(top: np.ndarray, relevant: np.ndarray, k: int) -> dict[str, float]:
    """Hit rate@k and NDCG@k (binary relevance) of per-customer top lists.

    ``top`` is (customers, k) product indexes, ``relevant`` a (customers, products) bool.
    """
    gains = np.take_along_axis(relevant, top[:, :k], axis=1).astype(np.float64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = gains @ discounts
    n_relevant = np.minimum(relevant.sum(axis=1), k)
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])[n_relevant]
    ndcg = np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0)
    return {
        "hit_rate": round(float(gains.any(axis=1).mean()), 4),
        "ndcg": round(float(ndcg.mean()), 4),
        "precision": round(float(gains.sum(axis=1).mean() / k), 4),
    }


def evaluate_recommendations(
    ws: Workspace, *, holdout_days: int = 60, k: int = 10, seed: int = 0
) -> dict[str, Any]:
    """Hit rate@k and NDCG@k of segment recommendations vs popularity and random; stored."""
    if holdout_days < 1 or k < 1:
        raise NotEnoughData("The hold-out must be at least one day and K at least 1.")
    data = load_workspace_data(ws)
    if data.last_day is None:
        raise NotEnoughData(f"{ws.path} has no orders to evaluate on.", hint="import orders")
    cutoff = data.last_day - holdout_days
    train_mask = data.lines.day <= cutoff
    train, test = data.lines.select(train_mask), data.lines.select(~train_mask)
    if len(train) == 0 or len(test) == 0:
        raise NotEnoughData(
            f"A {holdout_days}-day hold-out leaves no orders on one side of the cut-off "
            f"({iso_day(cutoff)}).",
            hint="choose a hold-out shorter than the order history",
        )
    n_customers, n_products = len(data.customers.ids), len(data.catalog.ids)
    k = min(k, n_products)

    # the user's latest choice of method and k, re-learnt on the earlier orders only
    method, run_k = "kmeans", None
    run_id = latest_run_id(ws)
    if run_id is not None:
        parameters = json.loads(
            ws.scalar("SELECT parameters FROM segmentation_runs WHERE id = ?", (run_id,))
        )
        method, run_k = parameters.get("method", "kmeans"), parameters.get("k_requested")
    features = build_features(
        train, data.customers, data.catalog.category, data.catalog.categories, as_of_day=cutoff
    )
    clustering = cluster(features.matrix, k=run_k, method=method, seed=seed)
    signals = build_signals(train, n_customers, product_embeddings(ws, data.catalog.texts))

    relevant_all = purchase_matrix(test, n_customers, n_products).toarray() > 0
    evaluated = features.has_orders & relevant_all.any(axis=1)
    if not evaluated.any():
        raise NotEnoughData(
            "No customer ordered both before and after the cut-off; nothing to evaluate.",
            hint="choose a longer hold-out",
        )
    labels = np.full(n_customers, -1)
    labels[features.has_orders] = clustering.labels
    segment_top = np.stack(
        [ranking(score_segment(signals, labels == s))[:k] for s in range(clustering.k)]
    )
    relevant = relevant_all[evaluated]
    popular = np.lexsort((np.arange(n_products), -signals.overall_rate))[:k]
    rng = np.random.default_rng(seed)
    random_top = np.argsort(rng.random((int(evaluated.sum()), n_products)), axis=1)[:, :k]

    results = {
        "segments": ranking_metrics(segment_top[labels[evaluated]], relevant, k),
        "popularity": ranking_metrics(np.tile(popular, (len(relevant), 1)), relevant, k),
        "random": ranking_metrics(random_top, relevant, k),
    }
    parameters = {"holdout_days": holdout_days, "k": k, "seed": seed, "method": method}
    metrics = {
        **results,
        "cutoff": iso_day(cutoff),
        "customers_evaluated": int(evaluated.sum()),
        "segments_learnt": clustering.k,
        "products": n_products,
    }
    with ws.write() as db:
        evaluation_id = db.execute(
            "INSERT INTO evaluations (kind, created_at, parameters, metrics) VALUES (?, ?, ?, ?)",
            (EVALUATION_KIND, utcnow(), to_json(parameters), to_json(metrics)),
        ).lastrowid
    return {"evaluation_id": int(evaluation_id), **parameters, **metrics}
