"""The demo workspace: valid, deterministic, and carrying the structure analyses look for."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.errors import WorkspaceError
from studio.data.demo import CATEGORIES, create_demo_workspace, load_demo_truth
from studio.storage.workspace import Workspace

N_CUSTOMERS = 400


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "ws"
    create_demo_workspace(path, seed=11, n_customers=N_CUSTOMERS).close()
    return path


def _fingerprint(ws: Workspace) -> str:
    digest = hashlib.sha256()
    for table in ("customers", "products", "orders"):
        for row in ws.db.execute(f"SELECT * FROM {table} ORDER BY id"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_demo_is_a_valid_workspace_with_photos(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        summary = ws.summary()
        assert summary["customers"] == N_CUSTOMERS
        assert summary["products"] == summary["products_with_image"] == 40
        assert 0.7 * 10 * N_CUSTOMERS < summary["orders"] < 1.3 * 10 * N_CUSTOMERS
        assert summary["first_order"] >= "2024-01-01" and summary["last_order"] < "2026"
        assert ws.scalar("PRAGMA integrity_check") == "ok"
        assert ws.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert ws.verify_files() == []
        bad_amounts = ws.scalar(
            "SELECT count(*) FROM orders"
            " WHERE abs(quantity * unit_price - discount - amount) > 0.011"
        )
        assert bad_amounts == 0
        categories = {r["category"] for r in ws.query("SELECT DISTINCT category FROM products")}
        assert categories == {c.name for c in CATEGORIES}
        sha = ws.scalar("SELECT image_sha256 FROM products WHERE name = 'Sea Salt Candle'")
        with Image.open(ws.blob_path(sha)) as photo:
            assert photo.size == (768, 768)
            pixels = np.asarray(photo.convert("RGB"), dtype=float)
        # a plain light background in the corner, a distinct object in the middle
        assert pixels[:40, :40].mean() > 225 and pixels[:40, :40].std() < 6
        assert np.abs(pixels[300:500, 300:460] - pixels[:40, :40].mean()).mean() > 40


def test_same_seed_gives_the_same_workspace(demo: Path, tmp_path: Path) -> None:
    with Workspace.open(demo) as first:
        expected = _fingerprint(first)
    with create_demo_workspace(tmp_path / "again", seed=11, n_customers=N_CUSTOMERS) as again:
        assert _fingerprint(again) == expected
    with create_demo_workspace(tmp_path / "other", seed=12, n_customers=N_CUSTOMERS) as other:
        assert _fingerprint(other) != expected


def test_demo_refuses_an_existing_workspace(demo: Path) -> None:
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        create_demo_workspace(demo, n_customers=N_CUSTOMERS)


def test_latent_groups_differ_in_taste_spend_and_recency(demo: Path) -> None:
    truth = load_demo_truth(demo)
    assert set(truth["customers"]) == {f"C{i:05d}" for i in range(1, N_CUSTOMERS + 1)}
    with Workspace.open(demo) as ws:
        rows = ws.query(
            "SELECT c.external_id, p.category, o.amount, o.ordered_at, o.discount"
            " FROM orders o JOIN customers c ON c.id = o.customer_id"
            " JOIN products p ON p.id = o.product_id"
        )
    by_group: dict[str, dict[str, list]] = {}
    for row in rows:
        group = by_group.setdefault(
            truth["customers"][row["external_id"]],
            {"category": [], "amount": [], "dates": [], "discount": []},
        )
        group["category"].append(row["category"])
        group["amount"].append(row["amount"])
        group["dates"].append(row["ordered_at"])
        group["discount"].append(row["discount"] > 0)

    def share(group: str, category: str) -> float:
        cats = by_group[group]["category"]
        return cats.count(category) / len(cats)

    assert share("coffee_enthusiasts", "Coffee") > 0.45 > share("tea_and_wellness", "Coffee")
    assert share("tea_and_wellness", "Tea") > 0.4 > share("coffee_enthusiasts", "Tea")
    assert share("premium_skincare", "Skincare") > 0.6
    assert np.mean(by_group["deal_seekers"]["discount"]) > 0.5
    assert np.mean(by_group["coffee_enthusiasts"]["discount"]) < 0.2

    def median_order_date(group: str) -> str:
        dates = sorted(by_group[group]["dates"])
        return dates[len(dates) // 2]

    # lapsed gift buyers stopped buying long before the end of the period
    assert median_order_date("lapsed_gift_buyers") < median_order_date("coffee_enthusiasts")
    spend = {g: np.mean(v["amount"]) for g, v in by_group.items()}
    assert spend["premium_skincare"] > 1.3 * spend["deal_seekers"]


def test_co_purchase_pairs_and_never_bought_products(demo: Path) -> None:
    truth = load_demo_truth(demo)
    with Workspace.open(demo) as ws:
        bought = {r["sku"] for r in ws.query(
            "SELECT DISTINCT p.sku FROM orders o JOIN products p ON p.id = o.product_id"
        )}  # fmt: skip
        assert not bought & set(truth["never_bought"])
        for first, second in truth["co_purchase"]:
            together = ws.scalar(
                "SELECT count(*) FROM orders a JOIN orders b ON a.order_ref = b.order_ref"
                " JOIN products pa ON pa.id = a.product_id JOIN products pb ON pb.id = b.product_id"
                " WHERE pa.sku = ? AND pb.sku = ?",
                (first, second),
            )
            with_first = ws.scalar(
                "SELECT count(*) FROM orders o JOIN products p ON p.id = o.product_id"
                " WHERE p.sku = ?",
                (first,),
            )
            # far above what independent choices would give (a few percent)
            assert with_first == 0 or together / with_first > 0.25, (first, second)
    assert json.loads((demo / "demo-truth.json").read_text())["seed"] == 11


def test_a_cancelled_demo_leaves_no_workspace(tmp_path: Path) -> None:
    def cancel(description: str, fraction: float | None = None) -> None:
        if description.startswith("Drawing"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        create_demo_workspace(tmp_path / "demo", n_customers=50, progress=cancel)
    assert not (tmp_path / "demo").exists()
