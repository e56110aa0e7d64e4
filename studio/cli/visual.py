"""``studio render`` (a contact sheet of one product in every format) and ``studio visual``
(a product scene, by diffusion when a visual model is installed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from generators.copy.request import facts_from_product_row
from studio.cli.common import (
    console,
    emit,
    json_option,
    note_neutral_kit,
    opened,
    progress,
    workspace_argument,
)
from studio.services.campaigns import newest_copy_for
from studio.services.catalog import newest_segment_named, product_by_sku
from studio.services.workspaces import Workspace, write_image, write_output

DEFAULT_CTA = "Shop now"
MAX_DEFAULT_SUBLINE = 90


def register(group: click.Group) -> None:
    group.add_command(render_command)
    group.add_command(visual_command)


# --- shared look-ups --------------------------------------------------------------------


def _segment(ws: Workspace, name: str | None) -> dict[str, Any] | None:
    return None if name is None else newest_segment_named(ws, name)


def _first_sentence(text: str) -> str:
    for index, char in enumerate(text):
        if char in ".!?" and (index + 1 == len(text) or text[index + 1] == " "):
            return text[: index + 1]
    return text


def _copy_for(
    ws: Workspace, product: dict[str, Any], segment: dict[str, Any] | None
) -> tuple[dict[str, str], str]:
    """The newest generated copy for this product (and segment), else copy from its facts."""
    content = newest_copy_for(ws, product["id"], None if segment is None else segment["id"])
    if content is not None:
        fields = content.get("fields", {})
        texts = {
            role: values[0]
            for role, names in (
                ("headline", ("headline", "subject")),
                ("subline", ("description", "primary_text", "preheader", "intro")),
                ("cta", ("cta",)),
            )
            for name in names
            if (values := fields.get(name))
        }
        if texts.get("headline"):
            return {"cta": DEFAULT_CTA, **texts}, "generated copy"
    subline = _first_sentence(product["description"] or "")
    copy = {"headline": facts_from_product_row(product).name, "cta": DEFAULT_CTA}
    if 0 < len(subline) <= MAX_DEFAULT_SUBLINE:
        copy["subline"] = subline
    return copy, "product facts"


# --- studio render ----------------------------------------------------------------------


@click.command("render")
@workspace_argument
@click.option("--product", "sku", required=True, help="Product SKU.")
@click.option("--segment", help="Segment name: use the copy generated for it.")
@click.option("--brand", "brand_name", help="Brand kit name (default: the workspace's first).")
@click.option("--formats", help="Image format ids, comma-separated (default: all).")
@click.option("--layout", default="default", show_default=True, help="Layout alternate.")
@click.option("--headline", help="Headline text (overrides generated copy).")
@click.option("--subline", help="Sub-line text.")
@click.option("--cta", help="Button text.")
@click.option("--seed", default=0, show_default=True, help="Seed for the designed background.")
@click.option("--model", "model_id", help="Visual model for the scene (default: designed).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Contact sheet PNG (default: <SKU>-contact-sheet.png).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing file at --out.")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each creative there as <format>.jpg.",
)
@json_option
def render_command(
    workspace: Path,
    sku: str,
    segment: str | None,
    brand_name: str | None,
    formats: str | None,
    layout: str,
    headline: str | None,
    subline: str | None,
    cta: str | None,
    seed: int,
    model_id: str | None,
    out: Path | None,
    overwrite: bool,
    out_dir: Path | None,
    as_json: bool,
) -> None:
    """A contact sheet of one product's creatives in every image format."""
    from studio.render import compose_creative, contact_sheet, image_formats
    from studio.services.brand_kits import load_brand_kit
    from studio.services.generation.common import product_picture

    with opened(workspace) as ws:
        product = product_by_sku(ws, sku)
        seg = _segment(ws, segment)
        brand = load_brand_kit(ws, brand_name)
        photo = product_picture(ws, product, brand)
        copy, copy_source = _copy_for(ws, product, seg)
        if not product["image_sha256"] and not as_json:
            click.echo(f"Note: {sku} has no photo, so its creatives show it as a text card "
                       "(name and price in the brand's style).", err=True)  # fmt: skip
        note_neutral_kit(ws, as_json or brand_name is not None)
    copy.update(
        {k: v for k, v in (("headline", headline), ("subline", subline), ("cta", cta)) if v}
    )
    ids = [f.strip() for f in formats.split(",")] if formats else list(image_formats())
    background, provenance = None, None
    with progress(not as_json) as update:
        if model_id:
            result = _generate_scene(photo, product, seg, brand, model_id, seed, update)
            background, provenance = result.scene, result.provenance.as_dict()
        creatives = []
        for index, format_id in enumerate(ids):
            update(f"Rendering {format_id}", index / len(ids))
            creatives.append(
                compose_creative(
                    image_format=format_id,
                    brand=brand,
                    copy=copy,
                    product_image=photo,
                    background=background,
                    seed=seed,
                    layout=layout,
                )
            )
    title = f"{product['name']} ({sku})" + (f" for {segment}" if segment else "")
    out = write_image(
        out or Path(f"{sku}-contact-sheet.png"), contact_sheet(creatives, title),
        overwrite=overwrite, what="contact sheet",
    )  # fmt: skip
    if out_dir is not None:
        for creative in creatives:  # the folder's creatives are replaced, never a workspace's
            write_output(
                out_dir / f"{creative.image_format.id}.jpg", creative.encoded, overwrite=overwrite,
                what="creative",
            )  # fmt: skip
    data = {
        "sheet": str(out),
        "copy": copy,
        "copy_source": copy_source,
        "visual": provenance or {"diffusion": False, "background": "designed from the palette"},
        "creatives": [
            {
                "image_format": c.image_format.id,
                "bytes": len(c.encoded),
                "max_bytes": c.image_format.max_bytes,
                "jpeg_quality": c.layout["jpeg_quality"],
                "min_contrast": min(layer["contrast"] for layer in c.layout["text"]),
                "dropped": c.layout["dropped"],
            }
            for c in creatives
        ],
    }

    def show(data: dict[str, Any]) -> None:
        for row in data["creatives"]:
            dropped = f"  (left out: {', '.join(row['dropped'])})" if row["dropped"] else ""
            console.print(
                f"{row['image_format']:<20} {row['bytes'] / 1024:6.0f} KB of "
                f"{row['max_bytes'] / 1024:.0f} KB  contrast ≥ {row['min_contrast']:.1f}{dropped}"
            )
        click.echo(f"Contact sheet: {data['sheet']}")

    emit(data, as_json, show)


