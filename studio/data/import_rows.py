"""Turning one record of an import file into a staging row and its problems.

A file's conventions (day or month first, decimal mark) are decided from the first rows
that tell; then each value is parsed with them, and every value that cannot be is a
problem with its line and column.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from studio.core.errors import ImportProblem, InputError
from studio.data.csv_reading import Record
from studio.data.images import ImageFolder, ImageProblem, PhotoStore
from studio.data.import_schema import CUSTOMERS, ORDERS, PRODUCTS, STAGE_COLUMNS, Field, FileKind
from studio.data.tables import open_table
from studio.data.values import (
    Conventions,
    ValueProblem,
    clean_identifier,
    parse_date,
    parse_discount,
    parse_money,
    parse_quantity,
)

UNCALCULATED = (
    "holds a formula Excel never calculated (no value was saved with it): open the "
    "workbook in Excel and save it, then import again"
)
PRESCAN_ROWS = 1_000  # rows read at least to decide a file's date and number conventions


def file_conventions(
    path: Path,
    kind: FileKind,
    mapping: dict[str, int],
    date_order: str | None,
    *,
    settle_dates_later: bool = False,
) -> Conventions:
    """Decide the file's date order and decimal mark from the first rows that tell."""
    conventions = Conventions(date_order=date_order)
    dates = [i for f in kind.fields if f.kind == "date" and (i := mapping.get(f.name)) is not None]
    money = [
        i
        for f in kind.fields
        if f.kind in ("money", "discount") and (i := mapping.get(f.name)) is not None
    ]
    if not dates and not money:
        return conventions
    with open_table(path) as stream:
        for n, record in enumerate(stream):
            values = record.values
            for i in dates:
                if i < len(values) and values[i].strip():
                    conventions.observe_date(values[i])
            for i in money:
                if i < len(values) and values[i].strip():
                    conventions.observe_money(values[i].rstrip("% "))
            if n < PRESCAN_ROWS:
                continue
            # ISO dates need no decision; day/month dates are read until one tells
            dates_known = conventions.date_order is not None or not conventions.numeric_dates
            if dates_known and (conventions.decimal is not None or n >= 10 * PRESCAN_ROWS):
                break
    if conventions.date_order is None and conventions.ambiguous_date and not settle_dates_later:
        raise ambiguous_dates(path, conventions)
    return conventions


def ambiguous_dates(path: Path, conventions: Conventions) -> InputError:
    return InputError(
        f"{path.name}: dates such as '{conventions.ambiguous_date}' could be day/month or "
        "month/day, and no date in the file has a day above 12 to tell which.",
        hint="write dates as YYYY-MM-DD, or pass --date-order dmy or --date-order mdy",
    )


@lru_cache(maxsize=4096)
def _attributes_json(pairs: tuple[tuple[str, str], ...]) -> str:
    """Extra columns as JSON; cached because exports repeat the same few values a lot."""
    return json.dumps(dict(pairs), ensure_ascii=False) if pairs else "{}"


#: fields that are keys: cleaned of invisible characters and spreadsheet ".0" endings
ID_FIELDS = frozenset({"external_id", "sku", "customer", "order_ref"})


def _converter(f: Field, conventions: Conventions, cleaned: list[str]) -> Callable[[str], Any]:
    date_order, decimal = conventions.date_order, conventions.decimal
    if f.name in ID_FIELDS:

        def identifier(raw: str) -> str:
            clean = clean_identifier(raw)
            if clean != raw:
                cleaned.append(raw)
            return clean

        return identifier
    if f.kind == "date":
        return lambda raw: parse_date(raw, date_order)
    if f.kind == "quantity":
        return parse_quantity
    if f.kind == "discount":
        return lambda raw: parse_discount(raw, decimal)
    if f.kind == "email":
        return _email
    if f.kind == "money":
        allow_negative = f.name == "amount"  # refunds; prices are never negative

        def money(raw: str) -> float:
            amount = parse_money(raw, decimal)
            if amount < 0 and not allow_negative:
                raise ValueProblem(f"'{raw}' is negative")
            return amount

        return money
    return str  # text, image


