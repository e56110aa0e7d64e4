"""``studio styles``, ``studio train-style`` and ``studio variants``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from studio.cli.common import console, emit, json_option, opened, progress, workspace_argument
from studio.core.errors import Cancelled, InputError, StudioError
from studio.services.campaigns import assets_by_id
from studio.services.catalog import product_photo_shas
from studio.services.workspaces import Workspace


def _split(values: tuple[str, ...]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _run_cancellable(work: Callable[[Any], Any], cancel: Any) -> Any:
    """Run ``work(cancel)`` in a thread so Ctrl-C can cancel it cooperatively: the work
    stops at its next check and saves what it must, instead of dying mid-write."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = work(cancel)
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, name="studio-variants", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        console.print("Cancelling… (saving what is done)")
        cancel.cancel()
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


# --- styles -----------------------------------------------------------------------------


def style_rows() -> list[dict[str, Any]]:
    from generators.registry import resolve_path
    from generators.variants.styles import list_styles, read_style_metadata

    rows = []
    for spec in list_styles():
        row: dict[str, Any] = {
            "id": spec.id,
            "name": spec.display_name,
            "source": "shipped" if spec.source == "package" else "trained",
            "licence": spec.license,
            "description": spec.description,
        }
        if spec.source != "package":
            try:
                meta = read_style_metadata(resolve_path(spec))
            except StudioError as error:
                row["problem"] = str(error)
            else:
                row.update(
                    steps=int(meta.get("steps", 0)),
                    target_steps=int(meta.get("target_steps", 0)),
                    complete=meta.get("complete") == "true",
                    size=int(meta.get("size", 0)),
                    trained_at=meta.get("trained_at"),
                    path=str(resolve_path(spec)),
                )
        rows.append(row)
    return rows


def _print_styles(rows: list[dict[str, Any]]) -> None:
    table = Table("id", "name", "source", "training", "licence")
    for row in rows:
        training = ""
        if row["source"] == "trained":
            training = row.get("problem") or (
                f"{row['steps']}/{row['target_steps']} steps at {row['size']} px"
                + ("" if row["complete"] else " (partial)")
            )
        table.add_row(row["id"], row["name"], row["source"], training, row["licence"])
    console.print(table)


@click.command("styles")
@click.option("--remove", "remove_id", metavar="ID", help="Delete a trained style.")
@json_option
def styles_command(remove_id: str | None, as_json: bool) -> None:
    """List the variant styles (shipped and trained), or remove a trained one."""
    if remove_id:
        _remove_style(remove_id)
        if not as_json:
            console.print(f"Removed the style '{remove_id}'.")
    emit(style_rows(), as_json, _print_styles)


def _remove_style(style_id: str) -> None:
    import shutil

    from generators.registry import get_spec, remove_model
    from generators.variants.training import styles_dir

    spec = get_spec(style_id, kind="variant")
    if spec.source == "package":
        raise InputError(f"'{style_id}' ships with the studio and cannot be removed.")
    remove_model(style_id)
    folder = styles_dir() / style_id
    if folder.is_dir():
        shutil.rmtree(folder)


# --- train-style ------------------------------------------------------------------------


def product_photos(ws: Workspace) -> list[Path]:
    """The workspace's plain product visuals: every product photo, once."""
    return [ws.blob_path(sha) for sha in product_photo_shas(ws)]


@click.command("train-style")
@workspace_argument
@click.option(
    "--brand-images",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the brand's past campaign images (the look to learn).",
)
@click.option("--steps", default=300, show_default=True, help="Training steps.")
@click.option("--size", default=128, show_default=True, help="Training crop size in pixels.")
@click.option("--name", default="brand style", show_default=True, help="Name of the style.")
@click.option("--resume", is_flag=True, help="Continue the last training of this style.")
@json_option
def train_style_command(
    workspace: Path,
    brand_images: Path,
    steps: int,
    size: int,
    name: str,
    resume: bool,
    as_json: bool,
) -> None:
    """Learn a brand style: turn the workspace's product photos into the brand's look.

    Ctrl-C stops after saving the steps done; --resume continues from there.
    """
    from generators.variants.styles import read_style_metadata
    from generators.variants.training import PREVIEW_FILE, train_style
    from studio.core.progress import CancelToken, ProgressSink

    with opened(workspace) as ws:
        content = product_photos(ws)
    with progress(not as_json) as update:
        sink = ProgressSink(lambda event: update(event.status, event.fraction))
        path = _run_cancellable(
            lambda cancel: train_style(
                brand_images,
                out_name=name,
                steps=steps,
                size=size,
                sink=sink,
                cancel=cancel,
                resume=resume,
                content_images=content,
            ),
            CancelToken(),
        )
    meta = read_style_metadata(path)
    result = {
        "style": path.stem,
        "path": str(path),
        "steps": int(meta["steps"]),
        "losses": meta.get("losses"),
        "preview": str(path.parent / PREVIEW_FILE),
    }

    def render(data: dict[str, Any]) -> None:
        console.print(
            f"Trained the style '{data['style']}' ({data['steps']} steps); "
            f"preview: {data['preview']}\nUse it with: studio variants {workspace} "
            f"--asset ID --styles {data['style']}"
        )

    emit(result, as_json, render)


