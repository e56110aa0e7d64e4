"""How long work takes on this machine, remembered across workspaces.

A new workspace has no finished jobs to measure its estimates from, and the defaults are
a 2-core CPU's; what jobs took on this machine before (seconds per unit of work, and the
seconds a model took to load) is kept in ``timings.json`` in the configuration folder,
the latest :data:`WINDOW` per kind, so a first campaign's estimate is this machine's.
A file that cannot be read counts as no measurements: estimates fall back, nothing fails.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import tempfile
import threading
from pathlib import Path

from studio.core import paths

log = logging.getLogger(__name__)

FILE_NAME = "timings.json"
#: measurements kept per kind
WINDOW = 20
_lock = threading.Lock()


def _path() -> Path:
    return paths.config_dir() / FILE_NAME


def _read() -> dict[str, list[float]]:
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("ignoring the timings in %s: %s", _path(), error)
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(key): [float(v) for v in values if isinstance(v, int | float) and v >= 0]
        for key, values in raw.items()
        if isinstance(values, list)
    }


def remember(key: str, seconds: float) -> None:
    """Keep one measurement of ``key`` ("copy": seconds per unit, "load:copy": seconds a
    copy model took to load). A failure to write is logged, never raised: a timing is
    worth less than the job that made it."""
    if seconds < 0:
        return
    with _lock:
        found = _read()
        found[key] = [*found.get(key, []), round(seconds, 3)][-WINDOW:]
        target = _path()
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".timings-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(found, out)
            os.replace(tmp, target)
        except OSError as error:
            log.warning("could not keep a timing in %s: %s", target, error)


def measured() -> dict[str, float]:
    """The median of each kind's kept measurements."""
    return {key: statistics.median(values) for key, values in _read().items() if values}
