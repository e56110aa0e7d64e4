"""A demo workspace that looks like a small lifestyle retailer ("Fernhill Goods").

About 5,000 customers, 50,000 order lines over two years (2024–2025), 40 products in six
categories, each with a drawn packshot. The data is simulated from latent customer groups
so that segmentation and recommendation have real structure to find:

* each group has its own category tastes, order frequency, price level, discount habit,
  acquisition channels, age bands and churn (recency) profile;
* some products are bought together (pairs across categories);
* three newly launched products have never been bought.

The groups behind the data are written to ``demo-truth.json`` in the workspace folder (not
to the database, so no analysis can read them by accident); evaluations compare against it
with :func:`load_demo_truth`. Everything is drawn from one seeded generator: the same seed
gives the same workspace.

One module because the simulated groups, products and orders are one generative
story; its parts are meaningless alone.

Writes the tables `customers`, `products`, `orders`, `brand_kits` (their schema is in
:mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.errors import WorkspaceError
from studio.core.progress import Progress
from studio.data.packshots import draw_packshot
from studio.render.brand import demo_brand_kit
from studio.storage.workspace import (
    DEMO_TRUTH,
    Workspace,
    remove_workspace,
    to_json,
    utcnow,
)

TRUTH_FILE = DEMO_TRUTH
BRAND = "FERNHILL"
CURRENCY = "EUR"
PERIOD_START = date(2024, 1, 1)
PERIOD_END = date(2025, 12, 31)
ORDER_LINES_PER_CUSTOMER = 10  # 5,000 customers → about 50,000 order lines


# --- catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    name: str
    code: str
    shape: str
    material: str


CATEGORIES = (
    Category("Coffee", "COF", "pouch", "recyclable kraft pouch"),
    Category("Tea", "TEA", "tin", "tin caddy"),
    Category("Drinkware", "MUG", "mug", "stoneware"),
    Category("Candles", "CDL", "candle", "soy wax in glass"),
    Category("Skincare", "SKN", "bottle", "recycled PET"),
    Category("Bags", "BAG", "tote", "organic cotton canvas"),
)

# (category, name, price, colour, size, description, tags)
_PRODUCTS: tuple[tuple[str, str, float, str, str, str, tuple[str, ...]], ...] = (
    ("Coffee", "House Blend Beans", 11.90, "caramel", "250 g",
     "Our everyday medium roast with notes of cocoa and hazelnut.", ("medium roast", "beans")),
    ("Coffee", "Ethiopia Yirgacheffe", 14.50, "mustard", "250 g",
     "A bright, floral single origin with jasmine and bergamot.", ("light roast", "single origin")),
    ("Coffee", "Colombia Huila", 13.50, "terracotta", "250 g",
     "Sweet and round, with red apple and panela sugar.", ("medium roast", "single origin")),
    ("Coffee", "Decaf Swiss Water", 12.90, "sage", "250 g",
     "Chemical-free decaf that still tastes like coffee.", ("decaf", "beans")),
    ("Coffee", "Espresso Dark Roast", 21.00, "espresso", "500 g",
     "A syrupy dark roast made for espresso machines.", ("dark roast", "espresso")),
    ("Coffee", "Cold Brew Coarse Grind", 16.50, "ocean", "500 g",
     "Coarse-ground for smooth overnight cold brew.", ("cold brew", "ground")),
    ("Coffee", "Single Origin Sampler", 24.00, "black", "3 × 100 g",
     "Three seasonal single origins to taste side by side.", ("gift", "new")),
    ("Tea", "English Breakfast", 8.50, "red", "100 g",
     "A brisk Assam and Ceylon blend that takes milk well.", ("black tea",)),
    ("Tea", "Earl Grey Lavender", 9.90, "lavender", "100 g",
     "Ceylon black tea with bergamot oil and lavender flowers.", ("black tea", "floral")),
    ("Tea", "Sencha Green", 10.50, "sage", "80 g",
     "A grassy Japanese green tea, steamed and rolled.", ("green tea",)),
    ("Tea", "Chamomile Calm", 7.90, "mustard", "50 g",
     "Whole chamomile flowers for a caffeine-free evening cup.", ("herbal", "caffeine free")),
    ("Tea", "Masala Chai", 9.50, "terracotta", "100 g",
     "Black tea with cardamom, ginger, cinnamon and clove.", ("black tea", "spiced")),
    ("Tea", "Peppermint Leaf", 7.50, "forest", "50 g",
     "Cooling whole peppermint leaves.", ("herbal", "caffeine free")),
    ("Tea", "Matcha Ceremonial", 22.00, "forest", "30 g",
     "Stone-ground first-harvest matcha for whisking.", ("green tea", "premium")),
    ("Drinkware", "Stoneware Mug", 16.00, "cream", "350 ml",
     "A hand-glazed mug with a generous handle.", ("mug", "handmade")),
    ("Drinkware", "Enamel Camp Mug", 12.00, "white", "300 ml",
     "Light, tough and at home outdoors.", ("mug", "outdoor")),
    ("Drinkware", "Speckled Mug", 18.00, "natural", "350 ml",
     "Speckled clay under a soft matte glaze.", ("mug", "handmade")),
    ("Drinkware", "Espresso Cup Pair", 22.00, "charcoal", "2 × 90 ml",
     "Two thick-walled cups that keep an espresso hot.", ("espresso", "gift")),
    ("Drinkware", "Latte Bowl Mug", 19.00, "sage", "450 ml",
     "A wide bowl mug for lattes and matcha.", ("mug", "matcha")),
    ("Drinkware", "Travel Tumbler", 26.00, "ocean", "400 ml",
     "Double-walled steel that keeps drinks hot or cold for hours.", ("travel", "insulated")),
    ("Drinkware", "Terracotta Mug", 17.00, "terracotta", "300 ml",
     "Warm red clay, unglazed on the outside.", ("mug", "handmade")),
    ("Candles", "Fig & Cedar Candle", 28.00, "forest", "200 g",
     "Green fig leaves over a base of cedarwood.", ("woody", "40 h burn")),
    ("Candles", "Sea Salt Candle", 26.00, "ocean", "200 g",
     "Fresh sea air, driftwood and a little sage.", ("fresh", "40 h burn")),
    ("Candles", "Lavender Fields Candle", 24.00, "lavender", "200 g",
     "Calming lavender and soft musk.", ("floral", "40 h burn")),
    ("Candles", "Amber Woods Candle", 32.00, "amber", "300 g",
     "Warm amber, vanilla and smoked woods.", ("woody", "60 h burn")),
    ("Candles", "Citrus Grove Candle", 22.00, "mustard", "200 g",
     "Sicilian lemon, bitter orange and basil.", ("citrus", "40 h burn")),
    ("Candles", "Winter Spice Candle", 30.00, "red", "300 g",
     "Clove, cinnamon and orange peel for the cold months.", ("spiced", "seasonal")),
    ("Skincare", "Oat Hand Cream", 14.00, "cream", "75 ml",
     "A rich, fast-absorbing cream with colloidal oat.", ("hands", "fragrance free")),
    ("Skincare", "Rosehip Face Oil", 34.00, "amber", "30 ml",
     "Cold-pressed rosehip oil for dry skin.", ("face", "oil")),
    ("Skincare", "Hydrating Serum", 38.00, "blush", "30 ml",
     "Hyaluronic acid serum for plump, hydrated skin.", ("face", "serum")),
    ("Skincare", "Neroli Body Lotion", 24.00, "white", "250 ml",
     "A light lotion scented with orange blossom.", ("body",)),
    ("Skincare", "Lavender Hand Wash", 16.00, "lavender", "300 ml",
     "A gentle wash with lavender and rosemary oils.", ("hands",)),
    ("Skincare", "Gentle Cleansing Gel", 22.00, "sage", "150 ml",
     "A low-foam cleanser that keeps the skin barrier intact.", ("face", "cleanser")),
    ("Skincare", "Restoring Night Cream", 45.00, "charcoal", "50 ml",
     "A peptide night cream, our newest formula.", ("face", "new")),
    ("Bags", "Canvas Tote Natural", 18.00, "natural", "38 × 42 cm",
     "The everyday tote in undyed canvas.", ("tote",)),
    ("Bags", "Market Tote Striped", 24.00, "ocean", "40 × 45 cm",
     "A roomy market bag with a woven stripe.", ("tote", "market")),
    ("Bags", "Linen Shopper", 32.00, "sage", "42 × 40 cm",
     "Washed linen with a leather-reinforced handle.", ("shopper", "linen")),
    ("Bags", "Waxed Canvas Tote", 48.00, "black", "40 × 44 cm",
     "Water-resistant waxed canvas that ages well.", ("tote", "premium")),
    ("Bags", "Terracotta Weekender", 42.00, "terracotta", "50 × 40 cm",
     "A big canvas bag for the weekend away.", ("weekender",)),
    ("Bags", "Mini Tote", 15.00, "blush", "25 × 28 cm",
     "A small tote for the essentials.", ("tote", "new")),
)  # fmt: skip

#: newly launched: in the catalogue, never ordered yet
NEVER_BOUGHT = ("Single Origin Sampler", "Restoring Night Cream", "Mini Tote")

#: (product, product, probability that buying the first adds the second to the order)
CO_PURCHASE = (
    ("Espresso Dark Roast", "Espresso Cup Pair", 0.45),
    ("Cold Brew Coarse Grind", "Travel Tumbler", 0.40),
    ("Matcha Ceremonial", "Latte Bowl Mug", 0.50),
    ("Chamomile Calm", "Lavender Fields Candle", 0.40),
    ("Lavender Hand Wash", "Oat Hand Cream", 0.45),
    ("Rosehip Face Oil", "Hydrating Serum", 0.40),
    ("Citrus Grove Candle", "Market Tote Striped", 0.35),
    ("Earl Grey Lavender", "Speckled Mug", 0.35),
)


# --- customers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A latent customer group: the truth the analyses should recover."""

    name: str
    description: str
    share: float
    #: weights per category, in the order of CATEGORIES
    tastes: tuple[float, float, float, float, float, float]
    orders_per_year: float
    lines_per_order: float
    premium: float  # preference for expensive products within a category (-1..1)
    discount_rate: float  # share of lines bought with a promotion
    churn: float  # share of the group that stops buying
    channels: dict[str, float]
    ages: dict[str, float]


