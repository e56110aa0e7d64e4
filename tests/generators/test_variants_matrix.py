"""The variant matrix on a real workspace: lineage, stable ids, protection, determinism."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from skimage.metrics import structural_similarity

from studio.core.errors import Cancelled, InputError
from studio.core.progress import CancelToken
from studio.core.records import NewAsset
from studio.render.brand import demo_brand_kit
from studio.render.compositor import compose_creative
from studio.services.brand_kits import save_brand_kit
from studio.services.generation.variants import make_variants
from studio.storage.campaigns import insert_asset
from studio.storage.workspace import Workspace, utcnow

FORMAT = "iab_300x250"
HEADLINES = ["Built for the trail", "Light, tough, ready", "Your weekend pack"]
DESCRIPTIONS = ["Waterproof and 20% lighter.", "Two-year warranty.", "Free returns."]


def _product_photo() -> Image.Image:
    """A packshot on white: a patterned bag the cut-out can separate."""
    photo = Image.new("RGB", (240, 300), "white")
    draw = ImageDraw.Draw(photo)
    draw.rounded_rectangle((40, 40, 200, 270), radius=20, fill=(150, 40, 30))
    for y in range(60, 260, 18):
        draw.line((50, y, 190, y), fill=(230, 200, 60), width=4)
    draw.text((80, 150), "TRAIL 30L", fill="white")
    return photo


def _scene() -> Image.Image:
    """A photo-like backdrop wider than the format, so crops have room."""
    x = np.linspace(0, 1, 640)[None, :, None]
    y = np.linspace(0, 1, 360)[:, None, None]
    pixels = np.concatenate(
        [60 + 120 * x + 0 * y, 110 + 60 * y + 0 * x, 170 - 80 * x + 40 * y], axis=2
    )
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for cx in range(0, 640, 70):
        draw.ellipse((cx, 250, cx + 50, 300), fill=(240, 240, 220))
    return image


def record_asset(ws: Workspace, **fields) -> int:
    return insert_asset(ws, NewAsset(**fields))


def build_creative(ws: Workspace) -> int:
    """A campaign with one target, its copy, visual and a composed creative (as generation
    records them: docs/architecture.md)."""
    now = utcnow()
    kit_id = save_brand_kit(ws, demo_brand_kit())
    photo_sha = ws.store_image(_product_photo()).sha256
    scene = _scene()
    scene_sha = ws.store_image(scene).sha256
    with ws.write() as db:
        product_id = (
            db["products"]
            .insert({"sku": "BAG-30", "name": "Trail pack", "image_sha256": photo_sha})
            .last_pk
        )
        segment_id = (
            db["segments"]
            .insert({"kind": "rule", "name": "Hikers", "created_at": now, "updated_at": now})
            .last_pk
        )
        campaign_id = (
            db["campaigns"]
            .insert(
                {"name": "Spring", "brand_kit_id": kit_id, "created_at": now, "updated_at": now}
            )
            .last_pk
        )
        target_id = (
            db["campaign_targets"]
            .insert(
                {
                    "campaign_id": campaign_id,
                    "segment_id": segment_id,
                    "product_id": product_id,
                    "channel_format": "google_display",
                }
            )
            .last_pk
        )
    common = {"campaign_id": campaign_id, "target_id": target_id, "channel": "google"}
    copy_id = record_asset(
        ws,
        kind="copy",
        generator="copy",
        content={"fields": {"headline": HEADLINES, "description": DESCRIPTIONS}},
        **common,
    )
    visual_id = record_asset(
        ws, kind="visual", generator="visual", sha256=scene_sha, content={}, **common
    )
    copy = {"headline": HEADLINES[0], "subline": DESCRIPTIONS[0], "cta": "Shop now"}
    creative = compose_creative(
        image_format=FORMAT,
        brand=demo_brand_kit(),
        copy=copy,
        product_image=_product_photo(),
        background=scene,
        seed=7,
    )
    stored = ws.store_bytes(creative.encoded, creative.media_type)
    return record_asset(
        ws,
        kind="creative",
        generator="compositor",
        format=FORMAT,
        sha256=stored.sha256,
        content={
            "image_format": FORMAT,
            "copy_asset_id": copy_id,
            "visual_asset_id": visual_id,
            "copy_fields": {"headline": "headline", "subline": "description"},
            "layout": creative.layout,
        },
        parent_id=visual_id,
        seed=7,
        **common,
    )


def _image(ws: Workspace, asset_id: int) -> Image.Image:
    sha = ws.scalar("SELECT sha256 FROM assets WHERE id = ?", (asset_id,))
    return Image.open(io.BytesIO(ws.blob_path(sha).read_bytes())).convert("RGB")


def _rows(ws: Workspace, ids: list[int]) -> list[dict]:
    marks = ",".join("?" * len(ids))
    return ws.query(f"SELECT * FROM assets WHERE id IN ({marks}) ORDER BY id", tuple(ids))


@pytest.fixture
def creative(workspace: Workspace) -> int:
    return build_creative(workspace)


def test_variants_are_assets_linked_to_their_creative(workspace: Workspace, creative: int) -> None:
    axes = {"style": ["vintage-film"], "layout": ["mirrored"], "headline": 1, "colourway": 1}
    ids = make_variants(workspace, creative, axes=axes, count=6, seed=3)

    assert len(ids) == 6
    rows = _rows(workspace, ids)
    parent_row = workspace.query("SELECT * FROM assets WHERE id = ?", (creative,))[0]
    for row in rows:
        content = json.loads(row["content"])
        assert row["kind"] == "variant" and row["parent_id"] == creative
        assert row["campaign_id"] == parent_row["campaign_id"]
        assert row["target_id"] == parent_row["target_id"]
        assert row["variant_id"].startswith(f"a{creative}-")
        assert set(content["axes"]) <= set(axes) and content["axis"]
        assert _image(workspace, row["id"]).size == (300, 250)
    assert len({row["variant_id"] for row in rows}) == 6
    # one-axis variants come first: each of the four axes once, then pairs
    assert sorted(len(json.loads(r["content"])["axes"]) for r in rows) == [1, 1, 1, 1, 2, 2]

    by_axis = {json.loads(r["content"])["axis"]: r for r in rows}
    assert by_axis["style"]["model_id"] == "vintage-film"
    headline_variant = json.loads(by_axis["headline"]["content"])
    assert headline_variant["copy"]["headline"] == HEADLINES[1]
    assert headline_variant["copy"]["subline"] == DESCRIPTIONS[0]  # one idea: the headline
    colour_variant = json.loads(by_axis["colourway"]["content"])
    assert colour_variant["palette"]["primary"] == demo_brand_kit().palette["accent"]
    assert json.loads(by_axis["layout"]["content"])["layout"]["name"] == "mirrored"


def test_the_styled_variant_keeps_the_product_true(workspace: Workspace, creative: int) -> None:
    [variant] = make_variants(workspace, creative, axes={"style": ["vintage-film"]}, count=1)
    layout = json.loads(workspace.scalar("SELECT content FROM assets WHERE id = ?", (creative,)))[
        "layout"
    ]
    box = tuple(layout["product_box"])
    original = np.asarray(_image(workspace, creative).crop(box))
    styled_image = _image(workspace, variant)
    styled = np.asarray(styled_image.crop(box))
    ssim = structural_similarity(original, styled, channel_axis=2, data_range=255)
    assert ssim >= 0.95
    # while the scene around it was restyled
    corner = (0, 0, 60, 60)
    before = np.asarray(_image(workspace, creative).crop(corner), dtype=np.int16)
    after = np.asarray(styled_image.crop(corner), dtype=np.int16)
    assert np.abs(before - after).mean() > 3


def _outside(image: Image.Image, box: tuple) -> np.ndarray:
    """The picture with the product's box blanked, to compare what is around it."""
    pixels = np.asarray(image).copy()
    x0, y0, x1, y1 = (int(v) for v in box)
    pixels[y0:y1, x0:x1] = 0
    return pixels


