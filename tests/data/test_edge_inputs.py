"""Inputs at the edges that once gave a library's wording or a silent fix: mixed line
endings, invisible characters in ids, vector drawings as photos, photos just under the
size limit, a bundle whose schema version is text."""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from studio.core.errors import InputError
from studio.data.csv_import import import_files
from studio.storage.workspace import Workspace


def test_mixed_and_old_mac_line_endings_are_read(workspace: Workspace, tmp_path: Path) -> None:
    mixed = tmp_path / "products.csv"
    mixed.write_bytes(b'SKU,Name,Price\r\nP1,Mug,3\rP2,"Cup\rlarge",2\nP3,Bowl,4\r\n')
    report = import_files(workspace, products=mixed)
    assert report.files[0].inserted == 3
    names = dict(workspace.query("SELECT sku, name FROM products")[i].values()
                 for i in range(3))  # fmt: skip
    assert names["P2"] == "Cup\rlarge"  # a line break inside quotes is kept as it was


def test_invisible_characters_in_ids_are_removed_and_reported(
    workspace: Workspace, tmp_path: Path
) -> None:
    products = tmp_path / "products.csv"
    products.write_bytes("SKU,Name,Price\nP1,Mug,3\n\ufeffP8,Cup,2\nP9\u200b,Bowl,4\n".encode())
    orders = tmp_path / "orders.csv"
    orders.write_text("Order ID,Customer ID,SKU,Date\nO1,C1,P8,2024-01-02\nO2,C1,P9,2024-01-03\n")
    customers = tmp_path / "customers.csv"
    customers.write_text("Customer ID,Name\nC1\u00a0,Ann\n")
    report = import_files(workspace, products=products, customers=customers, orders=orders)
    assert {r["sku"] for r in workspace.query("SELECT sku FROM products")} == {"P1", "P8", "P9"}
    assert workspace.scalar("SELECT count(*) FROM orders") == 2
    assert any("invisible characters" in w for w in report.warnings)


def test_a_vector_drawing_named_as_a_photo_is_named_not_skipped(
    workspace: Workspace, tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "P1.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    products = tmp_path / "products.csv"
    products.write_text("SKU,Name,Price\nP1,Mug,3\n")
    report = import_files(workspace, products=products, images=photos)
    assert any("P1.svg" in w and "vector drawing" in w for w in report.warnings)
    with_column = tmp_path / "with-image.csv"
    with_column.write_text("SKU,Name,Price,Image\nP2,Cup,3,P1.svg\n")
    with pytest.raises(InputError, match="vector drawing"):
        import_files(workspace, products=with_column, images=photos)


def test_a_photo_just_under_the_limit_prints_no_library_warning(tmp_path: Path) -> None:
    from studio.render.product import MAX_PHOTO_PIXELS, open_product_photo

    path = tmp_path / "big.png"
    Image.new("L", (10_000, 9_980)).save(path)  # 99.8 megapixels
    assert MAX_PHOTO_PIXELS >= 10_000 * 9_980
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning would raise
        assert open_product_photo(path).size == (10_000, 9_980)


def test_a_bundle_whose_schema_version_is_text_is_not_called_newer(tmp_path: Path) -> None:
    from studio.export.manifest import MANIFEST_NAME, SCHEMA
    from studio.export.reader import open_bundle

    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(MANIFEST_NAME, json.dumps({"schema": SCHEMA, "schema_version": "1"}))
    with pytest.raises(InputError) as raised:
        open_bundle(path)
    assert "newer" not in str(raised.value) and "not a version number" in str(raised.value)


@pytest.mark.parametrize("when", ["0001-03-04", "9999-12-31", "1899-01-01"])
def test_dates_outside_a_plausible_range_are_refused_with_the_range(
    workspace: Workspace, tmp_path: Path, when: str
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(f"Customer ID,Name,Signup Date\nC1,Ann,{when}\n")
    with pytest.raises(InputError) as raised:
        import_files(workspace, customers=customers)
    assert f"'{when}' is not a plausible date" in str(raised.value)
    assert "1970-01-01" in str(raised.value)
