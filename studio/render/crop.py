"""Cropping a picture to a format without losing what matters in it."""

from __future__ import annotations

from PIL import Image, ImageFilter

Box = tuple[int, int, int, int]


def smart_crop(
    image: Image.Image, size: tuple[int, int], keep: Box | None = None, *, margin: float = 0.04
) -> tuple[Image.Image, Box | None]:
    """Scale and crop ``image`` to exactly ``size``, keeping the ``keep`` box fully in frame.

    The picture is scaled to cover the target and the window is centred on ``keep``
    (or the middle). When covering would cut into ``keep`` (a tall product in a wide
    banner), the picture is scaled down until ``keep`` fits with ``margin`` around it, and
    the uncovered sides are filled with a blurred, covering copy of the same picture.
    Returns the result and where ``keep`` ended up in it.
    """
    width, height = size
    src_w, src_h = image.size
    scale = max(width / src_w, height / src_h)
    if keep is not None:
        keep_w, keep_h = keep[2] - keep[0], keep[3] - keep[1]
        limit = min(width * (1 - 2 * margin) / keep_w, height * (1 - 2 * margin) / keep_h)
        scale = min(scale, limit)
    scaled_w, scaled_h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    scaled = image.convert("RGB").resize((scaled_w, scaled_h), Image.Resampling.LANCZOS)
    if keep is None:
        cx, cy = scaled_w / 2, scaled_h / 2
    else:
        cx, cy = (keep[0] + keep[2]) / 2 * scale, (keep[1] + keep[3]) / 2 * scale
    # window origin in scaled coordinates; clamp so the window stays on the picture
    # where the picture is large enough, and centre it where it is not
    left = _clamp(cx - width / 2, scaled_w - width)
    top = _clamp(cy - height / 2, scaled_h - height)
    if scaled_w >= width and scaled_h >= height:
        canvas = scaled.crop((left, top, left + width, top + height))
    else:
        cover = max(width / src_w, height / src_h)
        backdrop = image.convert("RGB").resize(
            (max(width, round(src_w * cover)), max(height, round(src_h * cover))),
            Image.Resampling.BILINEAR,
        )
        bx, by = (backdrop.width - width) // 2, (backdrop.height - height) // 2
        canvas = backdrop.crop((bx, by, bx + width, by + height))
        canvas = canvas.filter(ImageFilter.GaussianBlur(max(width, height) / 40))
        canvas.paste(scaled, (-left, -top))
    if keep is None:
        return canvas, None
    moved = (
        round(keep[0] * scale) - left,
        round(keep[1] * scale) - top,
        round(keep[2] * scale) - left,
        round(keep[3] * scale) - top,
    )
    return canvas, moved


def _clamp(origin: float, room: int) -> int:
    """Clamp a window origin into [0, room]; a negative room centres the picture."""
    if room < 0:
        return round(room / 2)
    return round(min(max(origin, 0.0), float(room)))
