"""The rules that turn an export's sale and return lines into customers, products and
orders, the way a shop's own analyst would (:mod:`studio.data.order_lines` reads them):

* an order whose status says refunded, cancelled or failed sells nothing, and a partial
  refund scales its order's lines down;
* SKUs that differ only in case are one product, spelt as most lines spell it;
* the same item twice on one order is one line;
* a return is netted against the same customer's (or a guest's) latest earlier purchase
  of that item;
* each product keeps its most frequent name and its latest price, each customer the
  details most of their lines give.

Every rule is counted in :class:`LineSummary`, which says what was derived in words.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from studio.data.order_layouts import NOT_SOLD_STATUSES


@dataclass
class LineSummary:
    """What the import derived from the file, in the counts a user checks."""

    file: str
    layout: str
    lines: int = 0
    customers: int = 0
    products: int = 0
    orders: int = 0
    order_lines: int = 0
    returns: int = 0  # lines or orders that gave money back
    returns_netted: int = 0  # of those, matched to the purchase they undo
    unsold_orders: int = 0  # orders whose status says refunded, cancelled or failed
    partial_refunds: int = 0
    service_lines: int = 0
    service_amount: float = 0.0
    service_names: list[str] = field(default_factory=list)
    guest_lines: int = 0  # sales without a customer id
    merged_lines: int = 0  # the same item twice on one order, summed
    zero_price_lines: int = 0
    normalised_ids: set[str] = field(default_factory=set)  # customer ids such as 17850.0
    sku_case_merges: list[str] = field(default_factory=list)  # "85123A = 85123a"
    renamed_products: int = 0  # SKUs sold under several names: the most frequent kept
    repriced_products: int = 0  # SKUs sold at several prices: the latest kept
    nameless_skus: int = 0  # lines without a SKU: the product name is the key
    bad_lines: int = 0
    #: "dmy" or "mdy" when the file's dates were settled by its time order
    date_order_inferred: str | None = None
    #: categories derived from product names when the file has none
    derived_categories: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        fields = {k: v for k, v in self.__dict__.items() if k != "normalised_ids"}
        return {**fields, "ids_normalised": self.ids_normalised,
                "text": self.lines_of_text()}  # fmt: skip

    @property
    def ids_normalised(self) -> int:
        return len(self.normalised_ids)

    def lines_of_text(self) -> list[str]:
        """The summary a person reads before and after the import writes."""
        out = [
            f"Read {self.file} as {self.layout}: {self.lines:,} lines.",
            f"Derived {self.customers:,} customers, {self.products:,} products and "
            f"{self.orders:,} orders ({self.order_lines:,} order lines).",
        ]
        if self.date_order_inferred:
            first = "day" if self.date_order_inferred == "dmy" else "month"
            out.append(
                f"Dates such as 12/1/2010 were read {first} first: only that reading keeps "
                "the file in time order (--date-order changes it)."
            )
        if self.returns or self.unsold_orders:
            out.append(
                f"Returns: {self.returns:,} returned or cancelled lines, "
                f"{self.returns_netted:,} netted against the purchase they undo; "
                f"{self.unsold_orders:,} refunded, cancelled or failed orders and "
                f"{self.partial_refunds:,} partial refunds; none counts as a sale."
            )
        if self.service_lines:
            names = ", ".join(self.service_names[:6])
            out.append(
                f"Service lines kept out of products and revenue: {self.service_lines:,} "
                f"({names}; {self.service_amount:,.2f} in total)."
            )
        if self.guest_lines:
            out.append(
                f"{self.guest_lines:,} lines name no customer: they count for product "
                "popularity and what sells together, not for customer segments."
            )
        if self.merged_lines:
            out.append(f"{self.merged_lines:,} repeated items on one order were summed.")
        if self.ids_normalised:
            out.append(
                f"{self.ids_normalised:,} customer ids such as '17850.0' read as whole numbers."
            )
        if self.sku_case_merges:
            out.append(
                f"{len(self.sku_case_merges):,} SKUs differ only in case and are one product: "
                + ", ".join(self.sku_case_merges[:5])
                + (" …" if len(self.sku_case_merges) > 5 else "")
            )
        if self.renamed_products:
            out.append(
                f"{self.renamed_products:,} products were sold under several names; "
                "each keeps its most frequent name."
            )
        if self.repriced_products:
            out.append(
                f"{self.repriced_products:,} products were sold at several prices; "
                "each keeps its latest price."
            )
        if self.nameless_skus:
            out.append(f"{self.nameless_skus:,} lines have no SKU: the product name is its key.")
        if self.derived_categories:
            out.append(
                f"The file names no categories: {len(self.derived_categories)} were derived "
                f"from product names ({', '.join(self.derived_categories[:8])}); a products "
                "file with a category column replaces them."
            )
        if self.zero_price_lines:
            out.append(f"{self.zero_price_lines:,} lines at a price of 0 were left out.")
        return out


@dataclass
class DerivedShop:
    """Rows in the shapes of the three-file import's staging tables, plus the extras."""

    summary: LineSummary
    #: (line, external_id, name, email, country, city, signup_date, attributes)
    customers: list[tuple[Any, ...]]
    #: (line, sku, name, category, description, price, currency, image_sha256, attributes)
    products: list[tuple[Any, ...]]
    #: (line, order_ref, customer, sku, ordered_at, quantity, unit_price, discount,
    #:  discount_rate, amount, attributes)
    orders: list[tuple[Any, ...]]
    #: (order_ref, customer external id or None, sku, returned_at, quantity, amount, netted)
    returns: list[tuple[Any, ...]]
    #: (order_ref, sku, ordered_at, quantity, amount)
    guests: list[tuple[Any, ...]]