def _email(raw: str) -> str:
    if "@" not in raw[1:-1]:
        raise ValueProblem(f"'{raw}' is not an email address")
    return raw


def row_parser(
    kind: FileKind,
    mapping: dict[str, int],
    header: list[str],
    conventions: Conventions,
    path: Path,
    folder: ImageFolder,
    photos: PhotoStore,
    skip_bad_rows: bool,
    cleaned: list[str] | None = None,
) -> Callable[[Record], tuple[tuple[Any, ...] | None, list[ImportProblem]]]:
    """A function that turns one record into a staging row and its problems; ids that
    had to be cleaned (a stray byte-order mark, ``17850.0``) are added to ``cleaned``."""
    cleaned = cleaned if cleaned is not None else []
    file = path.name
    width = len(header)
    columns = STAGE_COLUMNS[kind.name]
    # each parsed value has a slot: the staging columns first, then helper fields
    slots = {name: i for i, name in enumerate(columns)}
    for name in mapping:
        slots.setdefault(name, len(slots))
    by_name = {f.name: f for f in kind.fields}
    plan = [
        (
            index,
            header[index],
            by_name[name],
            _converter(by_name[name], conventions, cleaned),
            slots[name],
        )
        for name, index in mapping.items()
    ]
    extras = [
        (i, name or f"column_{i + 1}") for i, name in enumerate(header) if i not in mapping.values()
    ]
    n_slots, n_columns, attributes_slot = len(slots), len(columns), slots["attributes"]

    def parse(record: Record) -> tuple[tuple[Any, ...] | None, list[ImportProblem]]:
        line, values = record.line, record.values
        if record.nul_column is not None:
            column = header[record.nul_column] if record.nul_column < width else None
            reason = "holds a NUL byte, which no text has (a damaged or binary export?)"
            return None, [ImportProblem(file, line, column, reason)]
        if len(values) != width:
            reason = (
                f"has {len(values)} fields but the header has {width}"
                " (a delimiter inside an unquoted value?)"
            )
            return None, [ImportProblem(file, line, None, reason)]
        problems: list[ImportProblem] = []
        row: list[Any] = [None] * n_slots
        for index, column, f, convert, slot in plan:
            raw = values[index].strip()
            if not raw:
                if index in record.formula_columns:
                    problems.append(ImportProblem(file, line, column, UNCALCULATED))
                elif f.required:
                    problems.append(ImportProblem(file, line, column, f"the {f.label} is empty"))
                continue
            try:
                row[slot] = convert(raw)
            except ValueProblem as problem:
                problems.append(ImportProblem(file, line, column, str(problem)))
        if problems:
            return None, problems
        row[attributes_slot] = _attributes_json(
            tuple((name, values[i]) for i, name in extras if values[i].strip())
        )
        if kind is CUSTOMERS and row[slots["name"]] is None:
            parts = [row[slots[k]] for k in ("first_name", "last_name") if k in slots]
            row[slots["name"]] = " ".join(p for p in parts if p) or None
        elif kind is ORDERS and row[slots["discount"]] is not None:
            row[slots["discount"]], row[slots["discount_rate"]] = row[slots["discount"]]
        elif kind is PRODUCTS and (folder.root is not None or "image" in mapping):
            sku, image = row[slots["sku"]], row[slots["image"]] if "image" in slots else None
            # a photo problem is reported but never drops the product: its orders still
            # resolve, and the import fails (or reports the row) because of the problem
            try:
                photo = folder.find(sku, image, path.parent)
                if photo is not None:
                    folder.used.add(photo)
                    row[slots["image_sha256"]] = photos.store(photo)
                elif folder.root is not None:
                    folder.unmatched.append(sku)
            except ImageProblem as problem:
                column = header[mapping["image"]] if "image" in mapping else None
                reason = str(problem)
                if skip_bad_rows:
                    reason += "; the product was imported without a photo"
                problems.append(ImportProblem(file, line, column, reason))
        return (line, *row[:n_columns]), problems

    return parse
