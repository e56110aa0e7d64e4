"""Importing customers, products and orders from CSV exports or Excel workbooks (plus
product photos).

How an import runs, and why:

1. **Reading, without a lock on the workspace.** Each file is streamed once
   (:mod:`studio.data.tables`); its columns are matched to our fields through header
   aliases, values are parsed with the file's conventions (:mod:`studio.data.values`),
   and every rejected value is recorded with file, line, column and reason. Parsed rows
   go in batches into a temporary staging table on the import's own connection, so
   memory stays flat however long the file is, and jobs and other windows keep writing
   to the workspace meanwhile. Photos are checked and put in the asset store.
2. **One short write.** Checks that need the whole file or the database run in SQL on
   the staging tables (duplicate keys within a file, orders that name unknown customers
   or products); then the staged rows are upserted (on ``external_id``, ``sku`` and
   ``(order_ref, product)``, so importing the same files again changes nothing) and the
   photos' rows recorded.

All files of one import share that one transaction: by default any problem means
nothing is written; with ``skip_bad_rows`` the bad rows are left out and listed in a
report file. Ctrl-C or a crash rolls the transaction back, and photos stored by a
rolled-back import are removed again (those a killed process left are found by
``studio info --verify``).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from studio.core.errors import ImportProblem, InputError
from studio.data.csv_reading import Record, normalise_header
from studio.data.images import ImageFolder, ImageProblem, PhotoStore
from studio.data.tables import open_table
from studio.data.values import (
    DATE_ORDERS,
    Conventions,
    ValueProblem,
    parse_date,
    parse_discount,
    parse_money,
    parse_quantity,
)
from studio.storage.leftovers import PARTIAL_SUFFIX
from studio.storage.outputs import check_destination, starts_with
from studio.storage.workspace import Workspace

Progress = Callable[[str, float | None], None]

BATCH_ROWS = 5_000
KEPT_PROBLEMS = 1_000  # the report file has all of them; memory keeps the first ones
PRESCAN_ROWS = 1_000  # rows read at least to decide a file's date and number conventions
REPORTS_DIR = "import-reports"
READ_SHARE = 0.9  # of the progress bar: reading the files; the write takes the rest


# --- what each file holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text, email, date, money, quantity, discount, image
    aliases: tuple[str, ...]
    required: bool = False


_CUSTOMER_ALIASES = ("customerid", "customer", "customerno", "customernumber", "customerref",
                     "clientid", "externalid", "custid")  # fmt: skip
_SKU_ALIASES = ("sku", "productid", "productsku", "productcode", "itemid", "itemcode",
                "stockcode", "articlenumber", "articleno")  # fmt: skip


@dataclass(frozen=True)
class FileKind:
    name: str  # customers, products, orders
    table: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]

    def field_for(self, header: str) -> tuple[Field, int] | None:
        """The field a column holds, and how specific the name is (0 = most)."""
        normal = normalise_header(header)
        return next(((f, f.aliases.index(normal)) for f in self.fields if normal in f.aliases),
                    None)  # fmt: skip


CUSTOMERS = FileKind(
    "customers",
    "customers",
    ("external_id",),
    (
        Field("external_id", "customer id", "text", (*_CUSTOMER_ALIASES, "id"), required=True),
        Field("name", "name", "text", ("name", "fullname", "customername")),
        Field("first_name", "first name", "text", ("firstname", "givenname", "forename")),
        Field("last_name", "last name", "text", ("lastname", "surname", "familyname")),
        Field("email", "email", "email", ("email", "emailaddress", "mail", "customeremail")),
        Field("country", "country", "text", ("country", "countrycode", "countryname")),
        Field("city", "city", "text", ("city", "town")),
        Field(
            "signup_date",
            "signup date",
            "date",
            (
                "signupdate",
                "signedup",
                "signedupat",
                "signupat",
                "createdat",
                "created",
                "registrationdate",
                "registered",
                "registeredat",
                "joined",
                "joindate",
                "customersince",
                "firstseen",
            ),
        ),
    ),
)

PRODUCTS = FileKind(
    "products",
    "products",
    ("sku",),
    (
        Field("sku", "SKU", "text", (*_SKU_ALIASES, "id"), required=True),
        Field(
            "name",
            "name",
            "text",
            ("name", "productname", "title", "itemname", "product"),
            required=True,
        ),
        Field(
            "category",
            "category",
            "text",
            ("category", "productcategory", "producttype", "type", "department"),
        ),
        Field(
            "description",
            "description",
            "text",
            ("description", "productdescription", "details", "body"),
        ),
        Field("price", "price", "money", ("price", "unitprice", "listprice", "retailprice")),
        Field("currency", "currency", "text", ("currency", "currencycode")),
        Field(
            "image",
            "image",
            "image",
            ("image", "imagepath", "imagefile", "imagefilename", "photo", "picture", "filename"),
        ),
    ),
)

ORDERS = FileKind(
    "orders",
    "orders",
    ("order_ref", "sku"),
    (
        Field(
            "order_ref",
            "order id",
            "text",
            (
                "orderid",
                "orderref",
                "ordernumber",
                "orderno",
                "order",
                "invoice",
                "invoiceno",
                "invoicenumber",
                "invoiceid",
                "transactionid",
            ),
            required=True,
        ),
        Field("customer", "customer id", "text", _CUSTOMER_ALIASES, required=True),
        Field("sku", "product SKU", "text", (*_SKU_ALIASES, "product"), required=True),
        Field(
            "ordered_at",
            "order date",
            "date",
            (
                "orderdate",
                "date",
                "orderedat",
                "createdat",
                "purchasedate",
                "invoicedate",
                "timestamp",
                "datetime",
                "orderdatetime",
            ),
            required=True,
        ),
        Field("quantity", "quantity", "quantity", ("quantity", "qty", "units")),
        Field("unit_price", "unit price", "money", ("unitprice", "price", "itemprice")),
        Field(
            "discount",
            "discount",
            "discount",
            ("discount", "discountamount", "discountvalue", "promodiscount"),
        ),
        Field(
            "amount",
            "amount",
            "money",
            ("amount", "total", "linetotal", "revenue", "sales", "netamount", "value"),
        ),
    ),
)

_STAGE_COLUMNS = {
    "customers": ("external_id", "name", "email", "country", "city", "signup_date", "attributes"),
    "products": (
        "sku",
        "name",
        "category",
        "description",
        "price",
        "currency",
        "image_sha256",
        "attributes",
    ),
    "orders": (
        "order_ref",
        "customer",
        "sku",
        "ordered_at",
        "quantity",
        "unit_price",
        "discount",
        "discount_rate",
        "amount",
        "attributes",
    ),
}


# --- results ----------------------------------------------------------------------------


@dataclass
class FileReport:
    file: str
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)  # the first KEPT_PROBLEMS
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    photos_stored: int = 0
    report_path: Path | None = None

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [f.as_dict() for f in self.files],
            "photos_stored": self.photos_stored,
            "skipped_rows": self.skipped,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
            "warnings": self.warnings,
            "report": str(self.report_path) if self.report_path else None,
        }


REPORT_HEADER = ["file", "line", "column", "reason"]
#: how a report the studio wrote begins (one it may write over)
REPORT_MARKER = ",".join(REPORT_HEADER).encode()


class _ProblemLog:
    """Every problem goes to the report file (when there is one); the first ones are kept
    in memory for messages."""

    def __init__(self, report: ImportReport, path: Path | None) -> None:
        self.report = report
        self.path = path
        self._partial: Path | None = None
        self._handle = None
        self._writer: Any = None

    def add(self, problem: ImportProblem) -> None:
        self.report.problem_count += 1
        if len(self.report.problems) < KEPT_PROBLEMS:
            self.report.problems.append(problem)
        if self.path is not None:
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # written beside its place and renamed there when complete
                self._partial = self.path.with_name(f".{self.path.name}{PARTIAL_SUFFIX}")
                self._handle = open(self._partial, "w", newline="", encoding="utf-8")  # noqa: SIM115
                self._writer = csv.writer(self._handle)
                self._writer.writerow(REPORT_HEADER)
            self._writer.writerow([problem.file, problem.line, problem.column, problem.reason])

    @property
    def written(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            assert self._partial is not None and self.path is not None
            os.replace(self._partial, self.path)


# --- the import -------------------------------------------------------------------------


def import_files(
    ws: Workspace,
    customers: Path | None = None,
    orders: Path | None = None,
    products: Path | None = None,
    images: Path | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    *,
    report_path: Path | None = None,
    overwrite_report: bool = False,
    date_order: str | None = None,
) -> ImportReport:
    """Import any of the three files (and photos) into ``ws`` in one transaction.

    Raises :class:`InputError` (with ``problems``) when any row is bad and
    ``skip_bad_rows`` is false; nothing is written then. With ``skip_bad_rows`` the bad
    rows are left out and listed in ``report_path`` (default: a time-stamped CSV in the
    workspace's ``import-reports`` folder). ``date_order`` (``"dmy"`` or ``"mdy"``) settles
    dates such as ``03/04/2024`` in files where no date shows the order.
    """
    named = ((PRODUCTS, products), (CUSTOMERS, customers), (ORDERS, orders))
    sources = [(kind, path) for kind, path in named if path]
    if not sources and images is None:
        raise InputError("Nothing to import: name a customers, products or orders file.")
    if date_order is not None and date_order not in DATE_ORDERS:
        raise InputError(f"Unknown date order '{date_order}'.", hint="use 'dmy' or 'mdy'")
    if images is not None and not Path(images).is_dir():
        raise InputError(f"The images folder {images} does not exist.")
    for _, path in sources:
        if not Path(path).is_file():
            raise InputError(f"{path} does not exist or is not a file.")
    if report_path is not None:  # never over a workspace's own files or a stranger's file
        report_path = check_destination(
            report_path, overwrite=overwrite_report, ours=starts_with(REPORT_MARKER),
            what="report of skipped rows",
        )  # fmt: skip
    if skip_bad_rows and report_path is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        report_path = ws.path / REPORTS_DIR / f"skipped-{stamp}.csv"

    report = ImportReport(report_path=report_path)
    log = _ProblemLog(report, report_path)
    sizes = {path: max(Path(path).stat().st_size, 1) for _, path in sources}
    total = sum(sizes.values()) or 1
    done = 0
    tick = progress or (lambda description, fraction=None: None)
    folder = ImageFolder.scan(Path(images) if images else None)
    photos = PhotoStore(ws)
    conn = ws.db.conn
    try:
        with _staging_tables(conn, [kind for kind, _ in sources]):
            # the slow part (reading, parsing, photos) holds no lock on the workspace:
            # jobs and other windows keep writing while a long file is read
            staged = []
            for kind, path in sources:
                path = Path(path)

                def file_progress(
                    fraction: float, step: str, path: Path = path, done: int = done
                ) -> None:
                    reading = (done + fraction * sizes[path]) / total
                    tick(f"{step} {path.name}", READ_SHARE * reading)

                staged.append(
                    _stage_file(
                        conn, kind, path, folder, photos, log, skip_bad_rows, date_order,
                        file_progress,
                    )
                )  # fmt: skip
                done += sizes[path]
            matched = []
            if products is None and images is not None:
                matched = _photos_for_existing(ws, folder, photos, log)
            conn.commit()  # the staging tables only: the workspace itself is untouched
            with ws.write() as db:  # then one short write: checks, upserts, photo rows
                photos.record()
                for index, file in enumerate(staged):
                    share = READ_SHARE + (1 - READ_SHARE) * index / len(staged)
                    tick(f"Writing {file.path.name}", share)
                    report.files.append(_write_file(db.conn, file, log))
                db.conn.executemany("UPDATE products SET image_sha256 = ? WHERE sku = ?", matched)
                if report.problem_count and not skip_bad_rows:
                    raise _nothing_written(report)
        report.photos_stored = photos.stored
        if not log.written:  # a clean run leaves no empty report behind
            report.report_path = None
        report.warnings.extend(_photo_warnings(folder, products is not None or images is not None))
    except BaseException:
        photos.discard_new()
        raise
    finally:
        log.close()
    tick("Import finished", 1.0)
    return report


def _nothing_written(report: ImportReport) -> InputError:
    first = report.problems[0]
    rows = "1 problem" if report.problem_count == 1 else f"{report.problem_count:,} problems"
    where = f"; all of them are listed in {report.report_path}" if report.report_path else ""
    return InputError(
        f"Nothing was imported: {rows} in the input{where}. First: {first}",
        problems=report.problems,
        hint="fix the rows, or import with --skip-bad-rows to leave them out",
    )


@contextmanager
def _staging_tables(conn: Any, kinds: list[FileKind]) -> Iterator[None]:
    """One temporary table per file kind (on this connection only, outside the
    workspace's database) for the parsed rows."""
    try:
        for kind in kinds:
            columns = ", ".join(_STAGE_COLUMNS[kind.name])
            conn.execute(f"DROP TABLE IF EXISTS temp.stage_{kind.name}")
            conn.execute(
                f"CREATE TEMP TABLE stage_{kind.name} (line INTEGER NOT NULL,"
                f" bad INTEGER NOT NULL DEFAULT 0, {columns})"
            )
        yield
    finally:
        if conn.in_transaction:
            conn.rollback()
        for kind in kinds:
            conn.execute(f"DROP TABLE IF EXISTS temp.stage_{kind.name}")


@dataclass
class _StagedFile:
    kind: FileKind
    path: Path
    mapping: dict[str, int]
    report: FileReport


def _stage_file(
    conn: Any,
    kind: FileKind,
    path: Path,
    folder: ImageFolder,
    photos: PhotoStore,
    log: _ProblemLog,
    skip_bad_rows: bool,
    date_order: str | None,
    progress: Callable[[float, str], None],
) -> _StagedFile:
    """Read and parse one file into its staging table; no workspace table is touched."""
    report = FileReport(path.name, kind.name)
    with open_table(path) as stream:
        mapping = _map_columns(kind, stream.header, path.name)
    conventions = _conventions(path, kind, mapping, date_order)
    parse_row = _row_parser(
        kind, mapping, stream.header, conventions, path, folder, photos, skip_bad_rows
    )
    columns = _STAGE_COLUMNS[kind.name]
    insert = (
        f"INSERT INTO temp.stage_{kind.name} (line, {', '.join(columns)})"
        f" VALUES (?, {', '.join('?' for _ in columns)})"
    )
    with open_table(path) as stream:
        batch: list[tuple[Any, ...]] = []
        for record in stream:
            report.rows += 1
            row, problems = parse_row(record)
            for problem in problems:
                log.add(problem)
            if row is None:
                report.skipped += 1
            else:
                batch.append(row)
            if len(batch) >= BATCH_ROWS:
                conn.executemany(insert, batch)
                batch.clear()
                progress(stream.bytes_read / stream.size, "Reading")
        if batch:
            conn.executemany(insert, batch)
    progress(1.0, "Read")
    return _StagedFile(kind, path, mapping, report)


def _write_file(conn: Any, file: _StagedFile, log: _ProblemLog) -> FileReport:
    """Inside the import's write: the checks that need the workspace, then the upsert."""
    kind, report, table = file.kind, file.report, f"temp.stage_{file.kind.name}"
    for problem in _checks(conn, kind, table, file.path.name):
        log.add(problem)
    report.skipped += conn.execute(f"SELECT count(*) FROM {table} WHERE bad").fetchone()[0]
    before = conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]
    conn.execute(_UPSERTS[kind.name](_present(kind, file.mapping)))
    changed = conn.execute("SELECT changes()").fetchone()[0]
    after = conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]
    report.inserted = after - before
    report.updated = changed - report.inserted
    return report


