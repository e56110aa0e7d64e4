"""Read-only views of a workspace for screens and listings: the SQL the desktop app and
the command line show, in one place (widgets bind to these, they never query)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio.core.errors import NotFound
from studio.storage.workspace import Workspace

Page = Callable[[Any, int], list[dict[str, Any]]]


# --- products -----------------------------------------------------------------------------


def _known(ws: Workspace, sql: str) -> str:
    values = [row["v"] for row in ws.query(sql)]
    return ", ".join(values[:8]) + (" …" if len(values) > 8 else "") or "none"


def product_by_sku(ws: Workspace, sku: str) -> dict[str, Any]:
    rows = ws.query("SELECT * FROM products WHERE sku = ?", (sku,))
    if not rows:
        known = _known(ws, "SELECT sku AS v FROM products ORDER BY sku")
        raise NotFound(f"No product '{sku}' in {ws.path}.", hint=f"known: {known}")
    return rows[0]


def set_display_name(ws: Workspace, sku: str, name: str | None) -> None:
    """The name customers see for a product (None: back to the stored name, title-cased
    when it is in capitals); the stored name, the shop's key, never changes."""
    product_by_sku(ws, sku)
    with ws.write() as db:
        if name is None or not name.strip():
            db.execute(
                "UPDATE products SET attributes = json_remove(attributes, '$.display_name')"
                " WHERE sku = ?",
                (sku,),
            )
        else:
            db.execute(
                "UPDATE products SET attributes = json_set(attributes, '$.display_name', ?)"
                " WHERE sku = ?",
                (name.strip(), sku),
            )


def newest_segment_named(ws: Workspace, name: str) -> dict[str, Any]:
    rows = ws.query("SELECT * FROM segments WHERE name = ? ORDER BY id DESC LIMIT 1", (name,))
    if not rows:
        known = _known(ws, "SELECT DISTINCT name AS v FROM segments ORDER BY name")
        raise NotFound(f"No segment '{name}' in {ws.path}.", hint=f"known: {known}")
    return rows[0]


def product_photo_shas(ws: Workspace) -> list[str]:
    """Every product photo of the workspace, once."""
    rows = ws.query(
        "SELECT DISTINCT image_sha256 FROM products WHERE image_sha256 IS NOT NULL"
        " ORDER BY image_sha256"
    )
    return [row["image_sha256"] for row in rows]


def product_choices(ws: Workspace) -> list[dict[str, Any]]:
    return ws.query("SELECT id, name, category FROM products ORDER BY name")


def list_products(ws: Workspace) -> list[dict[str, Any]]:
    return ws.query(
        "SELECT id, sku, name, category, description, price, currency, image_sha256"
        " FROM products ORDER BY category, name"
    )


def first_product_photo(ws: Workspace) -> str | None:
    """A product photo to preview creatives with (the first product that has one)."""
    return ws.scalar(
        "SELECT image_sha256 FROM products WHERE image_sha256 IS NOT NULL ORDER BY id LIMIT 1"
    )


def recommendation_count(ws: Workspace, segment_id: int) -> int:
    return int(
        ws.scalar("SELECT count(*) FROM recommendations WHERE segment_id = ?", (segment_id,))
    )


# --- segments -----------------------------------------------------------------------------


def segmentation_runs(ws: Workspace) -> list[dict[str, Any]]:
    return ws.query(
        "SELECT id, created_at, method, parameters FROM segmentation_runs ORDER BY id DESC"
    )


def segment_name(ws: Workspace, segment_id: int) -> str | None:
    return ws.scalar("SELECT name FROM segments WHERE id = ?", (segment_id,))


def rule_segments(ws: Workspace) -> list[dict[str, Any]]:
    return ws.query(
        "SELECT id, name, size, description FROM segments WHERE kind = 'rule' ORDER BY name"
    )


# --- customers, a page at a time --------------------------------------------------------

_CUSTOMER_COLUMNS = "c.id, c.external_id, c.name, c.email, c.country, c.city, c.signup_date"


def customer_pages(ws: Workspace, segment_id: int | None) -> tuple[Page, Callable[[], int]]:
    """(fetch_page, count) for all customers or one segment's members; a page is fetched
    after a customer id, with its order figures looked up for that page only."""

    def with_orders(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return rows
        ids = [row["id"] for row in rows]
        marks = ", ".join("?" for _ in ids)
        figures = {
            row["customer_id"]: row
            for row in ws.query(
                "SELECT customer_id, count(DISTINCT order_ref) AS orders,"
                " round(sum(amount), 2) AS spend, max(ordered_at) AS last_order"
                f" FROM orders WHERE customer_id IN ({marks}) GROUP BY customer_id",
                tuple(ids),
            )
        }
        for row in rows:
            found = figures.get(row["id"], {})
            row["orders"] = found.get("orders", 0)
            row["spend"] = found.get("spend", 0.0)
            row["last_order"] = found.get("last_order")
        return rows

    if segment_id is None:

        def fetch(after: Any, limit: int) -> list[dict[str, Any]]:
            return with_orders(
                ws.query(
                    f"SELECT {_CUSTOMER_COLUMNS} FROM customers c WHERE c.id > ?"
                    " ORDER BY c.id LIMIT ?",
                    (after if after is not None else -1, limit),
                )
            )

        def count() -> int:
            return int(ws.scalar("SELECT count(*) FROM customers"))

        return fetch, count

    def fetch_members(after: Any, limit: int) -> list[dict[str, Any]]:
        return with_orders(
            ws.query(
                f"SELECT {_CUSTOMER_COLUMNS} FROM segment_members m"
                " JOIN customers c ON c.id = m.customer_id"
                " WHERE m.segment_id = ? AND m.customer_id > ?"
                " ORDER BY m.customer_id LIMIT ?",
                (segment_id, after if after is not None else -1, limit),
            )
        )

    def count_members() -> int:
        return int(
            ws.scalar("SELECT count(*) FROM segment_members WHERE segment_id = ?", (segment_id,))
        )

    return fetch_members, count_members


# --- campaigns and jobs -------------------------------------------------------------------


def campaign_channel_formats(ws: Workspace, campaign_id: int) -> list[str]:
    rows = ws.query(
        "SELECT DISTINCT channel_format FROM campaign_targets WHERE campaign_id = ?"
        " ORDER BY channel_format",
        (campaign_id,),
    )
    return [row["channel_format"] for row in rows]


def campaign_segments(ws: Workspace, campaign_id: int) -> list[dict[str, Any]]:
    return ws.query(
        "SELECT DISTINCT s.id, s.name FROM campaign_targets t"
        " JOIN segments s ON s.id = t.segment_id WHERE t.campaign_id = ? ORDER BY s.name",
        (campaign_id,),
    )


def review_targets(ws: Workspace, campaign_id: int) -> list[dict[str, Any]]:
    return ws.query(
        "SELECT t.id, t.channel_format, t.segment_id, s.name AS segment, p.name AS product"
        " FROM campaign_targets t JOIN segments s ON s.id = t.segment_id"
        " JOIN products p ON p.id = t.product_id WHERE t.campaign_id = ?"
        " ORDER BY s.name, p.name, t.channel_format",
        (campaign_id,),
    )
