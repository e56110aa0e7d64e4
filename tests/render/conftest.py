"""Product photos and copy shared by the compositor tests."""

from __future__ import annotations

import pytest
from PIL import Image

from studio.data.packshots import draw_packshot


@pytest.fixture(scope="session")
def packshot() -> Image.Image:
    """A 768×768 packshot on a plain light background, as the demo workspace draws them."""
    return draw_packshot("bottle", "forest", ["FERNHILL", "Trail Bottle"])


@pytest.fixture
def copy() -> dict[str, str]:
    return {
        "headline": "Stay fresh all day",
        "subline": "Our lightest bottle yet, made from recycled steel.",
        "cta": "Shop now",
    }
