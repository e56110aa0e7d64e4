"""Short references to a product whose full name does not fit a field.

Shop names run long ("Ceramic Pour-Over Coffee Dripper Set with Glass Carafe and 100
Filters"); a 30-character description then names the product by its head's last words,
which in English name the kind of thing ("Coffee Dripper Set"), never by a name cut
mid-word.
"""

from __future__ import annotations

import re

from studio.core.names import SMALL_WORDS

#: last words that name how many, not what ("Dripper Set"): the word before is the kind
COLLECTIVE_NOUNS = frozenset({"set", "pack", "kit", "bundle", "pair", "box", "duo", "trio"})
#: where a product name's head ends and its variant or extras begin ("… Set with Glass
#: Carafe", "T-Shirt - Heather Grey / M", "Candle – Fig & Cassis")
_NAME_EXTRAS = re.compile(r"\s+(?:with|for|-|–|—|/|\|)\s+|\s*\(", re.I)


def short_references(name: str, limit: int, facts: str = "", category: str = "") -> list[str]:
    """Shorter ways to name a product for a field its full name does not fit, longest first:
    the name's head (before its variant or extras), then the head's last words, which in
    English name the kind of thing ("Hanging Heart T-Light Holder", "Coffee Dripper Set").
    Never cut mid-word; empty when the full name fits.

    With the product's ``facts`` (its description and category), a tail must end on a
    word they use (the kind of thing, not "… Pantry Design") and must not split a phrase
    they use ("Neck T-Shirt" from a "crew neck t-shirt"); with its ``category``, a name
    whose description names no kind of thing it has ends on the category's."""
    if len(name) <= limit:
        return []
    words = name_head(name)
    said = " ".join(re.findall(r"[\w'-]+", facts.lower()))
    kind = kind_of_name(words)[:1]
    if said and kind and not re.search(rf"\b{re.escape(kind[0].lower())}", said):
        # the name does not end on the kind of thing ("… Cake Tins Pantry Design"): end it
        # where it names what the description says the product is ("Three nesting cake tins")
        words = up_to_kind(words, facts, category)
        if not words:
            return []
    tails = []
    for start in range(len(words) - 1):
        first = words[start]
        if not first[0].isalpha() or first.lower() in SMALL_WORDS:
            continue
        if start and said and f" {words[start - 1].lower()} {first.lower()} " in f" {said} ":
            continue  # the tail would split a phrase of the facts
        tail = " ".join(words[start:])
        if len(tail) <= limit:
            tails.append(tail)
    return tails


def name_head(name: str) -> list[str]:
    """The words of a name before its variant or extras, without a trailing size:
    "Lavender & Chamomile Sleep Bath Salts 500g" → [… "Bath", "Salts"]."""
    return _without_size(_NAME_EXTRAS.split(name, maxsplit=1)[0].split())


def _without_size(words: list[str]) -> list[str]:
    """The words without the size they end on: "… Bath Salts 500g", "… 1L", "… Print A3"."""
    while words and any(ch.isdigit() for ch in words[-1]):
        words = words[:-1]
    return words


def kind_of_name(head: list[str]) -> list[str]:
    """The words of a name's head that name the kind of thing: its last, or the one
    before a collective noun with it ("Dripper Set")."""
    if head and head[-1].lower() in COLLECTIVE_NOUNS:
        return head[-2:]
    return head[-1:]


#: where a description's opening noun phrase ends
_LEAD_END = re.compile(
    r"\s(?:with|for|in|of|on|at|from|to|that|which|by|and|made)\s|[,.;:(]", re.IGNORECASE
)


def description_lead(description: str) -> list[str]:
    """The words of a description's opening noun phrase: ["Large", "shopping", "bag"] of
    "Large shopping bag with a red polka dot print."."""
    return _LEAD_END.split(description, maxsplit=1)[0].split()


def up_to_kind(words: list[str], facts: str, category: str) -> list[str]:
    """The name's words up to the last one naming the description's kind of thing, else
    the category's ("Vintage Botanical Print" of "… Print A3 Unframed" in "Prints"),
    without a size it ends on."""
    stems = [word.lower().rstrip("s") for word in words]
    for kinds in (description_lead(facts)[-1:], category.split()):
        wanted = {kind.lower().rstrip("s") for kind in kinds}
        ends = [i for i, stem in enumerate(stems) if stem in wanted]
        if ends:
            return _without_size(words[: ends[-1] + 1])
    return []


def field_references(
    name: str, room: int, facts: str = "", category: str = "", *, short_field: bool
) -> list[str]:
    """The short references a field may use: in a short field (headline, subject) also for
    a name that fits it, so the brief's words have room ("For our regulars: T-Light
    Holder"); elsewhere only for a name longer than the field."""
    limit = min(room, len(name) - 1) if short_field else room
    return short_references(name, limit, facts, category)
