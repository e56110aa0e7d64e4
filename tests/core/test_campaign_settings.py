"""A campaign's settings: their limits, their design, and how the workspace stores them."""

from __future__ import annotations

import pytest

from studio.core.campaign_settings import (
    MAX_VARIANTS,
    SCHEMA_VERSION,
    CampaignSettings,
)
from studio.core.errors import InputError


def test_a_design_makes_every_single_change_then_the_crossings():
    settings = CampaignSettings(variant_axes={"angle": 2, "colourway": 1})
    assert settings.design_size() == 3 * 2 - 1
    assert settings.variants_per_creative == 5
    assert settings.angles_tested == 2
    # a plain count wins over a design, which then only says what the count varies
    assert CampaignSettings(variants=3, variant_axes={"angle": 2}).variants_per_creative == 3
    assert CampaignSettings().variants_per_creative == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"variants": MAX_VARIANTS + 1}, "Variants per creative must be between 0 and 24"),
        ({"variants": 2.5}, "variants must be a whole number"),
        ({"copy_candidates": 0}, "Copy candidates per field must be between 1 and 16"),
        ({"style_strength": 3.0}, "Style strength must be between 0.25 and 2"),
        ({"conversion_lag_days": -1}, "conversion lag in days must be between 0 and 30"),
        ({"variant_axes": {"mood": 1}}, "Unknown variant axis 'mood'"),
        ({"variant_axes": {"angle": 5}}, "Ask for 1 to 4 values of the angle axis"),
        ({"variant_axes": {"angle": True}}, "whole number of angle values"),
        ({"variant_axes": {"angle": 4, "colourway": 4, "layout": 1}}, "makes 49 variants"),
        ({"landing_url": "javascript:alert(1)"}, "is not a web address"),
    ],
)
def test_settings_the_studio_cannot_generate_are_refused_by_name(values, message):
    with pytest.raises(InputError, match=message):
        CampaignSettings(**values)


def test_text_is_tidied_and_the_design_is_the_campaigns_own():
    settings = CampaignSettings(occasion="  Mother's   Day ", landing_url=" https://shop.example ")
    assert (settings.occasion, settings.landing_url) == ("Mother's Day", "https://shop.example")
    axes = {"colourway": 2}
    settings = CampaignSettings(variant_axes=axes)
    axes["colourway"] = 4  # the caller's dict is not the campaign's
    assert settings.variant_axes == {"colourway": 2}


def test_stored_settings_round_trip_with_their_schema_version():
    settings = CampaignSettings(
        variants=2, variant_axes={"angle": 1}, occasion="Christmas", style_strength=1.5
    )
    stored = settings.to_json()
    assert stored["schema"] == SCHEMA_VERSION
    assert CampaignSettings.from_json(stored) == settings


def test_settings_stored_before_the_schema_version_still_read():
    old = {"variants": 1, "copy_candidates": 2, "landing_url": "https://shop.example/x"}
    assert CampaignSettings.from_json(old) == CampaignSettings(
        variants=1, copy_candidates=2, landing_url="https://shop.example/x"
    )


def test_newer_or_unknown_settings_are_refused_not_guessed():
    with pytest.raises(InputError, match="newer studio"):
        CampaignSettings.from_json({"schema": SCHEMA_VERSION + 1})
    with pytest.raises(InputError, match="Unknown campaign settings: budget"):
        CampaignSettings.from_json({"schema": SCHEMA_VERSION, "budget": 100})