@dataclass
class SaleLine:
    """One line of the export, parsed (a negative quantity is a return)."""

    line: int
    order_ref: str
    customer: str | None
    sku: str  # as written (case kept)
    name: str
    ordered_at: str
    quantity: int  # negative for a return
    amount: float
    discount: float
    unit_price: float
    category: str = ""
    currency: str = ""


@dataclass
class OrderState:
    """What an order's own columns say about it (status, refunds, cancellation)."""

    status: str = ""
    refunded: float = 0.0
    cancelled: bool = False


def derive(
    summary: LineSummary,
    sales: list[SaleLine],
    returned: list[SaleLine],
    orders: dict[str, OrderState],
    people: dict[str, Counter[tuple[str, str, str, str]]],
) -> DerivedShop:
    """Apply the rules in order; each counts what it did in ``summary``."""
    kept, returned = _without_unsold_orders(summary, sales, returned, orders)
    _one_spelling_per_sku(summary, kept + returned)
    lines = _repeats_summed(summary, kept)
    return_rows = _returns_netted(summary, lines, returned)
    lines = [line for line in lines if line.quantity > 0]
    products = _products(summary, lines + returned)
    customers = _customers(lines, returned, people)
    order_rows, guest_rows = _order_rows(summary, lines)
    summary.customers = len(customers)
    summary.products = len(products)
    summary.order_lines = len(order_rows)
    summary.orders = len({row[1] for row in order_rows})
    return DerivedShop(summary, customers, products, order_rows, return_rows, guest_rows)


def _without_unsold_orders(
    summary: LineSummary,
    sales: list[SaleLine],
    returned: list[SaleLine],
    orders: dict[str, OrderState],
) -> tuple[list[SaleLine], list[SaleLine]]:
    """Orders that sold nothing become returns; partial refunds scale their lines."""
    kept: list[SaleLine] = []
    returned = list(returned)
    by_order: dict[str, list[SaleLine]] = defaultdict(list)
    for line in sales:
        by_order[line.order_ref].append(line)
    for ref, lines in by_order.items():
        order = orders.get(ref, OrderState())
        total = sum(line.amount for line in lines)
        if order.status in NOT_SOLD_STATUSES or order.cancelled or order.refunded >= total > 0:
            summary.unsold_orders += 1
            summary.returns += len(lines)
            returned.extend(lines)  # positive quantities: nothing to net, never sold
            continue
        if 0 < order.refunded < total:
            summary.partial_refunds += 1
            factor = 1 - order.refunded / total
            for line in lines:
                line.amount = round(line.amount * factor, 2)
        kept.extend(lines)
    return kept, returned