_AGES = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")

GROUPS = (
    Group("coffee_enthusiasts", "Frequent coffee buyers who add drinkware", 0.22,
          (0.62, 0.03, 0.24, 0.03, 0.02, 0.06), 6.0, 1.5, 0.5, 0.08, 0.10,
          {"organic_search": 0.4, "referral": 0.3, "paid_social": 0.2, "email": 0.1},
          {"25-34": 0.4, "35-44": 0.35, "45-54": 0.15, "18-24": 0.1}),
    Group("tea_and_wellness", "Tea drinkers who also buy skincare and calming candles", 0.18,
          (0.03, 0.56, 0.08, 0.13, 0.18, 0.02), 4.5, 1.7, 0.0, 0.12, 0.12,
          {"organic_search": 0.35, "email": 0.3, "referral": 0.2, "paid_social": 0.15},
          {"35-44": 0.25, "45-54": 0.35, "55-64": 0.3, "65+": 0.1}),
    Group("home_ambience", "Candle and drinkware buyers furnishing a cosy home", 0.16,
          (0.03, 0.06, 0.26, 0.50, 0.05, 0.10), 3.0, 1.8, 0.3, 0.15, 0.15,
          {"paid_social": 0.45, "organic_search": 0.25, "influencer": 0.2, "email": 0.1},
          {"25-34": 0.45, "35-44": 0.35, "18-24": 0.2}),
    Group("premium_skincare", "High-spending skincare loyalists", 0.12,
          (0.02, 0.05, 0.02, 0.08, 0.78, 0.05), 3.5, 1.6, 0.9, 0.03, 0.08,
          {"referral": 0.35, "organic_search": 0.35, "influencer": 0.3},
          {"35-44": 0.35, "45-54": 0.4, "55-64": 0.25}),
    Group("deal_seekers", "Price-driven shoppers across categories who wait for promotions",
          0.20, (0.18, 0.20, 0.16, 0.14, 0.10, 0.22), 2.2, 1.3, -0.8, 0.70, 0.30,
          {"affiliate": 0.45, "paid_social": 0.35, "marketplace": 0.2},
          {"18-24": 0.4, "25-34": 0.4, "35-44": 0.2}),
    Group("lapsed_gift_buyers", "One-off gift buyers (bags and candles) who did not return",
          0.12, (0.04, 0.04, 0.14, 0.34, 0.12, 0.32), 1.0, 1.9, 0.2, 0.25, 0.95,
          {"paid_social": 0.5, "marketplace": 0.3, "affiliate": 0.2},
          {"25-34": 0.3, "35-44": 0.3, "45-54": 0.2, "55-64": 0.2}),
)  # fmt: skip

