"""``studio models``: list, add, download, remove models and choose the default per kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from studio.cli.common import emit, json_option, progress

stdout = Console()
KINDS = ("copy", "visual", "variant", "embedding", "decoder")


def _size(value: int | None) -> str:
    if not value:
        return "–"
    return f"{value / 1e9:.2f} GB" if value >= 1e9 else f"{value / 1e6:.0f} MB"


def _print_models(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("No models.")
        return
    table = Table(show_lines=False)
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold")
    for column in ("kind", "source", "size", "licence", "ready", "default"):
        table.add_column(column, overflow="fold")
    for row in rows:
        star = " (recommended)" if row["recommended"] else ""
        table.add_row(
            row["id"], row["display_name"] + star, row["kind"], row["source"],
            _size(row["size_bytes"]), row["license"] or "–",
            "yes" if row["available"] else "no", "✓" if row["default"] else "",
        )  # fmt: skip
    stdout.print(table)


@click.group("models")
def models_group() -> None:
    """Models on this machine: shipped, added from disk, or downloaded."""


@models_group.command("list")
@click.option("--kind", type=click.Choice(KINDS), help="Only models of this kind.")
@json_option
def list_models(kind: str | None, as_json: bool) -> None:
    """List known models, whether their files are here, and the defaults."""
    from generators.copy.specs import DEFAULT_COPY_MODEL
    from generators.registry import all_specs, is_available
    from studio.core.settings import load_settings

    defaults = {"copy": DEFAULT_COPY_MODEL} | load_settings().default_models
    rows = [
        {
            **spec.as_dict(),
            "display_name": spec.display_name,
            "available": is_available(spec),
            "default": defaults.get(spec.kind) == spec.id,
        }
        for spec in sorted(all_specs(kind), key=lambda s: (s.kind, s.id))  # type: ignore[arg-type]
    ]
    emit(rows, as_json, _print_models)


@models_group.command("add")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), required=True, help="What the model does.")
@click.option(
    "--family",
    default="custom",
    show_default=True,
    help="Architecture: e.g. llama for copy; for visual models sd15, sd2, sd-turbo, sdxl or "
    "sdxl-turbo (sets steps, guidance and decoder); for decoders taesd or taesdxl.",
)
@click.option("--id", "model_id", help="Id to refer to it by (default: from the file name).")
@click.option("--license", "license_", default="", help="Its licence, for your records.")
@click.option(
    "--allow-pickle",
    is_flag=True,
    help="Accept this model's pickle checkpoints (.bin, .pt, .ckpt), which can run code "
    "when loaded: only for a source you trust. Remembered for this model.",
)
@json_option
def add_model(
    path: Path, kind: str, family: str, model_id: str | None, license_: str,
    allow_pickle: bool, as_json: bool,
) -> None:  # fmt: skip
    """Register a local model folder or file (GGUF, safetensors, a diffusers folder);
    nothing is copied."""
    from generators.registry import add_local_model

    if kind in ("visual", "decoder"):
        from generators.visual.families import check_visual_source

        check_visual_source(path, kind, family)
    spec = add_local_model(
        path,
        kind,
        family,
        model_id=model_id,
        license=license_,
        allow_pickle=allow_pickle,  # type: ignore[arg-type]
    )
    emit(
        spec.as_dict(),
        as_json,
        lambda s: click.echo(f"Added {s['id']} ({s['kind']}) from {s['location']}"),
    )


@models_group.command("download")
@click.argument("model_id")
@json_option
def download_model(model_id: str, as_json: bool) -> None:
    """Download a hub model into the model cache (resumes an interrupted download)."""
    from generators.registry import download, get_spec

    spec = get_spec(model_id)
    if not as_json:
        size = f"{spec.size_bytes / 1e9:.1f} GB" if spec.size_bytes else "unknown size"
        click.echo(f"{spec.display_name}: {size}, licence: {spec.license or 'not stated'}")
    with progress(not as_json) as update:

        def on_progress(done: int, total: int | None) -> None:
            update(f"Downloading {spec.id}", done / total if total else None)

        path = download(spec, on_progress=on_progress)
    emit(
        {"id": spec.id, "path": str(path)},
        as_json,
        lambda d: click.echo(f"Downloaded {d['id']} to {d['path']}"),
    )


@models_group.command("remove")
@click.argument("model_id")
def remove(model_id: str) -> None:
    """Forget an added or downloaded model (downloaded files are deleted)."""
    from generators.registry import remove_model
    from studio.core.settings import load_settings, save_settings

    remove_model(model_id)
    settings = load_settings()
    cleared = [kind for kind, chosen in settings.default_models.items() if chosen == model_id]
    for kind in cleared:
        del settings.default_models[kind]
    save_settings(settings)
    note = f"; the {', '.join(cleared)} default is the built-in one again" if cleared else ""
    click.echo(f"Removed {model_id}{note}.")


@models_group.command("default")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("model_id", required=False)
def default(kind: str, model_id: str | None) -> None:
    """Show or set the default model for KIND.

    Example: studio models default copy qwen2.5-0.5b-instruct
    """
    from generators.registry import get_spec
    from studio.core.settings import load_settings, save_settings

    settings = load_settings()
    if model_id is None:
        click.echo(settings.default_models.get(kind, "(built-in default)"))
        return
    get_spec(model_id, kind)  # type: ignore[arg-type]
    settings.default_models[kind] = model_id
    save_settings(settings)
    click.echo(f"Default {kind} model: {model_id}")


@models_group.command("prepare")
@click.argument("model_id", required=False)
def prepare_command(model_id: str | None) -> None:
    """Prepare a copy model now (default: the default copy model): its GGUF weights are
    converted once into the model cache, so the first campaign and the self-test start
    writing at once. Set-up runs this for the embedded default."""
    from generators.copy.loading import prepare_copy_model

    folder = prepare_copy_model(model_id)
    click.echo(f"Ready: {folder}" if folder else "Nothing to prepare: the model loads as it is.")


def register(group: click.Group) -> None:
    group.add_command(models_group)