def test_style_strength_sets_how_far_the_look_moves(workspace: Workspace, creative: int) -> None:
    """Style variants are visibly different around the product, more so with strength,
    while the product stays true."""
    layout = json.loads(workspace.scalar("SELECT content FROM assets WHERE id = ?", (creative,)))
    box = tuple(layout["layout"]["product_box"])
    parent = _image(workspace, creative)
    measured = {}
    for strength in (0.5, 1.0, 2.0):
        [variant] = make_variants(
            workspace, creative, axes={"style": ["vintage-film"]}, count=1,
            style_strength=strength,
        )  # fmt: skip
        image = _image(workspace, variant)
        around = structural_similarity(
            _outside(parent, box), _outside(image, box), channel_axis=2, data_range=255
        )
        product = structural_similarity(
            np.asarray(parent.crop(box)), np.asarray(image.crop(box)), channel_axis=2,
            data_range=255,
        )  # fmt: skip
        assert product >= 0.95
        measured[strength] = around
    assert measured[0.5] > measured[1.0] > measured[2.0]
    assert measured[1.0] < 0.85  # visibly restyled at the style's own strength
    ids = workspace.query("SELECT variant_id, content FROM assets WHERE kind = 'variant'")
    assert len({row["variant_id"] for row in ids}) == 3
    with pytest.raises(InputError, match="Style strength 3"):
        make_variants(workspace, creative, axes={"style": ["vintage-film"]}, count=1,
                      style_strength=3)  # fmt: skip


