"""A deterministic zip written to a temporary file and renamed into place when complete.

Entries get a fixed timestamp, fixed permissions and a fixed creator system, so the same
content in the same order gives the same bytes (given the same zlib, which does
the deflating). Images (already
compressed) are stored; text is deflated. Each entry is written as soon as it is added,
so memory holds one file at a time however large the bundle. Until :meth:`commit`, the
bundle exists only under a hidden temporary name next to the destination; any failure or
cancel removes it, so a half-written bundle never appears under the final name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from types import TracebackType

from studio.core.errors import ExportError
from studio.storage.leftovers import PARTIAL_SUFFIX, remove_stale_partials
from studio.storage.written import record_written

#: the earliest time a zip can record (DOS epoch): what reproducible builds use
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644
_STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".zip")


class BundleZip:
    """Use as a context manager: ``add`` entries, then ``commit`` to publish the file."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self._names: set[str] = set()
        self._zip: zipfile.ZipFile | None = None
        self._tmp: Path | None = None

    def __enter__(self) -> BundleZip:
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(self.destination)
        fd, tmp = tempfile.mkstemp(
            dir=self.destination.parent, prefix=f".{self.destination.name}.", suffix=PARTIAL_SUFFIX
        )
        os.close(fd)
        self._tmp = Path(tmp)
        self._zip = zipfile.ZipFile(self._tmp, "w", allowZip64=True)
        return self

    def add(self, name: str, data: bytes) -> tuple[str, int]:
        """Write one entry; returns its sha256 and size."""
        if self._zip is None:
            raise RuntimeError("BundleZip.add outside its 'with' block")
        if name in self._names:
            raise ExportError(f"Two files in the bundle would be named '{name}'.")
        self._names.add(name)
        info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
        info.create_system = 3  # unix: makes external_attr mean file permissions
        info.external_attr = _FILE_MODE << 16
        stored = name.lower().endswith(_STORED_SUFFIXES)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.file_size = len(data)
        with self._zip.open(info, "w") as entry:
            entry.write(data)
        return hashlib.sha256(data).hexdigest(), len(data)

    def commit(self) -> None:
        """Finish the zip, flush it to disk and move it to its final name."""
        if self._zip is None or self._tmp is None:
            raise RuntimeError("BundleZip.commit outside its 'with' block")
        self._zip.close()
        self._zip = None
        with open(self._tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(self._tmp, self.destination)
        self._tmp = None
        record_written(self.destination)  # a later export may replace it without asking

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._zip is not None:
            # the disk may be full: the partial file is removed below anyway
            with contextlib.suppress(OSError):
                self._zip.close()
            self._zip = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
