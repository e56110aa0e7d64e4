"""Call-to-action buttons from a closed grammar (``cta.json`` per language).

A button is a short imperative ("Shop now", "Discover Espresso Dark Roast"). The model
writes buttons like any other field, and the gate holds them to an imperative of the
grammar's verbs; the grammar's phrases, filled with the product's name and category and
kept where they fit, are the fallback when none of the model's passes.
"""

from __future__ import annotations

from functools import cache

from generators.copy.facts import FactSheet
from generators.copy.language import resource, words


@cache
def button_words(language: str) -> frozenset[str]:
    """Every word of the language's call-to-action phrases, lower case ("shop", "yours")."""
    phrases = resource(language, "cta.json")["phrases"]
    return frozenset(
        w.lower() for p in phrases for w in words(p.replace("{", " {")) if "{" not in w
    )


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
