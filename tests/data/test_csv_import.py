"""The importer against messy CSV files, as real exports come."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image

from studio.core.errors import InputError
from studio.data.csv_import import import_files
from studio.storage.workspace import Workspace

PRODUCTS = "SKU,Product Name,Category,Price\nP1,Mug,Drinkware,12.00\nP2,Tea,Tea,8.50\n"
CUSTOMERS = "Customer ID,Name,Email\nC1,Anna,anna@example.com\nC2,Ben,ben@example.com\n"


def write(folder: Path, name: str, text: str, *, bom: bool = False) -> Path:
    path = folder / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def rows(ws: Workspace, table: str) -> list[dict]:
    return ws.query(f"SELECT * FROM {table} ORDER BY id")


@pytest.fixture
def basics(tmp_path: Path) -> dict[str, Path]:
    return {
        "products": write(tmp_path, "products.csv", PRODUCTS),
        "customers": write(tmp_path, "customers.csv", CUSTOMERS),
    }


# --- formats ----------------------------------------------------------------------------


def test_bom_semicolons_quoted_newlines_aliases_and_european_numbers(
    workspace: Workspace, tmp_path: Path
) -> None:
    customers = write(
        tmp_path,
        "kunden.csv",
        "customer_id;First Name;Last Name;E-mail;Country;Signed Up;Loyalty Tier\n"
        'C1;Anna;"Smith\nJones";anna@example.com;DE;13/02/2024;gold\n'
        "C2;Ben;Weber;ben@example.com;AT;01/03/2024;\n",
        bom=True,
    )
    products = write(
        tmp_path,
        "produkte.csv",
        "ProductID;Title;Category;Price;Colour\n"
        'P1;Lamp;Home;"1.234,50";red\n'
        "P2;Mug;Kitchen;12,00 €;blue\n",
    )
    orders = write(
        tmp_path,
        "orders.csv",
        "InvoiceNo;CustomerID;StockCode;InvoiceDate;Qty;Unit Price;Channel\n"
        "A-1;C1;P1;13.02.2024 10:30;2;1.234,50;web\n"
        "A-1;C1;P2;13.02.2024 10:30;1;12,00;web\n",
    )
    report = import_files(workspace, customers=customers, orders=orders, products=products)

    assert [f.inserted for f in report.files] == [2, 2, 2]
    c1, c2 = rows(workspace, "customers")
    assert c1["external_id"] == "C1" and c1["name"] == "Anna Smith\nJones"
    assert c1["signup_date"] == "2024-02-13" and c2["signup_date"] == "2024-03-01"
    assert json.loads(c1["attributes"]) == {"Loyalty Tier": "gold"}
    assert json.loads(c2["attributes"]) == {}  # empty extras are not stored
    lamp, mug = rows(workspace, "products")
    assert (lamp["price"], mug["price"]) == (1234.5, 12.0)
    assert json.loads(lamp["attributes"]) == {"Colour": "red"}
    first, second = rows(workspace, "orders")
    assert first["ordered_at"] == "2024-02-13T10:30:00"
    assert (first["quantity"], first["unit_price"], first["amount"]) == (2, 1234.5, 2469.0)
    assert json.loads(second["attributes"]) == {"Channel": "web"}


@pytest.mark.parametrize("header", ["Customer ID", "customer_id", "CustomerID", "Client ID"])
def test_customer_id_header_aliases(workspace: Workspace, tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "c.csv", f"{header},Full Name\nX1,Ada\n")
    import_files(workspace, customers=path)
    assert workspace.query("SELECT external_id, name FROM customers") == [
        {"external_id": "X1", "name": "Ada"}
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [('"1,234.50"', 1234.5), ('"1.234,50"', 1234.5), ("$12.00", 12.0), ("EUR 9.90", 9.9)],
)
def test_money_formats(workspace: Workspace, tmp_path: Path, text: str, expected: float) -> None:
    path = write(tmp_path, "p.csv", f"SKU,Name,Price\nP1,Thing,{text}\n")
    import_files(workspace, products=path)
    assert workspace.scalar("SELECT price FROM products") == expected


def test_month_first_dates_are_decided_per_file(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    # 03/04 alone is ambiguous; 04/25 in the same file shows month/day
    orders = write(
        tmp_path,
        "o.csv",
        "Order ID,Customer,SKU,Order Date\nO1,C1,P1,03/04/2024\nO2,C2,P2,04/25/2024\n",
    )
    import_files(workspace, orders=orders, **basics)
    dates = [r["ordered_at"] for r in rows(workspace, "orders")]
    assert dates == ["2024-03-04", "2024-04-25"]


def test_ambiguous_dates_are_refused_with_a_clear_error(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    orders = write(
        tmp_path,
        "o.csv",
        "Order ID,Customer,SKU,Order Date\nO1,C1,P1,03/04/2024\nO2,C2,P2,05/06/2024\n",
    )
    with pytest.raises(InputError, match=r"o\.csv: dates such as '03/04/2024' could be day"):
        import_files(workspace, orders=orders, **basics)
    assert workspace.scalar("SELECT count(*) FROM products") == 0
    import_files(workspace, orders=orders, date_order="dmy", **basics)
    assert [r["ordered_at"] for r in rows(workspace, "orders")] == ["2024-04-03", "2024-06-05"]


def test_percent_discounts_and_missing_prices_and_amounts(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    orders = write(
        tmp_path,
        "o.csv",
        "Order ID,Customer,SKU,Date,Quantity,Unit Price,Discount,Total\n"
        "O1,C1,P1,2024-01-05,2,10.00,10%,\n"  # amount computed: 2 × 10 − 2
        "O1,C1,P2,2024-01-05,,,,\n"  # quantity 1, catalogue price 8.50
        "O2,C2,P1,2024-02-01,1,12.00,1.50,9.99\n",  # a given total is kept
    )
    import_files(workspace, orders=orders, **basics)
    got = [(r["quantity"], r["unit_price"], r["discount"], r["amount"])
           for r in rows(workspace, "orders")]  # fmt: skip
    assert got == [(2, 10.0, 2.0, 18.0), (1, 8.5, 0.0, 8.5), (1, 12.0, 1.5, 9.99)]


# --- bad input --------------------------------------------------------------------------


BAD_ORDERS = (
    "Order ID,Customer,SKU,Order Date,Qty,Unit Price\n"
    "O1,C1,P1,2024-01-05,1,12.00\n"  # line 2: fine
    "O2,C1,P1,2024-13-05,1,12.00\n"  # line 3: no month 13
    "O3,C1,P1,2024-01-06,two,12.00\n"  # line 4: not a quantity
    "O4,C9,P1,2024-01-07,1,12.00\n"  # line 5: unknown customer
    "O5,C2,P9,2024-01-07,1,12.00\n"  # line 6: unknown product
    "O6,C2,P2,2024-01-08,1,12.00,extra\n"  # line 7: one field too many
    ",C2,P2,2024-01-08,1,12.00\n"  # line 8: no order id
    "O1,C1,P1,2024-01-05,1,12.00\n"  # line 9: the same line as line 2
    "O7,C2,P2,2024-01-09,1,abc\n"  # line 10: not money
)


def test_every_bad_row_is_reported_and_nothing_is_written(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    orders = write(tmp_path, "orders.csv", BAD_ORDERS)
    with pytest.raises(InputError, match="Nothing was imported: 8 problems") as caught:
        import_files(workspace, orders=orders, **basics)
    found = {(p.file, p.line, p.column) for p in caught.value.problems}
    assert found == {
        ("orders.csv", 3, "Order Date"),
        ("orders.csv", 4, "Qty"),
        ("orders.csv", 5, None),
        ("orders.csv", 6, None),
        ("orders.csv", 7, None),
        ("orders.csv", 8, "Order ID"),
        ("orders.csv", 9, None),
        ("orders.csv", 10, "Unit Price"),
    }
    reasons = {p.line: p.reason for p in caught.value.problems}
    assert "no customer with id 'C9'" in reasons[5]
    assert "no product with SKU 'P9'" in reasons[6]
    assert "has 7 fields but the header has 6" in reasons[7]
    assert "already on line 2" in reasons[9]
    # all or nothing: not even the products and customers of the same import were kept
    for table in ("orders", "customers", "products"):
        assert workspace.scalar(f"SELECT count(*) FROM {table}") == 0


def test_skip_bad_rows_imports_the_rest_and_writes_a_report(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    orders = write(tmp_path, "orders.csv", BAD_ORDERS)
    report = import_files(workspace, orders=orders, skip_bad_rows=True, **basics)
    assert workspace.query("SELECT order_ref FROM orders") == [{"order_ref": "O1"}]
    assert report.files[-1].skipped == 8 and report.problem_count == 8
    assert report.report_path is not None and report.report_path.parent.parent == workspace.path
    with open(report.report_path, newline="", encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert sorted(int(r["line"]) for r in listed) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert all(r["file"] == "orders.csv" and r["reason"] for r in listed)


def test_missing_required_column_names_what_is_missing(
    workspace: Workspace, tmp_path: Path
) -> None:
    orders = write(tmp_path, "o.csv", "Order ID,SKU,Date\nO1,P1,2024-01-01\n")
    with pytest.raises(InputError, match=r"no column for customer id.*Order ID, SKU, Date"):
        import_files(workspace, orders=orders)


def test_two_columns_for_one_field(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "Customer ID,customer_id\nC1,C2\n")
    with pytest.raises(InputError, match="'Customer ID' and 'customer_id' both look like"):
        import_files(workspace, customers=path)
    # the more specific name wins; the other column is kept as an attribute
    path = write(tmp_path, "p.csv", "id,SKU,Name\n17,P1,Mug\n")
    import_files(workspace, products=path)
    product = workspace.query("SELECT sku, attributes FROM products")[0]
    assert product["sku"] == "P1" and json.loads(product["attributes"]) == {"id": "17"}


def test_not_utf8_is_refused_with_its_line(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"Customer ID,Name\nC1,Ann\nC2,Ren\xe9e\n")
    with pytest.raises(InputError, match=r"c\.csv, line 3: not valid UTF-8"):
        import_files(workspace, customers=path)
    path.write_bytes("Customer ID,Name\nC1,Ann\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        import_files(workspace, customers=path)


def test_an_unclosed_quote_is_refused_with_its_line(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", 'Customer ID,Name\nC1,Ann\nC2,"Bob\nC3,Cy\n')
    with pytest.raises(InputError, match=r"c\.csv, line 3: .*quoted value .* never closed"):
        import_files(workspace, customers=path)
    assert workspace.scalar("SELECT count(*) FROM customers") == 0


def test_bad_email_and_negative_price(workspace: Workspace, tmp_path: Path) -> None:
    customers = write(tmp_path, "c.csv", "id,email\nC1,not-an-address\n")
    products = write(tmp_path, "p.csv", "sku,name,price\nP1,Mug,-4.00\n")
    with pytest.raises(InputError) as caught:
        import_files(workspace, customers=customers, products=products)
    reasons = sorted(str(p) for p in caught.value.problems)
    assert reasons == [
        "c.csv, line 2, column 'email': 'not-an-address' is not an email address",
        "p.csv, line 2, column 'price': '-4.00' is negative",
    ]


def test_absurd_numbers_are_refused_with_line_and_column(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A 400-digit price once became Infinity, broke --json and segmentation."""
    products = write(tmp_path, "p.csv", f"sku,name,price\nP1,Mug,{'9' * 400}\nP2,Cup,3\n")
    orders = write(
        tmp_path, "o.csv",
        "order_id,customer_id,sku,quantity,date\nO1,C1,P2,1e400,2025-01-02\n",
    )  # fmt: skip
    customers = write(tmp_path, "c.csv", "id,email\nC1,a@example.com\n")
    with pytest.raises(InputError) as caught:
        import_files(workspace, customers=customers, products=products, orders=orders)
    reasons = sorted(str(p) for p in caught.value.problems)
    assert reasons[0].startswith("o.csv, line 2, column 'quantity': '1e400' is not a plausible")
    assert reasons[1].startswith("p.csv, line 2, column 'price': '99999999999999999999…")
    assert workspace.scalar("SELECT COUNT(*) FROM products") == 0


