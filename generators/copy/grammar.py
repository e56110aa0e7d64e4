"""Agreement repair by minimal pairs: the model's own likelihood picks the grammatical form.

A small model writes "ein kühle Röstung", "Le Confiture" or "a aromatic tea": the right
words, one inflection off. For each article, pronoun or adjective of a chosen
model-written text, the variants that differ in that one word (``agreement`` in
``rules.json``: "ein", "eine", "einen" …; adjective endings "-e", "-en" …) are scored by
the model; a variant that is clearly more likely replaces the original, one word at a
time. Each change is listed in the candidate's edits, and the result is checked again.

The variants are scored as text on their own, not after the brief: after a prompt full
of the model's own wording it keeps preferring what it wrote ("Der Bambus-Schneidebrett"),
while on their own it knows the gender of a noun ("Das Bambus-Schneidebrett" by 1.3 nats,
"La Confiture d'abricot est cuite" by 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from generators.copy.language import resource
from generators.copy.lexicon import Vocabulary
from generators.copy.sampling import PromptState, score_texts

#: how much more likely (log-prob of the whole text, in nats) a variant must be
MARGIN = 1.0
#: words changed at most per text
MAX_CHANGES = 3
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|[^\W\d_]+['’]")


@dataclass(frozen=True)
class Agreement:
    groups: tuple[tuple[str, ...], ...]
    endings: tuple[str, ...]

    def alternatives(self, word: str, vocabulary: Vocabulary) -> list[str]:
        lowered = word.lower()
        found: list[str] = []
        for group in self.groups:
            if lowered in (g.lower() for g in group):
                found += [_like(word, g) for g in group if g.lower() != lowered]
        if self.endings and word.islower():
            stem = _stem(word, self.endings)
            for ending in ("", *self.endings):
                form = stem + ending
                if form != word and vocabulary.is_word(form) and form not in found:
                    found.append(form)
        return found


def _like(original: str, form: str) -> str:
    """``form`` written with the original's capital (sentence start)."""
    if original[:1].isupper() and not form[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def _stem(word: str, endings: tuple[str, ...]) -> str:
    for ending in sorted(endings, key=len, reverse=True):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


def plain_state(state: PromptState) -> PromptState:
    """The same model with nothing before the text but its start token (a line break for
    a model without one): what repairs are scored after."""
    return PromptState(state.lm, "" if state.lm.needs_bos else "\n")


@cache
def agreement(language: str) -> Agreement:
    raw = resource(language, "rules.json").get("agreement", {})
    return Agreement(
        tuple(tuple(group) for group in raw.get("groups", ())), tuple(raw.get("endings", ()))
    )


def repair(
    text: str,
    state: PromptState,
    vocabulary: Vocabulary,
    language: str,
    among: list[int],
    protected: str = "",
) -> tuple[str, list[str]]:
    """The text with its agreement mistakes corrected, and a note for each correction.

    ``state`` is the model with no prompt (:func:`plain_state`); ``protected`` text (the
    product's name) is never changed.
    """
    rules = agreement(language)
    edits: list[str] = []
    for _ in range(MAX_CHANGES):
        variants = _variants(text, rules, vocabulary, protected)
        if not variants:
            break
        scores = score_texts(state, [text, *(v for v, _ in variants)], total=True, among=among)
        best = max(range(len(variants)), key=lambda i: scores[i + 1])
        if scores[best + 1] - scores[0] < MARGIN:
            break
        text, change = variants[best]
        edits.append(f"corrected {change} (the model finds it more likely)")
    return text, edits


def _variants(
    text: str, rules: Agreement, vocabulary: Vocabulary, protected: str
) -> list[tuple[str, str]]:
    """Texts that differ in one word, or in a word and the next (article and adjective
    agree together: "ein wasserdichter" → "eine wasserdichte")."""
    guarded = []
    if protected:
        guarded = [(m.start(), m.end()) for m in re.finditer(re.escape(protected), text)]
    slots = []
    for match in _WORD.finditer(text):
        if any(start <= match.start() < end for start, end in guarded):
            slots.append((match, []))
            continue
        slots.append((match, rules.alternatives(match.group(0), vocabulary)))
    variants = []
    for index, (match, forms) in enumerate(slots):
        word = match.group(0)
        for form in forms:
            variants.append((_replace(text, [(match, form)]), f"'{word}' to '{form}'"))
        if index + 1 < len(slots) and forms and slots[index + 1][1]:
            after, after_forms = slots[index + 1]
            for form in forms:
                for other in after_forms:
                    changed = _replace(text, [(match, form), (after, other)])
                    what = f"'{word} {after.group(0)}' to '{form} {other}'"
                    variants.append((changed, what))
    return variants


def _replace(text: str, changes: list[tuple[re.Match[str], str]]) -> str:
    for match, form in sorted(changes, key=lambda c: c[0].start(), reverse=True):
        text = text[: match.start()] + form + text[match.end() :]
    return text