_PLACES = {
    "United Kingdom": (0.30, ("London", "Manchester", "Bristol", "Leeds", "Edinburgh")),
    "Germany": (0.22, ("Berlin", "Hamburg", "Munich", "Cologne")),
    "France": (0.16, ("Paris", "Lyon", "Bordeaux")),
    "Netherlands": (0.12, ("Amsterdam", "Utrecht", "Rotterdam")),
    "Sweden": (0.08, ("Stockholm", "Gothenburg")),
    "Spain": (0.07, ("Madrid", "Barcelona", "Valencia")),
    "Ireland": (0.05, ("Dublin", "Cork")),
}
_FIRST = (
    "Alex", "Sam", "Jamie", "Maria", "Anna", "Lena", "Sophie", "Emma", "Lucas", "Noah", "Mia",
    "Julia", "Elena", "Hugo", "Leo", "Clara", "Oliver", "Ella", "Max", "Nora", "Paul", "Ines",
    "Tom", "Laura", "Jonas", "Eva", "Marta", "Louis", "Chloe", "Ben", "Sara", "Felix",
)  # fmt: skip
_LAST = (
    "Smith", "Jones", "Müller", "Schmidt", "Martin", "Bernard", "Jansen", "de Vries",
    "Andersson", "García", "Murphy", "Taylor", "Brown", "Fischer", "Weber", "Dubois", "Laurent",
    "Bakker", "Visser", "Nilsson", "Lopez", "Walsh", "Evans", "Wright",
)  # fmt: skip
_SALES_CHANNELS = {"web": 0.62, "app": 0.28, "store": 0.10}
_PROMOTIONS = {"WELCOME10": 0.10, "SEASON15": 0.15, "FRIENDS20": 0.20, "SALE25": 0.25}


