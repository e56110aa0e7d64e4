"""Importer throughput against plain ``sqlite3 executemany``, measured in one run.

Writes a customers, products and orders CSV (``--rows`` order lines, default 1,000,000),
then times:

* ``baseline``: the same order rows, already parsed in Python, inserted with one
  ``executemany`` into an ``orders`` table of the same shape (same indexes, same
  connection settings) in one transaction: the floor for any SQLite writer;
* ``studio``: ``import_files`` of the orders CSV into a workspace that already holds the
  customers and products: reading, parsing, checking references, upserting.

It reports rows/s for both and their ratio, and the peak memory of the importer (resident
set, sampled by a thread with psutil; the baseline's parsed rows are freed first).

    .venv/bin/python benchmarks/import_benchmark.py --rows 100000
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
from studio.storage.workspace import Workspace, connect

N_CUSTOMERS = 20_000
N_PRODUCTS = 200


def write_files(folder: Path, rows: int, seed: int = 1) -> tuple[Path, Path, Path]:
    rng = random.Random(seed)
    customers, products, orders = folder / "c.csv", folder / "p.csv", folder / "o.csv"
    with open(customers, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Customer ID", "Name", "Email", "Country", "Signup Date"])
        for i in range(N_CUSTOMERS):
            out.writerow([f"C{i}", f"Customer {i}", f"c{i}@example.com", "DE", "2023-05-01"])
    with open(products, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["SKU", "Product Name", "Category", "Price"])
        for i in range(N_PRODUCTS):
            out.writerow([f"P{i}", f"Product {i}", f"Category {i % 6}", f"{5 + i % 40}.90"])
    with open(orders, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Order ID", "Customer ID", "SKU", "Order Date", "Qty", "Unit Price",
                      "Discount", "Channel"])  # fmt: skip
        for i in range(rows):
            day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}"
            customer, product = f"C{rng.randrange(N_CUSTOMERS)}", f"P{i % 2 + 2 * (i % 97)}"
            out.writerow([f"O{i // 2}", customer, product, day, 1 + i % 3, f"{5 + i % 40}.90",
                          "0", "web"])  # fmt: skip
    return customers, products, orders


def baseline(orders: Path, folder: Path) -> float:
    """rows/s of one executemany of already-parsed rows into an orders-shaped table."""
    with open(orders, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [
            (ref, int(c[1:]) + 1, int(p[1:]) + 1, day, int(q), float(price), float(disc),
             int(q) * float(price), json.dumps({"Channel": channel}))
            for ref, c, p, day, q, price, disc, channel in reader
        ]  # fmt: skip
    db_path = folder / "baseline.db"
    conn = connect(db_path)
    conn.executescript(
        """
        CREATE TABLE orders (id INTEGER PRIMARY KEY, order_ref TEXT NOT NULL,
            customer_id INTEGER NOT NULL, product_id INTEGER NOT NULL, ordered_at TEXT NOT NULL,
            quantity INTEGER NOT NULL, unit_price REAL NOT NULL, discount REAL NOT NULL,
            amount REAL NOT NULL, attributes TEXT NOT NULL, UNIQUE (order_ref, product_id));
        CREATE INDEX orders_customer ON orders(customer_id, ordered_at);
        CREATE INDEX orders_product ON orders(product_id);
        CREATE INDEX orders_date ON orders(ordered_at);
        """
    )
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at, quantity,"
        " unit_price, discount, amount, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    count = len(rows)
    del rows
    gc.collect()
    return count / elapsed


class PeakMemory:
    """Highest resident set size seen while the block runs (sampled every 20 ms)."""

    def __enter__(self) -> PeakMemory:
        self._process = psutil.Process()
        self.start = self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="order lines to import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        folder = Path(tmp)
        customers, products, orders = write_files(folder, args.rows)
        base_rate = baseline(orders, folder)
        with Workspace.create(folder / "ws") as ws:
            import_files(ws, customers=customers, products=products)
            with PeakMemory() as memory:
                start = time.perf_counter()
                report = import_files(ws, orders=orders)
                elapsed = time.perf_counter() - start
            imported = report.files[0].inserted
        assert imported == args.rows, f"imported {imported} of {args.rows} rows"
        result = {
            "rows": args.rows,
            "orders_csv_mib": round(orders.stat().st_size / 2**20, 1),
            "studio_rows_per_s": round(imported / elapsed),
            "executemany_rows_per_s": round(base_rate),
            "studio_vs_executemany": round(imported / elapsed / base_rate, 3),
            "studio_seconds": round(elapsed, 1),
            "peak_rss_mib": round(memory.peak / 2**20),
            "rss_growth_mib": round((memory.peak - memory.start) / 2**20),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
