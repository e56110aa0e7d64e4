"""A read-only table model over SQL that loads rows a page at a time.

Views ask for more rows as the user scrolls (``canFetchMore``/``fetchMore``); pages are
read with keyset pagination (``WHERE key > last ORDER BY key LIMIT n``), which costs the
same on page 1 and page 5,000, so a table over a million customers opens and scrolls as
fast as one over a hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 256


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    format: Callable[[Any], str] = lambda value: "" if value is None else str(value)
    align_right: bool = False


class PagedSqlModel(QAbstractTableModel):
    """Rows of ``fetch_page(after_key, limit)``, in key order, loaded on demand.

    ``fetch_page`` returns dicts holding ``key_column`` and the columns' keys;
    ``count`` gives the total number of rows (shown as "1,000,000 customers" while only
    a few pages are loaded).
    """

    def __init__(
        self,
        columns: Sequence[Column],
        fetch_page: Callable[[Any, int], list[dict[str, Any]]] | None = None,
        count: Callable[[], int] | None = None,
        *,
        key_column: str = "id",
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.key_column = key_column
        self.page_size = page_size
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self._fetch_page = fetch_page
        self._count = count
        self._exhausted = True

    def set_source(
        self,
        fetch_page: Callable[[Any, int], list[dict[str, Any]]] | None,
        count: Callable[[], int] | None,
    ) -> None:
        """Point the model at new rows (or none) and load the first page."""
        self.beginResetModel()
        self._fetch_page = fetch_page
        self._count = count
        self.rows = []
        self.total = count() if count else 0
        self._exhausted = fetch_page is None
        self.endResetModel()
        if fetch_page is not None:
            self.fetchMore(QModelIndex())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._exhausted or self._fetch_page is None:
            return
        after = self.rows[-1][self.key_column] if self.rows else None
        page = self._fetch_page(after, self.page_size)
        if len(page) < self.page_size:
            self._exhausted = True
        if page:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.format(row.get(column.key))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None
