"""Files a killed process leaves behind, found and removed without touching anything in use.

Two kinds are left when a process dies mid-write:

* **orphans**: files in ``assets/`` that no ``blobs`` row records, e.g. photos a killed
  import had copied before its transaction rolled back;
* **unfinished files**: the temporary files writes go through (``.incoming-*`` in the
  asset store, ``*.partial`` beside an export or report).

A writer stores its file a moment before it commits the row that records it, so a file
changed within :data:`GRACE_SECONDS` may belong to a write in progress: it is reported
as recent and never removed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studio.storage.assets import INCOMING_PREFIX

if TYPE_CHECKING:
    from studio.storage.workspace import Workspace

GRACE_SECONDS = 3600
PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True)
class Leftover:
    path: Path
    bytes: int
    kind: str  # "orphan" or "unfinished"
    recent: bool  # changed within the grace period: possibly still being written

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "bytes": self.bytes, "kind": self.kind,
                "recent": self.recent}  # fmt: skip


def _leftover(path: Path, kind: str, now: float) -> Leftover | None:
    try:
        stat = path.stat()
    except FileNotFoundError:  # removed by its writer meanwhile
        return None
    return Leftover(path, stat.st_size, kind, now - stat.st_mtime < GRACE_SECONDS)


def find_leftovers(ws: Workspace) -> list[Leftover]:
    """Every orphan and unfinished file in the workspace folder, oldest kinds first."""
    now = time.time()
    recorded = {
        ws.assets.path_for(row["sha256"], row["media_type"])
        for row in ws.query("SELECT sha256, media_type FROM blobs")
    }
    found: list[Leftover | None] = []
    for path in sorted(ws.assets.root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if path.name.startswith(INCOMING_PREFIX):
            found.append(_leftover(path, "unfinished", now))
        elif path not in recorded:
            found.append(_leftover(path, "orphan", now))
    for top in sorted(ws.path.iterdir()):
        if top == ws.assets.root:
            continue
        candidates = top.rglob(f"*{PARTIAL_SUFFIX}") if top.is_dir() else [top]
        for path in sorted(candidates):
            if path.name.endswith(PARTIAL_SUFFIX) and path.is_file():
                found.append(_leftover(path, "unfinished", now))
    return [leftover for leftover in found if leftover is not None]


def remove_leftovers(leftovers: list[Leftover]) -> list[Leftover]:
    """Delete the leftovers that are not recent; returns those removed."""
    removed = []
    for leftover in leftovers:
        if leftover.recent:
            continue
        leftover.path.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


def remove_stale_partials(destination: Path) -> None:
    """Before writing ``destination``: drop the unfinished files an earlier, killed write
    to it left beside it (those not changed within the grace period)."""
    now = time.time()
    for path in destination.parent.glob(f".{destination.name}.*{PARTIAL_SUFFIX}"):
        leftover = _leftover(path, "unfinished", now)
        if leftover is not None and not leftover.recent:
            path.unlink(missing_ok=True)
