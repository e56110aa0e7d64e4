"""Every file in ``tests/corpus`` is refused with a clear message that says what and
where; none gives a traceback or changes the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.cli import main
from studio.storage.workspace import Workspace

CORPUS = Path(__file__).parent / "corpus"

#: file → (how it reaches the studio, what the message must say)
CASES = {
    "products-nul-name.csv": ("products", "line 2, column 'name': holds a NUL byte"),
    "products-duplicate-headers.csv": ("products", "columns 4 and 5 are both called 'Colour'"),
    "products-duplicate-headers.xlsx": ("products", "columns 4 and 5 are both called 'colour'"),
    "products-unclosed-header-quote.csv": ("products", "line 1 (the header)"),
    "products-long-header.csv": ("products", "longer than 131,072 characters"),
    "products-long-value.csv": ("products", "line 2: the CSV cannot be read: a value is longer"),
    "products-wide.csv": ("products", "1,004 columns; the studio reads at most 1,000"),
    "products-price-400-digits.csv": ("products", "line 2, column 'price'"),
    "products-utf16.csv": ("products", "is saved as UTF-16"),
    "products-old-excel.xls": ("products", "old-style Excel file (.xls)"),
    "products-broken-workbook.xlsx": ("products", "is not a workbook the studio can read"),
    "products-entity-bomb.xlsx": ("products", "is not a workbook the studio can read"),
    "products-expanding.xlsx": ("products", "a spreadsheet bomb's compression ratio"),
    "products-uncalculated-formula.xlsx": ("products", "holds a formula Excel never calculated"),
    "orders-year-9999.csv": ("orders", "'9999-12-31' is not a plausible date"),
    "orders-quantity-1e400.csv": ("orders", "line 2, column 'quantity': '1e400'"),
    "orders-quantity-30-digits.csv": ("orders", "line 2, column 'quantity'"),
    "orders-amount-nan.csv": ("orders", "line 2, column 'amount'"),
    "images-too-large": ("images", "12500×12000 pixels (150 megapixels)"),
    "images-bomb": ("images", "the studio reads photos up to 100 megapixels"),
    "images-truncated": ("images", "images-truncated/A1.jpg' cannot be read"),
    "bundle-deep-manifest.zip": ("bundle", "nests deeper than any real manifest"),
    "bundle-campaign-string.zip": ("bundle", "malformed 'campaign'"),
    "bundle-path-escape.zip": ("bundle", "../../evil.txt"),
    "bundle-not-a-zip.zip": ("bundle", "is not a readable zip file"),
    "model-100-bytes.gguf": ("model", "is not a GGUF file"),
    "model-corrupt.safetensors": ("model", "is not a safetensors file"),
}


def test_every_corpus_file_has_a_case() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name != "README.md"}
    assert files == set(CASES)


def _arguments(route: str, path: Path, ws: Path) -> list[str]:
    if route in ("products", "orders"):
        return ["import", str(ws), f"--{route}", str(path)]
    if route == "images":
        return ["import", str(ws), "--images", str(path)]
    if route == "bundle":
        return ["bundle", "import", str(ws), str(path)]
    return ["models", "add", str(path), "--kind", "copy", "--id", "hostile"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_file_is_refused_clearly(name: str, tmp_path: Path, capsys) -> None:
    route, expected = CASES[name]
    ws_path = tmp_path / "ws"
    with Workspace.create(ws_path) as ws:
        with ws.write() as db:
            db.execute("INSERT INTO products (sku, name, price) VALUES ('A1', 'Mug', 3)")
        before = ws.summary()
    with pytest.raises(SystemExit) as exit_:
        main(_arguments(route, CORPUS / name, ws_path))
    err = capsys.readouterr().err
    assert exit_.value.code == 1, err
    assert "Traceback" not in err and "unexpected" not in err
    assert name.split("/")[0] in err or route == "model"
    assert expected in " ".join(err.split())
    with Workspace.open(ws_path) as ws:
        assert ws.summary() == before
        assert ws.integrity_check() == "ok"
