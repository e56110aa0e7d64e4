"""One order-lines export in; customers, products and orders out.

Most small shops can export one file: a row per item sold, naming the order, its date,
the customer (an id or an e-mail) and the item. This module reads such a file (Shopify's
orders export, WooCommerce order exports, invoice lines such as the UCI "Online Retail"
file, or the studio's documented generic layout) and derives what the three-file import
would have read, applying the rules a shop's own analyst would:

* **Returns are not sales.** A negative quantity (a cancellation such as invoice
  ``C536379``) is netted against the customer's latest earlier purchase of that item; an
  order whose status says refunded, cancelled or failed sells nothing; a partial refund
  scales down its order's lines. Every return is kept, never refused.
* **Service lines are not products**: postage, shipping, carriage, fees, bank charges,
  discounts, gift cards and manual adjustments are counted apart (and any SKU the user
  names with ``service_skus``).
* **Lines without a customer** count for products (popularity, what sells together)
  and never for customer features.
* **Tidy keys.** The same item twice on one order is one line; ids such as ``17850.0``
  become ``17850``; SKUs that differ only in case are one product; each product gets one
  name (the most frequent) and one price (the latest).

Here the file is read: its layout (:mod:`studio.data.order_layouts`), its conventions
(dates such as ``12/1/2010`` settled by the file's own time order), and each line parsed;
:mod:`studio.data.order_rules` applies the rules. Nothing is written here:
:func:`derive_shop` returns the rows and a summary that says what was derived, so the
user sees it before the import writes (``--dry-run``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path

from studio.core.errors import ImportProblem, InputError
from studio.data.csv_reading import normalise_header
from studio.data.import_rows import ambiguous_dates, file_conventions
from studio.data.import_schema import map_columns
from studio.data.order_layouts import (
    ORDER_LEVEL,
    ORDER_LINES,
    Layout,
    detect_layout,
    is_service,
    kind_for,
)
from studio.data.order_rules import DerivedShop, LineSummary, OrderState, SaleLine, derive
from studio.data.tables import open_table
from studio.data.values import (
    DATE_ORDERS,
    ValueProblem,
    clean_identifier,
    parse_date,
    parse_discount,
    parse_money,
)

Problems = Callable[[ImportProblem], None]


def _mapping(header: list[str], file: str) -> tuple[Layout, dict[str, int]]:
    layout = detect_layout(header)
    if layout is None:
        raise InputError(f"{file} is not an order-lines export this studio knows.")
    mapping = map_columns(kind_for(header), header, file)
    if "sku" not in mapping and "product_name" not in mapping:
        raise InputError(f"{file} names no product: no SKU or product name column.")
    if "customer" not in mapping and "email" not in mapping:
        raise InputError(f"{file} names no customer: no customer id or e-mail column.")
    if "unit_price" not in mapping and "line_total" not in mapping:
        raise InputError(f"{file} has no price: no unit price or line total column.")
    return layout, mapping


#: lines read to settle dates like 12/1/2010 by the order of the file
TIME_ORDER_SAMPLE = 20_000


def _order_in_time(path: Path, column: int) -> str | None:
    """Day or month first, for a file whose dates never show it: exports list lines in
    time order, so the reading under which the dates never go back in time is the one.
    None when both or neither keep the order (the import then asks)."""
    texts = []
    with open_table(path) as stream:
        for record in stream:
            if column < len(record.values) and record.values[column].strip():
                texts.append(record.values[column].strip())
            if len(texts) >= TIME_ORDER_SAMPLE:
                break
    backward: dict[str, int] = {}
    span: dict[str, int] = {}
    for order in DATE_ORDERS:
        try:
            days = [date.fromisoformat(parse_date(text, order)[:10]) for text in texts]
        except ValueProblem:
            continue
        backward[order] = sum(a > b for a, b in pairwise(days))
        span[order] = (max(days) - min(days)).days if days else 0
    # a stray late line is forgiven
    in_order = [o for o, steps in backward.items() if steps <= len(texts) // 100]
    if len(backward) < 2 or not in_order:
        return None
    if len(in_order) == 1:
        return in_order[0]
    # both keep the order (few distinct dates): consecutive days over days a month apart
    tight, loose = sorted(in_order, key=span.__getitem__)
    return tight if span[loose] >= 7 * max(span[tight], 1) else None


def _quantity(text: str) -> int:
    value = text.strip() or "1"
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValueProblem(f"'{value}' is not a quantity") from None
    if number != int(number) or abs(number) > 1_000_000:
        raise ValueProblem(f"'{value}' is not a whole, plausible quantity")
    return int(number)


def derive_shop(
    path: Path,
    *,
    date_order: str | None = None,
    service_skus: frozenset[str] = frozenset(),
    problem: Problems,
    progress: Callable[[float], None] | None = None,
) -> DerivedShop:
    """Read ``path`` and derive customers, products and orders; problems go to ``problem``
    (the caller decides whether a bad line stops the import)."""
    path = Path(path)
    with open_table(path) as stream:
        header = stream.header
    layout, mapping = _mapping(header, path.name)
    conventions = file_conventions(path, ORDER_LINES, mapping, date_order, settle_dates_later=True)
    summary = LineSummary(path.name, layout.label)
    if conventions.date_order is None and conventions.ambiguous_date:
        conventions.date_order = _order_in_time(path, mapping["ordered_at"])
        if conventions.date_order is None:
            raise ambiguous_dates(path, conventions)
        summary.date_order_inferred = conventions.date_order
    service_skus = frozenset(s.upper() for s in service_skus)

    sales: list[SaleLine] = []
    returned: list[SaleLine] = []
    orders: dict[str, OrderState] = {}
    people: dict[str, Counter[tuple[str, str, str, str]]] = defaultdict(Counter)
    service_names: Counter[str] = Counter()
    previous: dict[str, str] = {}
    previous_ref = ""

    columns = list(mapping.items())
    order_level = [(name, index) for name, index in columns if name in ORDER_LEVEL]
    # exports repeat the same few SKUs and statuses: each is judged once
    service = cache(lambda key: is_service(key[0], key[1], service_skus))
    statuses = cache(lambda text: normalise_header(text).removeprefix("wc"))

    with open_table(path) as stream:
        for record in stream:
            summary.lines += 1
            values = record.values
            if len(values) < len(stream.header):
                values = values + [""] * (len(stream.header) - len(values))
            current = {name: values[index].strip() for name, index in columns}
            ref = current["order_ref"] = clean_identifier(current["order_ref"])
            if not ref:
                summary.bad_lines += 1
                problem(ImportProblem(path.name, record.line, "order id", "the order id is empty"))
                continue
            # order-level columns are often filled on an order's first line only
            if ref == previous_ref:
                for name, _ in order_level:
                    if not current[name]:
                        current[name] = previous[name]
            previous, previous_ref = current, ref
            try:
                line = _parse_line(record.line, ref, current, conventions.date_order,
                                   conventions.decimal, summary)  # fmt: skip
            except ValueProblem as error:
                summary.bad_lines += 1
                column = getattr(error, "column", None)
                problem(ImportProblem(path.name, record.line, column, str(error)))
                continue
            if line is None:
                continue
            order = orders.setdefault(ref, OrderState())
            status = statuses(current.get("status", ""))
            order.status = status or order.status
            order.cancelled = order.cancelled or bool(current.get("cancelled_at"))
            if current.get("refunded"):
                with suppress(ValueProblem):  # an order-level figure; the lines tell what sold
                    refunded = parse_money(current["refunded"], conventions.decimal)
                    order.refunded = max(order.refunded, refunded)
            if service((line.sku, line.name)):
                summary.service_lines += 1
                summary.service_amount += abs(line.amount)
                service_names[line.name or line.sku] += 1
                continue
            if not current.get("sku"):
                summary.nameless_skus += 1
            if line.customer:
                name = current.get("customer_name") or " ".join(
                    p for p in (current.get("first_name"), current.get("last_name")) if p
                )
                details = (name, current.get("email", "").lower(), current.get("country", ""),
                           current.get("city", ""))  # fmt: skip
                people[line.customer][details] += 1
            if line.quantity < 0:
                returned.append(line)
            elif line.quantity > 0:
                if line.unit_price <= 0 and line.amount <= 0:
                    summary.zero_price_lines += 1
                    continue
                sales.append(line)
            if progress is not None and summary.lines % 5_000 == 0:
                progress(stream.bytes_read / stream.size)
    summary.service_names = [name for name, _ in service_names.most_common()]
    return derive(summary, sales, returned, orders, people)


def _parse_line(
    number: int,
    ref: str,
    current: dict[str, str],
    date_order: str | None,
    decimal: str | None,
    summary: LineSummary,
) -> SaleLine | None:
    def fail(column: str, error: ValueProblem) -> ValueProblem:
        error.column = column  # type: ignore[attr-defined]
        return error

    try:
        ordered_at = parse_date(current["ordered_at"], date_order)[:10]
    except ValueProblem as error:
        raise fail("order date", error) from None
    try:
        quantity = _quantity(current.get("quantity", ""))
    except ValueProblem as error:
        raise fail("quantity", error) from None
    if quantity == 0:
        return None
    try:
        unit = current.get("unit_price", "")
        unit_price = abs(parse_money(unit, decimal)) if unit else None
        total = current.get("line_total", "")
        line_total = parse_money(total, decimal) if total else None
        discount_text = current.get("discount", "")
        discount = 0.0
        if discount_text:
            money, rate = parse_discount(discount_text.lstrip("-"), decimal)
            discount = money if money is not None else 0.0
            if rate is not None and unit_price is not None:
                discount = round(abs(quantity) * unit_price * rate, 2)
    except ValueProblem as error:
        raise fail("price", error) from None
    if line_total is not None:
        amount = abs(line_total) * (1 if quantity > 0 else -1)
        unit_price = unit_price if unit_price is not None else abs(line_total) / abs(quantity)
    elif unit_price is not None:
        amount = round(quantity * unit_price - (discount if quantity > 0 else -discount), 2)
    else:
        raise ValueProblem("no unit price and no line total")

    raw_customer = current.get("customer", "")
    customer = clean_identifier(raw_customer)
    if customer != raw_customer.strip():
        summary.normalised_ids.add(customer)
    if customer == "0":  # WooCommerce's user id of a guest checkout
        customer = ""
    if not customer:
        customer = current.get("email", "").strip().lower()
    sku = clean_identifier(current.get("sku", ""))
    name = " ".join(current.get("product_name", "").split())
    if not sku:
        if not name:
            raise ValueProblem("the line names no SKU and no product name")
        sku = name[:64]
    return SaleLine(number, ref, customer or None, sku, name or sku, ordered_at, quantity,
                 amount, discount, unit_price, current.get("category", ""),
                 current.get("currency", "").upper())  # fmt: skip
