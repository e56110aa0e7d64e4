"""Dropping files on the window: mapping and preview, row-by-row problems, import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

CUSTOMERS = "customer_id,name,email,country\nC1,Ada,ada@example.com,GB\nC2,Bo,bo@example.com,SE\n"
PRODUCTS = "sku,name,price,category\nP1,Mug,12.50,Drinkware\nP2,Tea,8.00,Tea\n"
ORDERS = "order_id,customer_id,sku,order_date,quantity,unit_price\n"
ORDERS += "O1,C1,P1,2025-01-03,1,12.50\nO2,C2,P2,2025-02-04,2,8.00\n"


def _drop(window, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(event)


def _files(folder: Path, orders: str = ORDERS) -> list[Path]:
    folder.mkdir()
    written = []
    for name, text in (("customers.csv", CUSTOMERS), ("products.csv", PRODUCTS),
                       ("orders.csv", orders)):  # fmt: skip
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def test_dropped_csvs_are_mapped_previewed_and_imported(window, qtbot, tmp_path):
    window.screens["Start"].create_workspace(tmp_path / "ws")
    _drop(window, _files(tmp_path / "in"))
    dialog = window.import_dialog
    roles = {p.preview.path.name: p.role.currentData() for p in dialog.pages}
    assert roles == {"customers.csv": "customers", "products.csv": "products",
                     "orders.csv": "orders"}  # fmt: skip
    customers_page = next(p for p in dialog.pages if p.preview.path.name == "customers.csv")
    assert customers_page.table.rowCount() == 2
    assert "→ email" in customers_page.table.horizontalHeaderItem(2).text()
    task = dialog.start()
    with qtbot.waitSignal(task.ended, timeout=60_000):
        pass
    ws = window.session.workspace
    assert ws.scalar("SELECT count(*) FROM customers") == 2
    assert ws.scalar("SELECT count(*) FROM orders") == 2
    assert "Imported" in dialog.summary.text()
    dialog.close()


def test_bad_rows_are_listed_one_by_one_and_nothing_is_written(window, qtbot, tmp_path):
    window.screens["Start"].create_workspace(tmp_path / "ws")
    bad = ORDERS + "O3,C9,P1,2025-03-01,1,12.50\nO4,C1,P1,not a date,1,12.50\n"
    _drop(window, _files(tmp_path / "in", bad))
    dialog = window.import_dialog
    task = dialog.start()
    with qtbot.waitSignal(task.ended, timeout=60_000):
        pass
    assert "Nothing was imported" in dialog.summary.text()
    assert dialog.problems.rowCount() >= 2
    lines = {dialog.problems.item(r, 1).text() for r in range(dialog.problems.rowCount())}
    assert {"4", "5"} <= lines  # header is line 1
    assert window.session.workspace.scalar("SELECT count(*) FROM customers") == 0
    assert dialog.import_button.isEnabled()
    dialog.close()


def test_a_single_order_export_is_recognised_previewed_then_imported(window, qtbot, tmp_path):
    from shop_exports import write_shopify_orders

    window.screens["Start"].create_workspace(tmp_path / "ws")
    export = write_shopify_orders(tmp_path / "orders_export_1.csv")
    _drop(window, [export])
    dialog = window.import_dialog
    page = dialog.pages[0]
    assert page.role.currentData() == "order_lines"
    assert "→ order id" in page.table.horizontalHeaderItem(0).text()  # Shopify's "Name"
    assert page.note.text().startswith("Columns are matched")  # nothing required is missing
    task = dialog.start()  # first: what the export holds, nothing written
    with qtbot.waitSignal(task.ended, timeout=60_000):
        pass
    ws = window.session.workspace
    assert "This is what the export holds" in dialog.summary.text()
    assert "Derived 6 customers" in dialog.summary.text()
    assert ws.scalar("SELECT count(*) FROM orders") == 0
    task = dialog.start()  # then the write
    with qtbot.waitSignal(task.ended, timeout=60_000):
        pass
    assert "Imported" in dialog.summary.text()
    assert ws.scalar("SELECT count(*) FROM customers") == 6
    assert ws.scalar("SELECT count(*) FROM orders") > 0
    dialog.close()
