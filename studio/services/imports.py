"""Bringing a shop's data in: its files (customers, products, orders, or one order-lines
export), and the demo shop. The app and the CLI come here, never to ``studio.data``.
"""

from __future__ import annotations

from pathlib import Path

from studio.core.progress import Progress
from studio.data.csv_import import ImportReport, import_files, import_order_lines
from studio.data.demo import create_demo_workspace
from studio.data.import_schema import CUSTOMERS, ORDERS, PRODUCTS, FileKind
from studio.data.order_layouts import ORDER_LINES, detect_layout, is_order_lines_file, kind_for
from studio.data.tables import TABLE_SUFFIXES, open_table
from studio.data.values import DATE_ORDERS
from studio.storage.workspace import remove_workspace

__all__ = [
    "CUSTOMERS",
    "DATE_ORDERS",
    "ORDERS",
    "ORDER_LINES",
    "PRODUCTS",
    "TABLE_SUFFIXES",
    "FileKind",
    "ImportReport",
    "build_demo",
    "create_demo_workspace",
    "detect_layout",
    "import_files",
    "import_order_lines",
    "is_order_lines_file",
    "kind_for",
    "open_table",
]


def build_demo(target: Path, *, customers: int, progress: Progress | None = None) -> Path:
    """The demo shop at ``target``, whole or not at all: a build that fails or is
    cancelled half-way removes what it made, so a broken demo is never opened later."""
    try:
        create_demo_workspace(target, n_customers=customers, progress=progress).close()
    except BaseException:
        remove_workspace(target)
        raise
    return target
