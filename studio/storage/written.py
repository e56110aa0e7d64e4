"""The files the studio wrote for the user: the only files it replaces without asking.

A file counts as the studio's own while its content is, byte for byte, what the studio
wrote there: each write records the file's path and the sha256 of its content in a small
ledger in the app's configuration folder. A filled-in results template, or a user's
notes that happen to mention "Campaign Studio", has another hash (or no entry) and is
never replaced unless the user passes ``--overwrite``. A marker inside the file could
be copied, kept after an edit, or typed by accident; a hash of the whole content cannot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from filelock import FileLock

from studio.core.hashing import sha256_file
from studio.core.paths import config_dir

LEDGER_NAME = "written-files.json"
#: the most recent writes remembered; older files are the user's to replace by hand
MAX_ENTRIES = 20_000


def _ledger() -> Path:
    return config_dir() / LEDGER_NAME


def _read(path: Path) -> dict[str, str]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a missing or damaged ledger only means fewer files are known as ours
    return entries if isinstance(entries, dict) else {}


def _key(path: Path) -> str:
    return str(Path(path).expanduser().resolve())


def record_written(path: Path) -> None:
    """Remember that the studio wrote ``path`` as it is now."""
    ledger = _ledger()
    digest = sha256_file(path)
    with FileLock(str(ledger) + ".lock", timeout=30):
        entries = _read(ledger)
        entries.pop(_key(path), None)
        entries[_key(path)] = digest  # newest last, so the oldest are dropped first
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        temporary = ledger.with_name(f".{ledger.name}.{os.getpid()}")
        temporary.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(temporary, ledger)


def written_by_studio(path: Path) -> bool:
    """Whether ``path`` is a regular file holding exactly what the studio wrote there."""
    path = Path(path).expanduser()
    if not path.is_file():
        return False
    recorded = _read(_ledger()).get(_key(path))
    try:
        return recorded is not None and recorded == sha256_file(path)
    except OSError:
        return False
