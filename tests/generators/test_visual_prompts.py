from __future__ import annotations

from generators.visual.prompts import ProductFacts, SegmentFacts, build_prompt, colour_name
from studio.render import demo_brand_kit


def test_prompt_comes_from_product_segment_and_brand() -> None:
    brand = demo_brand_kit()
    prompt, negative = build_prompt(
        ProductFacts("Trail Bottle", "Outdoor", "Keeps water cold."),
        brand,
        SegmentFacts("Weekend hikers"),
    )
    assert "Trail Bottle" in prompt and "outdoor" in prompt
    assert "weekend hikers" in prompt
    assert "navy" in prompt  # the palette's primary, named for the text encoder
    assert brand.style["style_words"][0] in prompt
    assert "text" in negative and "watermark" in negative


def test_colour_names() -> None:
    assert colour_name("#1F3A5F") == "navy"
    assert colour_name("#FFFFFF") == "white"
    assert colour_name("#D9482B") in {"red", "terracotta", "coral"}
