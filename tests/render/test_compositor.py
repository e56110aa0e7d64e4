"""Finished creatives: sizes, safe areas, contrast, file sizes, product in frame, determinism."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from studio.core.errors import InputError
from studio.render import (
    available_layouts,
    compose_creative,
    composite_text_layers,
    demo_brand_kit,
    image_formats,
    render_visual_layer,
)
from studio.render.colour import MIN_TEXT_CONTRAST, min_contrast_over, parse_hex

FORMATS = sorted(image_formats())


def _inside(box, outer) -> bool:
    return box[0] >= outer[0] and box[1] >= outer[1] and box[2] <= outer[2] and box[3] <= outer[3]


def _check(creative, packshot_alpha_sum: int | None = None) -> None:
    fmt = creative.image_format
    layout = creative.layout
    # exact size, in the image and in the encoded file
    assert creative.image.size == fmt.size
    decoded = Image.open(io.BytesIO(creative.encoded))
    assert decoded.format == "JPEG" and decoded.size == fmt.size
    assert creative.media_type == "image/jpeg"
    assert len(creative.encoded) <= fmt.max_bytes
    # every text layer and the logo inside the safe area; contrast measured independently
    # on the pixels behind the text
    assert layout["text"], "a creative has at least a headline"
    for layer in layout["text"]:
        assert _inside(layer["box"], fmt.safe_box), (fmt.id, layer["role"], layer["box"])
        measured = min_contrast_over(creative.backdrop, layer["box"], parse_hex(layer["colour"]))
        assert measured >= MIN_TEXT_CONTRAST, (fmt.id, layer["role"], measured)
        if "button" in layer:
            assert _inside(layer["button"], fmt.safe_box)
    if layout["logo_box"]:
        assert _inside(layout["logo_box"], fmt.safe_box)
    # the product is fully in frame: its box is on the canvas and no product pixel was cut
    box = layout["product_box"]
    assert _inside(box, (0, 0, *fmt.size))
    mask = np.asarray(creative.visual.product_mask)
    ys, xs = np.nonzero(mask)
    assert xs.min() >= box[0] and xs.max() < box[2] and ys.min() >= box[1] and ys.max() < box[3]
    assert mask.max() == 255


#: layouts are recipes per shape class; these cover every class, the smallest sizes and the
#: story format's large safe margins
SHAPES = ["iab_728x90", "iab_320x50", "social_1200x628", "iab_300x250", "iab_160x600",
          "social_1080x1920"]  # fmt: skip
CASES = [(f, "default") for f in FORMATS] + [
    (f, layout) for f in SHAPES for layout in available_layouts() if layout != "default"
]


@pytest.mark.parametrize(("format_id", "layout"), CASES)
def test_every_format_and_layout(format_id: str, layout: str, packshot, copy) -> None:
    creative = compose_creative(
        image_format=format_id,
        brand=demo_brand_kit(),
        copy=copy,
        product_image=packshot,
        seed=3,
        layout=layout,
    )
    _check(creative)
    assert creative.layout["name"] == layout
    assert creative.layout["cutout"] == "plain-background"


def test_busy_background_gets_a_scrim_and_stays_readable(packshot, copy) -> None:
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 256, (600, 600, 3), dtype=np.uint8), "RGB")
    for format_id in ("iab_300x250", "social_1080x1080", "iab_728x90"):
        creative = compose_creative(
            image_format=format_id,
            brand=demo_brand_kit(),
            copy=copy,
            product_image=packshot,
            background=noise,
        )
        _check(creative)
        headline = creative.layout["text"][0]
        assert headline["scrim"] is not None and headline["scrim"]["alpha"] > 0


def test_file_size_limit_is_met_by_lowering_jpeg_quality(packshot, copy) -> None:
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (1000, 1000, 3), dtype=np.uint8), "RGB")
    creative = compose_creative(
        image_format="iab_970x250",
        brand=demo_brand_kit(),
        copy=copy,
        product_image=packshot,
        background=noise,
    )
    assert len(creative.encoded) <= 150 * 1024
    assert creative.layout["jpeg_quality"] < 92


def test_fixed_seed_is_deterministic_and_seeds_differ(packshot, copy) -> None:
    def make(seed: int) -> bytes:
        return compose_creative(
            image_format="social_1200x628",
            brand=demo_brand_kit(),
            copy=copy,
            product_image=packshot,
            seed=seed,
        ).encoded

    assert make(5) == make(5)
    assert make(5) != make(6)


def test_layers_compose_like_the_one_call(packshot, copy) -> None:
    brand = demo_brand_kit()
    whole = compose_creative(
        image_format="iab_300x600", brand=brand, copy=copy, product_image=packshot, seed=2
    )
    layer = render_visual_layer(
        image_format="iab_300x600", brand=brand, product_image=packshot, seed=2
    )
    assert composite_text_layers(layer, brand=brand, copy=copy).encoded == whole.encoded
    # a restyled visual layer (as variants make) gets the same text on top, unchanged
    inverted = Image.eval(layer.image, lambda v: 255 - v)
    restyled = composite_text_layers(replace(layer, image=inverted), brand=brand, copy=copy)
    _check(restyled)
    assert restyled.layout["text"][0]["lines"] == whole.layout["text"][0]["lines"]


def test_text_wraps_at_words_and_too_long_copy_is_refused(packshot) -> None:
    brand = demo_brand_kit()
    long_copy = {"headline": "Fresh coffee for slow mornings and busy afternoons alike"}
    creative = compose_creative(
        image_format="iab_160x600", brand=brand, copy=long_copy, product_image=packshot
    )
    lines = creative.layout["text"][0]["lines"]
    assert len(lines) > 1 and " ".join(lines) == long_copy["headline"]
    unbreakable = {"headline": "Supercalifragilisticexpialidocious" * 3}
    with pytest.raises(InputError, match="does not fit"):
        compose_creative(
            image_format="iab_320x50", brand=brand, copy=unbreakable, product_image=packshot
        )
    with pytest.raises(InputError, match="headline"):
        compose_creative(
            image_format="iab_320x50", brand=brand, copy={"cta": "Go"}, product_image=packshot
        )


def test_small_banner_leaves_out_what_cannot_fit_and_says_so(packshot, copy) -> None:
    creative = compose_creative(
        image_format="iab_320x50", brand=demo_brand_kit(), copy=copy, product_image=packshot
    )
    assert "subline" in creative.layout["dropped"]
    assert [layer["role"] for layer in creative.layout["text"]] == ["headline", "cta"]


def test_mid_tone_accent_is_darkened_for_a_readable_button(packshot, copy) -> None:
    brand = demo_brand_kit().with_palette(accent="#777777")
    creative = compose_creative(
        image_format="iab_300x250", brand=brand, copy=copy, product_image=packshot
    )
    cta = creative.layout["text"][-1]
    assert cta["role"] == "cta" and cta["contrast"] >= MIN_TEXT_CONTRAST
    assert cta["button_colour"] != "#777777"
    _check(creative)


def test_unknown_layout_is_refused(packshot, copy) -> None:
    with pytest.raises(InputError, match="default"):
        compose_creative(
            image_format="iab_300x250",
            brand=demo_brand_kit(),
            copy=copy,
            product_image=packshot,
            layout="diagonal",
        )


def test_a_limit_no_quality_can_meet_is_an_error_not_a_broken_file() -> None:
    from studio.core.errors import GenerationError
    from studio.render import encode_within_limit

    rng = np.random.default_rng(2)
    noise = Image.fromarray(rng.integers(0, 256, (250, 300, 3), dtype=np.uint8), "RGB")
    with pytest.raises(GenerationError, match="does not fit 1 KB"):
        encode_within_limit(noise, 1024, where="iab_300x250")
    data, quality = encode_within_limit(noise, 60 * 1024, where="iab_300x250")
    assert len(data) <= 60 * 1024 and 30 <= quality < 92


def test_a_photo_that_cannot_be_cut_out_is_placed_whole(copy) -> None:
    rng = np.random.default_rng(3)
    busy = Image.fromarray(rng.integers(0, 256, (300, 200, 3), dtype=np.uint8), "RGB")
    creative = compose_creative(
        image_format="social_1080x1080", brand=demo_brand_kit(), copy=copy, product_image=busy
    )
    _check(creative)
    assert creative.layout["cutout"] == "none"
    x0, y0, x1, y1 = creative.layout["product_box"]
    assert abs((x1 - x0) / (y1 - y0) - 200 / 300) < 0.02  # whole photo, aspect kept
