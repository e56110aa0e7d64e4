"""Phrases of the facts a button's room cannot finish are never begun.

A button ran out of room inside the product's noun phrase: "Shop the slate" (a slate
chalkboard), "Shop the T-Light" (holder), "Shop the steel" (bottle). :class:`PhraseRoom`
takes such words away while a candidate is decoded
(:class:`generators.copy.decoding.WordConstraint` asks it at every step), so the model
names something it can finish instead: "Shop the chalkboard".
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from generators.copy.decoding import PARTIAL_WORD, BriefMasks
from generators.copy.phrases import PHRASE_WORD, FactPhrase


class PhraseRoom:
    """Once the model begins a word of a phrase, the shortest way from it to a word the
    phrase may stop on must fit what is left of the room, else the word's tokens are taken
    away; and a candidate does not end on a word that has to go on. ``phrases`` come from
    :func:`generators.copy.phrases.button_phrases`; what a text has just written of one is
    read from its trailing words, the longest run the phrases hold deciding.
    """

    def __init__(self, masks: BriefMasks, phrases: tuple[FactPhrase, ...]) -> None:
        self.masks = masks
        self._phrases = [tuple(word.lower() for word, _ in phrase) for phrase in phrases]
        self._ends = [tuple(ends for _, ends in phrase) for phrase in phrases]
        #: each phrase word (lower case) → the forms a candidate may write it in
        self._forms: dict[str, set[str]] = {}
        for phrase in phrases:
            for word, _ in phrase:
                forms = self._forms.setdefault(word.lower(), set())
                forms |= {word, word.lower(), word[:1].upper() + word[1:].lower()}
        self._masks: dict[tuple[tuple[str, ...], str, int], tuple[Any | None, Any | None]] = {}

    @cached_property
    def _owners(self) -> dict[str, frozenset[str]]:
        """Each prefix of a phrase word's forms → the vocabulary words (lower case) it
        may begin: a token that may still become another word is not taken away."""
        prefixes = {form[:end] for forms in self._forms.values() for form in forms
                    for end in range(1, len(form) + 1)}  # fmt: skip
        owners: dict[str, set[str]] = {}
        for word in self.masks.vocabulary.words:
            for end in range(1, len(word) + 1):
                if word[:end] in prefixes:
                    owners.setdefault(word[:end], set()).add(word.lower())
        return {prefix: frozenset(words) for prefix, words in owners.items()}

    def blocked(self, text: str, room: int) -> tuple[Any | None, Any | None]:
        """The tokens ``text`` may not take next with ``room`` characters in all: those
        that would begin a word, and those that would carry on or end the word being
        written (None: none). Only asked outside the product's name."""
        partial = PARTIAL_WORD.search(text)
        written = partial.group(0) if partial is not None else ""
        key = (self._run(text[: len(text) - len(written)]), written, room - len(text))
        if key not in self._masks:
            self._masks[key] = self._build(*key)
        return self._masks[key]

    def _build(
        self, before: tuple[str, ...], written: str, left: int
    ) -> tuple[Any | None, Any | None]:
        word = written.lower()
        run = (*before, word) if word in self._forms else ()
        begun = self._beginning(run, "", left - 1)  # a new word, after a space
        carried: list[int] = []
        if written:
            carried += self._beginning(before, written, left + len(written))
            if run and self._need(before, word) != len(word):
                carried += self.masks.table.stops  # "Shop the slate" has to go on
        return self._mask(begun), self._mask(carried)

    def _mask(self, ids: list[int]) -> Any | None:
        import torch

        if not ids:
            return None
        mask = torch.zeros(self.masks.table.size, dtype=torch.bool)
        mask[ids] = True
        return mask

    def _beginning(self, run: tuple[str, ...], written: str, left: int) -> list[int]:
        """Tokens that begin (or carry ``written`` on into) a phrase word the ``left``
        characters cannot finish."""
        too_long = {
            word
            for word in self._forms
            if word.startswith(written.lower())
            and (need := self._need(run, word)) is not None
            and need > left
        }
        ids: list[int] = []
        lead = "" if written else " "
        for word in too_long:
            for form in self._forms[word]:
                if not form.startswith(written):
                    continue
                rest = form[len(written) :]
                for end in range(1, len(rest) + 1):
                    owners = self._owners.get(written + rest[:end], frozenset({word}))
                    # only the phrase words, or their own forms ("slates" of "slate")
                    if all(owner.startswith(tuple(too_long)) for owner in owners):
                        ids += self.masks.table.by_text.get(lead + rest[:end], [])
                for mark in (",", ".", "!", "?", ":", ";"):
                    ids += self.masks.table.by_text.get(lead + rest + mark, [])
        return ids

    def _run(self, text: str) -> tuple[str, ...]:
        """The phrase words ``text`` ends with, back to the last mark or other word."""
        tail = re.split(r"[,.;:!?–—&](?:\s|$)", text)[-1]
        run: list[str] = []
        for word in reversed(PHRASE_WORD.findall(tail)):
            if word.lower() not in self._forms:
                break
            run.append(word.lower())
        return tuple(reversed(run))

    def _need(self, run: tuple[str, ...], word: str) -> int | None:
        """Characters from the start of ``word`` to the end of the nearest word a phrase may
        stop on, read with the longest end of ``run`` the phrases hold; None outside the
        phrases (no phrase holds ``word``)."""
        for start in range(len(run) + 1):
            wanted = (*run[start:], word)
            needs = [
                need
                for phrase, ends in zip(self._phrases, self._ends, strict=True)
                for need in _needs(phrase, ends, wanted)
            ]
            if needs:
                return min(needs)
        return None


#: the room a word needs where its phrase cannot stop after it
_NO_STOP = 10_000


def _needs(phrase: tuple[str, ...], ends: tuple[bool, ...], wanted: tuple[str, ...]) -> list[int]:
    """For each place ``phrase`` holds ``wanted``, the characters its last word needs to
    reach a word the phrase may stop on."""
    found = []
    for start in range(len(phrase) - len(wanted) + 1):
        if phrase[start : start + len(wanted)] != wanted:
            continue
        last = start + len(wanted) - 1
        stop = next((i for i in range(last, len(phrase)) if ends[i]), None)
        if stop is None:
            found.append(_NO_STOP)
        else:  # the modifiers between may be left out: "three-tier (china cake) stand"
            found.append(len(phrase[last]) + (len(phrase[stop]) + 1 if stop > last else 0))
    return found
