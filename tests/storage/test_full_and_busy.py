"""A full disk and a workspace another process keeps busy: a clear message that says
where, and nothing of the change is kept."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from studio.core.errors import StorageFull, WorkspaceBusy
from studio.data.csv_import import import_files
from studio.data.segmentation import run_segmentation
from studio.storage.workspace import Workspace

HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _customers(folder: Path, n: int) -> Path:
    path = folder / "customers.csv"
    path.write_text(
        "Customer ID,Name,Email\n"
        + "".join(f"C{i},Customer number {i},c{i}@example.com\n" for i in range(n))
    )
    return path


def _disk_nearly_full(ws: Workspace, spare_pages: int = 4) -> None:
    """SQLite's own limit on the file's pages: its writes then fail exactly as on a
    full disk (SQLITE_FULL)."""
    pages = ws.scalar("PRAGMA page_count")
    ws.db.conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def test_a_full_disk_during_an_import_keeps_nothing(workspace: Workspace, tmp_path) -> None:
    import_files(workspace, customers=_customers(tmp_path, 10))
    _disk_nearly_full(workspace)
    with pytest.raises(StorageFull, match=r"The disk holding the workspace .* is full"):
        import_files(workspace, customers=_customers(tmp_path, 20_000))
    assert workspace.scalar("SELECT count(*) FROM customers") == 10
    assert workspace.integrity_check() == "ok"


def test_a_full_disk_while_photos_are_stored_keeps_nothing(
    workspace: Workspace, tmp_path, monkeypatch
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for sku, colour in (("P1", "red"), ("P2", "blue")):
        Image.new("RGB", (32, 32), colour).save(photos / f"{sku}.png")
    products = tmp_path / "p.csv"
    products.write_text("SKU,Name\nP1,Mug\nP2,Tea\n")
    calls = []

    def fills_up(fd: int) -> None:  # the second photo no longer fits on the disk
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("studio.storage.assets.os.fsync", fills_up)
    with pytest.raises(StorageFull) as full:
        import_files(workspace, products=products, images=photos)
    assert "is full" in str(full.value)
    assert workspace.scalar("SELECT count(*) FROM products") == 0
    assert workspace.scalar("SELECT count(*) FROM blobs") == 0
    assert not [p for p in workspace.assets.root.rglob("*") if p.is_file()]  # none kept


def test_a_full_disk_while_segments_are_stored(demo_ws: Workspace) -> None:
    runs = demo_ws.scalar("SELECT count(*) FROM segmentation_runs")
    _disk_nearly_full(demo_ws, spare_pages=1)
    with pytest.raises(StorageFull):
        run_segmentation(demo_ws, seed=1)
    assert demo_ws.scalar("SELECT count(*) FROM segmentation_runs") == runs


def test_a_workspace_another_process_keeps_busy(tmp_path, monkeypatch) -> None:
    import studio.storage.workspace as workspace_module

    monkeypatch.setattr(workspace_module, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "ws"
    Workspace.create(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(path / "workspace.db"), "30"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with Workspace.open(path) as ws:
            with pytest.raises(WorkspaceBusy, match=r"The workspace .* is busy"):
                import_files(ws, customers=_customers(tmp_path, 100))
            assert ws.scalar("SELECT count(*) FROM customers") == 0
    finally:
        holder.kill()
        holder.wait()