# --- studio visual ----------------------------------------------------------------------


def _generate_scene(photo, product, segment, brand, model_id, seed, update, **options):
    from generators.visual import ProductFacts, SegmentFacts, VisualGenerator, VisualRequest
    from studio.core.progress import CancelToken, ProgressSink

    request = VisualRequest(
        product_image=photo,
        product=ProductFacts(
            product["name"], product["category"] or "", product["description"] or ""
        ),
        segment=SegmentFacts(segment["name"], segment["description"]) if segment else None,
        brand=brand,
        model_id=model_id,
        seed=seed,
        **options,
    )
    sink = ProgressSink(lambda event: update(event.status, event.fraction))
    return VisualGenerator().generate(request, sink, CancelToken())


@click.command("visual")
@workspace_argument
@click.option("--product", "sku", required=True, help="Product SKU.")
@click.option("--segment", help="Segment name, for the prompt.")
@click.option("--brand", "brand_name", help="Brand kit name (default: the workspace's first).")
@click.option(
    "--model",
    "model_id",
    help="Visual model id (default: Settings, then any installed one, then designed).",
)
@click.option("--prompt", help="Your own prompt instead of the one built from the brief.")
@click.option("--negative", help="Your own negative prompt.")
@click.option("--seed", default=0, show_default=True)
@click.option("--steps", type=int, help="Denoising steps (default: the model family's).")
@click.option("--size", default=None, type=int, help="Square scene size in pixels.")
@click.option(
    "--harmonise",
    default=0.0,
    show_default=True,
    help="Strength of the masked image-to-image pass that blends light around the product.",
)
@click.option(
    "--decoder",
    type=click.Choice(["auto", "tiny", "full"]),
    default="auto",
    show_default=True,
    help="Latent decoder: tiny (TAESD) is much faster on CPU.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PNG of the scene with the product (default: <SKU>-scene.png).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing file at --out.")
@json_option
def visual_command(
    workspace: Path,
    sku: str,
    segment: str | None,
    brand_name: str | None,
    model_id: str | None,
    prompt: str | None,
    negative: str | None,
    seed: int,
    steps: int | None,
    size: int | None,
    harmonise: float,
    decoder: str,
    out: Path | None,
    overwrite: bool,
    as_json: bool,
) -> None:
    """Generate a product scene: diffusion when a visual model is installed, otherwise a
    background designed from the brand palette (the output says which)."""
    from studio.services.brand_kits import load_brand_kit
    from studio.services.generation.common import product_picture

    with opened(workspace) as ws:
        product = product_by_sku(ws, sku)
        seg = _segment(ws, segment)
        brand = load_brand_kit(ws, brand_name)
        photo = product_picture(ws, product, brand)
        note_neutral_kit(ws, as_json or brand_name is not None)
    with progress(not as_json) as update:
        result = _generate_scene(
            photo, product, seg, brand, model_id, seed, update,
            prompt=prompt, negative_prompt=negative, steps=steps,
            size=(size, size) if size else None, harmonise=harmonise, decoder=decoder,
        )  # fmt: skip
    out = write_image(
        out or Path(f"{sku}-scene.png"), result.image, overwrite=overwrite, what="scene"
    )
    data = {
        "scene": str(out),
        "product_box": list(result.product_box),
        "provenance": result.provenance.as_dict(),
    }

    def show(data: dict[str, Any]) -> None:
        made = data["provenance"]
        if made["parameters"].get("diffusion"):
            console.print(f"Scene by {made['model_id']} (seed {made['seed']}): {made['prompt']}")
        else:
            console.print("No diffusion model used: the background was designed from the palette.")
        click.echo(f"Scene: {data['scene']}")

    emit(data, as_json, show)
