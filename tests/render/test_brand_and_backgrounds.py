from __future__ import annotations

import numpy as np
import pytest

from studio.core.errors import InputError, NotFound
from studio.render import BrandKit, contact_sheet, demo_brand_kit, design_background
from studio.render.background import STYLES
from studio.render.brand import NEUTRAL_KIT_NAME
from studio.services.brand_kits import list_brand_kits, load_brand_kit, save_brand_kit


def test_brand_kit_round_trips_through_the_workspace(workspace) -> None:
    kit = demo_brand_kit()
    kit.name = "Fernhill"
    kit.banned_words = ["cheap"]
    row_id = save_brand_kit(workspace, kit)
    assert save_brand_kit(workspace, kit) == row_id  # saving again updates, not duplicates
    loaded = load_brand_kit(workspace, "Fernhill")
    assert loaded.palette == kit.palette and loaded.fonts == kit.fonts
    assert loaded.banned_words == ["cheap"] and loaded.style == kit.style
    assert loaded.logo is not None and loaded.logo.size == kit.logo.size
    assert np.array_equal(np.asarray(loaded.logo), np.asarray(kit.logo.convert("RGBA")))
    assert list_brand_kits(workspace) == ["Fernhill"]
    assert load_brand_kit(workspace).name == "Fernhill"


def test_empty_workspace_gives_a_neutral_kit_and_unknown_names_are_refused(workspace) -> None:
    kit = load_brand_kit(workspace)
    assert kit.name == NEUTRAL_KIT_NAME and kit.name != demo_brand_kit().name
    assert kit.tone_words == []
    with pytest.raises(NotFound, match="No brand kit named 'Acme'"):
        load_brand_kit(workspace, "Acme")


def test_bad_colours_and_fonts_are_refused() -> None:
    palette = dict(demo_brand_kit().palette, accent="orange-ish")
    with pytest.raises(InputError, match="accent"):
        BrandKit(name="x", palette=palette)
    with pytest.raises(InputError, match="Comic"):
        BrandKit(name="x", palette=demo_brand_kit().palette, fonts={"headline": "Comic"})
    with pytest.raises(InputError, match="text_light"):
        BrandKit(name="x", palette={"primary": "#000000"})


@pytest.mark.parametrize("style", STYLES)
def test_designed_backgrounds_are_exact_and_deterministic(style: str) -> None:
    brand = demo_brand_kit()
    first = design_background(brand, (300, 250), seed=4, style=style)
    assert first.size == (300, 250) and first.mode == "RGB"
    assert first.tobytes() == design_background(brand, (300, 250), 4, style).tobytes()
    assert first.tobytes() != design_background(brand, (300, 250), 5, style).tobytes()
    # not a flat fill: the look has some variation
    assert np.asarray(first).std() > 2


def test_unknown_background_style_is_refused() -> None:
    with pytest.raises(InputError, match="gradient"):
        design_background(demo_brand_kit(), (10, 10), style="marble")


def test_contact_sheet_shows_every_creative(packshot, copy) -> None:
    from studio.render import compose_creative

    creatives = [
        compose_creative(
            image_format=fid, brand=demo_brand_kit(), copy=copy, product_image=packshot
        )
        for fid in ("iab_300x250", "iab_728x90", "social_1080x1920")
    ]
    sheet = contact_sheet(creatives, "Trail Bottle")
    assert sheet.width == 2000 and sheet.height > 420


def test_the_logo_stays_legible_in_every_layout_and_colourway() -> None:
    """WCAG 1.4.11 (3:1) for the logo against what lies behind it: the demo's navy
    wordmark once vanished on the navy panel of a layout variant."""
    from PIL import Image

    from studio.render import compose_creative
    from studio.render.layout import available_layouts

    kit = demo_brand_kit()
    product = Image.new("RGB", (400, 400), (200, 120, 60))
    navy_ways = (kit, kit.with_palette(secondary=kit.palette["primary"],
                                       background=kit.palette["primary"]))  # fmt: skip
    backed = 0
    for brand in navy_ways:
        for layout in available_layouts():
            for image_format in ("email_hero_600x300", "social_1080x1080", "iab_300x250"):
                try:
                    creative = compose_creative(
                        image_format=image_format, brand=brand, layout=layout,
                        copy={"headline": "Fresh beans", "cta": "Shop now"},
                        product_image=product,
                    )  # fmt: skip
                except InputError:  # a layout this format does not offer
                    continue
                info = creative.layout
                if info["logo_box"] is not None:
                    assert info["logo_contrast"] >= 3.0, (layout, image_format, info)
                    backed += info["logo_backed"]
    assert backed > 0  # the navy-on-navy cases were given a chip, not left to vanish
