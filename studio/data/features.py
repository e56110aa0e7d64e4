"""Customer features for segmentation, computed from order lines with numpy only.

The computation works on plain arrays (:class:`OrderLines`) so the same code serves a
5,000-customer workspace and the 10-million-line benchmark: grouping is done with
``bincount`` and ``ufunc.at`` instead of per-customer Python loops.

Days are integers (days since 1970-01-01). Every time feature is measured against an
"as of" day, which defaults to the day of the newest order in the data: imported history
is often weeks old, and measuring against today would call every customer lapsed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from studio.data.values import MAX_AMOUNT
from studio.storage.workspace import Workspace

#: features whose distribution is long-tailed; log1p keeps big spenders from dominating
LOG_FEATURES = ("recency_days", "orders", "spend", "avg_basket", "tenure_days")
#: features that only mean something on a long enough history
TIME_FEATURES = ("recency_days", "tenure_days")
#: total weight of the category-share block, in "ordinary feature" units: what people buy
#: drives the recommendations, so the category mix weighs more than the RFM block
CATEGORY_BLOCK_WEIGHT = 8.0
#: total weight of each categorical customer attribute (country, channel …); kept low so
#: demographics refine segments without splitting them by country alone
ATTRIBUTE_BLOCK_WEIGHT = 0.25
#: weight of the discount share: promotion habits are a campaign lever of their own
DISCOUNT_WEIGHT = 2.0
#: rarer attribute values are folded into "other" so one-hot blocks stay small
MAX_ATTRIBUTE_LEVELS = 8
#: attributes with more distinct values than this are identifiers, not segments
MAX_ATTRIBUTE_CARDINALITY = 50


@dataclass
class OrderLines:
    """Order lines as parallel arrays; ``customer`` and ``product`` are 0-based indexes."""

    customer: np.ndarray  # int, index into the customer list
    product: np.ndarray  # int, index into the product list
    order: np.ndarray  # int, one id per order (an order has one customer)
    day: np.ndarray  # int, days since the epoch
    amount: np.ndarray  # float, line revenue
    discount: np.ndarray  # float, discount on the line (0 when none)

    def __len__(self) -> int:
        return len(self.customer)

    def select(self, mask: np.ndarray) -> OrderLines:
        return OrderLines(
            self.customer[mask],
            self.product[mask],
            self.order[mask],
            self.day[mask],
            self.amount[mask],
            self.discount[mask],
        )


@dataclass
class Catalog:
    """Products in index order, with their category index."""

    ids: np.ndarray
    skus: list[str]
    names: list[str]
    texts: list[str]  # what the content embedding reads
    category: np.ndarray  # int index into ``categories``
    categories: list[str]


@dataclass
class CustomerTable:
    """Customers in index order, with their categorical and numeric attributes."""

    ids: np.ndarray
    signup_day: np.ndarray  # int days, or -1 when unknown
    categorical: dict[str, np.ndarray] = field(default_factory=dict)  # name -> str values
    numeric: dict[str, np.ndarray] = field(default_factory=dict)  # name -> float (nan = none)
    #: too fine-grained to cluster on, but rule segments filter by it
    city: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))


@dataclass
class CustomerFeatures:
    """Per-customer values (all customers) and the scaled matrix (customers with orders)."""

    values: dict[str, np.ndarray]  # raw, human-unit values for every customer
    category_share: np.ndarray  # (n_customers, n_categories) share of spend
    categories: list[str]
    has_orders: np.ndarray  # bool (n_customers,)
    matrix: np.ndarray  # float32 (has_orders.sum(), n_features), scaled
    feature_names: list[str]
    as_of_day: int


def order_values(
    lines: OrderLines,
    n_customers: int,
    product_category: np.ndarray,
    n_categories: int,
    as_of_day: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """RFM, basket, tenure, discount and category shares per customer, vectorised."""
    customer = lines.customer
    spend = np.bincount(customer, weights=lines.amount, minlength=n_customers)
    items = np.bincount(customer, minlength=n_customers).astype(np.float64)

    # each order id belongs to one customer: count the distinct ids per customer
    _, first_line = np.unique(lines.order, return_index=True)
    orders = np.bincount(customer[first_line], minlength=n_customers).astype(np.float64)

    last_day = np.full(n_customers, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_day, customer, lines.day)
    first_day = np.full(n_customers, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, customer, lines.day)
    has_orders = orders > 0

    discounted = np.bincount(customer, weights=lines.discount > 0, minlength=n_customers)
    by_category = np.bincount(
        customer * n_categories + product_category[lines.product],
        weights=lines.amount,
        minlength=n_customers * n_categories,
    ).reshape(n_customers, n_categories)

    with np.errstate(divide="ignore", invalid="ignore"):
        avg_basket = np.where(has_orders, spend / np.maximum(orders, 1), 0.0)
        discount_share = np.where(items > 0, discounted / np.maximum(items, 1), 0.0)
        category_share = np.where(
            spend[:, None] > 0, by_category / np.maximum(spend, 1e-12)[:, None], 0.0
        )
    values = {
        "spend": spend,
        "orders": orders,
        "items": items,
        "avg_basket": avg_basket,
        "recency_days": np.where(has_orders, as_of_day - last_day, np.nan).astype(np.float64),
        "first_order_day": np.where(has_orders, first_day, -1).astype(np.int64),
        "discount_share": discount_share,
    }
    return values, category_share


def build_features(
    lines: OrderLines,
    customers: CustomerTable,
    catalog_category: np.ndarray,
    categories: list[str],
    *,
    as_of_day: int | None = None,
    time_features: bool = True,
) -> CustomerFeatures:
    """Compute features for every customer and the scaled matrix used for clustering.

    Without ``time_features`` (a history too short to tell), recency and tenure are
    computed but left out of the matrix: on a few days of orders they only say on which
    day someone happened to buy."""
    n = len(customers.ids)
    if as_of_day is None:
        as_of_day = int(lines.day.max()) if len(lines) else 0
    values, category_share = order_values(lines, n, catalog_category, len(categories), as_of_day)
    has_orders = values["orders"] > 0
    known_signup = (customers.signup_day >= 0) & (customers.signup_day <= as_of_day)
    first_seen = np.where(
        known_signup & has_orders,
        np.minimum(customers.signup_day, values["first_order_day"]),
        np.where(has_orders, values["first_order_day"], customers.signup_day),
    )
    values["tenure_days"] = np.where(
        (first_seen >= 0) & (has_orders | known_signup), as_of_day - first_seen, np.nan
    ).astype(np.float64)

    columns: list[np.ndarray] = []
    names: list[str] = []
    weights: list[float] = []
    for name in LOG_FEATURES:
        if not time_features and name in TIME_FEATURES:
            continue
        columns.append(np.log1p(np.nan_to_num(values[name][has_orders], nan=0.0).clip(min=0)))
        names.append(name)
        weights.append(1.0)
    if lines.discount.size and np.any(lines.discount > 0):
        columns.append(values["discount_share"][has_orders])
        names.append("discount_share")
        weights.append(DISCOUNT_WEIGHT)
    if len(categories) > 1:
        per_column = np.sqrt(CATEGORY_BLOCK_WEIGHT / len(categories))
        for index, category in enumerate(categories):
            columns.append(category_share[has_orders, index])
            names.append(f"share:{category}")
            weights.append(per_column)
    for attribute, raw in customers.categorical.items():
        levels = attribute_levels(raw[has_orders])
        if len(levels) < 2:
            continue
        per_column = np.sqrt(ATTRIBUTE_BLOCK_WEIGHT / len(levels))
        for level in levels:
            columns.append((raw[has_orders] == level).astype(np.float64))
            names.append(f"{attribute}={level}")
            weights.append(per_column)
    for attribute, raw in customers.numeric.items():
        column = raw[has_orders]
        if np.all(np.isnan(column)):
            continue
        values[attribute] = raw
        columns.append(np.where(np.isnan(column), np.nanmedian(column), column))
        names.append(attribute)
        weights.append(1.0)

    matrix = np.column_stack(columns) if columns else np.zeros((int(has_orders.sum()), 0))
    return CustomerFeatures(
        values=values,
        category_share=category_share,
        categories=categories,
        has_orders=has_orders,
        matrix=standardise(matrix, np.asarray(weights)),
        feature_names=names,
        as_of_day=as_of_day,
    )


def standardise(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance, times the column weight; constant columns become 0."""
    if matrix.shape[0] == 0:
        return matrix.astype(np.float32)
    mean = matrix.mean(axis=0)
    std = matrix.std(axis=0)
    scale = np.where(std > 1e-12, weights / np.where(std > 1e-12, std, 1.0), 0.0)
    return ((matrix - mean) * scale).astype(np.float32)


