"""A writer killed with SIGKILL in the middle of an import leaves a sound workspace that
holds either all of that import or none of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from studio.data.csv_import import import_files
from studio.storage.workspace import Workspace

N_ORDERS = 60_000

# The child imports the orders and announces each step on stdout, so the parent can kill
# it while it reads (nothing staged yet in the workspace) or while it writes the orders.
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from studio.data.csv_import import import_files
    from studio.storage.workspace import Workspace

    def announce(description, fraction=None):
        print(description.split()[0], flush=True)

    with Workspace.open(Path(sys.argv[1])) as ws:
        import_files(ws, orders=Path(sys.argv[2]), progress=announce)
    print("committed", flush=True)
    """
)


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, Path]:
    customers = tmp_path / "c.csv"
    customers.write_text("Customer ID\n" + "".join(f"C{i}\n" for i in range(100)))
    products = tmp_path / "p.csv"
    products.write_text("SKU,Name,Price\n" + "".join(f"P{i},Item {i},9.50\n" for i in range(20)))
    orders = tmp_path / "o.csv"
    with open(orders, "w") as handle:
        handle.write("Order ID,Customer ID,SKU,Order Date,Qty\n")
        for i in range(N_ORDERS):
            handle.write(f"O{i},C{i % 100},P{i % 20},2024-02-{1 + i % 28:02d},1\n")
    with Workspace.create(tmp_path / "ws") as ws:
        import_files(ws, customers=customers, products=products)
    return tmp_path / "ws", orders


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("kill_at", ["Reading", "Writing"])
def test_sigkill_mid_import_leaves_all_or_nothing(
    prepared: tuple[Path, Path], kill_at: str
) -> None:
    workspace, orders = prepared
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(workspace), str(orders)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    steps = []
    for line in child.stdout:
        steps.append(line.strip())
        if steps[-1] == kill_at:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL, steps
    assert "committed" not in steps

    with Workspace.open(workspace) as ws:
        assert ws.scalar("PRAGMA integrity_check") == "ok"
        assert ws.db.execute("PRAGMA foreign_key_check").fetchall() == []
        orders_kept = ws.scalar("SELECT count(*) FROM orders")
        assert orders_kept in (0, N_ORDERS)
        if kill_at == "Reading":
            assert orders_kept == 0
        assert ws.scalar("SELECT count(*) FROM customers") == 100  # earlier import intact
        # the workspace is usable: the same import now completes, without duplicates
        import_files(ws, orders=orders)
        assert ws.scalar("SELECT count(*) FROM orders") == N_ORDERS
