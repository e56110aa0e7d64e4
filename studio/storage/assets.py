"""Content-addressed file store: ``assets/ab/cd/<sha256>.<ext>``.

Identical files are stored once. Files are written to a temporary name, fsynced and
renamed, so a crash never leaves a partial file under a final name, and every stored
file can be verified against the hash in its name.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.core.errors import AssetStoreError, StorageFull
from studio.core.hashing import sha256_file

if TYPE_CHECKING:
    from PIL import Image

INCOMING_PREFIX = ".incoming-"  # a file being written; renamed when complete

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".json": "application/json",
    ".safetensors": "application/octet-stream",
}
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    bytes: int
    media_type: str
    path: Path
    width: int | None = None
    height: int | None = None
    #: this put wrote the file (it was not in the store before): a caller whose
    #: transaction rolls back removes exactly these
    created: bool = False


def _image_size(data: bytes) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None, None


class AssetStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, media_type: str) -> Path:
        ext = _EXTENSIONS.get(media_type, ".bin")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}{ext}"

    def put_bytes(self, data: bytes, media_type: str) -> StoredFile:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha, media_type)
        created = not target.exists()
        if created:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=INCOMING_PREFIX)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
            except BaseException as error:
                Path(tmp).unlink(missing_ok=True)
                if isinstance(error, OSError) and error.errno == errno.ENOSPC:
                    raise StorageFull(
                        f"The disk holding {self.root} is full: a file could not be stored, "
                        "and nothing of this change was saved.",
                        hint="free some space and try again",
                    ) from error
                raise
        width, height = _image_size(data) if media_type.startswith("image/") else (None, None)
        return StoredFile(sha, len(data), media_type, target, width, height, created)

    def put_file(self, path: Path, media_type: str | None = None) -> StoredFile:
        media_type = media_type or MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return self.put_bytes(Path(path).read_bytes(), media_type)

    def put_image(self, image: Image.Image, fmt: str = "PNG", **save_options: Any) -> StoredFile:
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **save_options)
        media_type = "image/jpeg" if fmt.upper() in ("JPEG", "JPG") else f"image/{fmt.lower()}"
        return self.put_bytes(buffer.getvalue(), media_type)

    def open(self, sha256: str, media_type: str) -> Path:
        path = self.path_for(sha256, media_type)
        if not path.exists():
            raise AssetStoreError(f"Asset file {sha256[:12]}… is missing from {self.root}.")
        return path

    def verify(self, sha256: str, media_type: str) -> bool:
        path = self.path_for(sha256, media_type)
        return path.exists() and sha256_file(path) == sha256
