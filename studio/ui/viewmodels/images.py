"""Thumbnails of stored images, read at the size they are shown (cheap for big photos)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap


@lru_cache(maxsize=512)
def _scaled_image(path: str, width: int, height: int) -> QImage:
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(QSize(width, height), Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def thumbnail(path: Path | str | None, width: int, height: int | None = None) -> QPixmap:
    """A pixmap no bigger than width × height (an empty pixmap when the file is unreadable)."""
    if path is None:
        return QPixmap()
    image = _scaled_image(str(path), width, height or width)
    return QPixmap.fromImage(image) if not image.isNull() else QPixmap()
