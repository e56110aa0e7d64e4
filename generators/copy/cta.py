"""Call-to-action buttons from a closed grammar (``cta.json`` per language).

A button is a short imperative ("Shop now", "Discover Espresso Dark Roast"); ad platforms
themselves offer a fixed list. So the studio does not sample button text: it expands the
language's phrases with the product's name and category, keeps those that fit the
field, and lets the model rank them by likelihood after the brief.
"""

from __future__ import annotations

from generators.copy.facts import FactSheet
from generators.copy.language import resource


def cta_phrases(sheet: FactSheet, limit: int) -> list[str]:
    """Every phrase of the grammar, filled in, that fits in ``limit`` characters."""
    product = sheet.product
    category = " ".join(product.category.split())
    if sheet.language != "de":
        category = category.lower()
    values = {"name": product.name, "category": category}
    phrases = []
    for phrase in resource(sheet.language, "cta.json")["phrases"]:
        if "{category}" in phrase and not category:
            continue
        text = phrase.format(**values)
        if len(text) <= limit and text not in phrases:
            phrases.append(text)
    return phrases
