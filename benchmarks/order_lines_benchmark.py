"""A single order-lines export against the same data as three files, measured in one run.

Writes ``--rows`` invoice lines (default 500,000) in the UCI "Online Retail" layout, with
the same shop written as a customers, a products and an orders CSV, then times:

* ``three files``: ``import_files`` of customers, products and orders into a new
  workspace (the baseline: the studio's own three-file import);
* ``one export``: ``import_files`` of the single order-lines file into another new
  workspace, deriving customers and products, netting returns, summing repeated items,
  grouping products into categories (the sentence model is loaded before the clock
  starts, as a desktop session has it loaded).

It reports seconds, lines/s, the ratio and the peak memory of each (resident set,
sampled by a thread with psutil), and checks both workspaces hold the same order lines.

    .venv/bin/python benchmarks/order_lines_benchmark.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import tempfile
import threading
import time
from pathlib import Path

import psutil

from studio.data.csv_import import import_files
from studio.storage.workspace import Workspace

N_CUSTOMERS = 4_000
N_PRODUCTS = 2_000
LINES_PER_ORDER = 20


def write_files(folder: Path, rows: int, seed: int = 1) -> dict[str, Path]:
    """The same shop as one invoice-lines export and as three files."""
    rng = random.Random(seed)
    countries = ["United Kingdom"] * 9 + ["France", "Germany", "EIRE"]
    customers = [(f"{12346 + i}", rng.choice(countries)) for i in range(N_CUSTOMERS)]
    words = ["HEART", "LANTERN", "BAG", "CANDLE", "MUG", "TIN", "BOX", "CUSHION", "CLOCK"]
    products = [
        (f"{20000 + i}", f"{rng.choice(['RED', 'WHITE', 'PINK'])} {rng.choice(words)} {i}",
         round(0.5 + rng.random() * 12, 2))
        for i in range(N_PRODUCTS)
    ]  # fmt: skip
    paths = {name: folder / f"{name}.csv" for name in ("lines", "customers", "products", "orders")}
    with (
        open(paths["lines"], "w", newline="", encoding="utf-8") as lines_file,
        open(paths["orders"], "w", newline="", encoding="utf-8") as orders_file,
    ):
        lines, orders = csv.writer(lines_file), csv.writer(orders_file)
        lines.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                        "UnitPrice", "CustomerID", "Country"])  # fmt: skip
        orders.writerow(["Order ID", "Customer ID", "SKU", "Order Date", "Quantity",
                         "Unit Price"])  # fmt: skip
        written = 0
        invoice = 536365
        while written < rows:
            customer, country = rng.choice(customers)
            minutes = invoice - 536365
            stamp = f"{1 + minutes // 1440 % 12}/{1 + minutes // 60 % 28}/2011"
            iso = f"2011-{1 + minutes // 1440 % 12:02d}-{1 + minutes // 60 % 28:02d}"
            for sku, name, price in rng.sample(products, min(LINES_PER_ORDER, rows - written)):
                quantity = rng.choice([1, 2, 3, 6, 12])
                lines.writerow([invoice, sku, name, quantity, stamp, f"{price:.2f}",
                                f"{customer}.0", country])  # fmt: skip
                orders.writerow([invoice, customer, sku, iso, quantity, f"{price:.2f}"])
                written += 1
            invoice += 1
    with open(paths["customers"], "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Customer ID", "Country"])
        out.writerows(customers)
    with open(paths["products"], "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["SKU", "Name", "Price"])
        out.writerows(products)
    return paths


class PeakMemory:
    """The highest resident set size of this process while the block runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakMemory:
        process = psutil.Process()
        self.peak = process.memory_info().rss

        def sample() -> None:
            while not self._stop.wait(0.05):
                self.peak = max(self.peak, process.memory_info().rss)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(ws_path: Path, **files: Path) -> tuple[float, int, int]:
    gc.collect()
    with Workspace.create(ws_path) as ws, PeakMemory() as memory:
        start = time.perf_counter()
        import_files(ws, **files)
        seconds = time.perf_counter() - start
        lines = int(ws.scalar("SELECT count(*) FROM orders"))
    return seconds, lines, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    from generators.scoring.embeddings import embed_texts

    embed_texts(["warm-up"])  # the sentence model, loaded as a running studio has it
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = write_files(root, args.rows)
        three, three_lines, three_peak = timed(
            root / "three", customers=paths["customers"], products=paths["products"],
            orders=paths["orders"],
        )  # fmt: skip
        one, one_lines, one_peak = timed(root / "one", orders=paths["lines"])
    assert one_lines == three_lines, (one_lines, three_lines)
    result = {
        "rows": args.rows,
        "three_files_s": round(three, 2),
        "one_export_s": round(one, 2),
        "ratio": round(one / three, 2),
        "three_files_lines_per_s": round(args.rows / three),
        "one_export_lines_per_s": round(args.rows / one),
        "three_files_peak_mb": round(three_peak / 2**20),
        "one_export_peak_mb": round(one_peak / 2**20),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
