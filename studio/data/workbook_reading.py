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
from xml.etree.ElementTree import ParseError

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


#: a workbook is a zip of XML: refused before parsing when it would expand beyond this …
MAX_EXPANDED_BYTES = 2 << 30
#: … or when one part expands more than this many times (a spreadsheet bomb; real
#: sheets compress 5 to 50 times)
MAX_RATIO = 200
_SLACK = 1 << 20
#: workbooks up to this size are read a second time to explain uncalculated formulas
FORMULA_SCAN_BYTES = 20 << 20


def check_archive(path: Path) -> None:
    """Refuse a workbook whose parts would expand to an absurd size, before reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, NotImplementedError) as error:  # a damaged header
        raise _unreadable(path.name, error) from None
    total = 0
    for info in infos:
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) + _SLACK:
            raise InputError(
                f"{path.name} is not a workbook the studio reads: its part {info.filename} "
                f"expands {info.compress_size:,} bytes to {info.file_size:,} (a spreadsheet "
                "bomb's compression ratio).",
                hint="open it in Excel and save it again, or export the sheet as CSV UTF-8",
            )
        total += info.file_size
    if total > MAX_EXPANDED_BYTES:
        raise InputError(
            f"{path.name} expands to {total / 2**30:.1f} GiB of XML, more than the "
            f"{MAX_EXPANDED_BYTES >> 30} GiB the studio reads.",
            hint="split it, or export the sheet as CSV UTF-8",
        )


def _unreadable(name: str, error: BaseException) -> InputError:
    detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return InputError(
        f"{name} is not a workbook the studio can read ({detail}).",
        hint="open it in Excel and save it again as .xlsx, or export it as CSV UTF-8",
    )


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
        check_archive(path)
        # a handle, not the path: openpyxl would refuse a workbook by its file name
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close() / the context
        self._formulas = None
        try:
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
                ParseError) as e:  # fmt: skip
            self._handle.close()
            raise _unreadable(self.name, e) from None
        try:
            if not self._book.worksheets:
                raise InputError(f"{self.name} has no worksheet.")
            sheet = self._book.worksheets[0]
            self.sheet_name = sheet.title
            # the stored dimension can claim the whole grid (A1:XFD1048576, written for
            # formatting whole columns): read the cells that exist, not the claim
            sheet.reset_dimensions()
            self.size = max(path.stat().st_size, 1)
            self.bytes_read = 0
            self._rows = self._texts(sheet)
            self.header = self._read_header()
        except ParseError as error:
            self.close()
            raise _unreadable(self.name, error) from None
        except BaseException:
            self.close()
            raise

    def _texts(self, sheet: Any) -> Iterator[tuple[int, list[str]]]:
        rows = sheet.iter_rows(min_row=1)
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except (ParseError, ValueError, KeyError) as error:
                raise _unreadable(self.name, error) from None
            number = row[0].row if row and getattr(row[0], "row", None) else number + 1
            # progress in the file's bytes is unknown while streaming; rows stand in
            self.bytes_read = min(number * 64, self.size)
            yield number, [cell_text(c.value, getattr(c, "number_format", None)) for c in row]

    def _uncalculated_formulas(self) -> dict[int, tuple[int, ...]]:
        """Per row, the columns holding a formula Excel never calculated (the file has no
        value saved with it, so it reads as empty): read only to explain empty values."""
        import openpyxl

        if self._formulas is None:
            self._formulas = {}
            if self.size <= FORMULA_SCAN_BYTES:
                with open(self.path, "rb") as handle:
                    book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
                    sheet = book.worksheets[0]
                    sheet.reset_dimensions()
                    for row in sheet.iter_rows():
                        found = tuple(
                            i for i, c in enumerate(row)
                            if isinstance(c.value, str) and c.value.startswith("=")
                        )  # fmt: skip
                        if found and getattr(row[0], "row", None):
                            self._formulas[row[0].row] = found
                    book.close()
        return self._formulas

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
            formulas: tuple[int, ...] = ()
            if not all(values):
                formulas = tuple(
                    i for i in self._uncalculated_formulas().get(number, ()) if not values[i]
                )
            yield Record(number, values, formula_columns=formulas)

    def close(self) -> None:
        self._book.close()
        self._handle.close()

    def __enter__(self) -> WorkbookStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
