"""Draws the app icon and writes it as PNG (Linux), ICO (Windows) and ICNS (macOS).

Run when the design changes: `python packaging/make_icons.py`. The outputs are kept in
resources/icons/ so builds need no drawing step.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZE = 1024


def draw_icon(size: int = SIZE) -> Image.Image:
    scale = size / 1024
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # a rounded tile in the studio's indigo, with three stacked "creatives"
    draw.rounded_rectangle(
        (40 * scale, 40 * scale, 984 * scale, 984 * scale),
        radius=200 * scale,
        fill=(49, 46, 129, 255),
    )
    cards = [
        ((250, 330, 700, 780), (129, 140, 248)),
        ((300, 280, 750, 730), (165, 180, 252)),
        ((350, 230, 800, 680), (250, 250, 255)),
    ]
    for box, colour in cards:
        draw.rounded_rectangle([v * scale for v in box], radius=48 * scale, fill=(*colour, 255))
    # the top card shows a headline bar and a call-to-action button
    draw.rounded_rectangle(
        [v * scale for v in (400, 300, 700, 350)], radius=18 * scale, fill=(49, 46, 129, 255)
    )
    draw.rounded_rectangle(
        [v * scale for v in (400, 380, 620, 410)], radius=12 * scale, fill=(129, 140, 248, 255)
    )
    draw.rounded_rectangle(
        [v * scale for v in (560, 570, 760, 640)], radius=30 * scale, fill=(245, 158, 11, 255)
    )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon = draw_icon()
    icon.resize((256, 256), Image.Resampling.LANCZOS).save(OUT / "campaign-studio.png")
    icon.save(OUT / "campaign-studio.ico", sizes=[(16, 16), (32, 32), (48, 48), (256, 256)])
    icon.save(OUT / "campaign-studio.icns")


if __name__ == "__main__":
    main()
