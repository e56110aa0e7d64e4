"""Per-segment recommendations, the embedding cache and the hold-out evaluation.

Uses the real all-MiniLM-L6-v2 embedding model (loaded once per test session).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from synthetic_shop import build_shop

import generators.scoring.embeddings as embeddings
from studio.core.errors import NotEnoughData, NotFound
from studio.data.evaluate import evaluate_recommendations, ranking_metrics
from studio.data.recommend import compute_recommendations, segments_for_product, top_products
from studio.data.segmentation import list_segments, run_segmentation
from studio.storage.workspace import Workspace


@pytest.fixture
def shop(tmp_path: Path):
    ws = build_shop(tmp_path / "shop", loyalty=0.9)
    run_segmentation(ws, k=3)
    yield ws
    ws.close()


def _segment(ws: Workspace, word: str) -> dict:
    return next(s for s in list_segments(ws) if word in s["name"])


def test_segments_get_their_own_category_first_with_reasons(shop: Workspace) -> None:
    result = compute_recommendations(shop, top_k=5)
    assert set(result) == {s["id"] for s in list_segments(shop)}
    outdoor = _segment(shop, "Outdoor")
    top = top_products(shop, outdoor["id"], k=4)
    categories = {r["id"]: r["category"] for r in shop.query("SELECT id, category FROM products")}
    assert [categories[r["product_id"]] for r in top] == ["Outdoor"] * 4
    assert [r["rank"] for r in top] == [1, 2, 3, 4]
    assert top[0]["score"] >= top[-1]["score"]
    assert "of this segment vs" in top[0]["explanation"]
    assert "often bought with" in top[0]["explanation"]
    components = top[0]["components"]
    assert components["segment_rate"] > components["overall_rate"] > 0
    stored = shop.scalar(
        "SELECT count(*) FROM recommendations WHERE segment_id = ?", (outdoor["id"],)
    )
    assert stored == 5


def test_never_bought_product_is_scored_by_content(shop: Workspace) -> None:
    result = compute_recommendations(shop, top_k=13)
    new_id = shop.scalar("SELECT id FROM products WHERE sku = 'SKU-NEW'")
    outdoor = _segment(shop, "Outdoor")
    kitchen = _segment(shop, "Kitchen")
    rows = {s: {r["product_id"]: r for r in result[s]} for s in (outdoor["id"], kitchen["id"])}
    for_outdoor, for_kitchen = rows[outdoor["id"]][new_id], rows[kitchen["id"]][new_id]
    assert for_outdoor["components"]["overall_rate"] == 0
    assert for_outdoor["components"]["content"] > for_kitchen["components"]["content"]
    assert for_outdoor["explanation"].startswith("new, no sales yet; similar to")
    assert for_outdoor["rank"] < for_kitchen["rank"]
    assert all(np.isfinite(r["score"]) for rows_ in result.values() for r in rows_)


def test_prospects_follow_overall_popularity(shop: Workspace) -> None:
    compute_recommendations(shop, top_k=3)
    prospects = _segment(shop, "Prospects")
    top = top_products(shop, prospects["id"], k=3)
    assert all(r["explanation"].startswith("bought by") for r in top)
    assert all("of all customers" in r["explanation"] for r in top)


def test_top_products_computes_on_demand_and_segments_for_product(shop: Workspace) -> None:
    outdoor = _segment(shop, "Outdoor")
    assert len(top_products(shop, outdoor["id"], k=3)) == 3  # nothing stored yet
    compute_recommendations(shop, top_k=4)
    assert len(top_products(shop, outdoor["id"], k=6)) == 6  # fewer were stored: recomputed
    product_id = top_products(shop, outdoor["id"], k=1)[0]["product_id"]
    best = segments_for_product(shop, product_id, k=3)
    assert best[0]["segment_id"] == outdoor["id"]
    with pytest.raises(NotFound):
        top_products(shop, 9999)
    with pytest.raises(NotFound):
        segments_for_product(shop, 9999)


def test_embeddings_are_cached_by_product_text(
    shop: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute_recommendations(shop, top_k=3)
    embedded: list[list[str]] = []
    real = embeddings.embed_texts

    def counting(texts: list[str], *args, **kwargs):
        embedded.append(list(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(embeddings, "embed_texts", counting)
    compute_recommendations(shop, top_k=3)
    assert embedded == []
    with shop.write() as db:
        db.execute("UPDATE products SET name = 'Trail Gaiters' WHERE sku = 'SKU-001'")
    compute_recommendations(shop, top_k=3)
    assert len(embedded) == 1 and len(embedded[0]) == 1
    assert embedded[0][0].startswith("Trail Gaiters")


def test_evaluation_beats_popularity_and_random_and_is_stored(shop: Workspace) -> None:
    result = evaluate_recommendations(shop, holdout_days=90, k=3)
    assert result["customers_evaluated"] > 50
    for ranking in ("segments", "popularity", "random"):
        assert 0 <= result[ranking]["ndcg"] <= result[ranking]["hit_rate"] <= 1
    assert result["segments"]["ndcg"] > result["popularity"]["ndcg"] + 0.1
    assert result["segments"]["hit_rate"] > result["random"]["hit_rate"]
    stored = shop.query("SELECT * FROM evaluations WHERE id = ?", (result["evaluation_id"],))[0]
    assert stored["kind"] == "recommendations"
    assert json.loads(stored["metrics"])["segments"] == result["segments"]
    assert json.loads(stored["parameters"])["holdout_days"] == 90


def test_evaluation_needs_orders_on_both_sides(shop: Workspace, workspace: Workspace) -> None:
    with pytest.raises(NotEnoughData, match="no orders on one side"):
        evaluate_recommendations(shop, holdout_days=2000)
    with pytest.raises(NotEnoughData, match="no orders"):
        evaluate_recommendations(workspace)


def test_ranking_metrics_by_hand() -> None:
    top = np.array([[0, 1, 2], [2, 1, 0]])
    relevant = np.array([[False, True, False, True], [False, False, False, True]])
    metrics = ranking_metrics(top, relevant, 3)
    # customer 1: hit at rank 2 of 2 relevant → (1/log2 3) / (1 + 1/log2 3); customer 2: miss
    expected = (1 / np.log2(3)) / (1 + 1 / np.log2(3)) / 2
    assert metrics["hit_rate"] == 0.5
    assert metrics["ndcg"] == pytest.approx(expected, abs=1e-4)
    assert metrics["precision"] == pytest.approx(1 / 6, abs=1e-4)


def test_recommendations_need_products_and_orders(workspace: Workspace) -> None:
    with pytest.raises(NotFound, match="no segmentation yet"):
        compute_recommendations(workspace)