def test_empty_files(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"c\.csv is empty: it needs a header line"):
        import_files(workspace, customers=write(tmp_path, "c.csv", ""))
    report = import_files(workspace, customers=write(tmp_path, "h.csv", "Customer ID,Name\n\n"))
    assert (report.files[0].rows, report.files[0].inserted) == (0, 0)


def test_missing_file_and_nothing_to_import(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_files(workspace, customers=tmp_path / "nope.csv")
    with pytest.raises(InputError, match="Nothing to import"):
        import_files(workspace)


# --- re-import ----------------------------------------------------------------------------


def test_reimport_updates_instead_of_duplicating(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    orders = write(tmp_path, "o.csv", "Order ID,Customer,SKU,Date,Qty\nO1,C1,P1,2024-01-05,1\n")
    import_files(workspace, orders=orders, **basics)
    again = import_files(workspace, orders=orders, skip_bad_rows=True, **basics)
    assert [(f.inserted, f.updated) for f in again.files] == [(0, 2), (0, 2), (0, 1)]
    assert workspace.scalar("SELECT count(*) FROM orders") == 1
    assert again.report_path is None  # nothing was skipped, so no report
    # changed values win; columns the new file lacks keep their values; attributes merge
    write(tmp_path, "c2.csv", "Customer ID,Name,Segment\nC1,Anna B.,vip\n")
    import_files(workspace, customers=tmp_path / "c2.csv")
    c1 = workspace.query("SELECT * FROM customers WHERE external_id = 'C1'")[0]
    assert (c1["name"], c1["email"]) == ("Anna B.", "anna@example.com")
    assert json.loads(c1["attributes"]) == {"Segment": "vip"}
    assert workspace.scalar("SELECT count(*) FROM customers") == 2


# --- photos -------------------------------------------------------------------------------


def _photo(path: Path, colour: str = "red") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 32), colour).save(path)
    return path


