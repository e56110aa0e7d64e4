"""Excel workbooks (``.xlsx``) read as the tables marketers keep in them.

The first worksheet is read, streamed row by row (openpyxl's read-only mode), and each
cell is written as the text a CSV export of it would hold, so the import reads a workbook
exactly as it reads a CSV: numbers with a point, dates as ISO-8601, percent cells as
``10%``. The first non-empty row is the header; a record's ``line`` is its row number in
the sheet, so every problem names the row the user sees in Excel.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from studio.core.errors import InputError
from studio.data.csv_reading import Record, check_header

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OLD_EXCEL_SUFFIXES = (".xls",)


def cell_text(value: Any, number_format: str | None) -> str:
    """One cell as the text a CSV export of the sheet would show."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        if number_format and "%" in number_format:
            return f"{value * 100:g}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    return str(value).strip()


class WorkbookStream:
    """The first worksheet of a workbook, with :class:`~studio.data.csv_reading.CsvStream`'s
    interface: ``header``, iteration over records, ``bytes_read`` / ``size`` (in rows)."""

    def __init__(self, path: Path) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.path = path
        self.name = path.name
        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file.")
        # a handle, not the path: openpyxl would refuse a workbook by its file name
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close() / the context
        try:
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
            self._handle.close()
            raise InputError(
                f"{self.name} cannot be read as an Excel workbook ({e}).",
                hint="open it in Excel and save it again as .xlsx or as CSV UTF-8",
            ) from None
        try:
            if not self._book.worksheets:
                raise InputError(f"{self.name} has no worksheet.")
            sheet = self._book.worksheets[0]
            self.sheet_name = sheet.title
            self.size = max(sheet.max_row or 1, 1)
            self.bytes_read = 0
            self._rows = self._texts(sheet)
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def _texts(self, sheet: Any) -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(sheet.iter_rows(min_row=1), start=1):
            self.bytes_read = number
            yield number, [cell_text(c.value, getattr(c, "number_format", None)) for c in row]

    def _read_header(self) -> list[str]:
        for number, values in self._rows:
            if any(values):
                self.header_line = number
                while values and not values[-1]:
                    values.pop()  # formatting often reaches past the last named column
                check_header(self.name, values)
                return values
        raise InputError(
            f"{self.name}: its first sheet '{self.sheet_name}' is empty: it needs a header row."
        )

    def __iter__(self) -> Iterator[Record]:
        width = len(self.header)
        for number, values in self._rows:
            if not any(values):
                continue  # blank row
            if len(values) > width and not any(values[width:]):
                values = values[:width]
            elif len(values) < width:  # a sheet's rows can end before the header does
                values += [""] * (width - len(values))
            yield Record(number, values)

    def close(self) -> None:
        self._book.close()
        self._handle.close()

    def __enter__(self) -> WorkbookStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
