"""A workspace: a folder with ``workspace.db`` (SQLite) and ``assets/`` (content store).

All writes go through :meth:`Workspace.write`, which wraps them in
``BEGIN IMMEDIATE … COMMIT``: either all of a write lands or none of it does. One write
gate per database file serialises the writers of every connection a process opens to it
(the GUI, its background tasks and the job worker each have one), so they queue for a
moment instead of meeting "database is locked"; another process waits up to SQLite's busy
timeout. Readers on other threads open their own connection with :meth:`Workspace.reader`
(WAL lets them read while the writer writes). SQLite's own errors reach callers as
studio errors that say what happened and what to do.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from studio.core.errors import (
    StorageFull,
    StudioError,
    WorkspaceBusy,
    WorkspaceError,
    WorkspaceNotFound,
    WorkspaceTooNew,
)
from studio.storage import migrations as schema
from studio.storage.assets import AssetStore, StoredFile

# --- what the studio keeps in a workspace folder (the rest of the folder is the user's) ---
DB_NAME = "workspace.db"
ASSETS_DIR = "assets"
BACKUPS_DIR = "backups"
CACHE_DIR = "cache"
REPORTS_DIR = "import-reports"
WORKER_LOCK = "worker.lock"
DEMO_TRUTH = "demo-truth.json"
#: every entry the studio itself makes; removing a workspace removes these and no other
STUDIO_ENTRIES = (
    DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", ASSETS_DIR,
    BACKUPS_DIR, CACHE_DIR, REPORTS_DIR, WORKER_LOCK, DEMO_TRUTH,
)  # fmt: skip
BUSY_TIMEOUT_MS = 10_000


def utcnow() -> str:
    """Timestamps are stored as ISO-8601 UTC strings."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


_gates: dict[str, threading.RLock] = {}
_gates_lock = threading.Lock()


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT made (sqlite3 types it as optional: it is set for any
    INSERT, so its absence is a bug to report, never a 0 to store)."""
    if cursor.lastrowid is None:
        raise StudioError("The workspace did not report the id of the row just written.")
    return cursor.lastrowid


def write_gate(db_path: Path) -> threading.RLock:
    """The one lock every connection of this process takes to write to a database file."""
    key = str(Path(db_path).resolve())
    with _gates_lock:
        return _gates.setdefault(key, threading.RLock())


def database_error(error: sqlite3.Error, path: Path) -> WorkspaceError:
    """A clear error for what SQLite reported about the workspace at ``path``."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return WorkspaceBusy(
            f"The workspace {path} is busy: another program or window has been writing to "
            "it for too long.",
            hint="wait for the other import or job to finish, then try again",
        )
    if "full" in text:
        return StorageFull(
            f"The disk holding the workspace {path} is full; nothing of this change was saved.",
            hint="free some space and try again",
        )
    if "readonly" in text or "read-only" in text:
        return WorkspaceError(
            f"The workspace {path} cannot be written (read-only file or folder).",
            hint="check the folder's permissions",
        )
    if "malformed" in text or "not a database" in text or "disk i/o" in text:
        return WorkspaceError(
            f"The database of the workspace {path} is damaged or unreadable: {error}.",
            hint="restore it from its backups folder, or run 'studio info --verify'",
        )
    return WorkspaceError(f"The workspace {path} could not be updated: {error}.")


