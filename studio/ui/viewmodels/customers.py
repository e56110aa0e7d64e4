"""The customers table: every customer, or the members of one segment, a page at a time."""

from __future__ import annotations

from typing import Any

from studio.services.workspaces import Workspace
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


def customer_source(ws: Workspace, segment_id: int | None):
    """(fetch_page, count) for all customers or one segment's members."""
    from studio.services.catalog import customer_pages

    return customer_pages(ws, segment_id)


def customer_model() -> PagedSqlModel:
    return PagedSqlModel(COLUMNS)