# --- variants ---------------------------------------------------------------------------


def axes_from_options(
    styles: tuple[str, ...],
    colourways: int | None,
    layouts: tuple[str, ...],
    crops: bool,
    headlines: int | None = None,
    ctas: int | None = None,
    angles: tuple[str, ...] = (),
) -> dict[str, Any]:
    axes: dict[str, Any] = {}
    if angles:
        names = _split(angles)
        axes["angle"] = "all" if names == ["all"] else names
    if styles:
        names = _split(styles)
        axes["style"] = "all" if names == ["all"] else names
    if colourways:
        axes["colourway"] = colourways
    if layouts:
        names = _split(layouts)
        axes["layout"] = "all" if names == ["all"] else names
    if crops:
        axes["crop"] = "all"
    if headlines:
        axes["headline"] = headlines
    if ctas:
        axes["cta"] = ctas
    return axes


def _variant_rows(ws: Workspace, ids: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "asset_id": asset.id,
            "variant_id": asset.variant_id,
            "parent_id": asset.parent_id,
            "image_format": asset.format,
            "axes": asset.content.get(
                "axes", {asset.content.get("axis"): asset.content.get("value")}
            ),
        }
        for asset in (assets_by_id(ws, ids) if ids else [])
    ]


def _print_variants(rows: list[dict[str, Any]]) -> None:
    table = Table("asset", "variant id", "format", "changes")
    for row in rows:
        changes = ", ".join(f"{k}={v}" for k, v in row["axes"].items())
        table.add_row(str(row["asset_id"]), row["variant_id"], row["image_format"], changes)
    console.print(table)


@click.command("variants")
@workspace_argument
@click.option("--asset", "asset_id", type=int, required=True, help="The creative's asset id.")
@click.option("--styles", multiple=True, help="GAN styles (comma-separated ids, or 'all').")
@click.option("--colourways", type=int, help="How many brand-palette colourways.")
@click.option("--layouts", multiple=True, help="Layout alternates (names, or 'all').")
@click.option("--crops", is_flag=True, help="Other crops of a photo background.")
@click.option("--angles", multiple=True, help="Message angles with copy written (names, or 'all').")
@click.option("--headlines", type=int, help="How many alternate headlines (copy candidates).")
@click.option("--ctas", type=int, help="How many alternate call-to-action texts.")
@click.option(
    "--style-strength",
    type=click.FloatRange(0.25, 2.0),
    default=1.0,
    show_default=True,
    help="How strongly styles apply (1: as trained; more looks further from the creative).",
)
@click.option("--count", default=4, show_default=True, help="How many variants at most.")
@click.option("--seed", default=0, show_default=True, help="Seed for which cells are picked.")
@json_option
def variants_command(
    workspace: Path,
    asset_id: int,
    styles: tuple[str, ...],
    colourways: int | None,
    layouts: tuple[str, ...],
    crops: bool,
    angles: tuple[str, ...],
    headlines: int | None,
    ctas: int | None,
    style_strength: float,
    count: int,
    seed: int,
    as_json: bool,
) -> None:
    """Make variants of a creative for A/B tests: angle × style × colourway × layout ×
    crop × headline × CTA.

    With no axis options, every angle with copy, every style, two colourways, all layouts
    and all alternate headlines and CTAs are candidates. One-change variants come first.
    """
    from studio.core.progress import CancelToken, ProgressSink
    from studio.services.generation.variants import make_variants

    axes = axes_from_options(styles, colourways, layouts, crops, headlines, ctas, angles)
    with opened(workspace) as ws, progress(not as_json) as update:
        sink = ProgressSink(lambda event: update(event.status, event.fraction))
        try:
            ids = _run_cancellable(
                lambda cancel: make_variants(
                    ws,
                    asset_id,
                    axes=axes,
                    count=count,
                    seed=seed,
                    sink=sink,
                    cancel=cancel,
                    style_strength=style_strength,
                ),
                CancelToken(),
            )
        except Cancelled:
            raise Cancelled("Cancelled; the variants finished before that are kept.") from None
        rows = _variant_rows(ws, ids)
    emit(rows, as_json, _print_variants)


def register(group: click.Group) -> None:
    group.add_command(styles_command)
    group.add_command(train_style_command)
    group.add_command(variants_command)
