"""Product photos for an import: found by SKU or file name, checked, and stored.

A photo is matched, in this order, from the product's image column (a path relative to
the images folder or to the CSV) or from a file in the images folder whose name (without
extension) is the SKU. Only files inside the images folder or the CSV's folder are read:
a symlink or a path that leads elsewhere is refused, so a shared CSV cannot make the
studio copy files from anywhere on the machine. Every file is opened and decoded
completely before it is stored, so a truncated or corrupt photo is reported instead of
kept; its type comes from its content, not its name; photos over :data:`MAX_MEGAPIXELS`
are refused before they are decoded, which bounds the memory an import needs.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from studio.render.product import MAX_PHOTO_PIXELS
from studio.storage.assets import StoredFile
from studio.storage.workspace import Workspace

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
#: drawings, not photos: named in the import's notes instead of being skipped silently
VECTOR_SUFFIXES = (".svg", ".svgz", ".eps", ".ai")
VECTOR_NOTE = (
    "a vector drawing, which the studio does not read (export it as PNG or JPEG, at least "
    "1000 pixels wide)"
)
#: formats kept byte for byte; any other readable format is stored as PNG
_STORED_AS_IS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_MEGAPIXELS = MAX_PHOTO_PIXELS // 1_000_000


class ImageProblem(ValueError):
    """A photo that is missing or cannot be read; the message is the reason."""


@dataclass
class ImageFolder:
    """The files of an ``--images`` folder (searched recursively), by lower-case stem."""

    root: Path | None
    by_stem: dict[str, Path] = field(default_factory=dict)
    used: set[Path] = field(default_factory=set)
    unmatched: list[str] = field(default_factory=list)  # SKUs without a photo
    leading_out: list[Path] = field(default_factory=list)  # links to files elsewhere
    vector: list[Path] = field(default_factory=list)  # SVG and other drawings: not read

    @classmethod
    def scan(cls, root: Path | None) -> ImageFolder:
        folder = cls(root)
        if root is None:
            return folder
        inside = root.resolve()
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in VECTOR_SUFFIXES and path.is_file():
                folder.vector.append(path)
            elif path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                if path.resolve().is_relative_to(inside):
                    folder.by_stem.setdefault(path.stem.lower(), path)
                else:
                    folder.leading_out.append(path)
        return folder

    def find(self, sku: str, image_value: str | None, csv_folder: Path) -> Path | None:
        """The photo for a product, ``None`` when nothing names or matches one."""
        if image_value:
            named = Path(image_value)
            if named.suffix.lower() in VECTOR_SUFFIXES:
                raise ImageProblem(f"image file '{image_value}' is {VECTOR_NOTE}")
            bases = [self.root, csv_folder] if self.root else [csv_folder]
            candidates = [named] if named.is_absolute() else [b / named for b in bases if b]
            for candidate in candidates:
                if candidate.is_file():
                    resolved = candidate.resolve()
                    if not any(resolved.is_relative_to(b.resolve()) for b in bases if b):
                        raise ImageProblem(
                            f"image file '{image_value}' is outside the images folder and the "
                            "CSV's folder; only photos inside them are read"
                        )
                    return candidate
            by_name = self.by_stem.get(named.stem.lower())
            if by_name is not None:
                return by_name
            raise ImageProblem(f"image file '{image_value}' not found")
        return self.by_stem.get(sku.lower())

    def unused(self) -> list[Path]:
        return sorted(set(self.by_stem.values()) - self.used)


def _too_large(path: Path, size: str) -> str:
    return (
        f"image '{path}' is {size}; the studio reads photos up to "
        f"{MAX_MEGAPIXELS} megapixels (scale it down, e.g. to 4000 pixels wide)"
    )


class PhotoStore:
    """Puts checked photos in the workspace's asset store and remembers them: their
    ``blobs`` rows are written by :meth:`record` in the import's write transaction, and
    the files that were new are removed again if that transaction rolls back."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.new_files: list[Path] = []
        self.files: dict[str, StoredFile] = {}
        self.stored = 0

    def store(self, path: Path) -> str:
        from PIL import Image, UnidentifiedImageError

        try:
            with warnings.catch_warnings():  # the size is checked below, before decoding
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(path)
            with image:
                megapixels = image.width * image.height / 1e6
                if megapixels > MAX_MEGAPIXELS:
                    size = f"{image.width}×{image.height} pixels ({megapixels:.0f} megapixels)"
                    raise ImageProblem(_too_large(path, size))
                image.load()  # decodes every byte: catches truncated files
                media_type = _STORED_AS_IS.get(image.format or "")
                if media_type is None:  # GIF, BMP, TIFF: kept as PNG
                    buffer = io.BytesIO()
                    image.convert("RGBA" if "A" in image.getbands() else "RGB").save(buffer, "PNG")
                    data, media_type = buffer.getvalue(), "image/png"
                else:
                    data = path.read_bytes()
        except ImageProblem:
            raise
        except Image.DecompressionBombError:
            limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6
            raise ImageProblem(_too_large(path, f"over {limit:.0f} megapixels")) from None
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise ImageProblem(f"image '{path}' cannot be read ({error})") from None
        stored = self.workspace.assets.put_bytes(data, media_type)
        if stored.created:
            self.new_files.append(stored.path)
        self.files[stored.sha256] = stored
        self.stored += 1
        return stored.sha256

    def record(self) -> None:
        """Inside the import's write transaction: the rows for every photo put."""
        for stored in self.files.values():
            self.workspace.record_blob(stored)

    def discard_new(self) -> None:
        """After a rollback: the rows are gone, so the new files are orphans."""
        for path in self.new_files:
            path.unlink(missing_ok=True)
        self.new_files.clear()
