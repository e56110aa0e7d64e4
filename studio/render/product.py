"""The product photo: cut out, placed on a scene with a soft contact shadow, never redrawn.

Cut-out uses the photo's alpha channel when it has one. Otherwise a packshot on a plain
light background is separated by colour: pixels close to the border colour that connect
to the border are background (light areas inside the product stay). Any other photo is
kept whole as a rectangular card, and the layout info says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, UnidentifiedImageError

from studio.core.errors import InputError

CutoutMethod = Literal["alpha", "plain-background", "none"]
Box = tuple[int, int, int, int]

#: a border this uniform (90th percentile of colour distance to its median) counts as plain
PLAIN_BORDER_SPREAD = 22.0
#: and this light (mean channel value) counts as a light packshot background
LIGHT_BORDER = 170.0
#: a change of this many grey levels per pixel is an outline the background flood stops at
EDGE_LEVELS = 1.2


#: larger than any product photo a camera takes (100 MP medium format); decoding one this
#: size takes about 300 MB. Pillow's own bomb check is set to it, so a photo the import
#: accepted never prints Pillow's warning later (larger files are refused at import).
MAX_PHOTO_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS


@dataclass(frozen=True)
class Cutout:
    image: Image.Image  # RGBA, trimmed to the product
    method: CutoutMethod


def open_product_photo(path: Path | str) -> Image.Image:
    """Read a product photo fully, refusing unreadable files with a clear message."""
    path = Path(path)
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except FileNotFoundError:
        raise InputError(f"The product photo {path} does not exist.") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise InputError(
            f"The product photo {path} cannot be read as an image: {error}.",
            hint="use a PNG, JPEG or WebP file",
        ) from None


def cut_out(photo: Image.Image) -> Cutout:
    if photo.width < 8 or photo.height < 8:
        raise InputError(f"The product photo is too small ({photo.width}×{photo.height} px).")
    if photo.mode in ("RGBA", "LA", "PA") or "transparency" in photo.info:
        rgba = photo.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        if alpha.min() < 250:
            return Cutout(_trim(rgba, alpha), "alpha")
    rgb = np.asarray(photo.convert("RGB"), dtype=np.float32)
    mask = _plain_background_mask(rgb)
    if mask is None:
        return Cutout(photo.convert("RGBA"), "none")
    alpha_image = Image.fromarray((~mask).astype(np.uint8) * 255, "L")
    # a one-pixel feather hides the stair-steps of a hard colour key
    alpha_image = alpha_image.filter(ImageFilter.GaussianBlur(0.8))
    rgba = photo.convert("RGB").convert("RGBA")
    rgba.putalpha(alpha_image)
    return Cutout(_trim(rgba, np.asarray(alpha_image)), "plain-background")


def _plain_background_mask(rgb: np.ndarray) -> np.ndarray | None:
    """Boolean background mask, or None when the border is not plain and light."""
    from scipy import ndimage

    border = np.concatenate(
        [
            rgb[:2].reshape(-1, 3),
            rgb[-2:].reshape(-1, 3),
            rgb[:, :2].reshape(-1, 3),
            rgb[:, -2:].reshape(-1, 3),
        ]
    )
    colour = np.median(border, axis=0)
    spread = float(np.percentile(np.linalg.norm(border - colour, axis=1), 90))
    if spread > PLAIN_BORDER_SPREAD or float(colour.mean()) < LIGHT_BORDER:
        return None
    threshold = max(18.0, 1.5 * spread + 8.0)
    near = np.linalg.norm(rgb - colour, axis=2) < threshold
    # light products (a white pump, a cream jar) differ from the backdrop by a few levels
    # only, but their outlines are edges: the flood from the border stops at them
    smooth = ndimage.gaussian_filter(rgb.mean(axis=2), 1.0)
    edges = np.hypot(ndimage.sobel(smooth, axis=0), ndimage.sobel(smooth, axis=1)) / 8.0
    near &= edges < EDGE_LEVELS + spread / 4.0
    labels, _ = ndimage.label(near)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    background = np.isin(labels, edge_labels[edge_labels > 0])
    if background.all():
        raise InputError(
            "The product photo shows only background; no product could be found in it."
        )
    return background


def _trim(rgba: Image.Image, alpha: np.ndarray) -> Image.Image:
    ys, xs = np.nonzero(alpha > 8)
    if len(xs) == 0:
        raise InputError("The product photo is fully transparent; there is no product in it.")
    return rgba.crop((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))


def fit_into(size: tuple[int, int], slot: Box, *, fill: float = 1.0) -> Box:
    """The box for an item of ``size`` scaled to fit ``slot``, standing on its bottom edge."""
    x0, y0, x1, y1 = slot
    scale = min((x1 - x0) * fill / size[0], (y1 - y0) * fill / size[1])
    width, height = max(1, round(size[0] * scale)), max(1, round(size[1] * scale))
    left = x0 + (x1 - x0 - width) // 2
    bottom = y1 - round((y1 - y0) * (1 - fill) / 2)
    return left, bottom - height, left + width, bottom


def place_product(
    canvas: Image.Image, cutout: Cutout, slot: Box, *, shadow: bool = True
) -> tuple[Box, Image.Image]:
    """Paste the product into ``slot`` on ``canvas`` (in place).

    Returns the product's box and a full-canvas mask of its pixels (for protecting the
    product when the scene is restyled or harmonised).
    """
    box = fit_into(cutout.image.size, slot, fill=0.94)
    width, height = box[2] - box[0], box[3] - box[1]
    product = cutout.image.resize((width, height), Image.Resampling.LANCZOS)
    if shadow and cutout.method != "none":
        _contact_shadow(canvas, box)
    elif shadow:
        _card_shadow(canvas, box)
    canvas.paste(product, box[:2], product)
    mask = Image.new("L", canvas.size, 0)
    mask.paste(product.getchannel("A"), box[:2])
    return box, mask


def _contact_shadow(canvas: Image.Image, box: Box) -> None:
    """A soft elliptical shadow where the product meets the ground."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    shadow_h = max(4, round(height * 0.07))
    blur = max(2.0, shadow_h * 0.6)
    pad = round(blur * 3)
    layer = Image.new("L", (width + 2 * pad, shadow_h + 2 * pad), 0)
    ImageDraw.Draw(layer).ellipse(
        (pad + width * 0.06, pad, pad + width * 0.94, pad + shadow_h), fill=120
    )
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    top = y1 - shadow_h // 2 - pad
    canvas.paste((20, 20, 20), (x0 - pad, top), layer)


def _card_shadow(canvas: Image.Image, box: Box) -> None:
    """A drop shadow behind a photo that could not be cut out."""
    x0, y0, x1, y1 = box
    offset = max(2, round((y1 - y0) * 0.02))
    blur = offset * 2.0
    pad = round(blur * 3)
    layer = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 0)
    ImageDraw.Draw(layer).rectangle((pad, pad, pad + x1 - x0, pad + y1 - y0), fill=90)
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    canvas.paste((20, 20, 20), (x0 - pad + offset, y0 - pad + offset), layer)
