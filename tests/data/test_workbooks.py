"""Excel workbooks import as their CSV exports would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from studio.core.errors import InputError
from studio.data.csv_import import import_files
from studio.storage.workspace import Workspace


def _workbook(path: Path, rows: list[list[object]], *, title_rows: int = 0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    book.create_sheet("Notes").append(["not read"])
    book.save(path)
    return path


def test_numbers_dates_and_percent_cells_read_as_a_csv_export(
    workspace: Workspace, tmp_path: Path
) -> None:
    products = _workbook(
        tmp_path / "products.xlsx",
        [["SKU", "Product Name", "Price"], ["P1", "Mug", 12.5], ["P2", "Tea", 8]],
        title_rows=2,  # blank rows above the header, as hand-made sheets have
    )
    customers = _workbook(
        tmp_path / "customers.xlsx",
        [["Customer ID", "Name", "Email"], [101, "Anna", "anna@example.com"]],
    )
    orders_path = tmp_path / "orders.xlsx"
    _workbook(
        orders_path,
        [
            ["Order ID", "Customer ID", "SKU", "Order Date", "Quantity", "Discount"],
            ["O1", 101, "P1", dt.datetime(2024, 3, 5), 2, 0.1],
            ["O2", 101, "P2", dt.datetime(2024, 3, 6, 14, 30), 1, None],
        ],
    )
    book = openpyxl.load_workbook(orders_path)
    book.active["F2"].number_format = "0%"
    book.save(orders_path)

    report = import_files(workspace, customers=customers, products=products, orders=orders_path)

    assert [f.inserted for f in report.files] == [2, 1, 2]
    prices = workspace.query("SELECT sku, price FROM products ORDER BY sku")
    assert [(r["sku"], r["price"]) for r in prices] == [("P1", 12.5), ("P2", 8.0)]
    assert workspace.scalar("SELECT external_id FROM customers") == "101"
    orders = workspace.query("SELECT ordered_at, amount, discount FROM orders ORDER BY id")
    assert orders[0]["ordered_at"] == "2024-03-05"
    assert orders[0]["discount"] == pytest.approx(
        0.1 * (orders[0]["amount"] + orders[0]["discount"])
    )
    assert orders[1]["ordered_at"] == "2024-03-06T14:30:00"


def test_a_bad_cell_is_named_by_its_sheet_row(workspace: Workspace, tmp_path: Path) -> None:
    products = _workbook(
        tmp_path / "products.xlsx",
        [["SKU", "Name", "Price"], ["P1", "Mug", 3], [], ["P2", "Tea", "cheap"]],
    )
    with pytest.raises(InputError, match=r"products.xlsx, line 4, column 'Price'"):
        import_files(workspace, products=products)
    assert workspace.scalar("SELECT count(*) FROM products") == 0


def test_a_workbook_named_csv_is_still_read_as_a_workbook(
    workspace: Workspace, tmp_path: Path
) -> None:
    products = _workbook(tmp_path / "products.csv", [["SKU", "Name"], ["P1", "Mug"]])
    import_files(workspace, products=products)
    assert workspace.scalar("SELECT name FROM products") == "Mug"


def test_an_empty_first_sheet_says_so(workspace: Workspace, tmp_path: Path) -> None:
    products = _workbook(tmp_path / "products.xlsx", [])
    with pytest.raises(InputError, match="first sheet 'Sheet' is empty"):
        import_files(workspace, products=products)


# --- hostile workbooks (tests/workbook_bombs.py makes them small, on the fly) ---------------


def test_a_dimension_claiming_the_whole_grid_reads_only_the_cells_that_exist(
    workspace: Workspace, tmp_path: Path
) -> None:
    from workbook_bombs import whole_grid_dimension

    report = import_files(workspace, products=whole_grid_dimension(tmp_path))
    assert report.files[0].inserted == 2


def test_a_workbook_that_expands_a_thousandfold_is_refused_before_parsing(
    workspace: Workspace, tmp_path: Path
) -> None:
    from workbook_bombs import expanding_part

    with pytest.raises(InputError, match="spreadsheet bomb"):
        import_files(workspace, products=expanding_part(tmp_path))
    assert workspace.scalar("SELECT count(*) FROM products") == 0


def test_an_entity_bomb_is_named_and_refused(workspace: Workspace, tmp_path: Path) -> None:
    from workbook_bombs import entity_bomb

    with pytest.raises(InputError, match=r"entities\.xlsx is not a workbook the studio can read"):
        import_files(workspace, products=entity_bomb(tmp_path))


def test_a_formula_excel_never_calculated_is_said_plainly(
    workspace: Workspace, tmp_path: Path
) -> None:
    from workbook_bombs import uncalculated_formula

    with pytest.raises(InputError) as raised:
        import_files(workspace, products=uncalculated_formula(tmp_path))
    assert "formula Excel never calculated" in str(raised.value)
    assert "the name is empty" not in str(raised.value)
