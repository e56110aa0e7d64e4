"""The customers table: every customer, or the members of one segment, a page at a time."""

from __future__ import annotations

from typing import Any

from studio.storage.workspace import Workspace
from studio.ui.viewmodels.paged_table import Column, PagedSqlModel


def _money(value: Any) -> str:
    return "" if value is None else f"{value:,.2f}"


COLUMNS = (
    Column("external_id", "Customer"),
    Column("name", "Name"),
    Column("email", "Email"),
    Column("country", "Country"),
    Column("city", "City"),
    Column("signup_date", "Signed up"),
    Column("orders", "Orders", lambda v: "" if v is None else f"{v:,}", align_right=True),
    Column("spend", "Spend", _money, align_right=True),
    Column("last_order", "Last order", lambda v: (v or "")[:10]),
)

_CUSTOMER_COLUMNS = "c.id, c.external_id, c.name, c.email, c.country, c.city, c.signup_date"


def customer_source(ws: Workspace, segment_id: int | None):
    """(fetch_page, count) for all customers or one segment's members."""

    def with_orders(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # order figures for this page only: an indexed lookup per page, never a full scan
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

    else:

        def fetch(after: Any, limit: int) -> list[dict[str, Any]]:
            return with_orders(
                ws.query(
                    f"SELECT {_CUSTOMER_COLUMNS} FROM segment_members m"
                    " JOIN customers c ON c.id = m.customer_id"
                    " WHERE m.segment_id = ? AND m.customer_id > ?"
                    " ORDER BY m.customer_id LIMIT ?",
                    (segment_id, after if after is not None else -1, limit),
                )
            )

        def count() -> int:
            return int(
                ws.scalar(
                    "SELECT count(*) FROM segment_members WHERE segment_id = ?", (segment_id,)
                )
            )

    return fetch, count


def customer_model() -> PagedSqlModel:
    return PagedSqlModel(COLUMNS)
