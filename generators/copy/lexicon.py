"""The words one piece of copy may use: the language's copy lexicon plus the brief's facts.

The lexicon (``resources/copy/<code>/lexicon.json``) holds the function words, verbs,
adjectives and everyday nouns of marketing copy, none of them a name, a product type or a
promise. The brief adds every word of its product, segment and brand text, with the
plural a language forms most simply. Decoding keeps the model to these words, which is
why a small model cannot misspell the product, invent a coffee shop called "Echoflux" or
write "[Customer Name]".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from generators.copy.cta import button_words
from generators.copy.facts import FactSheet
from generators.copy.language import resource, words

_LEXICON_GROUPS = ("function", "verbs", "adjectives", "nouns", "adverbs")


@cache
def lexicon_words(language: str) -> frozenset[str]:
    raw = resource(language, "lexicon.json")
    return frozenset(word for group in _LEXICON_GROUPS for word in raw.get(group, ()))


@cache
def elisions(language: str) -> tuple[str, ...]:
    return tuple(resource(language, "lexicon.json").get("elisions", ()))


@cache
def _inflections(language: str) -> tuple[str, ...]:
    return tuple(resource(language, "lexicon.json").get("inflections", ()))


@dataclass(frozen=True)
class Vocabulary:
    """Exact word forms copy may use; capitalised forms of lexicon words start sentences."""

    words: frozenset[str]
    elisions: tuple[str, ...] = ()

    @cached_property
    def prefixes(self) -> frozenset[str]:
        return frozenset(word[:end] for word in self.words for end in range(1, len(word) + 1))

    def is_word(self, piece: str) -> bool:
        piece = piece.replace("’", "'")
        if piece in self.words:
            return True
        head, tail = self.split_elision(piece)
        return head is not None and (not tail or tail in self.words)

    def is_prefix(self, piece: str) -> bool:
        piece = piece.replace("’", "'")
        if piece in self.prefixes:
            return True
        head, tail = self.split_elision(piece)
        return head is not None and (not tail or tail in self.prefixes)

    def split_elision(self, piece: str) -> tuple[str | None, str]:
        """("l'", "arôme") for "l'arôme"; (None, "") for a word without an elision."""
        piece = piece.replace("’", "'")
        for elision in self.elisions:
            if piece.startswith(elision) or piece.startswith(elision.capitalize()):
                return elision, piece[len(elision) :]
        return None, ""


def vocabulary(sheet: FactSheet) -> Vocabulary:
    language = sheet.language
    allowed: set[str] = set()
    # the copy lexicon, and the button phrases' words a button is written in
    for word in lexicon_words(language) | button_words(language):
        allowed |= {word, _capitalised(word)}
    endings = _inflections(language)
    # the product's text and the brand's, not the segment's: a segment's name and
    # description are the studio's own analysis ("Lapsed high spenders"), never copy
    outside_name = sheet.decoding_text.replace(sheet.name, " ")
    for word in words(outside_name):
        forms = {word, word.lower()}
        forms |= {variant for form in tuple(forms) for variant in _inflected(form, endings)}
        allowed |= forms | {_capitalised(form) for form in forms}
    # a word of the name only as written there: "Yirgacheffe", never "yirgacheffe"
    allowed |= set(sheet.name_words)
    allowed |= {form for e in elisions(language) for form in (e, _capitalised(e))}
    # the brand's tone words steer the voice; written into copy they read as if they
    # described the product ("a warm, playful bottle"), unless the product's text says so
    claimed = {word.lower() for word in words(sheet.claims_text)}
    tone = {w.lower() for phrase in sheet.tone_words for w in words(phrase)} - claimed
    return Vocabulary(
        frozenset(word for word in allowed if not _tone_form(word.lower(), tone, claimed)),
        elisions(language),
    )


#: endings that make another form of a tone word ("warm" → "warmer", "warmth")
_TONE_ENDINGS = ("", "s", "ed", "er", "est", "th", "ing", "ly", "ness")


def _tone_form(word: str, tone: set[str], claimed: set[str]) -> bool:
    return word not in claimed and any(
        word.startswith(t) and word[len(t) :] in _TONE_ENDINGS for t in tone
    )


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


def _inflected(word: str, endings: tuple[str, ...]) -> set[str]:
    """The word with each ending added, or taken off where it already ends so."""
    forms = set()
    for ending in endings:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            forms.add(word[: -len(ending)])
        elif not word[-1:].isdigit():
            forms.add(word + ending)
    return forms
