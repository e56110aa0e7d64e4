"""Segmentation: features, clustering, naming, stored runs and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from synthetic_shop import build_shop, group_of

from studio.core.errors import NotEnoughData, StudioError
from studio.data import segmentation
from studio.data.features import CustomerTable, OrderLines, build_features
from studio.data.naming import PROSPECTS_NAME, archetype, name_segments
from studio.data.segmentation import latest_run_id, list_segments, run_info, run_segmentation
from studio.storage.workspace import Workspace


def _no_nan(text: str) -> dict:
    def refuse(constant: str) -> float:
        raise AssertionError(f"{constant} in stored JSON")

    return json.loads(text, parse_constant=refuse)


def _members(ws: Workspace, run_id: int) -> dict[str, set[int]]:
    rows = ws.query(
        "SELECT s.name, m.customer_id FROM segments s JOIN segment_members m"
        " ON m.segment_id = s.id WHERE s.run_id = ?",
        (run_id,),
    )
    found: dict[str, set[int]] = {}
    for row in rows:
        found.setdefault(row["name"], set()).add(row["customer_id"])
    return found


def test_features_from_order_lines_by_hand() -> None:
    # customer 0: two orders (3 lines), customer 1: one discounted order, customer 2: none
    lines = OrderLines(
        customer=np.array([0, 0, 0, 1]),
        product=np.array([0, 1, 0, 1]),
        order=np.array([10, 10, 11, 12]),
        day=np.array([100, 100, 110, 105]),
        amount=np.array([30.0, 10.0, 20.0, 50.0]),
        discount=np.array([0.0, 0.0, 0.0, 5.0]),
    )
    customers = CustomerTable(ids=np.array([1, 2, 3]), signup_day=np.array([90, -1, 100]))
    features = build_features(lines, customers, np.array([0, 1]), ["A", "B"])
    values = features.values
    assert values["orders"].tolist() == [2, 1, 0]
    assert values["spend"].tolist() == [60, 50, 0]
    assert values["avg_basket"].tolist() == [30, 50, 0]
    assert values["recency_days"][:2].tolist() == [0, 5] and math.isnan(values["recency_days"][2])
    assert values["tenure_days"].tolist() == [20, 5, 10]  # signup day counts when earlier
    assert values["discount_share"].tolist() == [0, 1, 0]
    assert features.category_share[0].tolist() == pytest.approx([50 / 60, 10 / 60])
    assert features.has_orders.tolist() == [True, True, False]
    assert features.matrix.shape == (2, len(features.feature_names))
    assert np.isfinite(features.matrix).all()


def test_run_is_stored_named_and_covers_every_customer(workspace_factory) -> None:
    ws = workspace_factory()
    run_id = run_segmentation(ws, seed=1)
    assert latest_run_id(ws) == run_id
    info = run_info(ws, run_id)
    low, high = segmentation.AUTO_K_RANGE
    assert low <= info["parameters"]["k"] <= high
    assert info["metrics"]["k_selection"] == "silhouette"
    assert -1 <= info["metrics"]["silhouette"] <= 1

    segments = list_segments(ws, run_id)
    names = [s["name"] for s in segments]
    assert len(set(names)) == len(names)
    assert PROSPECTS_NAME in names
    members = _members(ws, run_id)
    everyone = [c for group in members.values() for c in group]
    assert sorted(everyone) == list(range(1, 157))  # each customer exactly once
    assert members[PROSPECTS_NAME] == set(range(151, 157))
    assert sum(s["revenue_share"] for s in segments) == pytest.approx(1.0, abs=1e-3)
    for row in ws.query("SELECT stats, description FROM segments WHERE run_id = ?", (run_id,)):
        _no_nan(row["stats"])
        assert "nan" not in row["description"].lower() and len(row["description"]) > 40


def test_recovers_taste_groups_and_names_what_they_prefer(workspace_factory) -> None:
    ws = workspace_factory(loyalty=0.95)
    run_id = run_segmentation(ws, k=3)
    members = _members(ws, run_id)
    labels, truth = [], []
    for name, customers in members.items():
        if name == PROSPECTS_NAME:
            continue
        for customer in customers:
            labels.append(name)
            truth.append(group_of(customer))
    assert adjusted_rand_score(truth, labels) > 0.8
    names = " ".join(members)
    for category in ("Outdoor", "Kitchen", "Books"):
        assert category in names


def test_same_seed_same_segments_and_new_runs_leave_old_ones_alone(workspace_factory) -> None:
    ws = workspace_factory()
    first = run_segmentation(ws, seed=3)
    before = ws.query("SELECT * FROM segments WHERE run_id = ? ORDER BY id", (first,))
    second = run_segmentation(ws, seed=3)
    assert second != first
    assert _members(ws, first) == _members(ws, second)
    assert ws.query("SELECT * FROM segments WHERE run_id = ? ORDER BY id", (first,)) == before
    third = run_segmentation(ws, k=4, method="gmm", seed=3)
    assert len(list_segments(ws, third)) == 5  # four clusters and the prospects
    assert run_info(ws, third)["method"] == "gmm"
    assert len(list_segments(ws, first)) == len(before)


def test_gmm_chooses_k_by_bic(workspace_factory) -> None:
    ws = workspace_factory()
    info = run_info(ws, run_segmentation(ws, method="gmm"))
    assert info["metrics"]["k_selection"] == "bic"
    scores = info["metrics"]["k_scores"]
    assert min(scores, key=scores.get) == str(info["parameters"]["k"])


def test_large_data_uses_minibatch(monkeypatch: pytest.MonkeyPatch, workspace_factory) -> None:
    monkeypatch.setattr(segmentation, "MINIBATCH_THRESHOLD", 50)
    ws = workspace_factory()
    assert run_info(ws, run_segmentation(ws, k=3))["metrics"]["estimator"] == "MiniBatchKMeans"


def test_too_few_customers_is_a_clear_error(workspace_factory) -> None:
    ws = workspace_factory(n_customers=12)
    with pytest.raises(NotEnoughData, match="Only 12 customers have orders"):
        run_segmentation(ws)
    assert latest_run_id(ws) is None


def test_k_too_large_or_unknown_method(workspace_factory) -> None:
    ws = workspace_factory(n_customers=40)
    with pytest.raises(NotEnoughData, match="at most --k 8"):
        run_segmentation(ws, k=9)
    with pytest.raises(StudioError, match="Unknown segmentation method"):
        run_segmentation(ws, method="dbscan")


def test_workspace_without_orders_or_customers(workspace: Workspace, workspace_factory) -> None:
    with pytest.raises(NotEnoughData, match="no customers"):
        run_segmentation(workspace)
    ws = workspace_factory(n_customers=0, n_prospects=30)
    with pytest.raises(NotEnoughData, match="Only 0 customers"):
        run_segmentation(ws)


def test_single_category_catalog(workspace_factory) -> None:
    ws = workspace_factory(categories=("Kitchen",), with_new_product=False)
    run_id = run_segmentation(ws)
    assert not any(f.startswith("share:") for f in run_info(ws, run_id)["features"])
    for segment in list_segments(ws, run_id):
        _no_nan(json.dumps(segment["stats"]))
        assert segment["stats"]["categories"][0]["name"] == "Kitchen"


def _profile(**segment: float) -> dict:
    overall = {
        "spend_mean": 100.0,
        "orders_mean": 3.0,
        "avg_basket_mean": 33.0,
        "recency_median": 40.0,
        "tenure_median": 300.0,
        "discount_share_mean": 0.1,
        "one_time_share": 0.3,
    }
    return {
        "size": 50,
        "customer_share": 0.25,
        "revenue_share": 0.4,
        "segment": {**overall, **segment},
        "overall": overall,
        "categories": [{"name": "Outdoor", "share": 0.6, "overall": 0.2}],
        "attributes": {},
        "currency": "EUR",
    }


def test_names_tell_alike_segments_apart_by_behaviour() -> None:
    named = name_segments(
        [
            _profile(spend_mean=40.0, recency_median=150.0),
            _profile(spend_mean=40.0, recency_median=400.0),
        ]
    )
    assert [name for name, _ in named] == [
        "Lapsed light buyers (Outdoor, no order in 150 days)",
        "Lapsed light buyers (Outdoor, no order in 400 days)",
    ]


def test_a_dominant_attribute_qualifies_the_name() -> None:
    profile = _profile(spend_mean=250.0)
    profile["categories"] = [{"name": "Outdoor", "share": 0.2, "overall": 0.2}]
    profile["attributes"] = {"country": {"value": "Germany", "share": 0.9, "overall": 0.3}}
    name, description = name_segments([profile])[0]
    assert name == "Big spenders (country Germany)"
    assert "Mostly country Germany (90% vs 30% overall)." in description


def test_strongest_behaviour_names_the_segment() -> None:
    deal = _profile(spend_mean=40.0, recency_median=65.0, discount_share_mean=0.8)
    assert archetype(deal)[0] == "Deal-seeking light buyers"
    assert "80% of items bought on discount" in archetype(deal)[1]


def test_archetypes_read_like_marketing_language() -> None:
    name, traits = archetype(_profile(spend_mean=250.0, recency_median=140.0))
    assert name == "At-risk big spenders"
    assert "no order in 140 days" in traits
    assert archetype(_profile(tenure_median=60.0))[0] == "New steady shoppers"
    assert archetype(_profile(spend_mean=40.0, recency_median=150.0))[0] == "Lapsed light buyers"


def test_names_are_unique_even_for_identical_profiles() -> None:
    named = name_segments([_profile(spend_mean=250.0) for _ in range(3)])
    names = [name for name, _ in named]
    assert len(set(names)) == 3
    assert names == [f"Big spenders (Outdoor, high spend) #{n}" for n in (1, 2, 3)]
    assert "€250 on average (2.5× the average customer)" in named[0][1]


@pytest.fixture
def workspace_factory(tmp_path: Path):
    opened: list[Workspace] = []

    def make(**options) -> Workspace:
        ws = build_shop(tmp_path / f"shop{len(opened)}", **options)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


def test_rows_stored_with_impossible_values_are_left_out_not_fatal(workspace_factory) -> None:
    ws = workspace_factory()
    with ws.write() as db:  # as an older version or another tool could have stored them
        db.execute("UPDATE orders SET amount = 9e999 WHERE id IN (1, 2)")
        db.execute("UPDATE orders SET amount = -9e999 WHERE id = 3")
        db.execute("UPDATE orders SET ordered_at = 'soon' WHERE id = 4")
        db.execute("UPDATE customers SET signup_date = 'garbage' WHERE id = 5")
        db.execute("UPDATE customers SET attributes = '{\"score\": Infinity}' WHERE id = 6")
    run_id = run_segmentation(ws, seed=1)
    info = run_info(ws, run_id)
    assert info["parameters"]["unusable_order_lines"] == 4
    assert -1 <= info["metrics"]["silhouette"] <= 1
    for row in ws.query("SELECT stats FROM segments WHERE run_id = ?", (run_id,)):
        _no_nan(row["stats"])