def attribute_levels(values: np.ndarray) -> list[str]:
    """The most frequent values of a categorical attribute (empty values are ignored)."""
    present = values[values != ""]
    if present.size == 0:
        return []
    levels, counts = np.unique(present, return_counts=True)
    if len(levels) > MAX_ATTRIBUTE_CARDINALITY:
        return []
    order = np.lexsort((levels, -counts))
    return [str(levels[i]) for i in order[:MAX_ATTRIBUTE_LEVELS]]


# --- loading from a workspace -----------------------------------------------------------


def day_number(iso_dates: list[str] | np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD…' strings to days since the epoch (int64)."""
    if len(iso_dates) == 0:
        return np.zeros(0, dtype=np.int64)
    days = np.array([value[:10] for value in iso_dates], dtype="datetime64[D]")
    return days.astype(np.int64)


def iso_day(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


@dataclass
class WorkspaceData:
    """Everything segmentation and recommendation read, loaded once from a workspace."""

    customers: CustomerTable
    catalog: Catalog
    lines: OrderLines
    currency: str
    #: stored order lines that could not be used (an impossible amount or date written
    #: by an older version or another tool); they are left out, never guessed
    unusable_lines: int = 0
    #: per customer: has returned or cancelled lines (an order export's returns)
    returned: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: sales without a customer, as order lines whose ``customer`` numbers each guest
    #: order from 0: they count for products (popularity, co-purchase), never for people
    guests: OrderLines | None = None

    @property
    def last_day(self) -> int | None:
        return int(self.lines.day.max()) if len(self.lines) else None

    @property
    def first_day(self) -> int | None:
        return int(self.lines.day.min()) if len(self.lines) else None

    @property
    def history_days(self) -> int:
        """How many days the order history covers (0 without orders)."""
        return (self.last_day - self.first_day) if len(self.lines) else 0


#: an order line the features can use: finite amounts within the import's limits and a
#: real ISO date (SQLite compares an infinite REAL as larger than any number)
_USABLE_SALE = (
    f"abs(amount) <= {MAX_AMOUNT:.0f}"
    " AND ordered_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]*'"
    " AND date(substr(ordered_at, 1, 10)) IS NOT NULL"
)
_USABLE_LINE = f"{_USABLE_SALE} AND (discount IS NULL OR abs(discount) <= {MAX_AMOUNT:.0f})"


def load_workspace_data(ws: Workspace) -> WorkspaceData:
    """Read customers, products and order lines into arrays.

    All three come from one read transaction on a reader connection: a consistent snapshot
    of the committed data, even while another process imports orders.
    """
    reader = ws.reader()
    try:
        reader.execute("BEGIN")
        customer_rows = list(
            reader.query(
                "SELECT id, country, city, signup_date, attributes FROM customers ORDER BY id"
            )
        )
        product_rows = list(
            reader.query(
                "SELECT id, sku, name, category, description, currency FROM products ORDER BY id"
            )
        )
        # plain tuples: millions of order lines would not fit as dicts
        rows = reader.execute(
            "SELECT customer_id, product_id, order_ref, substr(ordered_at, 1, 10), amount,"
            f" discount FROM orders WHERE {_USABLE_LINE} ORDER BY id"
        ).fetchall()
        unusable = reader.execute(f"SELECT count(*) FROM orders WHERE NOT ({_USABLE_LINE})")
        unusable_lines = int(unusable.fetchone()[0])
        returned_ids = [
            r[0]
            for r in reader.execute(
                "SELECT DISTINCT customer_id FROM returned_lines WHERE customer_id IS NOT NULL"
            ).fetchall()
        ]
        guest_rows = reader.execute(
            "SELECT order_ref, product_id, substr(ordered_at, 1, 10), amount FROM guest_lines"
            f" WHERE {_USABLE_SALE} ORDER BY id"
        ).fetchall()
    finally:
        reader.conn.close()
    customer_ids = np.array([r["id"] for r in customer_rows], dtype=np.int64)
    product_ids = np.array([r["id"] for r in product_rows], dtype=np.int64)

    categories_of = [(r["category"] or "").strip() or "Uncategorised" for r in product_rows]
    categories = sorted(set(categories_of))
    category_index = {name: i for i, name in enumerate(categories)}
    catalog = Catalog(
        ids=product_ids,
        skus=[r["sku"] for r in product_rows],
        names=[r["name"] for r in product_rows],
        texts=[product_text(r) for r in product_rows],
        category=np.array([category_index[c] for c in categories_of], dtype=np.int64),
        categories=categories,
    )

    if rows:
        cust, prod, refs, dates, amount, discount = zip(*rows, strict=True)
        _, order = np.unique(np.array(refs, dtype=object).astype(str), return_inverse=True)
        lines = OrderLines(
            customer=np.searchsorted(customer_ids, np.array(cust, dtype=np.int64)),
            product=np.searchsorted(product_ids, np.array(prod, dtype=np.int64)),
            order=order.astype(np.int64),
            day=day_number(dates),
            amount=np.array(amount, dtype=np.float64),
            discount=np.array(discount, dtype=np.float64),
        )
    else:
        empty = np.zeros(0, dtype=np.int64)
        lines = OrderLines(empty, empty, empty, empty, empty.astype(float), empty.astype(float))

    currencies = [r["currency"] for r in product_rows if r["currency"]]
    currency = max(set(currencies), key=currencies.count) if currencies else ""
    returned = np.isin(customer_ids, np.array(returned_ids, dtype=np.int64))
    return WorkspaceData(
        customer_table(customer_rows), catalog, lines, currency, unusable_lines, returned,
        _guest_lines(guest_rows, product_ids),
    )  # fmt: skip


def _guest_lines(rows: list[tuple], product_ids: np.ndarray) -> OrderLines | None:
    if not rows:
        return None
    refs, products, dates, amounts = zip(*rows, strict=True)
    _, order = np.unique(np.array(refs, dtype=object).astype(str), return_inverse=True)
    return OrderLines(
        customer=order.astype(np.int64),  # each guest order is its own basket
        product=np.searchsorted(product_ids, np.array(products, dtype=np.int64)),
        order=order.astype(np.int64),
        day=day_number(dates),
        amount=np.array(amounts, dtype=np.float64),
        discount=np.zeros(len(rows)),
    )


def product_text(row: Mapping[str, object]) -> str:
    parts = [str(row.get("name") or ""), str(row.get("category") or "")]
    if row.get("description"):
        parts.append(str(row["description"]))
    return ". ".join(p for p in parts if p)


def _day_or_unknown(value: object) -> int:
    """Days since the epoch of a stored date, -1 when it is missing or not a date."""
    try:
        day = np.datetime64(str(value)[:10], "D") if value else np.datetime64("NaT")
    except ValueError:
        return -1
    return -1 if np.isnat(day) else int(day.astype(np.int64))


def customer_table(rows: list[dict]) -> CustomerTable:
    """Country, city and JSON attributes, split into categorical and numeric columns."""
    n = len(rows)
    signup_day = np.array([_day_or_unknown(r["signup_date"]) for r in rows], dtype=np.int64)

    raw: dict[str, list[object]] = {"country": [r["country"] for r in rows]}
    for index, row in enumerate(rows):
        try:
            attributes = json.loads(row["attributes"] or "{}")
        except json.JSONDecodeError:
            attributes = {}
        for key, value in attributes.items() if isinstance(attributes, dict) else ():
            raw.setdefault(key, [None] * n)[index] = value

    categorical: dict[str, np.ndarray] = {}
    numeric: dict[str, np.ndarray] = {}
    for key, column in raw.items():
        present = [v for v in column if v not in (None, "")]
        if not present:
            continue
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            values = np.array([float(v) if isinstance(v, int | float) else np.nan for v in column])
            numeric[key] = np.where(np.isfinite(values), values, np.nan)  # NaN: imputed
        else:
            categorical[key] = np.array(["" if v is None else str(v) for v in column], dtype=str)
    ids = np.array([r["id"] for r in rows], dtype=np.int64)
    city = np.array([r["city"] or "" for r in rows], dtype=str)
    return CustomerTable(ids, signup_day, categorical, numeric, city)
