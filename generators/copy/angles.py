"""Message angles: which of the product's own facts a piece of copy leads with.

A marketer tests ideas, not just wordings. Each angle picks one fact to lead with; none
invents one:

* ``benefit``  — what the product does for the customer: the part of its description
  after the kind of product ("keeps you dry on long runs"), else the description;
* ``detail``   — what it is made of or measures: its attributes ("merino wool, 240 g");
* ``occasion`` — when it is for: the campaign's occasion ("Mother's Day") or an
  occasion or season attribute of the product;
* ``social``   — how many of the shop's customers ordered it, from the studio's own
  order data, when at least :data:`SOCIAL_MIN_BUYERS` did.

An angle a product has no fact for is not available; asking for it is an error. Copy on
an angle carries its fact first in the brief, must say it in its lead fields (the gate's
``angle`` rule), and falls back to the language's angle templates (``templates.json``).
"""

from __future__ import annotations

from generators.copy.language import resource
from generators.copy.request import ProductFacts
from generators.copy.text import first_sentence, split_kind
from studio.core.errors import InputError

ANGLES = ("benefit", "detail", "occasion", "social")
#: fewer buyers than this is no social proof worth stating
SOCIAL_MIN_BUYERS = 25
#: attributes that are no detail worth leading with
_NOT_DETAILS = {"url", "image", "photo", "sku", "id", "gtin", "ean"}
#: at most this many attribute values make a detail focus
_DETAIL_VALUES = 3


def angle_focus(angle: str, product: ProductFacts, language: str, occasion: str = "") -> str | None:
    """The fact copy on ``angle`` leads with, or None when the product has none."""
    if angle == "benefit":
        description = first_sentence(product.description) if product.description else ""
        _, detail = split_kind(description)
        return detail or description.rstrip(".!?") or None
    if angle == "detail":
        keys = set(_occasion_keys(language))
        values = [
            value
            for key, value in product.attributes.items()
            if key.lower() not in _NOT_DETAILS and key.lower() not in keys and _plain(value)
        ]
        return ", ".join(values[:_DETAIL_VALUES]) or None
    if angle == "occasion":
        if occasion.strip():
            return " ".join(occasion.split())
        keys = _occasion_keys(language)
        for key, value in product.attributes.items():
            if key.lower() in keys and _plain(value):
                return value
        return None
    if angle == "social":
        if product.buyers is None or product.buyers < SOCIAL_MIN_BUYERS:
            return None
        count = buyers_text(product.buyers, language)
        return str(resource(language, "rules.json")["angles"]["social"]).format(count=count)
    raise InputError(f"Unknown message angle '{angle}'.", hint=f"angles: {', '.join(ANGLES)}")


def available_angles(product: ProductFacts, language: str, occasion: str = "") -> dict[str, str]:
    """Every angle the product has a fact for, with that fact, in :data:`ANGLES` order."""
    found = {}
    for angle in ANGLES:
        focus = angle_focus(angle, product, language, occasion)
        if focus:
            found[angle] = focus
    return found


def social_claims(buyers: int | None, language: str) -> list[str]:
    """What the social angle may state: the sentence and its short form ("312 buyers")."""
    if buyers is None or buyers < SOCIAL_MIN_BUYERS:
        return []
    count = buyers_text(buyers, language)
    rules = resource(language, "rules.json")["angles"]
    return [rules["social"].format(count=count), rules["social_short"].format(count=count)]


def buyers_text(buyers: int | None, language: str) -> str:
    """The number of buyers as the language writes it (1,240 · 1.240 · 1 240)."""
    if buyers is None:
        return ""
    return f"{buyers:,}".replace(",", _thousands(language))


def _occasion_keys(language: str) -> list[str]:
    return [str(k).lower() for k in resource(language, "rules.json")["angles"]["occasion_keys"]]


def _thousands(language: str) -> str:
    return str(resource(language, "rules.json")["angles"]["thousands"])


def _plain(value: str) -> bool:
    return 0 < len(value) <= 40 and not value.startswith(("[", "{", "http"))
