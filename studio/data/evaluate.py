"""Offline evaluation of segment recommendations on a time-based hold-out.

Orders in the last ``holdout_days`` are hidden; segments and recommendations are learnt
again from the earlier orders only (so nothing leaks from the future), and every customer
who ordered both before and after the cut-off is given their segment's ranking. A hit is
a hidden purchase in the top K. The same customers are ranked by overall popularity and
at random as baselines. Each customer's personal picks (their segment's scores with their
own purchases mixed in) are judged the same way at 3 products.

Writes the table `evaluations` (its schema is in :mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from studio.core.errors import NotEnoughData
from studio.data.features import build_features, iso_day, load_workspace_data
from studio.data.recommend import (
    BLEND_WEIGHTS,
    PERSONAL_WEIGHTS,
    Signals,
    blend,
    build_signals,
    own_signals,
    personal_scores,
    product_embeddings,
    purchase_matrix,
    rank_scores,
    score_segment,
)
from studio.data.segmentation import cluster, latest_run_id
from studio.storage.workspace import Workspace, to_json, utcnow

EVALUATION_KIND = "recommendations"
#: products in a customer's personal picks
PERSONAL_K = 3


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


#: fewer customers than this on both sides of the cut-off cannot settle a comparison
MIN_EVALUATED = 30
BOOTSTRAP_DRAWS = 2_000


def _hits(top: np.ndarray, relevant: np.ndarray, k: int) -> np.ndarray:
    """1.0 per customer with a hidden purchase in their top k, else 0.0."""
    return np.take_along_axis(relevant, top[:, :k], axis=1).any(axis=1).astype(np.float64)


def _interval(values: np.ndarray, rng: np.random.Generator) -> list[float]:
    """A 95 % bootstrap interval of the mean of per-customer values."""
    if len(values) == 0:
        return [0.0, 0.0]
    draws = rng.integers(0, len(values), size=(BOOTSTRAP_DRAWS, len(values)))
    means = values[draws].mean(axis=1)
    return [round(float(np.quantile(means, 0.025)), 4), round(float(np.quantile(means, 0.975)), 4)]


def _choose_weight(hits: dict[float, np.ndarray], rng: np.random.Generator) -> float:
    """The popularity weight to recommend with: the pure segment ranking (0) unless a
    blend hits clearly more often on the hold-out (its gain's interval is above 0)."""
    best = max(hits, key=lambda w: (hits[w].mean(), -w))
    if best == 0.0:
        return 0.0
    low, _ = _interval(hits[best] - hits[0.0], rng)
    return best if low > 0 else 0.0


def _personal_picks(
    signals: Signals,
    customers: np.ndarray,
    labels: np.ndarray,
    segment_scores: list[np.ndarray],
    popularity_weight: float,
    relevant: np.ndarray,
    popular: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Hit rate@3 of each customer's personal picks against their segment's list and
    popularity, and the weight of their own signals to pick with: the largest that does
    not hit less often than the segment's list (its difference's interval reaches 0)."""
    k = min(PERSONAL_K, relevant.shape[1])
    segment_rows = np.stack(
        [blend(score, signals.overall_rate, popularity_weight) for score in segment_scores]
    )[labels]
    own = own_signals(signals, customers)
    hits = {
        weight: _hits(_top_rows(personal_scores(segment_rows, own, weight), k), relevant, k)
        for weight in PERSONAL_WEIGHTS
    }
    kept = [w for w in PERSONAL_WEIGHTS if _interval(hits[w] - hits[0.0], rng)[1] >= 0]
    weight = max(kept)
    popularity = _hits(np.tile(popular[:k], (len(relevant), 1)), relevant, k)
    return {
        "k": k,
        "weight": weight,
        "hit_rate": {
            "personal": round(float(hits[weight].mean()), 4),
            "segments": round(float(hits[0.0].mean()), 4),
            "popularity": round(float(popularity.mean()), 4),
        },
        "personal_minus_popularity": _interval(hits[weight] - popularity, rng),
        "by_weight": {str(w): round(float(h.mean()), 4) for w, h in hits.items()},
    }


def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Each row's k best columns, ties broken by column for determinism."""
    order = np.lexsort((np.broadcast_to(np.arange(scores.shape[1]), scores.shape),
                        -np.round(scores, 9)), axis=1)  # fmt: skip
    return order[:, :k]


def verdict(n_evaluated: int, difference: list[float], weight: float) -> str:
    """What the evaluation means for the user, in plain words."""
    low, high = difference
    sample = f"{n_evaluated:,} customers ordered on both sides of the cut-off"
    if weight > 0:
        choice = "popularity alone" if weight == 1.0 else f"a blend with {weight:.0%} popularity"
        said = (
            f"Segment recommendations hit less often than the blend on this shop's hold-out "
            f"({sample}), so recommendations now use {choice}."
        )
    elif high < 0:
        said = (
            f"Segment recommendations lose to popularity on this shop's hold-out ({sample}) "
            "and no blend does clearly better; treat them as a first guess."
        )
    elif low > 0:
        said = f"Segment recommendations beat popularity on this shop's hold-out ({sample})."
    else:
        said = (
            f"Segment recommendations and popularity cannot be told apart on this hold-out "
            f"({sample})."
        )
    if n_evaluated < MIN_EVALUATED:
        said += (
            f" {n_evaluated} customers are too few to judge (at least {MIN_EVALUATED} are "
            "needed): import a longer history or choose a longer hold-out."
        )
    return said


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
    guests = data.guests.select(data.guests.day <= cutoff) if data.guests else None
    signals = build_signals(train, n_customers, product_embeddings(ws, data.catalog.texts), guests)

    relevant_all = purchase_matrix(test, n_customers, n_products).toarray() > 0
    evaluated = features.has_orders & relevant_all.any(axis=1)
    if not evaluated.any():
        raise NotEnoughData(
            "No customer ordered both before and after the cut-off; nothing to evaluate.",
            hint="choose a longer hold-out",
        )
    labels = np.full(n_customers, -1)
    labels[features.has_orders] = clustering.labels
    segment_scores = [score_segment(signals, labels == s).score for s in range(clustering.k)]
    relevant = relevant_all[evaluated]
    popular = np.lexsort((np.arange(n_products), -signals.overall_rate))[:k]
    rng = np.random.default_rng(seed)
    random_top = np.argsort(rng.random((int(evaluated.sum()), n_products)), axis=1)[:, :k]

    # how much popularity to blend in is chosen by this shop's own hold-out
    hits_by_weight = {}
    for weight in BLEND_WEIGHTS:
        top = np.stack(
            [rank_scores(blend(score, signals.overall_rate, weight))[:k]
             for score in segment_scores]
        )  # fmt: skip
        hits_by_weight[weight] = _hits(top[labels[evaluated]], relevant, k)
    popularity_hits = _hits(np.tile(popular, (len(relevant), 1)), relevant, k)
    chosen = _choose_weight(hits_by_weight, rng)
    segment_top = np.stack([rank_scores(score)[:k] for score in segment_scores])
    results = {
        "segments": ranking_metrics(segment_top[labels[evaluated]], relevant, k),
        "popularity": ranking_metrics(np.tile(popular, (len(relevant), 1)), relevant, k),
        "random": ranking_metrics(random_top, relevant, k),
    }
    personal = _personal_picks(
        signals, np.flatnonzero(evaluated), labels[evaluated], segment_scores, chosen, relevant,
        popular, rng,
    )  # fmt: skip
    n_evaluated = int(evaluated.sum())
    difference = _interval(hits_by_weight[0.0] - popularity_hits, rng)
    parameters = {"holdout_days": holdout_days, "k": k, "seed": seed, "method": method}
    metrics = {
        **results,
        "cutoff": iso_day(cutoff),
        "customers_evaluated": n_evaluated,
        "segments_learnt": clustering.k,
        "products": n_products,
        "hit_rate_interval": {
            "segments": _interval(hits_by_weight[0.0], rng),
            "popularity": _interval(popularity_hits, rng),
        },
        "segments_minus_popularity": difference,
        "blend": {
            "popularity_weight": chosen,
            "hit_rate": round(float(hits_by_weight[chosen].mean()), 4),
            "by_weight": {str(w): round(float(h.mean()), 4) for w, h in hits_by_weight.items()},
        },
        "verdict": verdict(n_evaluated, difference, chosen),
        "personal": personal,
    }
    with ws.write() as db:
        evaluation_id = db.execute(
            "INSERT INTO evaluations (kind, created_at, parameters, metrics) VALUES (?, ?, ?, ?)",
            (EVALUATION_KIND, utcnow(), to_json(parameters), to_json(metrics)),
        ).lastrowid
    return {"evaluation_id": int(evaluation_id), **parameters, **metrics}
