"""Writing a file the user asked for, without ever destroying something.

Every command that writes a file (bundles, reports, review sheets, renders) goes through
here. A destination is refused when it is one of a workspace's own files (its database
and WAL/SHM journals, its assets and backups), when it is a folder, and when it is an
existing file the studio did not make, unless the user says to overwrite. The file is
written beside its destination under a temporary name and renamed into place, so an
interrupted write leaves the old file whole; the ``.partial`` file it leaves is removed
by the next write to that destination (and ``studio info --verify --repair``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.core.errors import OutputRefused, StorageFull
from studio.storage.leftovers import PARTIAL_SUFFIX, remove_stale_partials
from studio.storage.workspace import ASSETS_DIR, BACKUPS_DIR, DB_NAME

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


def check_destination(
    path: Path,
    *,
    overwrite: bool = False,
    ours: Callable[[Path], bool] | None = None,
    what: str = "file",
) -> Path:
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
    if path.exists() and not overwrite and not (ours is not None and ours(path)):
        raise OutputRefused(
            f"{path} already exists and was not made by Campaign Studio.",
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
def output_file(
    path: Path,
    *,
    overwrite: bool = False,
    ours: Callable[[Path], bool] | None = None,
    what: str = "file",
) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` when the block
    ends without error, deleted otherwise."""
    destination = check_destination(path, overwrite=overwrite, ours=ours, what=what)
    remove_stale_partials(destination)
    fd, name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=PARTIAL_SUFFIX
    )
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, destination)
    except OSError as error:
        if error.errno == 28:  # ENOSPC
            raise StorageFull(
                f"The disk is full: could not write the {what} to {destination}.",
                hint="free some space and try again; nothing was replaced",
            ) from error
        raise
    finally:
        temporary.unlink(missing_ok=True)


def write_output(
    path: Path,
    data: bytes,
    *,
    overwrite: bool = False,
    ours: Callable[[Path], bool] | None = None,
    what: str = "file",
) -> Path:
    with output_file(path, overwrite=overwrite, ours=ours, what=what) as temporary:
        temporary.write_bytes(data)
    return Path(path).expanduser().resolve()


def starts_with(marker: bytes) -> Callable[[Path], bool]:
    """Recognise files the studio made by a marker in their first bytes."""

    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as handle:
                return marker in handle.read(4096)
        except OSError:
            return False

    return recognise


#: image files the studio writes on request, by extension
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
#: the mark in an image's metadata that says the studio made it (a file it may replace)
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
    return write_output(
        path, buffer.getvalue(), overwrite=overwrite, ours=starts_with(IMAGE_MARK), what=what
    )
