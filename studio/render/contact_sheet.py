"""A contact sheet: every creative of one product side by side, labelled, for review."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

from studio.render.compositor import Creative
from studio.render.fonts import font_file, load_font

SHEET_WIDTH = 2000
ROW_HEIGHT = 420
GUTTER = 24
LABEL_HEIGHT = 52


def contact_sheet(creatives: Sequence[Creative], title: str = "") -> Image.Image:
    """Creatives packed in rows at a common height (wide ones scaled to the sheet width)."""
    label_font = load_font(font_file("Inter", "regular"), 17)
    title_font = load_font(font_file("Inter", "bold"), 30)
    tiles = []
    for creative in creatives:
        image = creative.image
        scale = min(ROW_HEIGHT / image.height, (SHEET_WIDTH - 2 * GUTTER) / image.width, 1.0)
        tile = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.LANCZOS,
        )
        fmt = creative.image_format
        label = f"{fmt.id}\n{fmt.width}×{fmt.height}, {len(creative.encoded) / 1024:.0f} KB"
        tiles.append((tile, label))

    rows: list[list[tuple[Image.Image, str]]] = [[]]
    used = GUTTER
    for tile, label in tiles:
        if rows[-1] and used + tile.width + GUTTER > SHEET_WIDTH:
            rows.append([])
            used = GUTTER
        rows[-1].append((tile, label))
        used += tile.width + GUTTER
    top = GUTTER + (50 if title else 0)
    heights = [max(t.height for t, _ in row) + LABEL_HEIGHT + GUTTER for row in rows if row]
    sheet = Image.new("RGB", (SHEET_WIDTH, top + sum(heights)), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((GUTTER, GUTTER), title, font=title_font, fill=(30, 30, 30))
    y = top
    for row, height in zip(rows, heights, strict=True):
        x = GUTTER
        for tile, label in row:
            sheet.paste(tile, (x, y))
            draw.rectangle((x - 1, y - 1, x + tile.width, y + tile.height), outline=(190, 190, 190))
            draw.multiline_text((x, y + tile.height + 6), label, font=label_font, fill=(60, 60, 60))
            x += tile.width + GUTTER
        y += height
    return sheet