def test_a_message_angle_changes_the_headline_and_subline(workspace: Workspace,
                                                          creative: int) -> None:  # fmt: skip
    """A variant on another angle shows the copy written from that fact; its button and
    picture stay the creative's."""
    content = json.loads(workspace.scalar("SELECT content FROM assets WHERE id = ?", (creative,)))
    copy_row = workspace.query("SELECT * FROM assets WHERE id = ?", (content["copy_asset_id"],))[0]
    angled = {"headline": ["Trail pack: 30 L, waterproof"], "description": ["Two side pockets."]}
    record_asset(
        workspace, kind="copy", generator="copy", campaign_id=copy_row["campaign_id"],
        target_id=copy_row["target_id"], channel="google", parent_id=copy_row["id"],
        content={"fields": angled, "angle": "detail", "passed": True},
    )  # fmt: skip
    [variant] = make_variants(workspace, creative, axes={"angle": "all"}, count=1)
    row = workspace.query("SELECT * FROM assets WHERE id = ?", (variant,))[0]
    shown = json.loads(row["content"])
    assert shown["axes"] == {"angle": "detail"}
    assert shown["copy"]["headline"] == angled["headline"][0]
    assert shown["copy"]["subline"] == angled["description"][0]
    with pytest.raises(InputError, match="no copy written on the angle 'social'"):
        make_variants(workspace, creative, axes={"angle": ["social"]}, count=1)


def test_same_request_same_variants(workspace: Workspace, creative: int, tmp_path: Path) -> None:
    axes = {"style": "all", "crop": "all"}
    first = make_variants(workspace, creative, axes=axes, count=3, seed=11)
    again = make_variants(workspace, creative, axes=axes, count=3, seed=11)
    assert again == first
    assert workspace.scalar("SELECT count(*) FROM assets WHERE kind = 'variant'") == 3

    with Workspace.create(tmp_path / "twin") as twin:
        twin_creative = build_creative(twin)
        twin_ids = make_variants(twin, twin_creative, axes=axes, count=3, seed=11)
        mine = [(r["variant_id"].split("-")[1], r["sha256"]) for r in _rows(workspace, first)]
        theirs = [(r["variant_id"].split("-")[1], r["sha256"]) for r in _rows(twin, twin_ids)]
    assert mine == theirs


def test_bad_requests_are_refused_clearly(workspace: Workspace, creative: int) -> None:
    with pytest.raises(InputError, match="Unknown variant axis 'mood'"):
        make_variants(workspace, creative, axes={"mood": 2}, count=2)
    with pytest.raises(InputError, match="Unknown style 'sepia'"):
        make_variants(workspace, creative, axes={"style": ["sepia"]}, count=2)
    with pytest.raises(InputError, match="not a creative"):
        copy_id = workspace.scalar("SELECT id FROM assets WHERE kind = 'copy'")
        make_variants(workspace, copy_id, axes={"style": "all"}, count=2)
    variant = make_variants(workspace, creative, axes={"layout": ["mirrored"]}, count=1)[0]
    with pytest.raises(InputError, match=f"already a variant.*asset {creative}"):
        make_variants(workspace, variant, axes={"style": "all"}, count=1)
    with pytest.raises(InputError, match="nothing to vary"):
        make_variants(workspace, creative, axes={"headline": 0}, count=2)


def test_cancel_stops_before_anything_is_written(workspace: Workspace, creative: int) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        make_variants(workspace, creative, axes={"style": "all"}, count=2, cancel=cancel)
    assert workspace.scalar("SELECT count(*) FROM assets WHERE kind = 'variant'") == 0
