"""What travels to the cluster's workers, read on the desktop: a snapshot of the workspace
database, the stored files of a campaign, and the files of a model a worker lacks.

Everything is content-addressed: files by their sha256 (checked again on arrival), model
files by a manifest of relative paths, sizes and sha256.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from studio.core.hashing import sha256_file
from studio.storage.workspace import Workspace


def database_snapshot(ws: Workspace) -> bytes:
    """The workspace database as one consistent file (SQLite's online backup)."""
    with tempfile.TemporaryDirectory(prefix="studio-snapshot-") as folder:
        target = Path(folder) / "snapshot.db"
        ws.backup(target)
        connection = sqlite3.connect(target)
        try:
            connection.execute("PRAGMA journal_mode = DELETE")  # one file, no WAL beside it
        finally:
            connection.close()
        return target.read_bytes()


def campaign_files(ws: Workspace, campaign_id: int | None) -> list[tuple[str, str]]:
    """(sha256, media type) of every stored file a campaign's jobs may read: its products'
    photos, its brand kits' logos and its assets' files."""
    if campaign_id is None:
        rows = ws.query("SELECT sha256, media_type FROM blobs")
    else:
        rows = ws.query(
            "SELECT b.sha256, b.media_type FROM blobs b WHERE b.sha256 IN ("
            " SELECT p.image_sha256 FROM products p JOIN campaign_targets t"
            "  ON t.product_id = p.id WHERE t.campaign_id = :c"
            " UNION SELECT logo_sha256 FROM brand_kits"
            " UNION SELECT sha256 FROM assets WHERE campaign_id = :c)",
            {"c": campaign_id},
        )
    return [(r["sha256"], r["media_type"]) for r in rows]


@dataclass(frozen=True)
class ModelFile:
    relative: str
    bytes: int
    sha256: str


def model_manifest(path: Path) -> list[ModelFile]:
    """The files of a model (a single file, or a folder's files), with their sha256."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    root = path.parent if path.is_file() else path
    return [
        ModelFile(str(f.relative_to(root)).replace("\\", "/"), f.stat().st_size, sha256_file(f))
        for f in files
    ]


def manifest_digest(files: list[ModelFile]) -> str:
    """One name for a set of model files: where a worker keeps them."""
    digest = hashlib.sha256()
    for item in files:
        digest.update(f"{item.relative}\0{item.sha256}\n".encode())
    return digest.hexdigest()[:24]
