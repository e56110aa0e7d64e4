"""``studio init``, ``import``, ``info`` and ``demo``: creating and filling workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from studio.cli.common import emit, json_option, opened, progress, workspace_argument
from studio.core.errors import InputError, WorkspaceError
from studio.services.imports import (
    DATE_ORDERS,
    ImportReport,
    create_demo_workspace,
    import_files,
    import_order_lines,
    is_order_lines_file,
)
from studio.services.workspaces import (
    DB_NAME,
    Workspace,
    find_leftovers,
    remove_leftovers,
    remove_workspace,
)

#: results go to stdout; progress and errors use stderr
stdout = Console()

_csv = click.Path(exists=True, dir_okay=False, path_type=Path)


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title=f"Workspace {summary['path']}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("customers", f"{summary['customers']:,}"),
        ("products", f"{summary['products']:,} ({summary['products_with_image']:,} with photo)"),
        ("order lines", f"{summary['orders']:,} in {summary['order_count']:,} orders"),
        ("revenue", f"{summary['revenue']:,.2f}"),
        ("first order", summary["first_order"] or "–"),
        ("last order", summary["last_order"] or "–"),
        ("segmentation runs", str(summary["segmentation_runs"])),
        ("segments", str(summary["segments"])),
        ("campaigns", str(summary["campaigns"])),
        ("assets", str(summary["assets"])),
        ("queued jobs", str(summary["jobs_queued"])),
        ("stored files", str(summary["files"])),
        ("schema version", str(summary["schema_version"])),
    ]
    if "damaged_files" in summary:
        rows.append(("damaged files", str(len(summary["damaged_files"]))))
    for kind, label in (("orphan", "orphan files"), ("unfinished", "unfinished files")):
        if "leftovers" in summary:
            found = [f for f in summary["leftovers"] if f["kind"] == kind]
            size = sum(f["bytes"] for f in found) / 1e6
            rows.append((label, f"{len(found)} ({size:,.1f} MB)" if found else "0"))
    for what, value in rows:
        table.add_row(what, value)
    stdout.print(table)


def _say_leftovers(summary: dict[str, Any], repaired: bool) -> None:
    leftovers, removed = summary["leftovers"], summary.get("removed", [])
    recent = [f for f in leftovers if f["recent"]]
    if repaired:
        size = sum(f["bytes"] for f in removed) / 1e6
        click.echo(f"Removed {len(removed)} left-behind file(s), {size:,.1f} MB.")
        if recent:
            click.echo(
                f"Kept {len(recent)} changed in the last hour: a running import, job or "
                "export may still be writing them."
            )
    elif leftovers:
        click.echo(
            f"{len(leftovers)} file(s) left behind by a stopped import, job or export take "
            f"space; remove them with: studio info {summary['path']} --verify --repair"
        )


def _print_import(result: dict[str, Any]) -> None:
    derived = result.get("derived")
    if derived:
        for line in derived["text"]:
            click.echo(line)
    if result.get("dry_run"):
        click.echo("Nothing was written (--dry-run).")
        return
    table = Table(title="Import")
    for column in ("file", "holds", "rows", "new", "updated", "skipped"):
        table.add_column(column, justify="left" if column in ("file", "holds") else "right")
    for f in result["files"]:
        table.add_row(f["file"], f["kind"], f"{f['rows']:,}", f"{f['inserted']:,}",
                      f"{f['updated']:,}", f"{f['skipped']:,}")  # fmt: skip
    stdout.print(table)
    if result["photos_stored"]:
        click.echo(f"Product photos stored: {result['photos_stored']}")
    for problem in result["problems"][:20]:
        click.echo(f"  {problem['file']}, line {problem['line']}: {problem['reason']}")
    if result["problem_count"] > 20:
        click.echo(f"  … and {result['problem_count'] - 20:,} more")
    if result["report"]:
        click.echo(f"Report of skipped rows: {result['report']}")
    for warning in result["warnings"]:
        click.echo(f"Note: {warning}")


def register(cli: click.Group) -> None:
    @cli.command("init")
    @workspace_argument
    @json_option
    def init_command(workspace: Path, as_json: bool) -> None:
        """Create an empty workspace in WORKSPACE (a new or empty folder)."""
        with Workspace.create(workspace) as ws:
            summary = ws.summary()
        emit(summary, as_json, lambda s: click.echo(f"Created an empty workspace in {s['path']}"))

    @cli.command("import")
    @workspace_argument
    @click.option("--customers", type=_csv, help="Customers CSV (id, name, email, country …).")
    @click.option("--products", type=_csv, help="Products CSV (SKU, name, category, price …).")
    @click.option("--orders", type=_csv, help="Order lines CSV (order id, customer, SKU, date …).")
    @click.option(
        "--images",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Folder of product photos, matched by SKU or by the products' image column.",
    )
    @click.option(
        "--skip-bad-rows",
        is_flag=True,
        help="Import the good rows and list the bad ones in a report (default: all or nothing).",
    )
    @click.option(
        "--report",
        "report_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write every problem to this CSV (default with --skip-bad-rows: in the workspace).",
    )
    @click.option("--overwrite", is_flag=True, help="Replace an existing file at --report.")
    @click.option(
        "--date-order",
        type=click.Choice(DATE_ORDERS),
        help="For dates like 03/04/2024 when no date in a file tells: day first or month first.",
    )
    @click.option(
        "--dry-run",
        is_flag=True,
        help="With a single order-lines export: show what would be derived, write nothing.",
    )
    @click.option(
        "--service-sku",
        "service_skus",
        multiple=True,
        help="With an order-lines export: a SKU that is a service (postage, fees …), not a "
        "product; repeat for several.",
    )
    @click.option("--create", is_flag=True, help="Create the workspace if it does not exist.")
    @json_option
    def import_command(
        workspace: Path,
        customers: Path | None,
        products: Path | None,
        orders: Path | None,
        images: Path | None,
        skip_bad_rows: bool,
        report_path: Path | None,
        overwrite: bool,
        date_order: str | None,
        dry_run: bool,
        service_skus: tuple[str, ...],
        create: bool,
        as_json: bool,
    ) -> None:
        """Import customers, products, orders and product photos into WORKSPACE.

        A single order-lines export (Shopify, WooCommerce, invoice lines or the generic
        layout) given as --orders is enough: customers and products are derived from it.
        Re-importing the same files updates rows instead of duplicating them.
        """
        lines_only = orders is not None and customers is None and products is None
        if (dry_run or service_skus) and not (lines_only and is_order_lines_file(orders)):
            raise click.UsageError(
                "--dry-run and --service-sku apply to a single order-lines export given as "
                "--orders."
            )
        if create and not (workspace / DB_NAME).exists():
            Workspace.create(workspace).close()
        try:
            with opened(workspace) as ws, progress(enabled=not as_json) as update:
                if lines_only and (dry_run or service_skus):
                    report: ImportReport = import_order_lines(
                        ws, orders, images=images, skip_bad_rows=skip_bad_rows,
                        dry_run=dry_run, service_skus=frozenset(service_skus),
                        progress=update, report_path=report_path, overwrite_report=overwrite,
                        date_order=date_order,
                    )  # fmt: skip
                else:
                    report = import_files(
                        ws,
                        customers=customers,
                        orders=orders,
                        products=products,
                        images=images,
                        skip_bad_rows=skip_bad_rows,
                        progress=update,
                        report_path=report_path,
                        overwrite_report=overwrite,
                        date_order=date_order,
                    )
        except InputError as error:
            if not as_json and len(error.problems) > 1:  # the first one is in the message
                for problem in error.problems[1:20]:
                    click.echo(f"  {problem}", err=True)
                if error.problem_count > 20:
                    click.echo(f"  … and {error.problem_count - 20:,} more", err=True)
            raise
        emit(report.as_dict(), as_json, _print_import)

    @cli.command("product-name")
    @workspace_argument
    @click.argument("sku")
    @click.argument("name", required=False)
    @click.option("--reset", is_flag=True, help="Show the stored name again (title-cased).")
    @json_option
    def product_name_command(
        workspace: Path, sku: str, name: str | None, reset: bool, as_json: bool
    ) -> None:
        """Show or set the name customers see for product SKU in copy and creatives.

        Names stored in capitals are shown in title case ("White Hanging Heart T-Light
        Holder"); give NAME to choose another, --reset to go back.
        """
        from generators.copy.request import facts_from_product_row
        from studio.services.catalog import product_by_sku, set_display_name

        if name is not None and reset:
            raise click.UsageError("Give a NAME or --reset, not both.")
        with opened(workspace) as ws:
            if name is not None or reset:
                set_display_name(ws, sku, None if reset else name)
            product = product_by_sku(ws, sku)
        result = {"sku": sku, "stored": product["name"],
                  "shown": facts_from_product_row(product).name}  # fmt: skip
        emit(result, as_json, lambda r: click.echo(f"{r['sku']}: shown as '{r['shown']}' "
                                                   f"(stored as '{r['stored']}')"))  # fmt: skip

    @cli.command("info")
    @workspace_argument
    @click.option(
        "--verify",
        is_flag=True,
        help="Also check every stored file against its hash, and look for files a killed "
        "process left behind.",
    )
    @click.option(
        "--repair",
        is_flag=True,
        help="With --verify: remove the files a killed process left behind (never a file "
        "written in the last hour).",
    )
    @json_option
    def info_command(workspace: Path, verify: bool, repair: bool, as_json: bool) -> None:
        """Summarise WORKSPACE: customers, products, orders, segments, campaigns, files."""
        if repair and not verify:
            raise click.UsageError("--repair needs --verify.")
        with opened(workspace) as ws:
            summary = ws.summary()
            if verify:
                summary["damaged_files"] = ws.verify_files()
                summary["integrity"] = ws.integrity_check()
                leftovers = find_leftovers(ws)
                summary["leftovers"] = [f.as_dict() for f in leftovers]
                if repair:
                    summary["removed"] = [f.as_dict() for f in remove_leftovers(leftovers)]
        emit(summary, as_json, _print_summary)
        if verify and not as_json:
            _say_leftovers(summary, repair)
        if verify and (summary["damaged_files"] or summary["integrity"] != "ok"):
            raise WorkspaceError(
                f"{workspace} is damaged: {len(summary['damaged_files'])} stored file(s) missing"
                f" or changed; database check: {summary['integrity']}."
            )

    @cli.command("demo")
    @workspace_argument
    @click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
    @click.option(
        "--customers",
        "n_customers",
        type=click.IntRange(min=10),
        default=5000,
        show_default=True,
        help="Number of customers (order lines scale with it, about ten each).",
    )
    @click.option(
        "--force",
        is_flag=True,
        help="Replace an existing workspace at WORKSPACE (its database, stored files, "
        "backups and caches; other files in the folder are kept).",
    )
    @json_option
    def demo_command(
        workspace: Path, seed: int, n_customers: int, force: bool, as_json: bool
    ) -> None:
        """Create a demo workspace: a small retailer with two years of orders and photos."""
        kept: list[str] = []
        if force:  # the studio's own files only: the user's files in the folder stay
            kept = remove_workspace(workspace)
        elif (workspace / DB_NAME).exists():
            raise WorkspaceError(
                f"{workspace} already holds a workspace.", hint="pass --force to replace it"
            )
        with progress(enabled=not as_json) as update:
            ws = create_demo_workspace(
                workspace, seed=seed, n_customers=n_customers, progress=update,
                beside_other_files=force,
            )  # fmt: skip
        if kept and not as_json:
            click.echo(f"Kept your files in {workspace}: {', '.join(kept)}", err=True)
        with ws:
            summary = ws.summary()
        emit(summary, as_json, _print_summary)
