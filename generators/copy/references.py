"""Short references to a product whose full name does not fit a field.

Shop names run long ("Ceramic Pour-Over Coffee Dripper Set with Glass Carafe and 100
Filters"); a 30-character description then names the product by its head's last words,
which in English name the kind of thing ("Coffee Dripper Set"), never by a name cut
mid-word.
"""

from __future__ import annotations

import re

from studio.core.names import SMALL_WORDS

#: where a product name's head ends and its variant or extras begin ("… Set with Glass
#: Carafe", "T-Shirt - Heather Grey / M", "Candle – Fig & Cassis")
_NAME_EXTRAS = re.compile(r"\s+(?:with|for|-|–|—|/|\|)\s+|\s*\(", re.I)


def short_references(name: str, limit: int) -> list[str]:
    """Shorter ways to name a product for a field its full name does not fit, longest first:
    the name's head (before its variant or extras), then the head's last words, which in
    English name the kind of thing ("Hanging Heart T-Light Holder", "Coffee Dripper Set").
    Never cut mid-word; empty when the full name fits."""
    if len(name) <= limit:
        return []
    head = _NAME_EXTRAS.split(name, maxsplit=1)[0].strip()
    words = head.split()
    while words and any(ch.isdigit() for ch in words[-1]):  # "… Bath Salts 500g", "… 1L"
        words.pop()
    starts = [
        start
        for start in range(len(words) - 1)
        if words[start][0].isalpha() and words[start].lower() not in SMALL_WORDS
    ]
    tails = [" ".join(words[start:]) for start in starts]
    return [tail for tail in tails if len(tail) <= limit]