# --- simulation -------------------------------------------------------------------------


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.asarray([weights[k] for k in keys], dtype=float)
    return keys[rng.choice(len(keys), p=p / p.sum())]


@dataclass
class _Customer:
    external_id: str
    group: Group
    signup: date
    active_until: date
    rate: float  # orders per year
    row: tuple[Any, ...]


def _customers(rng: np.random.Generator, n: int) -> list[_Customer]:
    shares = np.asarray([g.share for g in GROUPS])
    group_of = rng.choice(len(GROUPS), size=n, p=shares / shares.sum())
    countries = list(_PLACES)
    country_p = np.asarray([_PLACES[c][0] for c in countries])
    customers = []
    for i in range(n):
        group = GROUPS[group_of[i]]
        external_id = f"C{i + 1:05d}"
        # a third joined before the period, the rest throughout it
        offset = int(rng.integers(-540, 0)) if rng.random() < 0.33 else int(rng.integers(0, 700))
        signup = PERIOD_START + timedelta(days=offset)
        start = max(signup, PERIOD_START)
        if rng.random() < group.churn:
            active_until = start + timedelta(days=int(rng.exponential(120)) + 1)
        else:
            active_until = PERIOD_END
        active_until = min(active_until, PERIOD_END)
        rate = group.orders_per_year * float(rng.lognormal(0.0, 0.45))
        country = countries[rng.choice(len(countries), p=country_p / country_p.sum())]
        cities = _PLACES[country][1]
        city = cities[rng.integers(len(cities))]
        first, last = _FIRST[rng.integers(len(_FIRST))], _LAST[rng.integers(len(_LAST))]
        email = f"{first}.{last}.{i + 1}@example.com".lower().replace(" ", "")
        attributes = {
            "age_band": _pick(rng, group.ages),
            "acquisition_channel": _pick(rng, group.channels),
            "newsletter": bool(rng.random() < 0.55),
        }
        row = (i + 1, external_id, f"{first} {last}", email, country, city, signup.isoformat(),
               to_json(attributes))  # fmt: skip
        customers.append(_Customer(external_id, group, signup, active_until, rate, row))
    return customers


def _product_weights(prices: np.ndarray, categories: np.ndarray, group: Group) -> np.ndarray:
    """Purchase probabilities over products for one group: category taste × popularity ×
    the group's price preference (premium groups lean to the dearer items)."""
    weights = np.zeros(len(prices))
    for c, taste in enumerate(group.tastes):
        members = np.flatnonzero(categories == c)
        if members.size == 0:
            continue
        cat_prices = prices[members]
        z = (cat_prices - cat_prices.mean()) / (cat_prices.std() or 1.0)
        popularity = 1.0 / np.arange(1, members.size + 1) ** 0.6  # earlier = best sellers
        w = popularity * np.exp(group.premium * z)
        weights[members] = taste * w / w.sum()
    return weights