def _map_columns(kind: FileKind, header: list[str], file: str) -> dict[str, int]:
    """Field name → column index. When two columns could hold one field, the more specific
    name wins (``Order Date`` over ``Date``, ``SKU`` over ``id``) and the other stays an
    extra column; two equally specific names are refused."""
    mapping: dict[str, int] = {}
    ranks: dict[str, int] = {}
    for index, name in enumerate(header):
        matched = kind.field_for(name)
        if matched is None:
            continue
        field_, rank = matched
        if field_.name in mapping:
            if rank == ranks[field_.name]:
                other = header[mapping[field_.name]]
                raise InputError(
                    f"{file}: columns '{other}' and '{name}' both look like the {field_.label}.",
                    hint="rename or remove one of them",
                )
            if rank > ranks[field_.name]:
                continue
        mapping[field_.name], ranks[field_.name] = index, rank
    missing = [f for f in kind.fields if f.required and f.name not in mapping]
    if missing:
        wanted = "; ".join(f"{f.label} (e.g. '{f.aliases[0]}')" for f in missing)
        raise InputError(
            f"{file} does not look like a {kind.name} file: no column for {wanted}. "
            f"Its columns are: {', '.join(header) or '(none)'}."
        )
    return mapping


def _present(kind: FileKind, mapping: dict[str, int]) -> set[str]:
    present = set(mapping)
    if {"first_name", "last_name"} & present:
        present.add("name")
    if "image" in present:
        present.add("image_sha256")
    return present


