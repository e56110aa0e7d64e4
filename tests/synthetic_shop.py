"""Small synthetic shops for segmentation and recommendation tests.

Customers belong to one taste group per category and buy mostly (``loyalty``) from their
group's category; the first group also spends more. Products named in ``never_bought``
exist in the catalogue without any order.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from studio.storage.workspace import Workspace, to_json

CATEGORY_PRODUCTS = {
    "Outdoor": ["Trail Runner Shoes", "Hiking Socks", "Rain Jacket", "Camping Stove"],
    "Kitchen": ["Chef Knife", "Cast Iron Pan", "Espresso Maker", "Cutting Board"],
    "Books": ["Crime Novel", "Cookbook Classics", "Travel Guide Norway", "Poetry Collection"],
}
NEW_PRODUCT = ("Trekking Poles", "Outdoor", "Lightweight poles for hiking trails and trekking.")
LAST_DAY = date(2025, 6, 30)


def build_shop(
    path: Path,
    *,
    n_customers: int = 150,
    n_prospects: int = 6,
    categories: tuple[str, ...] = ("Outdoor", "Kitchen", "Books"),
    loyalty: float = 0.85,
    seed: int = 0,
    with_new_product: bool = True,
) -> Workspace:
    """Create and return an open workspace with customers, products and orders."""
    rng = np.random.default_rng(seed)
    ws = Workspace.create(path)
    products = [(name, c) for c in categories for name in CATEGORY_PRODUCTS[c]]
    with ws.write() as db:
        for index, (name, category) in enumerate(products, start=1):
            db.execute(
                "INSERT INTO products (id, sku, name, category, description, price, currency)"
                " VALUES (?, ?, ?, ?, ?, ?, 'EUR')",
                (index, f"SKU-{index:03d}", name, category, f"{name} for {category.lower()}", 20.0),
            )
        if with_new_product:
            name, category, description = NEW_PRODUCT
            db.execute(
                "INSERT INTO products (id, sku, name, category, description, price, currency)"
                " VALUES (?, 'SKU-NEW', ?, ?, ?, 30.0, 'EUR')",
                (len(products) + 1, name, category, description),
            )
        line = 0
        for customer in range(1, n_customers + n_prospects + 1):
            group = (customer - 1) % len(categories)
            db.execute(
                "INSERT INTO customers (id, external_id, country, signup_date, attributes)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    customer,
                    f"C{customer:04d}",
                    ["Germany", "France"][customer % 2],
                    "2024-01-01",
                    to_json({"age_band": ["25-34", "35-44"][customer % 2]}),
                ),
            )
            if customer > n_customers:
                continue  # a prospect: signed up, never ordered
            n_orders = int(rng.integers(2, 6)) + (3 if group == 0 else 0)
            for order in range(n_orders):
                day = LAST_DAY - timedelta(days=int(rng.integers(0, 360)))
                in_group = [i for i, (_, c) in enumerate(products) if c == categories[group]]
                chosen = set()
                for _ in range(int(rng.integers(1, 3))):
                    pool = in_group if rng.random() < loyalty else range(len(products))
                    chosen.add(int(rng.choice(list(pool))))
                for product in sorted(chosen):
                    line += 1
                    price = 60.0 if group == 0 else 20.0
                    discount = 5.0 if rng.random() < 0.2 else 0.0
                    db.execute(
                        "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at,"
                        " quantity, unit_price, discount, amount) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                        (
                            f"O{customer}-{order}",
                            customer,
                            product + 1,
                            f"{day.isoformat()}T12:00:00",
                            price,
                            discount,
                            price - discount,
                        ),
                    )
    return ws


def group_of(
    customer_id: int, categories: tuple[str, ...] = ("Outdoor", "Kitchen", "Books")
) -> str:
    """The taste group a customer was simulated from (kept out of the data on purpose)."""
    return categories[(customer_id - 1) % len(categories)]
