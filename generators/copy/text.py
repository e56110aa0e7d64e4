"""Plain text helpers of copy: a description's first sentence, the kind of product it
names, and a sentence's first word in lower case where the language allows it.

They depend on nothing else of the copy package, so angles, facts and templates can all
use them without importing each other.
"""

from __future__ import annotations

import re

from generators.copy.language import zipf

#: a first word at least this common (Zipf) is lower-cased inside a sentence
COMMON_WORD_ZIPF = 4.0
#: words after which the kind of product ends and its details begin
_DETAIL_START = re.compile(
    r"\s+(?=(?:with|for|made|that|which|over|from|in|on|to|under|without|"
    r"mit|für|aus|zum|zur|ohne|avec|pour|aux|au|sans|de)\b)",
    re.I,
)


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s", text)
    sentence = text[: match.start()] if match else text
    if sentence and sentence[-1] not in ".!?":
        sentence += "."
    return sentence


def lower_first(text: str, language: str) -> str:
    """Lower-case a sentence's first word where it is an ordinary word (never in German,
    where nouns keep their capital, and never a name such as 'Ceylon')."""
    if language == "de" or not text:
        return text
    first = re.match(r"[^\W\d_]+", text)
    if first is None or (first.group(0).isupper() and len(first.group(0)) > 1):  # "A" is a word
        return text
    word = first.group(0)
    if zipf(word.lower(), language) < COMMON_WORD_ZIPF:
        return text
    return word.lower() + text[len(word) :]


def split_kind(sentence: str) -> tuple[str, str]:
    """A description's first sentence as (the kind of product, the detail after it):
    "Waterproof trail shoe for long runs." → ("Waterproof trail shoe", "for long runs");
    the kind is empty when it runs over six words."""
    body = sentence.rstrip(".!?")
    kind, detail = body, ""
    clause = body.split(", ")[0]
    if len(clause.split()) < 3 and clause != body:
        # "A bright, floral single origin with …": the comma joins adjectives, it does
        # not end the kind of product
        clause = body
    parts = _DETAIL_START.split(clause, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) >= 2:
        kind, detail = parts[0], parts[1].split(", ")[0]  # both stop at the first comma
    elif clause != body:
        kind = clause
    if len(kind.split()) > 6:
        kind = ""
    return kind, detail
