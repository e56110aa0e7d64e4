from __future__ import annotations

import pytest

from studio.core.channels import channel_formats
from studio.core.errors import NotFound
from studio.render.formats import get_image_format, image_formats

EXPECTED = {
    "iab_300x250": (300, 250),
    "iab_728x90": (728, 90),
    "iab_160x600": (160, 600),
    "iab_300x600": (300, 600),
    "iab_320x50": (320, 50),
    "iab_970x250": (970, 250),
    "social_1080x1080": (1080, 1080),
    "social_1080x1350": (1080, 1350),
    "social_1080x1920": (1080, 1920),
    "social_1200x628": (1200, 628),
    "email_hero_600x300": (600, 300),
}


def test_every_format_has_its_exact_size_a_limit_and_a_source() -> None:
    formats = image_formats()
    assert {fid: f.size for fid, f in formats.items()} == EXPECTED
    for fmt in formats.values():
        assert fmt.max_bytes > 0 and fmt.sources
        x0, y0, x1, y1 = fmt.safe_box
        assert 0 <= x0 < x1 <= fmt.width and 0 <= y0 < y1 <= fmt.height


def test_iab_initial_load_limits() -> None:
    assert get_image_format("iab_300x250").max_bytes == 150 * 1024
    assert get_image_format("iab_320x50").max_bytes == 50 * 1024


def test_channel_formats_only_name_known_image_formats() -> None:
    known = set(image_formats())
    for channel in channel_formats().values():
        assert set(channel.image_formats) <= known, channel.id


def test_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(NotFound, match="iab_300x250"):
        get_image_format("iab_1x1")