def test_photos_by_sku_and_by_path_column(workspace: Workspace, tmp_path: Path) -> None:
    _photo(tmp_path / "photos" / "p1.png")
    _photo(tmp_path / "photos" / "sub" / "lamp.jpg", "blue")
    _photo(tmp_path / "photos" / "stray.png", "green")
    products = write(tmp_path, "p.csv", "SKU,Name,Image\nP1,Mug,\nP2,Lamp,sub/lamp.jpg\nP3,Tea,\n")
    report = import_files(workspace, products=products, images=tmp_path / "photos")
    assert report.photos_stored == 2
    stored = {r["sku"]: r["image_sha256"] for r in rows(workspace, "products")}
    assert stored["P1"] and stored["P2"] and stored["P3"] is None
    with Image.open(workspace.blob_path(stored["P2"])) as image:
        assert image.format == "JPEG" and image.getpixel((16, 16))[2] > 200  # the blue one
    assert workspace.verify_files() == []
    assert any("P3" in w for w in report.warnings)  # a product without a photo
    assert any("stray.png" in w for w in report.warnings)  # a photo without a product


def test_missing_and_corrupt_photos_are_reported(workspace: Workspace, tmp_path: Path) -> None:
    good = _photo(tmp_path / "photos" / "p1.png")
    (tmp_path / "photos" / "p2.png").write_bytes(good.read_bytes()[:60])  # truncated
    products = write(tmp_path, "p.csv", "SKU,Name,Photo\nP1,Mug,\nP2,Lamp,\nP3,Tea,missing.png\n")
    with pytest.raises(InputError) as caught:
        import_files(workspace, products=products, images=tmp_path / "photos")
    reasons = {p.line: p.reason for p in caught.value.problems}
    assert "p2.png' cannot be read" in reasons[3]
    assert "'missing.png' not found" in reasons[4]
    # the rolled-back import left no files behind
    assert not [p for p in (workspace.path / "assets").rglob("*") if p.is_file()]
    report = import_files(
        workspace, products=products, images=tmp_path / "photos", skip_bad_rows=True
    )
    assert workspace.scalar("SELECT count(*) FROM products") == 3  # kept, without photos
    assert report.photos_stored == 1 and report.problem_count == 2


