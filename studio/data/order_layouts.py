"""The order exports the studio reads as one file, and the lines in them that are no
products (:mod:`studio.data.order_lines` reads the file).

Each :class:`Layout` is recognised by column names its exports always have (Shopify's
orders export, WooCommerce order exports, invoice lines such as the UCI "Online Retail"
file, the studio's generic layout); :data:`ORDER_LINES` maps every column any of them
uses to a field. Service lines (postage, fees, adjustments) are told by SKU or name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from studio.data.csv_reading import normalise_header
from studio.data.import_schema import Field, FileKind
from studio.data.tables import open_table

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
