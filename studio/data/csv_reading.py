"""Streaming CSV files as real exports write them.

UTF-8 with or without a byte-order mark, comma, semicolon, tab or pipe as the delimiter
(decided from the header line), quoted fields that span lines. Records come out one at a
time with the line they start on, so memory stays flat for any file size and every
problem can name its line. Files no real export writes are refused with their line:
more than :data:`MAX_COLUMNS` columns, a value over :data:`MAX_FIELD_CHARS`, a header
that names a column twice, NUL bytes.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import ImportProblem, InputError

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 1_000
MAX_FIELD_CHARS = 131_072  # the csv module's own limit, named so messages can say it
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


_AFTER_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def normalise_header(name: str) -> str:
    """``Customer ID``, ``customer_id``, ``CustomerID`` → ``customerid``."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def sniff_delimiter(header_line: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def check_header(file: str, header: list[str]) -> None:
    """Refuse a header no real export has: too many columns, or one name twice (the
    second column would silently replace the first)."""
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"{file}: the header has {len(header):,} columns; the studio reads at most "
            f"{MAX_COLUMNS:,}.",
            hint="export only the columns you need",
        )
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name and (first := seen.setdefault(name.casefold(), number)) != number:
            raise InputError(
                f"{file}, the header: columns {first} and {number} are both called '{name}', "
                "so one would silently replace the other.",
                hint="rename or remove one of them",
            )


@dataclass
class Record:
    line: int  # the line the record starts on (1 = the header)
    values: list[str]
    nul_column: int | None = None  # the first value holding a NUL byte, if any
    #: columns whose cell is a formula Excel never calculated (workbooks only)
    formula_columns: tuple[int, ...] = ()


def _reason(error: csv.Error) -> str:
    reason = str(error)
    if reason == "unexpected end of data":
        return "a quoted value that starts here is never closed"
    if reason.startswith("field larger than field limit"):
        return (
            f"a value is longer than {MAX_FIELD_CHARS:,} characters (often a quote that "
            "is never closed)"
        )
    return reason


class CsvStream:
    """One CSV file, read lazily. ``header`` is known after construction; iterate for
    records; ``bytes_read`` / ``size`` give progress."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file.")
        self.size = path.stat().st_size
        self.bytes_read = 0
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close() / the context
        self._physical_line = 0
        self._nul_lines: set[int] = set()
        try:
            first = self._handle.readline()
            if first.startswith(_UTF16_BOMS):
                raise InputError(
                    f"{self.name} is saved as UTF-16.", hint="save it as UTF-8 (CSV UTF-8)"
                )
            first_text = self._decode(first.removeprefix(codecs.BOM_UTF8))
            if not first_text.strip():
                raise InputError(f"{self.name} is empty: it needs a header line.")
            self.delimiter = sniff_delimiter(_AFTER_LONE_CR.split(first_text)[0])
            # strict: a stray or unclosed quote is an error, not a silently merged row
            self._reader = csv.reader(
                self._lines(first_text), delimiter=self.delimiter, strict=True
            )
            self.header = self._read_header()
        except BaseException:
            self._handle.close()
            raise

    def _read_header(self) -> list[str]:
        try:
            header = [h.strip() for h in next(self._reader)]
        except csv.Error as error:
            raise InputError(
                f"{self.name}, line 1 (the header): the CSV cannot be read: {_reason(error)}.",
                hint="check the quotes in the header line",
            ) from None
        if self._nul_lines:
            raise InputError(
                f"{self.name}, line 1 (the header): it holds NUL bytes, which no text file has.",
                hint="export the file again as CSV UTF-8",
            )
        check_header(self.name, header)
        return header

    def _decode(self, raw: bytes) -> str:
        self._physical_line += 1
        self.bytes_read += len(raw)
        if b"\x00" in raw:
            self._nul_lines.add(self._physical_line)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{self.name}, line {self._physical_line}: not valid UTF-8 "
                f"(byte 0x{raw[error.start]:02x}).",
                hint="save the file as UTF-8 (CSV UTF-8)",
            ) from None

    def _lines(self, first: str) -> Iterator[str]:
        # a lone carriage return ends a line too (old Mac exports, files edited on
        # several systems); splitting after it keeps every character, also in quotes
        for text in itertools.chain([first], map(self._decode, self._handle)):
            if "\r" in text.rstrip("\r\n"):
                yield from filter(None, _AFTER_LONE_CR.split(text))
            else:
                yield text

    def __iter__(self) -> Iterator[Record]:
        reader = self._reader
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                reason = _reason(error)
                raise InputError(
                    f"{self.name}, line {start}: the CSV cannot be read: {reason}.",
                    problems=[ImportProblem(self.name, start, None, reason)],
                    hint="check the quotes in that row",
                ) from None
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # blank line
            nul_column = None
            if self._nul_lines:  # rare: only then is each value searched
                nul_column = next((i for i, v in enumerate(values) if "\x00" in v), None)
                self._nul_lines.clear()
            yield Record(start, values, nul_column)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> CsvStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
