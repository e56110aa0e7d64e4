"""A typographic product card: what a creative shows for a product without a photo.

Many shops export orders long before they have a photo of every product. Rather than
refuse, the compositor places this card where the photo would go: the brand's colours,
the product's initials in a badge, its name and its price, on a card with rounded
corners (transparent outside them, so it is cut out and shadowed like a photo). Nothing
about the product is invented: every word on it comes from the catalogue.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from studio.render.brand import BrandKit
from studio.render.colour import contrast_ratio
from studio.render.fonts import load_font
from studio.render.text import fit_text

CARD_SIZE = (900, 1100)
#: the method name creatives record for this stand-in (provenance, layout info)
CARD_METHOD = "text card"


CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥"}


def price_label(price: float | None, currency: str | None) -> str:
    """``£2.55``, ``14.50 CHF``; empty without a price."""
    if price is None:
        return ""
    amount = f"{price:,.2f}"
    symbol = CURRENCY_SYMBOLS.get((currency or "").upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency or ''}".strip()


def initials(name: str) -> str:
    """Up to two initials of the name's first words that start with a letter."""
    letters = [word[0] for word in name.split() if word[:1].isalpha()]
    return "".join(letters[:2]).upper() or "•"


def _ink(brand: BrandKit, fill: tuple[int, int, int]) -> tuple[int, int, int]:
    """The brand's text colour that reads best on ``fill``."""
    dark, light = brand.colour("text_dark"), brand.colour("text_light")
    return dark if contrast_ratio(dark, fill) >= contrast_ratio(light, fill) else light


def product_card(
    name: str, price: str, brand: BrandKit, *, size: tuple[int, int] = CARD_SIZE
) -> Image.Image:
    """An RGBA card showing ``name`` and ``price`` (may be empty) in the brand's style."""
    width, height = size
    card = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    fill = brand.colour("secondary")
    accent = brand.colour("accent")
    radius = width // 14
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=(*fill, 255))
    # a quiet band of the accent colour, so the card reads as designed, not blank
    band = height // 40
    draw.rectangle((radius, band * 2, width - radius, band * 3), fill=(*accent, 255))

    badge = width // 3
    left, top = (width - badge) // 2, height // 9
    draw.ellipse((left, top, left + badge, top + badge), fill=(*accent, 255))
    letters = initials(name)
    scale = 0.42 if len(letters) > 1 else 0.55
    font = load_font(brand.font_path("headline", "bold"), int(badge * scale))
    draw.text(
        (left + badge / 2, top + badge / 2), letters, font=font, fill=_ink(brand, accent),
        anchor="mm",
    )  # fmt: skip

    ink = _ink(brand, fill)
    margin = width // 10
    text_top = top + badge + height // 14
    price_room = height // 7 if price else 0
    fitted = fit_text(
        name, brand.font_path("headline", "bold"),
        (width - 2 * margin, height - text_top - price_room - margin),
        max_lines=4, min_size=24, max_size=width // 9,
    )  # fmt: skip
    y = text_top
    if fitted is not None:
        for line in fitted.lines:
            draw.text((width / 2, y), line, font=fitted.font, fill=ink, anchor="ma")
            y += fitted.line_height
    if price:
        price_font = load_font(brand.font_path("body", "regular"), width // 12)
        draw.text((width / 2, height - margin), price, font=price_font, fill=ink, anchor="md")
    return card
