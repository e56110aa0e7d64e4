"""What each import file holds, and how its rows land in the workspace's tables.

A :class:`FileKind` lists a file's fields with the header aliases real exports use; the
staging columns, the checks that need the whole file or the database, and the upserts
(on ``external_id``, ``sku`` and ``(order_ref, product)``) are written per kind here, so
one module says everything about the shape of customers, products and orders files.

Writes the tables `customers`, `products`, `orders` (their schema is in
:mod:`studio.storage.migrations`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.core.errors import ImportProblem, InputError
from studio.data.csv_reading import normalise_header

# --- what each file holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text, email, date, money, quantity, discount, image
    aliases: tuple[str, ...]
    required: bool = False


_CUSTOMER_ALIASES = ("customerid", "customer", "customerno", "customernumber", "customerref",
                     "clientid", "externalid", "custid")  # fmt: skip
_SKU_ALIASES = ("sku", "productid", "productsku", "productcode", "itemid", "itemcode",
                "stockcode", "articlenumber", "articleno")  # fmt: skip


@dataclass(frozen=True)
class FileKind:
    name: str  # customers, products, orders
    table: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]

    def field_for(self, header: str) -> tuple[Field, int] | None:
        """The field a column holds, and how specific the name is (0 = most)."""
        normal = normalise_header(header)
        return next(((f, f.aliases.index(normal)) for f in self.fields if normal in f.aliases),
                    None)  # fmt: skip


CUSTOMERS = FileKind(
    "customers",
    "customers",
    ("external_id",),
    (
        Field("external_id", "customer id", "text", (*_CUSTOMER_ALIASES, "id"), required=True),
        Field("name", "name", "text", ("name", "fullname", "customername")),
        Field("first_name", "first name", "text", ("firstname", "givenname", "forename")),
        Field("last_name", "last name", "text", ("lastname", "surname", "familyname")),
        Field("email", "email", "email", ("email", "emailaddress", "mail", "customeremail")),
        Field("country", "country", "text", ("country", "countrycode", "countryname")),
        Field("city", "city", "text", ("city", "town")),
        Field(
            "signup_date",
            "signup date",
            "date",
            (
                "signupdate",
                "signedup",
                "signedupat",
                "signupat",
                "createdat",
                "created",
                "registrationdate",
                "registered",
                "registeredat",
                "joined",
                "joindate",
                "customersince",
                "firstseen",
            ),
        ),
    ),
)

PRODUCTS = FileKind(
    "products",
    "products",
    ("sku",),
    (
        Field("sku", "SKU", "text", (*_SKU_ALIASES, "id"), required=True),
        Field(
            "name",
            "name",
            "text",
            ("name", "productname", "title", "itemname", "product"),
            required=True,
        ),
        Field(
            "category",
            "category",
            "text",
            ("category", "productcategory", "producttype", "type", "department"),
        ),
        Field(
            "description",
            "description",
            "text",
            ("description", "productdescription", "details", "body"),
        ),
        Field("price", "price", "money", ("price", "unitprice", "listprice", "retailprice")),
        Field("currency", "currency", "text", ("currency", "currencycode")),
        Field(
            "image",
            "image",
            "image",
            ("image", "imagepath", "imagefile", "imagefilename", "photo", "picture", "filename"),
        ),
    ),
)

ORDERS = FileKind(
    "orders",
    "orders",
    ("order_ref", "sku"),
    (
        Field(
            "order_ref",
            "order id",
            "text",
            (
                "orderid",
                "orderref",
                "ordernumber",
                "orderno",
                "order",
                "invoice",
                "invoiceno",
                "invoicenumber",
                "invoiceid",
                "transactionid",
            ),
            required=True,
        ),
        Field("customer", "customer id", "text", _CUSTOMER_ALIASES, required=True),
        Field("sku", "product SKU", "text", (*_SKU_ALIASES, "product"), required=True),
        Field(
            "ordered_at",
            "order date",
            "date",
            (
                "orderdate",
                "date",
                "orderedat",
                "createdat",
                "purchasedate",
                "invoicedate",
                "timestamp",
                "datetime",
                "orderdatetime",
            ),
            required=True,
        ),
        Field("quantity", "quantity", "quantity", ("quantity", "qty", "units")),
        Field("unit_price", "unit price", "money", ("unitprice", "price", "itemprice")),
        Field(
            "discount",
            "discount",
            "discount",
            ("discount", "discountamount", "discountvalue", "promodiscount"),
        ),
        Field(
            "amount",
            "amount",
            "money",
            ("amount", "total", "linetotal", "revenue", "sales", "netamount", "value"),
        ),
    ),
)

STAGE_COLUMNS = {
    "customers": ("external_id", "name", "email", "country", "city", "signup_date", "attributes"),
    "products": (
        "sku",
        "name",
        "category",
        "description",
        "price",
        "currency",
        "image_sha256",
        "attributes",
    ),
    "orders": (
        "order_ref",
        "customer",
        "sku",
        "ordered_at",
        "quantity",
        "unit_price",
        "discount",
        "discount_rate",
        "amount",
        "attributes",
    ),
}


def map_columns(kind: FileKind, header: list[str], file: str) -> dict[str, int]:
    """Field name → column index. When two columns could hold one field, the more specific
    name wins (``Order Date`` over ``Date``, ``SKU`` over ``id``) and the other stays an
    extra column; two equally specific names are refused."""
    mapping: dict[str, int] = {}
    ranks: dict[str, int] = {}
    for index, name in enumerate(header):
        matched = kind.field_for(name)
        if matched is None:
            continue
        field_, rank = matched
        if field_.name in mapping:
            if rank == ranks[field_.name]:
                other = header[mapping[field_.name]]
                raise InputError(
                    f"{file}: columns '{other}' and '{name}' both look like the {field_.label}.",
                    hint="rename or remove one of them",
                )
            if rank > ranks[field_.name]:
                continue
        mapping[field_.name], ranks[field_.name] = index, rank
    missing = [f for f in kind.fields if f.required and f.name not in mapping]
    if missing:
        wanted = "; ".join(f"{f.label} (e.g. '{f.aliases[0]}')" for f in missing)
        raise InputError(
            f"{file} does not look like a {kind.name} file: no column for {wanted}. "
            f"Its columns are: {', '.join(header) or '(none)'}."
        )
    return mapping


def present_fields(kind: FileKind, mapping: dict[str, int]) -> set[str]:
    present = set(mapping)
    if {"first_name", "last_name"} & present:
        present.add("name")
    if "image" in present:
        present.add("image_sha256")
    return present


def whole_file_checks(conn: Any, kind: FileKind, table: str, file: str) -> list[ImportProblem]:
    """Problems only the whole file or the database can show; marks those rows bad."""
    key = ", ".join(kind.key)
    labels = {"external_id": "customer id", "sku": "SKU", "order_ref": "order"}
    problems = []
    duplicates = conn.execute(
        f"SELECT s.rowid, s.line, first.line, {', '.join('s.' + k for k in kind.key)}"
        f" FROM {table} s JOIN (SELECT min(rowid) AS id, line, {key} FROM {table}"
        f" WHERE NOT bad GROUP BY {key} HAVING count(*) > 1) AS first USING ({key})"
        " WHERE s.rowid != first.id AND NOT s.bad"
    ).fetchall()
    for _, line, first_line, *values in duplicates:
        what = " and ".join(f"{labels[k]} '{v}'" for k, v in zip(kind.key, values, strict=True))
        problems.append(ImportProblem(file, line, None, f"{what} already on line {first_line}"))
    conn.executemany(f"UPDATE {table} SET bad = 1 WHERE rowid = ?", [(d[0],) for d in duplicates])
    if kind is ORDERS:
        checks = (
            ("customer", "customers", "external_id", "no customer with id '{}' in the customers"),
            ("sku", "products", "sku", "no product with SKU '{}' in the products"),
        )
        for column, target, target_key, reason in checks:
            missing = conn.execute(
                f"UPDATE {table} SET bad = 1 WHERE NOT bad AND NOT EXISTS (SELECT 1 FROM {target}"
                f" t WHERE t.{target_key} = {table}.{column}) RETURNING line, {column}"
            ).fetchall()
            problems += [ImportProblem(file, line, None, reason.format(v)) for line, v in missing]
        unpriced = conn.execute(
            f"UPDATE {table} SET bad = 1 WHERE NOT bad AND unit_price IS NULL AND"
            f" (SELECT price FROM products p WHERE p.sku = {table}.sku) IS NULL"
            " RETURNING line, sku"
        ).fetchall()
        problems += [
            ImportProblem(file, line, None, f"no unit price, and product '{sku}' has no price")
            for line, sku in unpriced
        ]
    return sorted(problems, key=lambda p: p.line or 0)


def _set_clause(table: str, columns: list[str]) -> str:
    assignments = [f"{c} = excluded.{c}" for c in columns]
    assignments.append(f"attributes = json_patch({table}.attributes, excluded.attributes)")
    return ", ".join(assignments)


def _upsert_customers(present: set[str]) -> str:
    updated = [c for c in ("name", "email", "country", "city", "signup_date") if c in present]
    return (
        "INSERT INTO customers (external_id, name, email, country, city, signup_date, attributes)"
        " SELECT external_id, name, email, country, city, signup_date, attributes"
        " FROM temp.stage_customers WHERE NOT bad ORDER BY rowid"
        f" ON CONFLICT (external_id) DO UPDATE SET {_set_clause('customers', updated)}"
    )


def _upsert_products(present: set[str]) -> str:
    updated = [c for c in ("name", "category", "description", "price", "currency") if c in present]
    clause = _set_clause("products", updated)
    clause += ", image_sha256 = coalesce(excluded.image_sha256, products.image_sha256)"
    return (
        "INSERT INTO products (sku, name, category, description, price, currency, image_sha256,"
        " attributes) SELECT sku, name, category, description, price, currency, image_sha256,"
        " attributes FROM temp.stage_products WHERE NOT bad ORDER BY rowid"
        f" ON CONFLICT (sku) DO UPDATE SET {clause}"
    )


def _upsert_orders(present: set[str]) -> str:
    # unit price falls back to the catalogue price; a percentage discount becomes money;
    # a missing amount is quantity × unit price − discount
    updated = ["customer_id", "ordered_at", "quantity", "unit_price", "discount", "amount"]
    return (
        "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at, quantity,"
        " unit_price, discount, amount, attributes)"
        " SELECT order_ref, customer_id, product_id, ordered_at, quantity, unit_price, discount,"
        " coalesce(amount, round(quantity * unit_price - discount, 2)), attributes FROM ("
        "  SELECT *, coalesce(given_discount, round(quantity * unit_price * discount_rate, 2), 0)"
        "   AS discount FROM ("
        "    SELECT s.rowid AS staged, s.order_ref, c.id AS customer_id, p.id AS product_id,"
        "     s.ordered_at, coalesce(s.quantity, 1) AS quantity,"
        "     coalesce(s.unit_price, p.price) AS unit_price, s.discount AS given_discount,"
        "     s.discount_rate, s.amount, s.attributes"
        "    FROM temp.stage_orders s JOIN customers c ON c.external_id = s.customer"
        "    JOIN products p ON p.sku = s.sku WHERE NOT s.bad))"
        " WHERE true ORDER BY staged"
        f" ON CONFLICT (order_ref, product_id) DO UPDATE SET {_set_clause('orders', updated)}"
    )


UPSERTS: dict[str, Callable[[set[str]], str]] = {
    "customers": _upsert_customers,
    "products": _upsert_products,
    "orders": _upsert_orders,
}
