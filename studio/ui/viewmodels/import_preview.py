"""The mapping and preview step of an import: what each file is and how its columns map.

The role of a file and the field of each column come from the importer's own header
aliases (:class:`studio.data.import_schema.FileKind`), so what the preview shows is what the
import will do.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import InputError
from studio.services.imports import (
    CUSTOMERS,
    ORDER_LINES,
    ORDERS,
    PRODUCTS,
    TABLE_SUFFIXES,
    FileKind,
    detect_layout,
    kind_for,
)

#: a single export of order lines, from which customers, products and orders are derived
ORDER_LINES_ROLE = "order_lines"
KINDS: dict[str, FileKind] = {
    "customers": CUSTOMERS, "orders": ORDERS, "products": PRODUCTS,
    ORDER_LINES_ROLE: ORDER_LINES,
}  # fmt: skip
PREVIEW_ROWS = 20
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


@dataclass
class CsvPreview:
    path: Path
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    role: str | None = None  # customers, orders, products, or None (not imported)
    error: str | None = None

    def kind(self, role: str | None = None) -> FileKind | None:
        role = role or self.role or ""
        return kind_for(self.header) if role == ORDER_LINES_ROLE else KINDS.get(role)

    def mapping(self, role: str | None = None) -> list[str]:
        """Per column: the field it fills, or what happens to it."""
        kind = self.kind(role)
        if kind is None:
            return ["" for _ in self.header]
        unused = "not used" if kind.name == ORDER_LINES.name else "kept as an extra attribute"
        mapped = []
        for name in self.header:
            found = kind.field_for(name)
            mapped.append(f"→ {found[0].label}" if found else unused)
        return mapped

    def missing_required(self, role: str | None = None) -> list[str]:
        kind = self.kind(role)
        if kind is None:
            return []
        present = {found[0].name for h in self.header if (found := kind.field_for(h))}
        return [f.label for f in kind.fields if f.required and f.name not in present]


def guess_role(header: list[str], file_name: str) -> str | None:
    """The kind whose fields most columns match (the file name breaks ties); a known
    order-lines export (Shopify, WooCommerce, invoice lines) is recognised by its header."""
    if detect_layout(header) is not None:
        return ORDER_LINES_ROLE
    scores = {}
    for name, kind in KINDS.items():
        if name == ORDER_LINES_ROLE:
            continue
        matched = sum(1 for h in header if kind.field_for(h))
        required = sum(1 for f in kind.fields if f.required)
        covered = len(
            {found[0].name for h in header if (found := kind.field_for(h)) and found[0].required}
        )
        scores[name] = (covered == required, matched, name in file_name.lower())
    best = max(scores, key=lambda n: scores[n])
    return best if scores[best][1] else None


def read_preview(path: Path) -> CsvPreview:
    from studio.services.imports import open_table

    preview = CsvPreview(path)
    try:
        with open_table(path) as stream:
            preview.header = stream.header
            preview.rows = [r.values for r in itertools.islice(stream, PREVIEW_ROWS)]
    except InputError as error:
        preview.error = str(error)
        return preview
    preview.role = guess_role(preview.header, path.name)
    return preview


@dataclass
class DroppedFiles:
    csvs: list[Path]
    image_folders: list[Path]
    images: list[Path]


def sort_dropped(paths: list[Path]) -> DroppedFiles:
    csvs, folders, images = [], [], []
    for path in paths:
        if path.is_dir():
            inside = list(path.iterdir())
            if any(p.suffix.lower() in IMAGE_SUFFIXES for p in inside):
                folders.append(path)
            csvs += sorted(p for p in inside if p.suffix.lower() in TABLE_SUFFIXES)
        elif path.suffix.lower() in TABLE_SUFFIXES:
            csvs.append(path)
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            images.append(path)
    return DroppedFiles(csvs, folders, images)