def _seasonal_day(rng: np.random.Generator, start: date, end: date) -> date:
    """A day in [start, end], twice as likely in November and December (gift season)."""
    span = (end - start).days
    while True:
        day = start + timedelta(days=int(rng.integers(0, span + 1)))
        if day.month >= 11 or rng.random() < 0.5:
            return day


def _orders(
    rng: np.random.Generator,
    customers: list[_Customer],
    products: list[dict[str, Any]],
    report: Progress,
) -> list[tuple[Any, ...]]:
    prices = np.asarray([p["price"] for p in products])
    category_index = {c.name: i for i, c in enumerate(CATEGORIES)}
    categories = np.asarray([category_index[p["category"]] for p in products])
    buyable = np.asarray([p["name"] not in NEVER_BOUGHT for p in products], dtype=float)
    weights = {g.name: _product_weights(prices, categories, g) * buyable for g in GROUPS}
    for name, w in weights.items():
        weights[name] = w / w.sum()
    id_of = {p["name"]: p["id"] for p in products}
    partners: dict[int, list[tuple[int, float]]] = {}
    for a, b, prob in CO_PURCHASE:
        partners.setdefault(id_of[a], []).append((id_of[b], prob))

    # scale every rate so the expected number of lines matches the target
    def years(c: _Customer) -> float:
        return max((c.active_until - max(c.signup, PERIOD_START)).days, 0) / 365.25

    expected = sum(c.rate * years(c) * c.group.lines_per_order for c in customers)
    scale = ORDER_LINES_PER_CUSTOMER * len(customers) / max(expected, 1.0)

    lines: list[tuple[Any, ...]] = []
    order_number = 0
    promo_codes = list(_PROMOTIONS)
    for n, customer in enumerate(customers):
        if n % 500 == 0:
            report("Simulating two years of orders", 0.05 + 0.4 * n / len(customers))
        start = max(customer.signup, PERIOD_START)
        if customer.active_until <= start:
            continue
        n_orders = rng.poisson(customer.rate * years(customer) * scale)
        if customer.group.name == "lapsed_gift_buyers":
            n_orders = min(max(n_orders, 1), 2)
        days = sorted(_seasonal_day(rng, start, customer.active_until) for _ in range(n_orders))
        p = weights[customer.group.name]
        for day in days:
            order_number += 1
            ref = f"FH-{order_number:06d}"
            n_lines = 1 + rng.poisson(customer.group.lines_per_order - 1)
            chosen = list(dict.fromkeys(rng.choice(len(products), size=n_lines, p=p).tolist()))
            picked = [products[i]["id"] for i in chosen]
            for product_id in list(picked):
                for partner, prob in partners.get(product_id, ()):
                    if partner not in picked and rng.random() < prob:
                        picked.append(partner)
            moment = datetime(day.year, day.month, day.day, int(rng.integers(7, 23)),
                              int(rng.integers(0, 60)))  # fmt: skip
            channel = _pick(rng, _SALES_CHANNELS)
            promoted = rng.random() < customer.group.discount_rate
            promo = promo_codes[rng.integers(len(promo_codes))] if promoted else None
            for product_id in picked:
                price = products[product_id - 1]["price"]
                quantity = 1 + int(rng.random() < 0.15) + int(rng.random() < 0.04)
                gross = round(quantity * price, 2)
                discount = round(gross * _PROMOTIONS[promo], 2) if promo else 0.0
                attributes = {"sales_channel": channel}
                if promo:
                    attributes["promo_code"] = promo
                amount = round(gross - discount, 2)
                lines.append((ref, customer.row[0], product_id, moment.isoformat(), quantity,
                              price, discount, amount, to_json(attributes)))  # fmt: skip
    return lines


def _catalogue() -> list[dict[str, Any]]:
    counters: dict[str, int] = {}
    shape_of = {c.name: c for c in CATEGORIES}
    products = []
    for i, (category, name, price, colour, size, description, tags) in enumerate(_PRODUCTS):
        cat = shape_of[category]
        counters[category] = counters.get(category, 0) + 1
        products.append(
            {
                "id": i + 1,
                "sku": f"FH-{cat.code}-{counters[category]:02d}",
                "name": name,
                "category": category,
                "description": description,
                "price": price,
                "colour": colour,
                "shape": cat.shape,
                "attributes": {
                    "colour": colour,
                    "size": size,
                    "material": cat.material,
                    "tags": list(tags),
                    "launched": "2025-12" if name in NEVER_BOUGHT else "2023",
                },
            }
        )
    return products


