"""Opening a table file: CSV, or an Excel workbook, told apart by the file's content.

A workbook saved with a ``.csv`` name is still read as a workbook, and a CSV named
``.xlsx`` as a CSV, because the bytes decide, not the name. Old binary ``.xls`` files
are refused with what to do: no well-kept reader for them is small enough to ship.
"""

from __future__ import annotations

from pathlib import Path

from studio.core.errors import InputError
from studio.data.csv_reading import CsvStream
from studio.data.workbook_reading import OLD_EXCEL_SUFFIXES, WORKBOOK_SUFFIXES, WorkbookStream

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", *WORKBOOK_SUFFIXES, *OLD_EXCEL_SUFFIXES)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls files


def open_table(path: Path) -> CsvStream | WorkbookStream:
    """A stream of the table in ``path``, with its header read."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file.")
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(_ZIP_MAGIC):
        return WorkbookStream(path)
    if magic == _OLE_MAGIC:
        raise InputError(
            f"{path.name} is an old-style Excel file (.xls), which the studio does not read.",
            hint="open it in Excel and save it as .xlsx or as CSV UTF-8",
        )
    return CsvStream(path)
