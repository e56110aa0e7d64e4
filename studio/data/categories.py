"""Product categories derived from product names, for catalogues that have none.

Segments are described by what their customers buy ("Biggest category: Bags"); a shop
whose export carries no category would otherwise read "Uncategorised (100% vs 100%)".
Names are embedded with the studio's sentence model (all-MiniLM-L6-v2), grouped with
k-means on the unit vectors (cosine), and each group is named by its most distinctive
word: frequent inside the group, rare outside it, and not a colour, size or pack word.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

MAX_CATEGORIES = 12
MIN_PRODUCTS = 6
#: words that describe a product's look, size or pack, never what kind of thing it is
_NOT_A_KIND_WORDS = """
a an and the of in on with for to by from set sets pack packs piece pieces pc pcs
red white pink blue green black ivory cream gold golden silver grey gray natural brown
orange purple yellow beige navy assorted colour colours coloured color colors colored
vintage retro retrospot polkadot spot spots dots dotty floral classic new design designs
printed print small large jumbo mini medium big little tiny extra giant regular tall
round square heart hearts star stars love sweet lovely pretty happy christmas xmas
organic premium deluxe luxury dark light bright pastel antique rustic french english
"""
_NOT_A_KIND = frozenset(_NOT_A_KIND_WORDS.split())
_WORD = re.compile(r"[a-z][a-z'-]+")


def derive_categories(names: list[str], embeddings: np.ndarray, seed: int = 0) -> list[str]:
    """One category name per product; empty strings when there are too few products."""
    if len(names) < MIN_PRODUCTS:
        return [""] * len(names)
    from sklearn.cluster import KMeans

    k = max(2, min(MAX_CATEGORIES, round(math.sqrt(len(names)))))
    k = min(k, len({tuple(np.round(e, 4)) for e in embeddings}))
    if k < 2:
        return [""] * len(names)
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    unit = embeddings / np.where(norms > 0, norms, 1.0)
    labels = KMeans(k, n_init=4, random_state=seed).fit_predict(unit)
    words = [_kind_words(name) for name in names]
    frequency = Counter(word for product in words for word in set(product))
    labels_named = {
        label: _group_name([words[i] for i in np.flatnonzero(labels == label)], frequency,
                           len(names))
        for label in range(k)
    }  # fmt: skip
    return [labels_named[label] for label in labels]


def _kind_words(name: str) -> list[str]:
    """The words of a name that can say what kind of thing it is, in order (possessives
    such as "Poppy's" name a line or a person, not a kind)."""
    words = _WORD.findall(name.lower().replace("’", "'"))
    return [w for w in words if w not in _NOT_A_KIND and len(w) > 2 and "'" not in w]


def _group_name(members: list[list[str]], frequency: Counter[str], total: int) -> str:
    inside = Counter(word for product in members for word in set(product))
    # English names end on what the thing is ("hot water bottle", "t-light holder")
    last = Counter(product[-1] for product in members if product)
    shared = [w for w in inside if inside[w] >= 2] if len(members) > 1 else list(inside)
    if not shared:
        return "Other products"
    # distinctive: shared by many of the group, rare in the rest of the catalogue
    word = max(
        shared,
        key=lambda w: ((inside[w] + last[w]) * math.log(1 + total / frequency[w]), w),
    )
    return _plural(word).capitalize()


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith(("x", "ch", "sh", "z")):
        return word + "es"
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
