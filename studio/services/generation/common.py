"""What every generation job works from: its target's rows, stable seeds, render inputs."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generators.copy.request import facts_from_product_row
from studio.core.errors import GenerationError, InputError, NotFound
from studio.core.records import Asset, Campaign, Target
from studio.services.brand_kits import load_brand_kit
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

if TYPE_CHECKING:
    from PIL import Image

    from studio.render.brand import BrandKit
    from studio.render.compositor import Creative, VisualLayer

#: copy fields a creative takes its headline, sub-line and button text from, in order
HEADLINE_FIELDS = ("headline", "subject", "intro", "primary_text", "caption", "text", "body")
SUBLINE_FIELDS = ("description", "preheader", "primary_text", "body")
#: a headline longer than this is shortened to its first sentence when it has one
LONG_HEADLINE = 90


@dataclass(frozen=True)
class Subject:
    """The target of a job with the rows its generators need."""

    target: Target
    campaign: Campaign
    product: dict[str, Any]
    segment: dict[str, Any]


def load_subject(ws: Workspace, target_id: int | None) -> Subject:
    if target_id is None:
        raise InputError("This job names no campaign target.")
    target = store.get_target(ws, target_id)
    product = store.product_row(ws, target.product_id)
    segment = store.segment_row(ws, target.segment_id)
    if product is None or segment is None:
        raise NotFound(
            f"Target {target_id} refers to a product or segment that no longer exists in {ws.path}."
        )
    return Subject(target, store.get_campaign(ws, target.campaign_id), product, segment)


def campaign_brand_kit(ws: Workspace, campaign: Campaign) -> BrandKit:
    """The campaign's brand kit, else the workspace's first, else the default kit."""
    if campaign.brand_kit_id is not None:
        return load_brand_kit(ws, kit_id=campaign.brand_kit_id)
    return load_brand_kit(ws)


def stable_seed(*parts: Any) -> int:
    """A stable seed from ids, so a campaign regenerates the same way on every machine."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def superseded(ws: Workspace, asset_id: int | None) -> Asset | None:
    """The asset a job makes a new version of, if it names one."""
    return store.get_asset(ws, int(asset_id)) if asset_id is not None else None


def product_picture(ws: Workspace, product: dict[str, Any], brand: BrandKit) -> Image.Image:
    """What a creative shows of the product: its photo, or for a product without one a
    typographic card with its name and price in the brand's style."""
    from studio.render.product import open_product_photo
    from studio.render.product_card import price_label, product_card

    sha = product.get("image_sha256")
    if sha:
        return open_product_photo(ws.blob_path(sha))
    name = facts_from_product_row(product).name  # the name customers see
    return product_card(name, price_label(product.get("price"), product.get("currency")), brand)


def picture_source(product: dict[str, Any]) -> str:
    """How a creative shows its product, for provenance: ``photo`` or ``text card``."""
    from studio.render.product_card import CARD_METHOD

    return "photo" if product.get("image_sha256") else CARD_METHOD


# --- the texts a creative shows --------------------------------------------------------


def creative_copy(
    fields: dict[str, list[str]], *, line: int = 0
) -> tuple[dict[str, str], dict[str, str]]:
    """Headline, sub-line and button text for a creative from a copy asset's fields.

    Returns the texts and, per role, the copy field it came from. The chosen line (the
    first: the one the review board shows as chosen, a person's edit included) is the
    headline; ``line`` picks a later one only when the chosen line cannot fit a format
    (:func:`finish_creative` says so). A headline taken from a long field is shortened to
    its first sentence.
    """
    used: dict[str, str] = {}
    texts: dict[str, str] = {}
    for name in HEADLINE_FIELDS:
        if fields.get(name):
            options = fields[name]
            headline = options[min(line, len(options) - 1)]
            if len(headline) > LONG_HEADLINE:
                headline = _first_sentence(headline) or headline
            texts["headline"], used["headline"] = headline, name
            break
    for name in SUBLINE_FIELDS:
        if fields.get(name) and name != used.get("headline"):
            texts["subline"], used["subline"] = fields[name][0], name
            break
    if fields.get("cta"):
        texts["cta"], used["cta"] = fields["cta"][0], "cta"
    return texts, used


