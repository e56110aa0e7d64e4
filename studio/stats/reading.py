"""Reading an ad-level results report (Meta, Google or the studio's template) into rows.

Reports come as their platforms write them: a byte-order mark or none, UTF-16 with tabs
(Google's "Excel CSV"), title lines above the header, summary rows at the end, ``--`` for
an empty value, thousands separators and decimal commas. The number convention is decided
once per file from the values that can tell (:class:`~studio.data.values.Conventions`).
Every row that cannot be read becomes a problem with its line; nothing is guessed.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from studio.core.errors import ImportProblem, InputError
from studio.data.csv_reading import sniff_delimiter
from studio.data.values import Conventions, ValueProblem, parse_date, parse_money
from studio.stats.columns import (
    EMPTY_MARKERS,
    PLATFORMS,
    PURCHASE_INDICATORS,
    REFERENCES,
    VALUE_FIELD,
    Platform,
    column_field,
    currency_in_header,
    is_summary,
)

#: a results report larger than this is not an ad-level report of one campaign
MAX_BYTES = 200 * 1024 * 1024
#: the header is looked for in the first lines (Google writes two title lines)
HEADER_SEARCH_LINES = 10
#: day formats the platforms write besides ISO and numeric dates
_NAMED_MONTH_FORMATS = ("%b %d, %Y", "%a, %b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")


@dataclass(frozen=True)
class ResultRow:
    line: int
    #: the texts that may name the ad: its name, id and link
    references: tuple[str, ...]
    day: str
    impressions: int
    clicks: int
    conversions: float
    spend: float
    currency: str
    #: what the conversions were worth (None: the report has no such column)
    conversion_value: float | None = None


@dataclass
class ResultsFile:
    name: str
    platform: Platform
    #: field → the column it was read from
    columns: dict[str, str]
    rows: list[ResultRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    summary_rows: int = 0


def read_results(
    path: Path, platform: str | None = None, mapping: dict[str, str] | None = None
) -> ResultsFile:
    """The rows of a report. ``platform`` (``meta``, ``google``, ``generic``) is detected
    from the header when not given; ``mapping`` names columns the aliases do not know
    (``{"Meine Spalte": "impressions"}``)."""
    text = _decoded(path)
    lines = text.splitlines()
    header_at, platform_ = _find_header(lines, path.name, platform, mapping or {})
    delimiter = sniff_delimiter(lines[header_at])
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise InputError(
            f"{path.name}, line {header_at + reader.line_num}: the CSV cannot be read: {error}."
        ) from None
    header = [cell.strip() for cell in records[0]]
    columns = _columns(platform_, header, mapping or {}, path.name)
    index = {name: header.index(column) for name, column in columns.items()}
    result = ResultsFile(path.name, platform_, columns)
    body = [
        (header_at + 2 + i, row) for i, row in enumerate(records[1:]) if any(map(str.strip, row))
    ]
    mapped = any(field == "conversions" for field in (mapping or {}).values())
    _purchase_results(result, body, index, mapped)
    conventions = _conventions(body, index)
    header_currency = currency_in_header(columns.get("spend", ""))
    for position, (line, cells) in enumerate(body):
        # Meta's exports open with a row of totals that names no ad; Google's end with
        # "Total: …" rows
        names_no_ad = not any(
            index[name] < len(cells) and cells[index[name]].strip() not in EMPTY_MARKERS
            for name in REFERENCES
            if name in index
        )
        if is_summary(cells) or (position == 0 and names_no_ad):
            result.summary_rows += 1
            continue
        try:
            result.rows.append(_row(line, cells, index, conventions, header_currency))
        except _Problem as problem:
            result.problems.append(ImportProblem(path.name, line, problem.column, str(problem)))
    return result


def _decoded(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file.")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"{path.name} is {size / 1e6:.0f} MB; an ad-level report is far smaller.",
            hint="export one campaign's ads by day",
        )
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"{path.name}, line {line}: not valid UTF-8 (byte 0x{raw[error.start]:02x}).",
            hint="export the report as CSV (UTF-8)",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(f"{path.name}, line {line}: contains a NUL byte; it is not a text report.")
    if not text.strip():
        raise InputError(f"{path.name} is empty.")
    return text


def _find_header(
    lines: list[str], name: str, platform: str | None, mapping: dict[str, str]
) -> tuple[int, Platform]:
    if platform is not None and platform not in PLATFORMS:
        raise InputError(
            f"Unknown results platform '{platform}'.", hint=f"one of {', '.join(PLATFORMS)}"
        )
    candidates = [PLATFORMS[platform]] if platform else list(PLATFORMS.values())
    for number, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        cells = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
        header = [cell.strip() for cell in cells]
        for candidate in candidates:
            known = (column_field(candidate, h) for h in header)
            fields = {found[0] for found in known if found} | {
                mapping[h] for h in header if h in mapping
            }
            if set(candidate.signature) <= fields or (
                platform and "impressions" in fields and fields & set(REFERENCES)
            ):
                return number, candidate
    wanted = " or ".join(
        f"{p.label} ({', '.join(p.aliases[f][0] for f in p.signature)})" for p in candidates
    )
    raise InputError(
        f"{name}: no header of an ad-level results report in its first "
        f"{HEADER_SEARCH_LINES} lines.",
        hint=f"expected the columns of {wanted}; name other columns with --map",
    )


def _columns(
    platform: Platform, header: list[str], mapping: dict[str, str], file: str
) -> dict[str, str]:
    """field → column; of several columns for one field the earliest alias wins
    (``Link clicks`` before ``Clicks (all)``)."""
    unknown = sorted(set(mapping) - set(header))
    if unknown:
        raise InputError(f"{file} has no column '{unknown[0]}' to map.")
    chosen: dict[str, tuple[int, str]] = {}
    for column in header:
        found = (mapping[column], -1) if column in mapping else column_field(platform, column)
        if found is None:
            continue
        name, rank = found
        if name not in chosen or rank < chosen[name][0]:
            chosen[name] = (rank, column)
    columns = {name: column for name, (_, column) in chosen.items()}
    if "conversions" not in columns and "results" in columns:
        columns["conversions"] = columns["results"]  # checked against its indicator below
    has_day = "day" in columns or "starts" in columns
    missing = [
        label
        for label, ok in (
            ("impressions", "impressions" in columns),
            ("a day", has_day),
            ("the ad's name, id or link", bool(set(columns) & set(REFERENCES))),
        )
        if not ok
    ]
    if missing:
        raise InputError(
            f"{file}: no column for {', '.join(missing)}.",
            hint=f'columns found: {", ".join(header)}; name one with --map "COLUMN=field"',
        )
    if "clicks" not in columns:
        interactions = next((h for h in header if _plain(h) in ("interactions", "interaktionen")),
                            None)  # fmt: skip
        raise InputError(
            f"{file} has no clicks column"
            + (f" (it has '{interactions}', which also counts other engagements)"
               if interactions else "") + ".",
            hint=(f'to count {interactions} as clicks, import with --map "{interactions}=clicks"'
                  if interactions else 'export the report with Clicks, or name the column '
                  'with --map "COLUMN=clicks"'),
        )  # fmt: skip
    return columns


def _plain(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _purchase_results(
    result: ResultsFile, body: list[tuple[int, list[str]]], index: dict[str, int], mapped: bool
) -> None:
    """Meta's Results count what the campaign's objective counts (link clicks, adds to cart
    …): they stand for purchases only when every row's Result indicator says so, or when
    the user named that column for conversions."""
    column = result.columns.get("conversions")
    if mapped or column is None or column != result.columns.get("results"):
        return
    position = index.get("result_indicator")
    indicators = {
        cells[position].strip()
        for _, cells in body
        if position is not None and position < len(cells) and cells[position].strip()
    }
    purchases = bool(indicators) and all(
        any(word in indicator.lower() for word in PURCHASE_INDICATORS) for indicator in indicators
    )
    if not purchases:
        counts = ", ".join(sorted(indicators)[:3]) if indicators else "no Result indicator"
        raise InputError(
            f"{result.name}: its '{column}' column counts {counts}, not purchases, so it "
            "cannot stand for conversions.",
            hint="export with a Purchases column, or count these results as conversions "
            f'anyway with --map "{column}=conversions"',
        )


def _conventions(body: list[tuple[int, list[str]]], index: dict[str, int]) -> Conventions:
    conventions = Conventions()
    for _, cells in body:
        for name in ("spend", "conversions", "impressions", "clicks"):
            if name in index and index[name] < len(cells):
                conventions.observe_money(cells[index[name]].strip())
        for name in ("day", "starts"):
            if name in index and index[name] < len(cells):
                conventions.observe_date(cells[index[name]].strip())
        if conventions.decimal and conventions.date_order:
            break
    return conventions


class _Problem(ValueProblem):
    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message)
        self.column = column


def _row(
    line: int,
    cells: list[str],
    index: dict[str, int],
    conventions: Conventions,
    header_currency: str | None,
) -> ResultRow:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    references = tuple(cell(name) for name in REFERENCES if cell(name))
    if not references:
        raise _Problem("names no ad (its name, id and link are empty)", None)
    day = _day(cell("day") or cell("starts"), conventions, "day" if cell("day") else "starts")
    if not cell("day") and cell("ends"):
        ends = _day(cell("ends"), conventions, "ends")
        if ends != day:
            raise _Problem(
                f"covers {day} to {ends}, not one day (export with a breakdown by day)", "ends"
            )
    impressions = _count(cell("impressions"), conventions, "impressions")
    clicks = _count(cell("clicks"), conventions, "clicks")
    if clicks > impressions:
        raise _Problem(f"{clicks} clicks but only {impressions} impressions", "clicks")
    conversions = _amount(cell("conversions"), conventions, "conversions")
    spend = _amount(cell("spend"), conventions, "spend")
    value = _amount(cell(VALUE_FIELD), conventions, VALUE_FIELD) if VALUE_FIELD in index else None
    return ResultRow(
        line=line,
        references=references,
        day=day,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        spend=spend,
        currency=cell("currency") or header_currency or "",
        conversion_value=value,
    )


def _day(text: str, conventions: Conventions, column: str) -> str:
    if not text:
        raise _Problem("has no day", column)
    try:
        return parse_date(text, conventions.date_order)[:10]
    except ValueProblem as problem:
        for pattern in _NAMED_MONTH_FORMATS:
            try:
                return datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        raise _Problem(str(problem), column) from None


def _amount(text: str, conventions: Conventions, column: str) -> float:
    if text in EMPTY_MARKERS:
        return 0.0
    try:
        value = parse_money(text, conventions.decimal)
    except ValueProblem as problem:
        raise _Problem(str(problem).replace("an amount of money", "a number"), column) from None
    if value < 0 or not math.isfinite(value):
        raise _Problem(f"'{text}' is negative", column)
    return value


def _count(text: str, conventions: Conventions, column: str) -> int:
    value = _amount(text, conventions, column)
    if value != int(value):
        raise _Problem(f"'{text}' is not a whole number of {column}", column)
    return int(value)
