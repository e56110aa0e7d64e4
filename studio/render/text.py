"""Text fitting: word wrapping and the largest font size that fits a box.

Text is never cut mid-word or truncated: when copy cannot fit a box even at the smallest
legible size, fitting fails and the caller decides (drop an optional line, or report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from studio.render.fonts import load_font

LINE_SPACING = 1.15


@dataclass(frozen=True)
class FittedText:
    text: str
    font_path: Path
    size: int
    lines: tuple[str, ...]
    line_height: int
    width: int
    height: int

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return load_font(self.font_path, self.size)


def line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * LINE_SPACING)


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str] | None:
    """Greedy word wrap; None when a single word is wider than ``max_width``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if font.getlength(word) > max_width:
            return None
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= max_width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def layout_text(
    text: str, font_path: Path, size: int, max_width: int, max_lines: int
) -> FittedText | None:
    font = load_font(font_path, size)
    lines = wrap(text, font, max_width)
    if lines is None or len(lines) > max_lines:
        return None
    ascent, descent = font.getmetrics()
    step = line_height(font)
    width = max((round(font.getlength(line)) for line in lines), default=0)
    height = step * (len(lines) - 1) + ascent + descent if lines else 0
    return FittedText(text, font_path, size, tuple(lines), step, width, height)


def fit_text(
    text: str,
    font_path: Path,
    box_size: tuple[int, int],
    *,
    max_lines: int,
    min_size: int,
    max_size: int,
) -> FittedText | None:
    """The largest size in [min_size, max_size] at which ``text`` fits the box, or None."""
    max_width, max_height = box_size
    best = None
    low, high = min_size, max_size
    while low <= high:  # fitting is monotonic in size, so bisect
        size = (low + high) // 2
        fitted = layout_text(text, font_path, size, max_width, max_lines)
        if fitted is not None and fitted.height <= max_height:
            best, low = fitted, size + 1
        else:
            high = size - 1
    return best