def _first_sentence(text: str) -> str | None:
    for index, char in enumerate(text):
        if char in ".!?" and index >= 10 and (index + 1 == len(text) or text[index + 1] == " "):
            return text[: index + 1]
    return None


# --- rendering a target's creatives ------------------------------------------------------


@dataclass
class RenderInputs:
    """Everything a creative of one target is rendered from."""

    brand: BrandKit
    product_image: Image.Image
    copy: Asset
    visual: Asset
    background: Image.Image | None


def render_inputs(ws: Workspace, subject: Subject, copy: Asset, visual: Asset) -> RenderInputs:
    brand = campaign_brand_kit(ws, subject.campaign)
    product_image = product_picture(ws, subject.product, brand)
    background = None
    if not visual.content.get("designed"):
        background = open_image(ws, visual).convert("RGB")
    return RenderInputs(brand, product_image, copy, visual, background)


def visual_layer(
    inputs: RenderInputs, image_format: str, layout: str, brand: BrandKit | None = None
) -> VisualLayer:
    from studio.render.compositor import render_visual_layer

    visual = inputs.visual
    focus = visual.content.get("focus_box")
    return render_visual_layer(
        image_format=image_format,
        brand=brand or inputs.brand,
        product_image=inputs.product_image,
        background=inputs.background,
        seed=visual.seed or 0,
        layout=layout,
        background_style=visual.content.get("background_style", "auto"),
        focus_box=tuple(focus) if focus else None,
    )


def finish_creative(
    inputs: RenderInputs, layer: VisualLayer, brand: BrandKit | None = None
) -> tuple[Creative, dict[str, str], dict[str, str]]:
    """Text and logo on a visual layer; returns the creative, the texts and their fields."""
    from studio.render.compositor import composite_text_layers

    fields = inputs.copy.content.get("fields", {})
    texts, used = creative_copy(fields)
    if "headline" not in texts:
        problems = "; ".join(inputs.copy.content.get("problems", [])) or "no text fields"
        raise GenerationError(
            f"Copy asset {inputs.copy.id} has no passing text for a headline ({problems}).",
            hint=f"edit the copy (asset {inputs.copy.id}) or regenerate it, then retry",
        )
    # the chosen line is rendered; only a line that cannot fit this format at the smallest
    # readable size gives way to the next one, and the creative records the line it shows
    alternatives = len(fields.get(used["headline"], []))
    for line in range(alternatives):
        texts, used = creative_copy(fields, line=line)
        try:
            creative = composite_text_layers(layer, brand=brand or inputs.brand, copy=texts)
        except InputError:
            if line == alternatives - 1:
                raise
            continue
        return creative, texts, used
    raise AssertionError("unreachable: a headline field has at least one line")


def dependencies(ws: Workspace, subject: Subject) -> tuple[Asset, Asset]:
    """The target's current copy and visual; a clear error when one is missing."""
    target = subject.target
    copy = store.latest_copy(ws, target.id)
    visual = store.latest_visual(ws, target.campaign_id, target.segment_id, target.product_id)
    if copy is None or visual is None:
        missing = " and ".join(
            what for what, asset in (("copy", copy), ("visual", visual)) if asset is None
        )
        raise GenerationError(
            f"Target {target.id} has no {missing} yet, so its creatives cannot be rendered.",
            hint="retry the failed copy/visual job first, then this one",
        )
    return copy, visual


def open_image(ws: Workspace, asset: Asset) -> Image.Image:
    """The stored picture of an image asset (creative, variant, visual)."""
    from PIL import Image

    if asset.sha256 is None:
        raise InputError(f"Asset {asset.id} ({asset.kind}) has no file.")
    image = Image.open(io.BytesIO(ws.blob_path(asset.sha256).read_bytes()))
    image.load()
    return image
