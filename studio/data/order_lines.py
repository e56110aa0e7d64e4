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

Nothing is written here: :func:`derive_shop` returns the rows and a summary that says
what was derived, so the user sees it before the import writes (``--dry-run``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from studio.core.errors import ImportProblem, InputError
from studio.data.csv_reading import normalise_header
from studio.data.import_rows import ambiguous_dates, file_conventions
from studio.data.import_schema import Field, FileKind, map_columns
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

# --- what an order-lines file holds ------------------------------------------------------

ORDER_LINES = FileKind(
    "order lines",
    "orders",
    ("order_ref", "sku"),
    (
        Field("order_ref", "order id", "text",
              ("ordernumber", "orderno", "orderid", "orderref", "order", "invoiceno",
               "invoice", "invoicenumber", "invoiceid", "transactionid"), required=True),
        Field("ordered_at", "order date", "date",
              ("createdat", "orderdate", "invoicedate", "date", "orderedat", "datecreated",
               "purchasedate", "orderdatetime", "timestamp"), required=True),
        Field("customer", "customer id", "text",
              ("customerid", "customeruserid", "customer", "customerno", "customernumber",
               "clientid", "custid", "userid")),
        Field("email", "email", "email",
              ("email", "customeremail", "emailbilling", "billingemail", "emailaddress")),
        Field("customer_name", "customer name", "text",
              ("billingname", "customername", "fullname", "fullnamebilling")),
        Field("first_name", "first name", "text",
              ("firstnamebilling", "billingfirstname", "firstname")),
        Field("last_name", "last name", "text",
              ("lastnamebilling", "billinglastname", "lastname")),
        Field("country", "country", "text",
              ("billingcountry", "country", "countrycodebilling", "billingcountrycode",
               "countrycode", "shippingcountry")),
        Field("city", "city", "text", ("billingcity", "city", "citybilling")),
        Field("sku", "SKU", "text",
              ("lineitemsku", "sku", "stockcode", "itemsku", "productsku", "productcode",
               "productid", "itemcode", "variantsku")),
        Field("product_name", "product name", "text",
              ("lineitemname", "itemname", "productname", "description", "product",
               "itemtitle", "producttitle", "item")),
        Field("category", "category", "text",
              ("category", "productcategory", "producttype", "itemcategory", "categories")),
        Field("quantity", "quantity", "text",
              ("lineitemquantity", "quantity", "qty", "itemquantity", "quantityrefund",
               "units")),
        Field("unit_price", "unit price", "money",
              ("lineitemprice", "unitprice", "itemcost", "itemprice", "price")),
        Field("line_total", "line total", "money",
              ("linetotal", "itemtotal", "linesubtotal", "itemsubtotal", "amount")),
        Field("discount", "discount", "discount",
              ("lineitemdiscount", "itemdiscount", "discount", "discountamount")),
        Field("currency", "currency", "text", ("currency", "ordercurrency", "currencycode")),
        Field("status", "order status", "text",
              ("financialstatus", "orderstatus", "status", "paymentstatus")),
        Field("refunded", "refunded amount", "money",
              ("refundedamount", "orderrefundamount", "refundamount", "refunded")),
        Field("cancelled_at", "cancelled at", "text", ("cancelledat", "canceledat")),
    ),
)  # fmt: skip


#: columns that belong to the order, not the item: Shopify fills them on an order's first
#: line only, so later lines of the same order take them from there
ORDER_LEVEL = frozenset(
    {"ordered_at", "customer", "email", "customer_name", "first_name", "last_name", "country",
     "city", "currency", "status", "refunded", "cancelled_at"}
)  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """A known export layout: how to recognise it, and its own column names."""

    key: str
    label: str
    signature: frozenset[str]  # normalised headers that all appear in its exports
    extra_aliases: tuple[tuple[str, str], ...] = ()  # (normalised header, field)


LAYOUTS = (
    Layout("shopify", "Shopify orders export",
           frozenset({"name", "lineitemquantity", "lineitemname"}), (("name", "order_ref"),)),
    Layout("woocommerce", "WooCommerce order export",
           frozenset({"ordernumber", "itemname"})),
    Layout("woocommerce", "WooCommerce order export",
           frozenset({"orderid", "itemname", "quantityrefund"})),
    Layout("invoice_lines", "invoice lines (InvoiceNo, StockCode, Description …)",
           frozenset({"invoiceno", "stockcode", "description"})),
    Layout("generic", "order lines (the studio's generic layout)",
           frozenset({"orderid", "orderdate", "sku", "productname"})),
)  # fmt: skip

#: statuses of orders that sold nothing (Shopify financial status, WooCommerce status)
NOT_SOLD_STATUSES = frozenset(
    {"refunded", "voided", "void", "cancelled", "canceled", "failed", "trash", "expired",
     "declined"}
)  # fmt: skip

#: SKUs shops use for things that are not products (postage, fees, adjustments)
SERVICE_SKUS = frozenset(
    {"POST", "DOT", "C2", "M", "D", "S", "B", "CRUK", "AMAZONFEE", "BANK CHARGES", "SHIPPING",
     "POSTAGE", "DELIVERY", "FEE", "GIFTCARD", "GIFT-CARD", "DISCOUNT", "ADJUST", "ADJUST2"}
)  # fmt: skip
_SERVICE_NAME = re.compile(
    r"^(dotcom\s+)?(postage|shipping|carriage|delivery|handling|manual|discount|adjustment|"
    r"adjust bad debt|bank charges?|samples?|gift ?card|gift voucher.*|e-?gift card|"
    r"gift ?wrap(ping)?|"
    r"shipping (fee|charge)s?|delivery (fee|charge)s?|(amazon|service|payment|handling|"
    r"transaction|processing) fees?|cruk commission)$",
    re.IGNORECASE,
)


def detect_layout(header: list[str]) -> Layout | None:
    """The export layout a header belongs to, or None for a plain orders file."""
    names = {normalise_header(h) for h in header}
    return next((layout for layout in LAYOUTS if layout.signature <= names), None)


def is_order_lines_file(path: Path) -> bool:
    """Whether ``path`` is a single order-lines export (it names products by name)."""
    with open_table(path) as stream:
        return detect_layout(stream.header) is not None


def is_service(sku: str, name: str, extra: frozenset[str]) -> bool:
    return (
        sku.upper() in SERVICE_SKUS
        or sku.upper() in extra
        or bool(_SERVICE_NAME.match(name.strip()))
    )


# --- what was derived --------------------------------------------------------------------


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


# --- reading -----------------------------------------------------------------------------


@dataclass
class _Line:
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
class _Order:
    status: str = ""
    refunded: float = 0.0
    cancelled: bool = False


def kind_for(header: list[str]) -> FileKind:
    """The order-lines fields with the aliases of the header's own layout (Shopify's
    ``Name`` is its order id)."""
    layout = detect_layout(header)
    if layout is None or not layout.extra_aliases:
        return ORDER_LINES
    fields = tuple(
        replace(f, aliases=(*(a for a, name in layout.extra_aliases if name == f.name),
                            *f.aliases))
        for f in ORDER_LINES.fields
    )  # fmt: skip
    return replace(ORDER_LINES, fields=fields)


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


def _memo(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``function`` remembered per argument: exports repeat the same few values."""
    seen: dict[Any, Any] = {}

    def remembered(key: Any) -> Any:
        if key not in seen:
            seen[key] = function(key)
        return seen[key]

    return remembered


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

    sales: list[_Line] = []
    returned: list[_Line] = []
    orders: dict[str, _Order] = {}
    people: dict[str, Counter[tuple[str, str, str, str]]] = defaultdict(Counter)
    service_names: Counter[str] = Counter()
    previous: dict[str, str] = {}
    previous_ref = ""

    columns = list(mapping.items())
    order_level = [(name, index) for name, index in columns if name in ORDER_LEVEL]
    service = _memo(lambda key: is_service(key[0], key[1], service_skus))
    statuses = _memo(lambda text: normalise_header(text).removeprefix("wc"))

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
            order = orders.setdefault(ref, _Order())
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
    return _derive(summary, sales, returned, orders, people)


def _parse_line(
    number: int,
    ref: str,
    current: dict[str, str],
    date_order: str | None,
    decimal: str | None,
    summary: LineSummary,
) -> _Line | None:
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
    return _Line(number, ref, customer or None, sku, name or sku, ordered_at, quantity,
                 amount, discount, unit_price, current.get("category", ""),
                 current.get("currency", "").upper())  # fmt: skip


def _derive(
    summary: LineSummary,
    sales: list[_Line],
    returned: list[_Line],
    orders: dict[str, _Order],
    people: dict[str, Counter[tuple[str, str, str, str]]],
) -> DerivedShop:
    # whole orders that sold nothing become returns; partial refunds scale their lines
    kept: list[_Line] = []
    by_order: dict[str, list[_Line]] = defaultdict(list)
    for line in sales:
        by_order[line.order_ref].append(line)
    for ref, lines in by_order.items():
        order = orders.get(ref, _Order())
        if order.status in NOT_SOLD_STATUSES or order.cancelled:
            summary.unsold_orders += 1
            summary.returns += len(lines)
            returned.extend(_as_return(line) for line in lines)
            continue
        total = sum(line.amount for line in lines)
        if 0 < order.refunded < total:
            summary.partial_refunds += 1
            factor = 1 - order.refunded / total
            for line in lines:
                line.amount = round(line.amount * factor, 2)
        elif order.refunded >= total > 0:
            summary.unsold_orders += 1
            summary.returns += len(lines)
            returned.extend(_as_return(line) for line in lines)
            continue
        kept.extend(lines)

    # one spelling per SKU, whatever the case
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for line in kept + returned:
        spellings[line.sku.upper()][line.sku] += 1
    canonical = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    summary.sku_case_merges = [
        " = ".join(sorted(counts)) for counts in spellings.values() if len(counts) > 1
    ]
    for line in kept + returned:
        line.sku = canonical[line.sku.upper()]

    # the same item twice on one order is one line
    merged: dict[tuple[str, str], _Line] = {}
    for line in kept:
        key = (line.order_ref, line.sku)
        if key in merged:
            summary.merged_lines += 1
            first = merged[key]
            first.quantity += line.quantity
            first.amount = round(first.amount + line.amount, 2)
            first.discount = round(first.discount + line.discount, 2)
        else:
            merged[key] = line
    lines = list(merged.values())

    # returns netted against the customer's (or a guest's) latest earlier purchase
    purchases: dict[tuple[str | None, str], list[_Line]] = defaultdict(list)
    for line in sorted(lines, key=lambda item: (item.ordered_at, item.line)):
        purchases[(line.customer, line.sku)].append(line)
    return_rows = []
    for back in returned:
        if back.quantity < 0:  # a return line (an unsold order's lines are already out)
            summary.returns += 1
        wanted, netted = abs(back.quantity), 0
        earlier = purchases.get((back.customer, back.sku), []) if back.quantity < 0 else []
        for sale in reversed(earlier):
            if wanted == 0:
                break
            if sale.ordered_at > back.ordered_at or sale.quantity == 0:
                continue
            take = min(wanted, sale.quantity)
            unit_amount = sale.amount / sale.quantity
            sale.quantity -= take
            sale.amount = round(sale.amount - unit_amount * take, 2)
            wanted -= take
            netted += take
        if netted:
            summary.returns_netted += 1
        return_rows.append((back.order_ref, back.customer, back.sku, back.ordered_at,
                            abs(back.quantity), round(abs(back.amount), 2), netted))  # fmt: skip
    lines = [line for line in lines if line.quantity > 0]

    # one name, price, category and currency per product; all of its lines tell
    names: dict[str, Counter[str]] = defaultdict(Counter)
    latest: dict[str, tuple[str, int, float]] = {}
    prices: dict[str, set[float]] = defaultdict(set)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    currencies: dict[str, Counter[str]] = defaultdict(Counter)
    first_line: dict[str, int] = {}
    for line in sorted(lines + [r for r in returned], key=lambda item: item.line):
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

    customer_rows = []
    buyers = {line.customer for line in lines} | {r.customer for r in returned}
    for external_id in sorted((c for c in buyers if c), key=str):
        details = people.get(external_id, Counter())
        name, email, country, city = _most_frequent(details)
        customer_rows.append((0, external_id, name or None, email or None, country or None,
                              city or None, None, "{}"))  # fmt: skip

    order_rows, guest_rows = [], []
    for line in sorted(lines, key=lambda item: item.line):
        if line.customer:
            unit = round(line.amount / line.quantity + line.discount / line.quantity, 2)
            order_rows.append((line.line, line.order_ref, line.customer, line.sku,
                               line.ordered_at, line.quantity, unit, line.discount, None,
                               round(line.amount, 2), "{}"))  # fmt: skip
        else:
            summary.guest_lines += 1
            guest_rows.append((line.order_ref, line.sku, line.ordered_at, line.quantity,
                               round(line.amount, 2)))  # fmt: skip
    summary.customers = len(customer_rows)
    summary.products = len(products)
    summary.order_lines = len(order_rows)
    summary.orders = len({row[1] for row in order_rows})
    return DerivedShop(summary, customer_rows, products, order_rows, return_rows, guest_rows)


def _as_return(line: _Line) -> _Line:
    """A line of an order that sold nothing, kept as a return that needs no netting."""
    return _Line(line.line, line.order_ref, line.customer, line.sku, line.name,
                 line.ordered_at, line.quantity, line.amount, line.discount, line.unit_price,
                 line.category, line.currency)  # fmt: skip


def _most_frequent(details: Counter[tuple[str, str, str, str]]) -> tuple[str, str, str, str]:
    """Each of name, e-mail, country and city: the value most lines give (empty ignored)."""
    columns: list[Counter[str]] = [Counter(), Counter(), Counter(), Counter()]
    for values, count in details.items():
        for column, item in zip(columns, values, strict=True):
            if item:
                column[item] += count
    return tuple(c.most_common(1)[0][0] if c else "" for c in columns)  # type: ignore[return-value]