def _conventions(
    path: Path, kind: FileKind, mapping: dict[str, int], date_order: str | None
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
    if conventions.date_order is None and conventions.ambiguous_date:
        example = conventions.ambiguous_date
        raise InputError(
            f"{path.name}: dates such as '{example}' could be day/month or month/day, and no "
            "date in the file has a day above 12 to tell which.",
            hint="write dates as YYYY-MM-DD, or pass --date-order dmy or --date-order mdy",
        )
    return conventions


@lru_cache(maxsize=4096)
def _attributes_json(pairs: tuple[tuple[str, str], ...]) -> str:
    """Extra columns as JSON; cached because exports repeat the same few values a lot."""
    return json.dumps(dict(pairs), ensure_ascii=False) if pairs else "{}"


def _converter(f: Field, conventions: Conventions) -> Callable[[str], Any]:
    date_order, decimal = conventions.date_order, conventions.decimal
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


def _row_parser(
    kind: FileKind,
    mapping: dict[str, int],
    header: list[str],
    conventions: Conventions,
    path: Path,
    folder: ImageFolder,
    photos: PhotoStore,
    skip_bad_rows: bool,
) -> Callable[[Record], tuple[tuple[Any, ...] | None, list[ImportProblem]]]:
    """A function that turns one record into a staging row and its problems."""
    file = path.name
    width = len(header)
    columns = _STAGE_COLUMNS[kind.name]
    # each parsed value has a slot: the staging columns first, then helper fields
    slots = {name: i for i, name in enumerate(columns)}
    for name in mapping:
        slots.setdefault(name, len(slots))
    by_name = {f.name: f for f in kind.fields}
    plan = [
        (index, header[index], by_name[name], _converter(by_name[name], conventions), slots[name])
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
                if f.required:
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


def _checks(conn: Any, kind: FileKind, table: str, file: str) -> list[ImportProblem]:
    """Problems only the whole file or the database can show; marks those rows bad."""
    key = ", ".join(kind.key)
    labels = {"external_id": "customer id", "sku": "SKU", "order_ref": "order"}
    problems = []
    duplicates = conn.execute(
        f"SELECT s.rowid, s.line, first.line, {', '.join('s.' + k for k in kind.key)}"
        f" FROM {table} s JOIN (SELECT min(rowid) AS id, line, {key} FROM {table}"
        f" WHERE NOT bad GROUP BY {key} HAVING count(*) > 1) AS first USING ({key})"
        " WHERE s.rowid != first.id AND NOT s.bad"
    ).fetchall()
    for _, line, first_line, *values in duplicates:
        what = " and ".join(f"{labels[k]} '{v}'" for k, v in zip(kind.key, values, strict=True))
        problems.append(ImportProblem(file, line, None, f"{what} already on line {first_line}"))
    conn.executemany(f"UPDATE {table} SET bad = 1 WHERE rowid = ?", [(d[0],) for d in duplicates])
    if kind is ORDERS:
        checks = (
            ("customer", "customers", "external_id", "no customer with id '{}' in the customers"),
            ("sku", "products", "sku", "no product with SKU '{}' in the products"),
        )
        for column, target, target_key, reason in checks:
            missing = conn.execute(
                f"UPDATE {table} SET bad = 1 WHERE NOT bad AND NOT EXISTS (SELECT 1 FROM {target}"
                f" t WHERE t.{target_key} = {table}.{column}) RETURNING line, {column}"
            ).fetchall()
            problems += [ImportProblem(file, line, None, reason.format(v)) for line, v in missing]
        unpriced = conn.execute(
            f"UPDATE {table} SET bad = 1 WHERE NOT bad AND unit_price IS NULL AND"
            f" (SELECT price FROM products p WHERE p.sku = {table}.sku) IS NULL"
            " RETURNING line, sku"
        ).fetchall()
        problems += [
            ImportProblem(file, line, None, f"no unit price, and product '{sku}' has no price")
            for line, sku in unpriced
        ]
    return sorted(problems, key=lambda p: p.line or 0)


def _set_clause(table: str, columns: list[str]) -> str:
    assignments = [f"{c} = excluded.{c}" for c in columns]
    assignments.append(f"attributes = json_patch({table}.attributes, excluded.attributes)")
    return ", ".join(assignments)


def _upsert_customers(present: set[str]) -> str:
    updated = [c for c in ("name", "email", "country", "city", "signup_date") if c in present]
    return (
        "INSERT INTO customers (external_id, name, email, country, city, signup_date, attributes)"
        " SELECT external_id, name, email, country, city, signup_date, attributes"
        " FROM temp.stage_customers WHERE NOT bad ORDER BY rowid"
        f" ON CONFLICT (external_id) DO UPDATE SET {_set_clause('customers', updated)}"
    )


def _upsert_products(present: set[str]) -> str:
    updated = [c for c in ("name", "category", "description", "price", "currency") if c in present]
    clause = _set_clause("products", updated)
    clause += ", image_sha256 = coalesce(excluded.image_sha256, products.image_sha256)"
    return (
        "INSERT INTO products (sku, name, category, description, price, currency, image_sha256,"
        " attributes) SELECT sku, name, category, description, price, currency, image_sha256,"
        " attributes FROM temp.stage_products WHERE NOT bad ORDER BY rowid"
        f" ON CONFLICT (sku) DO UPDATE SET {clause}"
    )


def _upsert_orders(present: set[str]) -> str:
    # unit price falls back to the catalogue price; a percentage discount becomes money;
    # a missing amount is quantity × unit price − discount
    updated = ["customer_id", "ordered_at", "quantity", "unit_price", "discount", "amount"]
    return (
        "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at, quantity,"
        " unit_price, discount, amount, attributes)"
        " SELECT order_ref, customer_id, product_id, ordered_at, quantity, unit_price, discount,"
        " coalesce(amount, round(quantity * unit_price - discount, 2)), attributes FROM ("
        "  SELECT *, coalesce(given_discount, round(quantity * unit_price * discount_rate, 2), 0)"
        "   AS discount FROM ("
        "    SELECT s.rowid AS staged, s.order_ref, c.id AS customer_id, p.id AS product_id,"
        "     s.ordered_at, coalesce(s.quantity, 1) AS quantity,"
        "     coalesce(s.unit_price, p.price) AS unit_price, s.discount AS given_discount,"
        "     s.discount_rate, s.amount, s.attributes"
        "    FROM temp.stage_orders s JOIN customers c ON c.external_id = s.customer"
        "    JOIN products p ON p.sku = s.sku WHERE NOT s.bad))"
        " WHERE true ORDER BY staged"
        f" ON CONFLICT (order_ref, product_id) DO UPDATE SET {_set_clause('orders', updated)}"
    )


_UPSERTS: dict[str, Callable[[set[str]], str]] = {
    "customers": _upsert_customers,
    "products": _upsert_products,
    "orders": _upsert_orders,
}


# --- photos without a products file -----------------------------------------------------


def _photos_for_existing(
    ws: Workspace, folder: ImageFolder, photos: PhotoStore, log: _ProblemLog
) -> list[tuple[str, str]]:
    """``--images`` alone: (photo sha256, SKU) for the products already imported."""
    matched = []
    for (sku,) in ws.db.conn.execute("SELECT sku FROM products ORDER BY id").fetchall():
        photo = folder.by_stem.get(sku.lower())
        if photo is None:
            continue
        try:
            matched.append((photos.store(photo), sku))
        except ImageProblem as problem:
            log.add(ImportProblem(f"product {sku}", None, None, str(problem)))
            continue
        folder.used.add(photo)
    return matched


def _photo_warnings(folder: ImageFolder, matching: bool) -> list[str]:
    if folder.root is None or not matching:
        return []
    warnings = []
    if folder.unmatched:
        warnings.append(
            f"{len(folder.unmatched)} product(s) have no photo in {folder.root}: "
            + _first_few(folder.unmatched)
        )
    if unused := folder.unused():
        warnings.append(
            f"{len(unused)} image file(s) in {folder.root} match no product: "
            + _first_few([p.name for p in unused])
        )
    if folder.leading_out:
        warnings.append(
            f"{len(folder.leading_out)} file(s) in {folder.root} are links to files outside "
            "it and were not read: " + _first_few([p.name for p in folder.leading_out])
        )
    return warnings


def _first_few(names: list[str], n: int = 5) -> str:
    return ", ".join(names[:n]) + (" …" if len(names) > n else "")
