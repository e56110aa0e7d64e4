"""The workspace store: connection settings, migrations, backups, refusal of newer
workspaces, the content-addressed asset store, and writes that are all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from studio.core.errors import WorkspaceError, WorkspaceNotFound, WorkspaceTooNew
from studio.storage import migrations as schema
from studio.storage.workspace import DB_NAME, Workspace

TABLES = {
    "blobs", "customers", "products", "orders", "segmentation_runs", "segments",
    "segment_members", "recommendations", "brand_kits", "campaigns", "campaign_targets",
    "assets", "jobs", "performance_results",
}  # fmt: skip


def _tables(db_path: Path) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def test_new_workspace_has_the_schema_and_connection_settings(workspace: Workspace) -> None:
    assert set(workspace.db.table_names()) >= TABLES
    assert workspace.schema_version == schema.schema_version()
    pragma = workspace.scalar
    assert pragma("PRAGMA journal_mode") == "wal"
    assert pragma("PRAGMA foreign_keys") == 1
    assert pragma("PRAGMA synchronous") == 2  # FULL
    assert pragma("PRAGMA busy_timeout") > 0
    assert (workspace.path / "assets").is_dir()


def test_migrates_an_empty_database(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    sqlite3.connect(folder / DB_NAME).close()  # an empty SQLite file
    with Workspace.open(folder) as ws:
        assert set(ws.db.table_names()) >= TABLES
        applied = [m.name for m in schema.migrations.applied(ws.db)]
        assert applied == schema.known_migration_names()
    assert not (folder / "backups").exists()  # nothing to back up in an empty database


def test_open_refuses_missing_and_non_database_files(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFound, match="studio init"):
        Workspace.open(tmp_path / "nowhere")
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(WorkspaceError, match="not a readable workspace database"):
        Workspace.open(folder)


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(WorkspaceError, match="not empty"):
        Workspace.create(tmp_path / "full")


def test_a_workspace_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "ws").close()
    db = Database(tmp_path / "ws" / DB_NAME)
    db["_sqlite_migrations"].insert(
        {"migration_set": schema.MIGRATION_SET, "name": "9999_from_the_future",
         "applied_at": "2030-01-01 00:00:00"}
    )  # fmt: skip
    db.close()
    with pytest.raises(WorkspaceTooNew, match=r"newer version.*9999_from_the_future"):
        Workspace.open(tmp_path / "ws")


def _with_extra_migration(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> None:
    """The app's migrations plus one more, as a newer app would ship them."""
    extended = Migrations(schema.MIGRATION_SET)
    extended._migrations = list(schema.migrations._migrations)

    @extended(name="9000_test_extra")
    def extra(db: Database) -> None:
        db.execute("CREATE TABLE extra_things (id INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO customers (external_id) VALUES ('added-by-migration')")
        if fail:
            raise RuntimeError("the migration broke half-way")

    monkeypatch.setattr(schema, "migrations", extended)


def test_pending_migrations_run_after_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.create(tmp_path / "ws") as ws, ws.write() as db:
        db.execute("INSERT INTO customers (external_id, name) VALUES ('C1', 'Ada')")
    _with_extra_migration(monkeypatch)
    with Workspace.open(tmp_path / "ws") as ws:
        assert "extra_things" in ws.db.table_names()
        assert ws.schema_version == schema.schema_version()
    backup = tmp_path / "ws" / "backups" / "before-9000_test_extra.db"
    assert "extra_things" not in _tables(backup)
    conn = sqlite3.connect(backup)
    assert conn.execute("SELECT name FROM customers").fetchall() == [("Ada",)]
    conn.close()


def test_a_failing_migration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Workspace.create(tmp_path / "ws").close()
    shipped = schema.migrations
    _with_extra_migration(monkeypatch, fail=True)
    with pytest.raises(RuntimeError, match="half-way"):
        Workspace.open(tmp_path / "ws")
    monkeypatch.setattr(schema, "migrations", shipped)
    with Workspace.open(tmp_path / "ws") as ws:
        assert "extra_things" not in ws.db.table_names()
        assert ws.scalar("SELECT count(*) FROM customers") == 0


def test_write_is_all_or_nothing(workspace: Workspace) -> None:
    with pytest.raises(ZeroDivisionError), workspace.write() as db:
        db.execute("INSERT INTO customers (external_id) VALUES ('C1')")
        _ = 1 / 0
    assert workspace.scalar("SELECT count(*) FROM customers") == 0
    with workspace.write() as db:
        db.execute("INSERT INTO customers (external_id) VALUES ('C1')")
        with pytest.raises(sqlite3.IntegrityError), workspace.write() as inner:  # savepoint
            inner.execute("INSERT INTO customers (external_id) VALUES ('C2')")
            inner.execute("INSERT INTO customers (external_id) VALUES ('C1')")
    assert [r["external_id"] for r in workspace.query("SELECT * FROM customers")] == ["C1"]


# --- asset store ----------------------------------------------------------------------


def test_identical_files_are_stored_once_and_verified(workspace: Workspace) -> None:
    first = workspace.store_bytes(b"\x89PNG fake but bytes", "image/png")
    again = workspace.store_bytes(b"\x89PNG fake but bytes", "image/png")
    other = workspace.store_bytes(b"other bytes", "text/plain")
    assert first.sha256 == again.sha256 and first.path == again.path
    assert first.path.relative_to(workspace.path / "assets").parts[:2] == (
        first.sha256[:2],
        first.sha256[2:4],
    )
    assert workspace.scalar("SELECT count(*) FROM blobs") == 2
    assert workspace.verify_files() == []
    first.path.write_bytes(b"tampered")
    other.path.unlink()
    assert sorted(workspace.verify_files()) == sorted([first.sha256, other.sha256])
    with pytest.raises(WorkspaceError, match="missing"):
        workspace.blob_path(other.sha256)


def test_readers_see_committed_writes_only(workspace: Workspace) -> None:
    reader = workspace.reader()
    try:
        with workspace.write() as db:
            db.execute("INSERT INTO customers (external_id) VALUES ('C1')")
            assert reader.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
        assert reader.execute("SELECT count(*) FROM customers").fetchone()[0] == 1
    finally:
        reader.close()


def test_the_summary_stays_valid_json_with_impossible_stored_amounts(tmp_path) -> None:
    import json

    with Workspace.create(tmp_path / "ws") as ws:
        with ws.write() as db:
            db.execute("INSERT INTO customers (external_id, name) VALUES ('C1', 'Ann')")
            db.execute("INSERT INTO products (sku, name, price) VALUES ('P1', 'Mug', 3)")
            for ref, amount in (("O1", 12.5), ("O2", 9e999), ("O3", -9e999)):
                db.execute(
                    "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at, quantity,"
                    " unit_price, amount) VALUES (?, 1, 1, '2024-01-01', 1, 3, ?)",
                    (ref, amount),
                )
        summary = ws.summary()
    assert summary["revenue"] == 12.5
    json.loads(json.dumps(summary, allow_nan=False))


def test_the_schema_allows_exactly_the_statuses_the_code_uses(workspace) -> None:
    """Migrations are written out in full; this keeps their CHECK lists and the code's
    statuses the same."""
    import re

    from studio.core.records import ASSET_STATUSES, JOB_STATUSES

    tables = {r["name"]: r["sql"] for r in workspace.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'")}  # fmt: skip
    for table, statuses in (("assets", ASSET_STATUSES), ("jobs", JOB_STATUSES)):
        listed = re.search(r"status IN \(([^)]*)\)", tables[table]).group(1)
        assert tuple(v.strip(" '") for v in listed.split(",")) == statuses
