"""A single order-lines export in: Shopify, WooCommerce, invoice lines and the generic
layout, each written from its documented column set (tests/shop_exports.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from shop_exports import write_invoice_lines, write_shopify_orders, write_woocommerce_orders

from studio.core.errors import InputError
from studio.data.csv_import import import_files, import_order_lines
from studio.data.order_layouts import detect_layout, is_service
from studio.data.values import clean_identifier
from studio.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path):
    with Workspace.create(tmp_path / "shop") as workspace:
        yield workspace


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


UCI = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
       "CustomerID", "Country"]  # fmt: skip


def test_the_uci_invoice_lines_import_in_one_command(ws, tmp_path):
    path = write_invoice_lines(tmp_path / "OnlineRetail.csv")
    report = import_files(ws, orders=path)
    derived = report.derived
    assert derived is not None and derived.layout.startswith("invoice lines")
    assert derived.date_order_inferred == "mdy"  # 12/1/2010 … 12/5/2010
    assert derived.customers == ws.scalar("SELECT count(*) FROM customers") > 20
    assert derived.products == ws.scalar("SELECT count(*) FROM products") == 20
    assert derived.order_lines == ws.scalar("SELECT count(*) FROM orders")
    assert derived.returns > 0 and derived.returns_netted > 0
    assert derived.service_lines > 0 and "POSTAGE" in derived.service_names
    assert derived.guest_lines == ws.scalar("SELECT count(*) FROM guest_lines") > 0
    assert derived.merged_lines > 0
    assert derived.sku_case_merges == ["85123A = 85123a"]
    # service lines are no products and no revenue; ids are whole numbers
    skus = {r["sku"] for r in ws.query("SELECT sku FROM products")}
    assert not skus & {"POST", "M", "BANK CHARGES"}
    ids = [r["external_id"] for r in ws.query("SELECT external_id FROM customers")]
    assert all(i.isdigit() for i in ids)
    assert ws.scalar("SELECT min(quantity) FROM orders") > 0
    assert ws.scalar("SELECT min(ordered_at) FROM orders") == "2010-12-01"
    text = "\n".join(derived.lines_of_text())
    assert "month first" in text and "none counts as a sale" in text


def test_rules_on_a_small_invoice_file(ws, tmp_path):
    path = _write(tmp_path / "lines.csv", UCI, [
        ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "12/1/2010 8:26", "2.55", "17850.0", "United Kingdom"],  # noqa: E501
        ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "2", "12/1/2010 8:26", "2.55", "17850.0", "United Kingdom"],  # noqa: E501
        ["536365", "POST", "POSTAGE", "1", "12/1/2010 8:26", "18.00", "17850.0", "United Kingdom"],
        ["536366", "85123a", "WHITE HANGING HEART T-LIGHT HOLDER", "3", "12/2/2010 9:00", "2.95", "13047.0", "France"],  # noqa: E501
        ["536367", "22633", "HAND WARMER UNION JACK", "4", "12/2/2010 9:10", "1.85", "", "United Kingdom"],  # noqa: E501
        ["C536368", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "-5", "12/3/2010 10:00", "2.55", "17850.0", "United Kingdom"],  # noqa: E501
        ["536369", "22633", "HAND WARMER UNION JACK", "1", "12/4/2010 9:10", "1.85", "16000.0", "United Kingdom"],  # noqa: E501
        ["C536370", "22633", "HAND WARMER UNION JACK", "-1", "12/5/2010 9:10", "1.85", "16000.0", "United Kingdom"],  # noqa: E501
    ])  # fmt: skip
    report = import_files(ws, orders=path)
    lines = {
        (r["order_ref"], r["external_id"]): r
        for r in ws.query(
            "SELECT o.order_ref, c.external_id, o.quantity, o.amount FROM orders o"
            " JOIN customers c ON c.id = o.customer_id"
        )
    }
    # the repeated item summed (8), then the cancellation of 5 netted against it
    assert lines[("536365", "17850")]["quantity"] == 3
    assert lines[("536365", "17850")]["amount"] == pytest.approx(3 * 2.55)
    # a customer whose only order was cancelled has no sale, and is remembered as such
    assert ("536369", "16000") not in lines
    assert (
        ws.scalar(
            "SELECT count(*) FROM returned_lines r JOIN customers c ON c.id = r.customer_id"
            " WHERE c.external_id = '16000'"
        )
        == 1
    )
    # one product per SKU whatever its case; its latest price
    assert ws.scalar("SELECT count(*) FROM products WHERE upper(sku) = '85123A'") == 1
    assert ws.scalar("SELECT price FROM products WHERE upper(sku) = '85123A'") == 2.95
    # the line without a customer counts for the product, not for a customer
    assert ws.scalar("SELECT quantity FROM guest_lines") == 4
    assert ws.scalar("SELECT sum(amount) FROM orders") == pytest.approx(3 * 2.55 + 3 * 2.95)
    assert report.derived.service_lines == 1
    assert report.derived.ids_normalised == 3


def test_reimporting_changes_nothing_and_dry_run_writes_nothing(ws, tmp_path):
    path = write_invoice_lines(tmp_path / "lines.csv", invoices=40)
    preview = import_order_lines(ws, path, dry_run=True)
    assert preview.dry_run and preview.derived.order_lines > 0
    assert ws.scalar("SELECT count(*) FROM orders") == 0
    import_files(ws, orders=path)
    tables = ("customers", "products", "orders", "returned_lines", "guest_lines")
    counts = [ws.scalar(f"SELECT count(*) FROM {t}") for t in tables]
    again = import_files(ws, orders=path)
    assert [ws.scalar(f"SELECT count(*) FROM {t}") for t in tables] == counts
    assert sum(f.inserted for f in again.files) == 0


def test_shopify_orders_export(ws, tmp_path):
    path = write_shopify_orders(tmp_path / "orders_export_1.csv")
    report = import_files(ws, orders=path)
    derived = report.derived
    assert derived.layout == "Shopify orders export"
    # customers by e-mail, with the billing details of their first line
    row = ws.query("SELECT * FROM customers WHERE external_id = 'jonas.weber@example.de'")[0]
    assert (row["name"], row["country"], row["city"]) == ("Jonas Weber", "DE", "Berlin")
    # refunded orders sold nothing; partial refunds scaled their lines; gift wrap is a service
    assert derived.unsold_orders > 0 and derived.partial_refunds > 0
    refunded = ws.scalar("SELECT count(*) FROM returned_lines WHERE order_ref = '#1006'")
    assert refunded > 0 and ws.scalar("SELECT count(*) FROM orders WHERE order_ref = '#1006'") == 0
    assert "Gift wrapping" in derived.service_names
    assert ws.scalar("SELECT count(*) FROM products WHERE name = 'Gift wrapping'") == 0
    # a later line of an order keeps its own SKU but takes the order's date and customer
    assert ws.scalar("SELECT count(*) FROM orders WHERE ordered_at IS NULL") == 0
    assert ws.scalar("SELECT currency FROM products LIMIT 1") == "GBP"


def test_woocommerce_export_with_guests_and_decimal_commas(ws, tmp_path):
    path = write_woocommerce_orders(tmp_path / "orders-2024.csv")
    report = import_files(ws, orders=path)
    assert report.derived.layout == "WooCommerce order export"
    assert ws.scalar("SELECT price FROM products WHERE sku = 'POT-CAST-IRON'") == 42.0
    # a guest checkout (user id 0) is known by its e-mail
    assert ws.scalar("SELECT count(*) FROM customers WHERE external_id LIKE '%@%'") > 0
    assert ws.scalar("SELECT count(*) FROM customers WHERE external_id = '0'") == 0
    cancelled = ws.scalar("SELECT count(*) FROM orders WHERE order_ref = '4002'")
    assert cancelled == 0 and report.derived.unsold_orders > 0


def test_generic_layout_from_a_workbook(ws, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["order_id", "order_date", "customer_id", "customer_email", "country", "sku",
                  "product_name", "category", "quantity", "unit_price", "currency"])  # fmt: skip
    sheet.append(["A1", "2024-05-01", "c1", "a@example.com", "DE", "MUG-1", "Stoneware Mug",
                  "Kitchen", 2, 12.5, "EUR"])  # fmt: skip
    sheet.append(["A2", "2024-05-03", "c2", "b@example.com", "AT", "MUG-1", "Stoneware Mug",
                  "Kitchen", 1, 12.5, "EUR"])  # fmt: skip
    path = tmp_path / "orders.xlsx"
    book.save(path)
    report = import_files(ws, orders=path)
    assert report.derived.layout.startswith("order lines")
    assert ws.scalar("SELECT category FROM products WHERE sku = 'MUG-1'") == "Kitchen"
    assert ws.scalar("SELECT sum(amount) FROM orders") == 37.5


def test_bad_lines_are_refused_with_line_and_column_and_counted_honestly(ws, tmp_path):
    rows = [[str(536365 + i), "22633", "HAND WARMER", "x" if i % 2 else "2", "2010-12-01",
             "1.85", "17850", "UK"] for i in range(1_200)]  # fmt: skip
    path = _write(tmp_path / "lines.csv", UCI, rows)
    with pytest.raises(InputError) as raised:
        import_files(ws, orders=path)
    error = raised.value
    assert error.problem_count == 600
    first = error.problems[0]
    assert (first.line, first.column) == (3, "quantity")
    assert ws.scalar("SELECT count(*) FROM orders") == 0
    report = import_files(ws, orders=path, skip_bad_rows=True)
    assert report.problem_count == 600
    assert ws.scalar("SELECT count(*) FROM orders") == 600


def test_a_user_marks_another_service_sku(ws, tmp_path):
    path = _write(tmp_path / "lines.csv", UCI, [
        ["1", "PADS", "PADS TO MATCH ALL CUSHIONS", "1", "2010-12-01", "0.10", "1", "UK"],
        ["1", "22633", "HAND WARMER", "1", "2010-12-01", "1.85", "1", "UK"],
    ])  # fmt: skip
    report = import_order_lines(ws, path, service_skus=frozenset({"pads"}))
    assert report.derived.service_lines == 1
    assert ws.scalar("SELECT count(*) FROM products") == 1


def test_layouts_and_helpers():
    assert detect_layout(["Name", "Email", "Lineitem quantity", "Lineitem name"]).key == "shopify"
    assert detect_layout(["order_ref", "customer_id", "sku", "ordered_at"]) is None
    assert clean_identifier("17850.0") == "17850"
    assert clean_identifier("\ufeffP8\u200b ") == "P8"
    assert clean_identifier("85123A") == "85123A"
    assert is_service("C2", "CARRIAGE", frozenset())
    assert is_service("X1", "Shipping", frozenset())
    assert not is_service("22423", "CARRIAGE CLOCK", frozenset())
    assert not is_service("GC-1", "Gift card holder in oak", frozenset())


def test_an_ambiguous_unordered_file_still_asks_for_the_date_order(ws, tmp_path):
    path = _write(tmp_path / "lines.csv", UCI, [
        ["1", "A", "Mug", "1", "03/04/2024", "2", "1", "UK"],
        ["2", "A", "Mug", "1", "04/03/2024", "2", "2", "UK"],
        ["3", "A", "Mug", "1", "02/05/2024", "2", "3", "UK"],
    ])  # fmt: skip
    with pytest.raises(InputError, match="--date-order"):
        import_files(ws, orders=path)
    report = import_files(ws, orders=path, date_order="dmy")
    assert report.derived.date_order_inferred is None
    assert ws.scalar("SELECT min(ordered_at) FROM orders") == "2024-03-04"


# --- segments and recommendations on a short real-shop history -----------------------------


@pytest.fixture
def gift_shop(ws, tmp_path):
    import_files(ws, orders=write_invoice_lines(tmp_path / "OnlineRetail.csv", invoices=400))
    return ws


def test_segments_on_five_days_tell_the_truth(gift_shop):
    from studio.data.segmentation import list_segments, run_info, run_segmentation

    run_id = run_segmentation(gift_shop, seed=0)
    segments = list_segments(gift_shop, run_id)
    names = [s["name"] for s in segments]
    # nobody is "new", "lapsed" or "active" on five days of orders
    assert not [n for n in names if n.split()[0] in ("New", "Lapsed", "At-risk", "Active")]
    assert "Prospects: no orders yet" not in names  # the only prospect-like customer …
    returned = next(s for s in segments if s["name"] == "Returned or cancelled every order")
    members = gift_shop.query(
        "SELECT c.external_id FROM segment_members m JOIN customers c ON c.id = m.customer_id"
        " WHERE m.segment_id = ?",
        (returned["id"],),
    )
    assert [m["external_id"] for m in members] == ["16000"]  # … only had a cancelled order
    for segment in segments:
        assert "Uncategorised" not in segment["description"]
        assert "100% of their spend vs 100% overall" not in segment["description"]
    info = run_info(gift_shop, run_id)
    warnings = " ".join(info["parameters"]["warnings"])
    assert "only 6 days" in warnings and "recency and tenure are left out" in warnings
    assert "recency_days" not in info["features"] and "tenure_days" not in info["features"]


def test_first_order_on_the_last_day_of_a_long_history_is_new(ws, tmp_path):
    """With a year of history, "new" still means new (the guard is the history length)."""
    from studio.data.naming import archetype

    profile = {
        "segment": {"spend_mean": 40, "orders_mean": 1, "recency_median": 2,
                    "tenure_median": 5, "discount_share_mean": 0, "one_time_share": 1.0},
        "overall": {"spend_mean": 100, "orders_mean": 3, "recency_median": 60,
                    "tenure_median": 300, "discount_share_mean": 0, "one_time_share": 0.3},
    }  # fmt: skip
    assert archetype({**profile, "history_days": 365})[0].startswith("New")
    assert not archetype({**profile, "history_days": 5})[0].startswith("New")


def test_recommend_evaluate_reports_its_sample_and_never_hides_a_loss(gift_shop):
    from studio.data.evaluate import evaluate_recommendations, verdict
    from studio.data.recommend import chosen_blend, compute_recommendations
    from studio.data.segmentation import run_segmentation

    run_segmentation(gift_shop, seed=0)
    result = evaluate_recommendations(gift_shop, holdout_days=2, k=5)
    assert result["customers_evaluated"] > 0
    low, high = result["hit_rate_interval"]["segments"]
    assert 0 <= low <= result["segments"]["hit_rate"] <= high <= 1
    assert result["verdict"]
    if result["customers_evaluated"] < 30:
        assert "too few to judge" in result["verdict"]
    weight, _ = chosen_blend(gift_shop)
    assert weight == result["blend"]["popularity_weight"]
    compute_recommendations(gift_shop)
    # losing to popularity is always said, and a clear loss switches to the better method
    assert "lose to popularity" in verdict(100, [-0.3, -0.1], 0.0)
    assert "now use popularity alone" in verdict(100, [-0.3, -0.1], 1.0)
    assert "too few to judge" in verdict(6, [-0.9, -0.2], 1.0)


def test_guest_sales_count_for_product_popularity(gift_shop):
    from studio.data.features import load_workspace_data

    data = load_workspace_data(gift_shop)
    assert data.guests is not None and len(data.guests) == gift_shop.scalar(
        "SELECT count(*) FROM guest_lines"
    )
    assert data.returned.sum() >= 1