def _one_spelling_per_sku(summary: LineSummary, lines: list[SaleLine]) -> None:
    """SKUs that differ only in case are one product, spelt as most lines spell it."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        spellings[line.sku.upper()][line.sku] += 1
    canonical = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    summary.sku_case_merges = [
        " = ".join(sorted(counts)) for counts in spellings.values() if len(counts) > 1
    ]
    for line in lines:
        line.sku = canonical[line.sku.upper()]


def _repeats_summed(summary: LineSummary, lines: list[SaleLine]) -> list[SaleLine]:
    """The same item twice on one order is one line."""
    merged: dict[tuple[str, str], SaleLine] = {}
    for line in lines:
        key = (line.order_ref, line.sku)
        if key in merged:
            summary.merged_lines += 1
            first = merged[key]
            first.quantity += line.quantity
            first.amount = round(first.amount + line.amount, 2)
            first.discount = round(first.discount + line.discount, 2)
        else:
            merged[key] = line
    return list(merged.values())


def _returns_netted(
    summary: LineSummary, lines: list[SaleLine], returned: list[SaleLine]
) -> list[tuple[Any, ...]]:
    """Each return line taken off the customer's (or a guest's) latest earlier purchase of
    the item; returns the rows of ``returned_lines``."""
    purchases: dict[tuple[str | None, str], list[SaleLine]] = defaultdict(list)
    for line in sorted(lines, key=lambda item: (item.ordered_at, item.line)):
        purchases[(line.customer, line.sku)].append(line)
    rows = []
    for back in returned:
        wanted, netted = abs(back.quantity), 0
        if back.quantity < 0:  # a return line (an unsold order's lines are counted already)
            summary.returns += 1
            for sale in reversed(purchases.get((back.customer, back.sku), [])):
                if wanted == 0:
                    break
                if sale.ordered_at > back.ordered_at or sale.quantity == 0:
                    continue
                take = min(wanted, sale.quantity)
                sale.amount = round(sale.amount - sale.amount / sale.quantity * take, 2)
                sale.quantity -= take
                wanted -= take
                netted += take
        if netted:
            summary.returns_netted += 1
        rows.append((back.order_ref, back.customer, back.sku, back.ordered_at,
                     abs(back.quantity), round(abs(back.amount), 2), netted))  # fmt: skip
    return rows


def _products(summary: LineSummary, lines: list[SaleLine]) -> list[tuple[Any, ...]]:
    """One name (the most frequent), price (the latest), category and currency per
    product; every line of it tells."""
    names: dict[str, Counter[str]] = defaultdict(Counter)
    latest: dict[str, tuple[str, int, float]] = {}
    prices: dict[str, set[float]] = defaultdict(set)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    currencies: dict[str, Counter[str]] = defaultdict(Counter)
    first_line: dict[str, int] = {}
    for line in sorted(lines, key=lambda item: item.line):
        first_line.setdefault(line.sku, line.line)
        names[line.sku][line.name] += 1
        if line.quantity > 0:
            prices[line.sku].add(round(line.unit_price, 2))
            if line.sku not in latest or (line.ordered_at, line.line) >= latest[line.sku][:2]:
                latest[line.sku] = (line.ordered_at, line.line, line.unit_price)
        if line.category:
            categories[line.sku][line.category] += 1
        if line.currency:
            currencies[line.sku][line.currency] += 1
    summary.renamed_products = sum(1 for counts in names.values() if len(counts) > 1)
    summary.repriced_products = sum(1 for values in prices.values() if len(values) > 1)
    products = []
    for sku in sorted(first_line, key=first_line.__getitem__):
        name = max(names[sku].items(), key=lambda item: (item[1], item[0]))[0]
        price = round(latest[sku][2], 2) if sku in latest else None
        category = categories[sku].most_common(1)[0][0] if categories[sku] else None
        currency = currencies[sku].most_common(1)[0][0] if currencies[sku] else None
        products.append((first_line[sku], sku, name, category, None, price, currency, None, "{}"))
    return products


def _customers(
    lines: list[SaleLine],
    returned: list[SaleLine],
    people: dict[str, Counter[tuple[str, str, str, str]]],
) -> list[tuple[Any, ...]]:
    """Everyone who bought or returned, with the details most of their lines give."""
    buyers = {line.customer for line in lines} | {line.customer for line in returned}
    rows = []
    for external_id in sorted((c for c in buyers if c), key=str):
        name, email, country, city = _most_frequent(people.get(external_id, Counter()))
        rows.append((0, external_id, name or None, email or None, country or None,
                     city or None, None, "{}"))  # fmt: skip
    return rows


def _order_rows(
    summary: LineSummary, lines: list[SaleLine]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The customers' order lines and the guests' (no customer id) sales."""
    order_rows, guest_rows = [], []
    for line in sorted(lines, key=lambda item: item.line):
        if line.customer:
            unit = round((line.amount + line.discount) / line.quantity, 2)
            order_rows.append((line.line, line.order_ref, line.customer, line.sku,
                               line.ordered_at, line.quantity, unit, line.discount, None,
                               round(line.amount, 2), "{}"))  # fmt: skip
        else:
            summary.guest_lines += 1
            guest_rows.append((line.order_ref, line.sku, line.ordered_at, line.quantity,
                               round(line.amount, 2)))  # fmt: skip
    return order_rows, guest_rows


def _most_frequent(details: Counter[tuple[str, str, str, str]]) -> tuple[str, str, str, str]:
    """Each of name, e-mail, country and city: the value most lines give (empty ignored)."""
    columns: list[Counter[str]] = [Counter(), Counter(), Counter(), Counter()]
    for values, count in details.items():
        for column, item in zip(columns, values, strict=True):
            if item:
                column[item] += count
    return tuple(c.most_common(1)[0][0] if c else "" for c in columns)  # type: ignore[return-value]