def test_images_alone_attach_to_existing_products(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    import_files(workspace, products=basics["products"])
    _photo(tmp_path / "photos" / "P2.PNG")
    import_files(workspace, images=tmp_path / "photos")
    assert workspace.scalar("SELECT sku FROM products WHERE image_sha256 IS NOT NULL") == "P2"


# --- progress and interruption ----------------------------------------------------------


def _many_orders(folder: Path, n: int) -> Path:
    lines = ["Order ID,Customer,SKU,Date,Qty"]
    lines += [f"O{i},C{1 + i % 2},P{1 + i % 2},2024-01-{1 + i % 28:02d},1" for i in range(n)]
    return write(folder, "many.csv", "\n".join(lines) + "\n")


def test_progress_reaches_the_end(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    seen: list[tuple[str, float]] = []
    orders = _many_orders(tmp_path, 12_000)
    import_files(workspace, orders=orders, progress=lambda d, f=None: seen.append((d, f)), **basics)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(d.startswith("Reading many.csv") for d, _ in seen)


def test_interrupting_an_import_writes_nothing(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    orders = _many_orders(tmp_path, 12_000)

    def interrupt(description: str, fraction: float | None = None) -> None:
        if description.startswith("Reading many.csv"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_files(workspace, orders=orders, progress=interrupt, **basics)
    assert workspace.scalar("SELECT count(*) FROM orders") == 0
    assert workspace.scalar("SELECT count(*) FROM products") == 0
    report = import_files(workspace, orders=orders, **basics)  # still usable afterwards
    assert report.files[-1].inserted == 12_000


def test_only_photos_inside_the_given_folders_are_read(
    workspace: Workspace, tmp_path: Path
) -> None:
    outside = _photo(tmp_path / "elsewhere" / "secret.png")
    photos = tmp_path / "shop" / "photos"
    _photo(photos / "p2.png")
    (photos / "p1.png").symlink_to(outside)
    products = write(
        tmp_path / "shop", "p.csv", f"SKU,Name,Image\nP1,Mug,\nP2,Tea,\nP3,Lamp,{outside}\n"
    )
    with pytest.raises(InputError) as refused:
        import_files(workspace, products=products, images=photos)
    assert "line 4, column 'Image'" in str(refused.value)
    assert "outside the images folder and the CSV's folder" in str(refused.value)

    products.write_text("SKU,Name,Image\nP1,Mug,\nP2,Tea,\n")
    report = import_files(workspace, products=products, images=photos)
    assert report.photos_stored == 1  # p2; the link to a file elsewhere is not followed
    assert any("links to files outside it" in w and "p1.png" in w for w in report.warnings)


def test_a_photo_s_type_comes_from_its_content(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "photos" / "p1.jpg"
    path.parent.mkdir()
    Image.new("RGB", (32, 32), "red").save(path, format="PNG")  # a PNG named .jpg
    products = write(tmp_path, "p.csv", "SKU,Name\nP1,Mug\n")
    import_files(workspace, products=products, images=path.parent)
    sha = workspace.scalar("SELECT image_sha256 FROM products")
    assert workspace.scalar("SELECT media_type FROM blobs WHERE sha256 = ?", (sha,)) == "image/png"
    assert workspace.blob_path(sha).suffix == ".png"


def test_reading_a_long_file_leaves_the_workspace_writable(
    workspace: Workspace, tmp_path: Path, basics: dict[str, Path]
) -> None:
    import sqlite3

    orders = _many_orders(tmp_path, 12_000)
    other = sqlite3.connect(workspace.path / "workspace.db", timeout=0.1, isolation_level=None)
    written: list[str] = []

    def meanwhile(description: str, fraction: float | None = None) -> None:
        if description.startswith("Reading") and not written:
            # what a job in another window does while the import reads
            other.execute("INSERT INTO evaluations (kind, created_at, parameters) VALUES"
                          " ('note', 'now', '{}')")  # fmt: skip
            written.append(description)

    import_files(workspace, orders=orders, progress=meanwhile, **basics)
    other.close()
    assert written
    assert workspace.scalar("SELECT count(*) FROM evaluations") == 1
    assert workspace.scalar("SELECT count(*) FROM orders") == 12_000
