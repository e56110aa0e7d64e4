from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.core.errors import InputError
from studio.render.crop import smart_crop
from studio.render.product import cut_out, open_product_photo, place_product


def test_packshot_on_light_background_is_cut_out(packshot) -> None:
    cutout = cut_out(packshot)
    assert cutout.method == "plain-background"
    alpha = np.asarray(cutout.image.getchannel("A"))
    # trimmed to the product: much smaller than the photo, opaque in the middle
    assert cutout.image.width < packshot.width * 0.6
    assert alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255
    # the photo's corners were background and are gone
    full = np.asarray(packshot.convert("RGB"))
    assert (full[0, 0] > 200).all()


def test_alpha_channel_is_used_when_present() -> None:
    photo = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    ImageDraw.Draw(photo).rectangle((20, 10, 59, 69), fill=(200, 30, 30, 255))
    cutout = cut_out(photo)
    assert cutout.method == "alpha"
    assert cutout.image.size == (40, 60)


def test_busy_photo_is_kept_whole_and_says_so() -> None:
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), "RGB")
    cutout = cut_out(photo)
    assert cutout.method == "none" and cutout.image.size == (64, 64)


def test_blank_photo_has_no_product() -> None:
    with pytest.raises(InputError, match="only background"):
        cut_out(Image.new("RGB", (64, 64), (245, 245, 245)))


def test_unreadable_and_missing_photos_are_refused(tmp_path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    with pytest.raises(InputError, match=r"broken\.png cannot be read"):
        open_product_photo(broken)
    with pytest.raises(InputError, match="does not exist"):
        open_product_photo(tmp_path / "missing.jpg")


def test_placed_product_pixels_are_the_photo_pixels(packshot) -> None:
    canvas = Image.new("RGB", (400, 400), (90, 120, 160))
    cutout = cut_out(Image.new("RGBA", (50, 50), (10, 200, 10, 255)).crop((0, 0, 50, 50)))
    box, mask = place_product(canvas, cutout, (100, 100, 300, 300))
    assert box[2] - box[0] == box[3] - box[1]  # aspect kept
    inside = np.asarray(canvas)[np.asarray(mask) == 255]
    assert (inside == (10, 200, 10)).all()


@pytest.mark.parametrize("size", [(728, 90), (320, 50), (160, 600), (1080, 1920)])
def test_smart_crop_keeps_the_box_in_frame(size) -> None:
    scene = Image.new("RGB", (768, 768), (200, 200, 200))
    keep = (250, 150, 520, 700)  # a tall product
    ImageDraw.Draw(scene).rectangle(keep, fill=(255, 0, 0))
    cropped, moved = smart_crop(scene, size, keep)
    assert cropped.size == size
    assert moved is not None
    x0, y0, x1, y1 = moved
    assert 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]
    red = np.asarray(cropped)[..., 0] > 200
    assert red[(y0 + y1) // 2, (x0 + x1) // 2]
