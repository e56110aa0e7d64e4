"""Importing customers, products and orders from CSV exports or Excel workbooks (plus
product photos).

How an import runs, and why:

1. **Reading, without a lock on the workspace.** Each file is streamed once
   (:mod:`studio.data.tables`); its columns are matched to our fields through header
   aliases (:mod:`studio.data.import_schema`), values are parsed with the file's
   conventions (:mod:`studio.data.import_rows`, :mod:`studio.data.values`), and every
   rejected value is recorded with file, line, column and reason. Parsed rows
   go in batches into a temporary staging table on the import's own connection, so
   memory stays flat however long the file is, and jobs and other windows keep writing
   to the workspace meanwhile. Photos are checked and put in the asset store.
2. **One short write.** Checks that need the whole file or the database run in SQL on
   the staging tables (duplicate keys within a file, orders that name unknown customers
   or products); then the staged rows are upserted (on ``external_id``, ``sku`` and
   ``(order_ref, product)``, so importing the same files again changes nothing) and the
   photos' rows recorded.

A single order-lines export (:func:`import_order_lines`) takes the same path: what
:mod:`studio.data.order_lines` derives from it is staged as the three files would be and
written by the same checks and upserts, with its returns and guest sales beside them.
That is why this is one module: both imports share the staging tables, the problem log,
the photo store and the one short write.

All files of one import share that one transaction: by default any problem means
nothing is written; with ``skip_bad_rows`` the bad rows are left out and listed in a
report file. Ctrl-C or a crash rolls the transaction back, and photos stored by a
rolled-back import are removed again (those a killed process left are found by
``studio info --verify``).

Writes the tables `customers`, `products`, `orders`, `returned_lines`, `guest_lines`
(their schema is in :mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studio.core.errors import ImportProblem, InputError
from studio.core.names import display_name
from studio.core.progress import Progress
from studio.data.categories import derive_categories
from studio.data.images import VECTOR_NOTE, ImageFolder, ImageProblem, PhotoStore
from studio.data.import_rows import file_conventions, row_parser
from studio.data.import_schema import (
    CUSTOMERS,
    ORDERS,
    PRODUCTS,
    STAGE_COLUMNS,
    UPSERTS,
    FileKind,
    map_columns,
    present_fields,
    whole_file_checks,
)
from studio.data.order_layouts import is_order_lines_file
from studio.data.order_lines import derive_shop
from studio.data.order_rules import DerivedShop, LineSummary
from studio.data.tables import open_table
from studio.data.values import (
    DATE_ORDERS,
)
from studio.storage.leftovers import PARTIAL_SUFFIX
from studio.storage.outputs import check_destination
from studio.storage.workspace import REPORTS_DIR, Workspace
from studio.storage.written import record_written

BATCH_ROWS = 5_000
KEPT_PROBLEMS = 1_000  # the report file has all of them; memory keeps the first ones
READ_SHARE = 0.9  # of the progress bar: reading the files; the write takes the rest


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
    #: what a single order-lines export was turned into (None for the three-file import)
    derived: LineSummary | None = None
    #: the import only showed what it would write (``dry_run``)
    dry_run: bool = False

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
            "derived": self.derived.as_dict() if self.derived else None,
            "dry_run": self.dry_run,
        }


REPORT_HEADER = ["file", "line", "column", "reason"]


class _ProblemLog:
    """Every problem goes to the report file (when there is one); the first ones are kept
    in memory for messages."""

    def __init__(self, report: ImportReport, path: Path | None) -> None:
        self.report = report
        self.warnings = report.warnings
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
            record_written(self.path)


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
    if (
        orders is not None
        and customers is None
        and products is None
        and Path(orders).is_file()
        and is_order_lines_file(Path(orders))
    ):
        return import_order_lines(
            ws, Path(orders), images=images, skip_bad_rows=skip_bad_rows, progress=progress,
            report_path=report_path, overwrite_report=overwrite_report, date_order=date_order,
        )  # fmt: skip
    named = ((PRODUCTS, products), (CUSTOMERS, customers), (ORDERS, orders))
    sources = [(kind, path) for kind, path in named if path]
    if not sources and images is None:
        raise InputError("Nothing to import: name a customers, products or orders file.")
    _check_inputs([path for _, path in sources], images, date_order)
    report_path = _report_destination(ws, report_path, overwrite_report, skip_bad_rows)

    report = ImportReport(report_path=report_path)
    log = _ProblemLog(report, report_path)
    sizes = {path: max(Path(path).stat().st_size, 1) for _, path in sources}
    total = sum(sizes.values()) or 1
    done = 0
    tick = progress or (lambda description, fraction=None: None)
    folder = ImageFolder.scan(Path(images) if images else None)
    photos = PhotoStore(ws)
    conn = ws.db.conn
    with _whole_or_nothing(log, photos):
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
    tick("Import finished", 1.0)
    return report


def _check_inputs(paths: list[Path], images: Path | None, date_order: str | None) -> None:
    if date_order is not None and date_order not in DATE_ORDERS:
        raise InputError(f"Unknown date order '{date_order}'.", hint="use 'dmy' or 'mdy'")
    if images is not None and not Path(images).is_dir():
        raise InputError(f"The images folder {images} does not exist.")
    for path in paths:
        if not Path(path).is_file():
            raise InputError(f"{path} does not exist or is not a file.")


def _report_destination(
    ws: Workspace, report_path: Path | None, overwrite: bool, skip_bad_rows: bool
) -> Path | None:
    if report_path is not None:  # never over a workspace's own files or a stranger's file
        return check_destination(report_path, overwrite=overwrite, what="report of skipped rows")
    if skip_bad_rows:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return ws.path / REPORTS_DIR / f"skipped-{stamp}.csv"
    return None


# --- one order-lines export --------------------------------------------------------------


def import_order_lines(
    ws: Workspace,
    path: Path,
    *,
    images: Path | None = None,
    skip_bad_rows: bool = False,
    dry_run: bool = False,
    service_skus: frozenset[str] = frozenset(),
    progress: Progress | None = None,
    report_path: Path | None = None,
    overwrite_report: bool = False,
    date_order: str | None = None,
) -> ImportReport:
    """Import a single order-lines export (:mod:`studio.data.order_lines`): customers,
    products, orders, returns and guest sales derived from it, in one transaction.

    With ``dry_run`` nothing is written: the report's ``derived`` says what would be.
    """
    _check_inputs([path], images, date_order)
    report_path = _report_destination(ws, report_path, overwrite_report, skip_bad_rows)
    report = ImportReport(report_path=report_path, dry_run=dry_run)
    log = _ProblemLog(report, report_path)
    tick = progress or (lambda description, fraction=None: None)
    folder = ImageFolder.scan(Path(images) if images else None)
    photos = PhotoStore(ws)
    conn = ws.db.conn
    with _whole_or_nothing(log, photos):
        shop = derive_shop(
            path, date_order=date_order, service_skus=service_skus, problem=log.add,
            progress=lambda fraction: tick(f"Reading {path.name}", READ_SHARE * fraction),
        )  # fmt: skip
        if not any(row[3] for row in shop.products):
            tick("Grouping products into categories", READ_SHARE)
            _derive_categories(shop)
        report.derived = shop.summary
        if report.problem_count and not skip_bad_rows:
            raise _nothing_written(report)
        if dry_run:
            return report
        products = _with_photos(shop, folder, photos, log)
        kinds = [PRODUCTS, CUSTOMERS, ORDERS]
        with _staging_tables(conn, kinds):
            staged = []
            for kind, rows in zip(kinds, (products, shop.customers, shop.orders), strict=True):
                columns = STAGE_COLUMNS[kind.name]
                conn.executemany(
                    f"INSERT INTO temp.stage_{kind.name} (line, {', '.join(columns)})"
                    f" VALUES (?, {', '.join('?' for _ in columns)})",
                    rows,
                )
                present = _present(kind, columns, rows)
                staged.append(_StagedFile(kind, path, present, FileReport(path.name, kind.name)))
            conn.commit()  # the staging tables only
            with ws.write() as db:
                tick(f"Writing {path.name}", READ_SHARE)
                photos.record()
                for file in staged:
                    file.report.rows = report.derived.lines
                    report.files.append(_write_file(db.conn, file, log))
                _write_extras(db.conn, shop)
                if report.problem_count and not skip_bad_rows:
                    raise _nothing_written(report)
        report.photos_stored = photos.stored
        if not log.written:
            report.report_path = None
        report.warnings.extend(_photo_warnings(folder, images is not None))
        without = sum(1 for row in products if row[7] is None)
        if without and folder.root is None:  # with a photo folder, its note names them
            report.warnings.append(
                f"{without:,} of {len(products):,} products have no photo: their creatives use "
                "a text-and-brand layout until photos are imported (--images FOLDER)."
            )
    tick("Import finished", 1.0)
    return report


def _present(
    kind: FileKind, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> dict[str, int]:
    """The fields the derived rows fill (as a column mapping): a re-import updates these
    and leaves what a products or customers file set (descriptions, sign-up dates) alone."""
    filled = {
        name for index, name in enumerate(columns, start=1)
        if any(row[index] is not None for row in rows)
    }  # fmt: skip
    return {f.name: 0 for f in kind.fields if f.name in filled or f.name in kind.key}


def _derive_categories(shop: DerivedShop) -> None:
    """Categories from product names (the file has none), so segments can be told apart
    by what their customers buy."""
    from generators.scoring.embeddings import embed_texts

    names = [display_name(row[2]) for row in shop.products]
    categories = derive_categories(names, embed_texts(names)) if names else []
    shop.products = [
        (*row[:3], category or None, *row[4:])
        for row, category in zip(shop.products, categories, strict=True)
    ]
    shop.summary.derived_categories = [c for c, _ in Counter(categories).most_common() if c]


def _with_photos(
    shop: DerivedShop, folder: ImageFolder, photos: PhotoStore, log: _ProblemLog
) -> list[tuple[Any, ...]]:
    """The derived product rows, each with its photo from the folder when one matches."""
    if folder.root is None:
        return shop.products
    rows = []
    for row in shop.products:
        photo = folder.by_stem.get(row[1].lower())
        sha = None
        if photo is not None:
            try:
                sha = photos.store(photo)
                folder.used.add(photo)
            except ImageProblem as problem:
                log.add(ImportProblem(f"product {row[1]}", None, None, str(problem)))
        else:
            folder.unmatched.append(row[1])
        rows.append((*row[:7], sha, row[8]))
    return rows


def _write_extras(conn: Any, shop: DerivedShop) -> None:
    """Returns and guest sales, keyed like order lines so a re-import changes nothing."""
    conn.executemany(
        "INSERT INTO returned_lines (order_ref, customer_id, product_id, returned_at, quantity,"
        " amount, netted) SELECT ?, (SELECT id FROM customers WHERE external_id = ?),"
        " p.id, ?, ?, ?, ? FROM products p WHERE p.sku = ?"
        " ON CONFLICT (order_ref, product_id) DO UPDATE SET quantity = excluded.quantity,"
        " amount = excluded.amount, netted = excluded.netted",
        [(ref, customer, day, quantity, amount, netted, sku)
         for ref, customer, sku, day, quantity, amount, netted in shop.returns],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO guest_lines (order_ref, product_id, ordered_at, quantity, amount)"
        " SELECT ?, p.id, ?, ?, ? FROM products p WHERE p.sku = ?"
        " ON CONFLICT (order_ref, product_id) DO UPDATE SET quantity = excluded.quantity,"
        " amount = excluded.amount",
        [(ref, day, quantity, amount, sku) for ref, sku, day, quantity, amount in shop.guests],
    )  # fmt: skip


@contextmanager
def _whole_or_nothing(log: _ProblemLog, photos: PhotoStore) -> Iterator[None]:
    """An import that does not finish (a problem, Ctrl-C, a crash) removes the photos it
    stored, whose rows its rolled-back transaction never kept; its report is closed
    either way."""
    try:
        yield
    except BaseException:
        photos.discard_new()
        raise
    finally:
        log.close()


def _nothing_written(report: ImportReport) -> InputError:
    first = report.problems[0]
    rows = "1 problem" if report.problem_count == 1 else f"{report.problem_count:,} problems"
    where = f"; all of them are listed in {report.report_path}" if report.report_path else ""
    return InputError(
        f"Nothing was imported: {rows} in the input{where}. First: {first}",
        problems=report.problems,
        problem_count=report.problem_count,
        hint="fix the rows, or import with --skip-bad-rows to leave them out",
    )


@contextmanager
def _staging_tables(conn: Any, kinds: list[FileKind]) -> Iterator[None]:
    """One temporary table per file kind (on this connection only, outside the
    workspace's database) for the parsed rows."""
    try:
        for kind in kinds:
            columns = ", ".join(STAGE_COLUMNS[kind.name])
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
        mapping = map_columns(kind, stream.header, path.name)
    conventions = file_conventions(path, kind, mapping, date_order)
    cleaned: list[str] = []
    parse_row = row_parser(
        kind, mapping, stream.header, conventions, path, folder, photos, skip_bad_rows, cleaned
    )
    columns = STAGE_COLUMNS[kind.name]
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
    if cleaned:
        examples = ", ".join(repr(c) for c in dict.fromkeys(cleaned[:50]))
        log.warnings.append(
            f"{path.name}: {len(cleaned):,} ids were cleaned of invisible characters (a stray "
            f"byte-order mark, zero-width or non-breaking spaces) or a spreadsheet's '.0' "
            f"ending, e.g. {examples[:200]}"
        )
    return _StagedFile(kind, path, mapping, report)


def _write_file(conn: Any, file: _StagedFile, log: _ProblemLog) -> FileReport:
    """Inside the import's write: the checks that need the workspace, then the upsert."""
    kind, report, table = file.kind, file.report, f"temp.stage_{file.kind.name}"
    for problem in whole_file_checks(conn, kind, table, file.path.name):
        log.add(problem)
    report.skipped += conn.execute(f"SELECT count(*) FROM {table} WHERE bad").fetchone()[0]
    before = conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]
    conn.execute(UPSERTS[kind.name](present_fields(kind, file.mapping)))
    changed = conn.execute("SELECT changes()").fetchone()[0]
    after = conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]
    report.inserted = after - before
    report.updated = changed - report.inserted
    return report


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
    if folder.vector:
        warnings.append(
            f"{len(folder.vector)} file(s) in {folder.root} are {VECTOR_NOTE}: "
            + _first_few([p.name for p in folder.vector])
        )
    if folder.leading_out:
        warnings.append(
            f"{len(folder.leading_out)} file(s) in {folder.root} are links to files outside "
            "it and were not read: " + _first_few([p.name for p in folder.leading_out])
        )
    return warnings


def _first_few(names: list[str], n: int = 5) -> str:
    return ", ".join(names[:n]) + (" …" if len(names) > n else "")
