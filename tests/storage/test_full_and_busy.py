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


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real file system of a few megabytes (tmpfs), so every write that does not fit
    fails with ENOSPC as on a full disk; skipped where mounting is not allowed."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()

    def mount(size_kb: int) -> Path:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount_point)],
            capture_output=True,
        )
        if done.returncode != 0:
            pytest.skip("mounting a small file system needs root (CI runs as root)")
        return mount_point

    yield mount
    subprocess.run(["umount", str(mount_point)], capture_output=True)


def test_generate_on_a_nearly_full_disk_says_so_once_and_keeps_the_job_queued(
    demo_ws: Workspace, small_disk, capsys
) -> None:
    import shutil

    from campaign_helpers import add_copy

    from studio.cli import main
    from studio.services import campaigns as c
    from studio.services.planning import enqueue_generation
    from studio.storage import campaigns as store

    campaign_id = c.create_campaign(demo_ws, "Full", pairs=[(1, 1)], channel_formats=["email"])
    target = store.campaign_targets(demo_ws, campaign_id)[0]
    fields = {"subject": ["Fresh beans"], "preheader": ["Roasted"], "body": ["Our house blend."],
              "cta": ["Shop now"]}  # fmt: skip
    add_copy(demo_ws, campaign_id, target, fields)
    enqueue_generation(demo_ws, campaign_id)
    demo_ws.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    used = sum(p.stat().st_size for p in demo_ws.path.rglob("*") if p.is_file())
    disk = small_disk(used // 1024 + 160)  # the workspace and 160 KB: no room for a picture
    shutil.copytree(demo_ws.path, disk / "shop")
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(disk / "shop"), "Full"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected" not in err
    assert err.count("is full") == 1, err
    shutil.rmtree(disk / "shop" / "cache", ignore_errors=True)  # room to read it back
    with Workspace.open(disk / "shop") as shop:
        statuses = {r["status"] for r in shop.query(
            "SELECT status FROM jobs WHERE campaign_id = ?", (campaign_id,))}  # fmt: skip
        attempts = shop.scalar("SELECT max(attempts) FROM jobs WHERE campaign_id = ?",
                               (campaign_id,))  # fmt: skip
    assert statuses == {"queued"}  # nothing failed: it all runs once there is room
    assert attempts == 0
