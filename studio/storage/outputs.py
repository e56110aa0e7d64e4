"""Writing a file the user asked for, without ever destroying something.

Every command that writes a file (bundles, reports, review sheets, renders) goes through
here. A destination is refused when it is one of a workspace's own files (its database
and WAL/SHM journals, its assets and backups), when it is a folder or anything but a
regular file (a device such as ``/dev/full``, a pipe), and when it is an existing file
the studio did not write (:mod:`studio.storage.written` knows by the content's hash),
unless the user says to overwrite. The file is written beside its destination under a
temporary name and renamed into place, so an interrupted write leaves the old file
whole; the ``.partial`` file it leaves is removed by the next write to that destination
(and ``studio info --verify --repair``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.core.errors import OutputRefused, StorageFull
from studio.storage.leftovers import PARTIAL_SUFFIX, remove_stale_partials
from studio.storage.workspace import ASSETS_DIR, BACKUPS_DIR, DB_NAME
from studio.storage.written import record_written, written_by_studio

#: a workspace's own files and folders, at its top level
WORKSPACE_FILES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal")
WORKSPACE_FOLDERS = (ASSETS_DIR, BACKUPS_DIR)


def workspace_part(path: Path) -> tuple[Path, str] | None:
    """(workspace folder, what) when ``path`` is one of a workspace's own files."""
    resolved = path.expanduser().resolve()
    for folder in resolved.parents:
        if not (folder / DB_NAME).exists():
            continue
        top = resolved.relative_to(folder).parts[0]
        if top in WORKSPACE_FILES:
            return folder, "the database"
        if top in WORKSPACE_FOLDERS:
            return folder, f"the {top} folder"
    return None


def check_destination(path: Path, *, overwrite: bool = False, what: str = "file") -> Path:
    """Refuse a destination that would destroy something; returns it, resolved."""
    path = Path(path).expanduser()
    part = workspace_part(path)
    if part is not None:
        folder, which = part
        raise OutputRefused(
            f"Refusing to write the {what} to {path}: that is {which} of the workspace {folder}.",
            hint="choose a file outside the workspace's own files, e.g. in its exports folder",
        )
    if path.is_dir():
        raise OutputRefused(
            f"{path} is a folder; the {what} needs a file name.",
            hint=f"add a file name, e.g. {path / ('out' + (path.suffix or ''))}",
        )
    if path.exists() and not path.is_file():
        raise OutputRefused(
            f"{path} is not a regular file (a device, a pipe or a socket); the {what} is "
            "written only to a new file or over a file.",
            hint="choose a file name",
        )
    if path.exists() and not overwrite and not written_by_studio(path):
        raise OutputRefused(
            f"{path} already exists and is not a file Campaign Studio wrote (or it was "
            "changed since).",
            hint="choose another file, or pass --overwrite to replace it",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputRefused(
            f"Cannot create the folder {path.parent} for the {what}: {error.strerror}."
        ) from error
    return path.resolve()


@contextmanager
def output_file(path: Path, *, overwrite: bool = False, what: str = "file") -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` (and recorded as
    the studio's) when the block ends without error, deleted otherwise."""
    destination = check_destination(path, overwrite=overwrite, what=what)
    remove_stale_partials(destination)
    fd, name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=PARTIAL_SUFFIX
    )
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, destination)
        record_written(destination)
    except OSError as error:
        if error.errno == 28:  # ENOSPC
            raise StorageFull(
                f"The disk is full: could not write the {what} to {destination}.",
                hint="free some space and try again; nothing was replaced",
            ) from error
        raise
    finally:
        temporary.unlink(missing_ok=True)


def write_output(path: Path, data: bytes, *, overwrite: bool = False, what: str = "file") -> Path:
    with output_file(path, overwrite=overwrite, what=what) as temporary:
        temporary.write_bytes(data)
    return Path(path).expanduser().resolve()


#: image files the studio writes on request, by extension
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
#: the software named in the metadata of the images the studio writes
IMAGE_MARK = b"Campaign Studio"


def write_image(path: Path, image: Any, *, overwrite: bool = False, what: str = "image") -> Path:
    """Save a Pillow image as the format its file name says, through :func:`write_output`."""
    import io

    from PIL import PngImagePlugin

    path = Path(path).expanduser()
    kind = IMAGE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise OutputRefused(
            f"Cannot write the {what} to {path}: '{path.suffix or 'no extension'}' is not an "
            "image format the studio writes.",
            hint="end the file name with .png, .jpg or .webp",
        )
    buffer = io.BytesIO()
    if kind == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", IMAGE_MARK.decode())
        image.save(buffer, kind, pnginfo=info)
    else:
        exif = image.getexif()
        exif[0x0131] = IMAGE_MARK.decode()  # EXIF Software
        image.convert("RGB").save(buffer, kind, quality=92, exif=exif)
    return write_output(path, buffer.getvalue(), overwrite=overwrite, what=what)