def connect(db_path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection with the settings every workspace connection uses."""
    if readonly:
        conn = sqlite3.connect(
            f"file:{db_path}?mode=ro",
            uri=True,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    else:
        conn = sqlite3.connect(db_path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        # user data: FULL makes every commit durable across power loss, not only crashes
        conn.execute("PRAGMA synchronous = FULL")
    return conn


class Workspace:
    """An open workspace. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.db = Database(conn)
        self.assets = AssetStore(path / ASSETS_DIR)
        #: serialises this connection's use across threads
        self._write_lock = threading.RLock()
        self._gate = write_gate(path / DB_NAME)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str, *, beside_other_files: bool = False) -> Workspace:
        """Create a new, empty workspace folder (the folder may exist but must be empty,
        unless ``beside_other_files``: a workspace replaced in place keeps the user's files
        around it)."""
        path = Path(path)
        if (path / DB_NAME).exists():
            raise WorkspaceError(f"{path} already holds a workspace.", hint="open it instead")
        if path.exists() and not path.is_dir():
            raise WorkspaceError(f"{path} is a file, not a folder.")
        if path.exists() and not beside_other_files and any(path.iterdir()):
            raise WorkspaceError(
                f"{path} is not empty.", hint="choose an empty or new folder for a workspace"
            )
        path.mkdir(parents=True, exist_ok=True)
        (path / ASSETS_DIR).mkdir(exist_ok=True)
        return cls.open(path, create=True)

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> Workspace:
        """Open a workspace, backing it up and migrating it when its schema is older."""
        path = Path(path)
        db_path = path / DB_NAME
        if not create and not db_path.exists():
            raise WorkspaceNotFound(
                f"No workspace at {path} (missing {DB_NAME}).",
                hint="create one with 'studio init PATH' or 'studio demo PATH'",
            )
        try:
            conn = connect(db_path)
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise WorkspaceError(
                f"{db_path} is not a readable workspace database: {error}."
            ) from error
        workspace = cls(path, conn)
        try:
            workspace._migrate()
        except BaseException:
            workspace.close()
            raise
        (path / ASSETS_DIR).mkdir(exist_ok=True)
        return workspace

    def _migrate(self) -> None:
        applied = [m.name for m in schema.migrations.applied(self.db)]
        unknown = [name for name in applied if name not in schema.known_migration_names()]
        if unknown:
            raise WorkspaceTooNew(
                f"{self.path} was saved by a newer version of Campaign Studio "
                f"(schema has {', '.join(unknown)}).",
                hint="update Campaign Studio to open it",
            )
        pending = schema.migrations.pending(self.db)
        if not pending:
            return
        if applied:  # an existing workspace: keep a copy from before the migration
            self.backup(self.path / BACKUPS_DIR / f"before-{pending[0].name}.db")
        with self._write_lock:
            schema.migrations.apply(self.db)
            self.db.execute(f"PRAGMA user_version = {schema.schema_version()}")

    def backup(self, destination: Path) -> Path:
        """Copy the database with SQLite's online backup API (consistent while in use)."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(destination)
        try:
            with self._write_lock:
                self.db.conn.backup(target)
        finally:
            target.close()
        return destination

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading and writing ------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction. Nested calls join the outer one (as a savepoint)."""
        with self._gate, self._write_lock:
            if self.db.conn.in_transaction:
                with self.db.atomic():
                    yield self.db
                return
            try:
                self.db.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise database_error(error, self.path) from error
            try:
                yield self.db
            except sqlite3.OperationalError as error:  # locked, full, I/O: not the caller's
                self.db.conn.rollback()
                raise database_error(error, self.path) from error
            except OSError as error:
                self.db.conn.rollback()
                if error.errno == 28:  # ENOSPC: a file of this write did not fit
                    raise StorageFull(
                        f"The disk holding the workspace {self.path} is full; nothing of this "
                        "change was saved.",
                        hint="free some space and try again",
                    ) from error
                raise
            except BaseException:
                self.db.conn.rollback()
                raise
            else:
                try:
                    self.db.conn.commit()
                except sqlite3.Error as error:
                    self.db.conn.rollback()
                    raise database_error(error, self.path) from error

    def reader(self) -> Database:
        """A new read-only connection for another thread (e.g. the GUI's views)."""
        return Database(connect(self.path / DB_NAME, readonly=True))

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        with self._write_lock:
            return list(self.db.query(sql, params))

    def scalar(self, sql: str, params: tuple | dict = ()) -> Any:
        with self._write_lock:
            row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    # --- files --------------------------------------------------------------------------

    def store_bytes(self, data: bytes, media_type: str) -> StoredFile:
        """Put a file in the asset store and record it in ``blobs``."""
        stored = self.assets.put_bytes(data, media_type)
        self.record_blob(stored)
        return stored

    def store_image(self, image: Any, fmt: str = "PNG", **save_options: Any) -> StoredFile:
        stored = self.assets.put_image(image, fmt, **save_options)
        self.record_blob(stored)
        return stored

    def record_blob(self, stored: StoredFile) -> None:
        """Record a file already put in the asset store (e.g. by a step that runs before
        its write transaction)."""
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO blobs (sha256, bytes, media_type, width, height, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    stored.sha256,
                    stored.bytes,
                    stored.media_type,
                    stored.width,
                    stored.height,
                    utcnow(),
                ),
            )

    def blob_path(self, sha256: str) -> Path:
        """Path of a stored file; raises AssetStoreError when the file is missing."""
        media_type = self.scalar("SELECT media_type FROM blobs WHERE sha256 = ?", (sha256,))
        if media_type is None:
            raise WorkspaceError(f"No file {sha256[:12]}… is recorded in {self.path}.")
        return self.assets.open(sha256, media_type)

    def verify_files(self) -> list[str]:
        """sha256 of every recorded file that is missing or no longer matches its hash."""
        rows = self.query("SELECT sha256, media_type FROM blobs ORDER BY sha256")
        return [r["sha256"] for r in rows if not self.assets.verify(r["sha256"], r["media_type"])]

    def integrity_check(self) -> str:
        """SQLite's own check of the database file: ``"ok"`` or what is wrong."""
        return str(self.scalar("PRAGMA integrity_check"))

    # --- overview -----------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        def count(table: str) -> int:
            return int(self.scalar(f"SELECT count(*) FROM {table}"))

        span = self.query("SELECT min(ordered_at) AS first, max(ordered_at) AS last FROM orders")[0]
        # an infinite amount stored by an older version would make the sum meaningless
        revenue = self.scalar(
            "SELECT coalesce(sum(amount), 0) FROM orders WHERE abs(amount) < 1e308"
        )
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "customers": count("customers"),
            "orders": count("orders"),
            "order_count": int(self.scalar("SELECT count(DISTINCT order_ref) FROM orders")),
            "products": count("products"),
            "products_with_image": int(
                self.scalar("SELECT count(*) FROM products WHERE image_sha256 IS NOT NULL")
            ),
            "revenue": round(float(revenue), 2),
            "first_order": span["first"],
            "last_order": span["last"],
            "segmentation_runs": count("segmentation_runs"),
            "segments": count("segments"),
            "campaigns": count("campaigns"),
            "assets": count("assets"),
            "jobs_queued": int(self.scalar("SELECT count(*) FROM jobs WHERE status = 'queued'")),
            "files": count("blobs"),
        }


def remove_workspace(path: Path) -> list[str]:
    """Remove what the studio made in a workspace folder (the database, the stored files,
    backups, caches, reports) and nothing else: a brief or an exported bundle the user keeps
    there stays. The folder itself goes only when nothing else is left in it. Returns the
    names of the entries that were left."""
    path = Path(path)
    if not (path / DB_NAME).exists():
        return []
    for name in STUDIO_ENTRIES:
        entry = path / name
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        elif entry.exists() or entry.is_symlink():
            entry.unlink()
    left = sorted(p.name for p in path.iterdir())
    if not left:
        path.rmdir()
    return left