# --- writing ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=len(_PRODUCTS))
def _packshot_png(shape: str, colour: str, name: str) -> bytes:
    """The catalogue is fixed, so each photo is drawn once per process (tests make several
    demo workspaces)."""
    buffer = io.BytesIO()
    draw_packshot(shape, colour, [BRAND, name]).save(buffer, format="PNG")
    return buffer.getvalue()


def create_demo_workspace(
    path: Path,
    *,
    seed: int = 7,
    n_customers: int = 5000,
    progress: Progress | None = None,
    beside_other_files: bool = False,
) -> Workspace:
    """Create the demo workspace at ``path`` (a new or empty folder) and return it open.

    Deterministic for a given ``seed``. ``n_customers`` scales the data (order lines stay
    at about ten per customer); tests use a few hundred to stay quick.
    """
    if n_customers < 10:
        raise WorkspaceError("The demo needs at least 10 customers.")
    path = Path(path)
    report = progress or (lambda description, fraction=None: None)
    rng = np.random.default_rng(seed)
    products = _catalogue()
    customers = _customers(rng, n_customers)
    lines = _orders(rng, customers, products, report)

    workspace = Workspace.create(path, beside_other_files=beside_other_files)
    try:
        with workspace.write() as db:
            for i, product in enumerate(products):
                report("Drawing product photos", 0.45 + 0.45 * i / len(products))
                png = _packshot_png(product["shape"], product["colour"], product["name"])
                product["image_sha256"] = workspace.store_bytes(png, "image/png").sha256
            report("Writing customers, products and orders", 0.92)
            db.conn.executemany(
                "INSERT INTO customers (id, external_id, name, email, country, city,"
                " signup_date, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [c.row for c in customers],
            )
            db.conn.executemany(
                "INSERT INTO products (id, sku, name, category, description, price, currency,"
                " image_sha256, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (p["id"], p["sku"], p["name"], p["category"], p["description"], p["price"],
                     CURRENCY, p["image_sha256"], to_json(p["attributes"]))
                    for p in products
                ],
            )  # fmt: skip
            db.conn.executemany(
                "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at, quantity,"
                " unit_price, discount, amount, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                lines,
            )
            _store_brand_kit(workspace, db)
        _write_truth(path, seed, customers, products)
    except BaseException:  # cancelled or failed: a half-made demo must not be opened later
        workspace.close()
        remove_workspace(path)
        raise
    report("Demo workspace ready", 1.0)
    return workspace


def _store_brand_kit(workspace: Workspace, db: Any) -> None:
    """The demo shop's own kit (Harbor & Pine), saved like a user's: other workspaces
    never borrow it."""
    kit = demo_brand_kit()
    assert kit.logo is not None
    logo = workspace.store_image(kit.logo.convert("RGBA"), "PNG").sha256
    now = utcnow()
    db["brand_kits"].insert(
        {"name": kit.name, "created_at": now, "updated_at": now, "logo_sha256": logo,
         **kit.to_row()}
    )  # fmt: skip


def _write_truth(
    path: Path, seed: int, customers: list[_Customer], products: list[dict[str, Any]]
) -> None:
    sku_of = {p["name"]: p["sku"] for p in products}
    truth = {
        "seed": seed,
        "groups": {g.name: g.description for g in GROUPS},
        "customers": {c.external_id: c.group.name for c in customers},
        "co_purchase": [[sku_of[a], sku_of[b]] for a, b, _ in CO_PURCHASE],
        "never_bought": [sku_of[name] for name in NEVER_BOUGHT],
        "category_tastes": {
            g.name: dict(zip([c.name for c in CATEGORIES], g.tastes, strict=True)) for g in GROUPS
        },
    }
    (path / TRUTH_FILE).write_text(json.dumps(truth, indent=1), encoding="utf-8")


def load_demo_truth(path: Path) -> dict[str, Any]:
    """The latent groups a demo workspace was simulated from (for evaluations).

    Keys: ``seed``, ``groups`` (name → description), ``customers`` (external id → group),
    ``co_purchase`` (SKU pairs), ``never_bought`` (SKUs), ``category_tastes``.
    """
    truth_path = Path(path) / TRUTH_FILE
    if not truth_path.exists():
        raise WorkspaceError(f"{path} is not a demo workspace (no {TRUTH_FILE}).")
    return json.loads(truth_path.read_text(encoding="utf-8"))
