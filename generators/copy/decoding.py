"""Constrained decoding: the model may only spell words of the brief's vocabulary.

At every step, each candidate's next token is limited to tokens that keep its text made
of allowed words (:mod:`generators.copy.lexicon`) joined by plain punctuation. Once a
candidate has written the first word of a multi-word product name, the rest of the name
is copied verbatim, and a number is written whole, as the facts give it ("2.95", never
"2."). Brackets, quotes, markup, digits the facts lack and line breaks inside a
single-line field can never be sampled, so no candidate spends tokens on them. A
candidate that has used its field's room may only end, and a sentence ends only after
its full stop.

The studio's decoding loop (:mod:`generators.copy.sampling`) asks a
:class:`WordConstraint` for each candidate's allowed tokens at every step; the per-model
token table is built once per loaded model and the masks once per brief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from generators.copy.lexicon import Vocabulary

#: what may stand between two words
SEPARATORS = frozenset(
    {" ", ", ", ". ", "! ", "? ", ": ", " : ", " – ", " — ", " - ", " & ", "; ", " ; "}
)
#: what may end a text
ENDINGS = frozenset({"", ".", "!", "?"})
#: characters a separator is made of
_SEPARATOR_CHARS = set(" ,.!?:;–—-&")
_WORD_CHAR = re.compile(r"[^\W_]")
_TOKEN_SHAPE = re.compile(
    r"^(?P<lead>[^\w]*)(?P<word>[^\W_](?:[^\W_]|['’-](?=[^\W_]))*)?(?P<trail>[^\w]*)$"
)
#: the trailing part of a text that is still a word being written
PARTIAL_WORD = re.compile(r"(?:[^\W_]|['’-])+$")
#: a number at the end of a text, perhaps with its decimal mark written: "2", "2.", "2.9"
_NUMBER_TAIL = re.compile(r"(?<![^\W\d_])\d+(?:[.,]\d+)*[.,]?$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: what ends a sentence
_SENTENCE_END = (".", "!", "?")


def fact_numbers(text: str) -> frozenset[str]:
    """The numbers a text states, whole: "2.95", "72", "500"."""
    return frozenset(_NUMBER.findall(text))


@dataclass
class TokenTable:
    """Each token's text, split into leading separator, word and trailing separator."""

    texts: list[str]
    #: token text → ids, for tokens that may appear in copy
    by_text: dict[str, list[int]]
    #: ids of tokens that are a whole word piece: (lead, word, trail)
    shapes: dict[int, tuple[str, str, str]]
    #: token ids that end a text: end of sequence and line breaks
    stops: list[int]
    _lengths: Any = None

    @property
    def size(self) -> int:
        return len(self.texts)

    @property
    def lengths(self) -> Any:
        """Each token's length in characters (a tensor, read once)."""
        import torch

        if self._lengths is None:
            self._lengths = torch.tensor([len(text) for text in self.texts])
        return self._lengths


def token_table(tokenizer: Any, stop_ids: set[int]) -> TokenTable:
    """Read every token's text once (a few seconds for a 262k vocabulary)."""
    size = len(tokenizer)
    texts = [tokenizer.decode([i]) for i in range(size)]
    special = set(getattr(tokenizer, "all_special_ids", []) or [])
    by_text: dict[str, list[int]] = {}
    shapes: dict[int, tuple[str, str, str]] = {}
    stops = set(stop_ids)
    for index, text in enumerate(texts):
        if index in special:
            continue
        if "\n" in text:
            if not text.strip():
                stops.add(index)
            continue
        if not text or "\ufffd" in text or any(_unsafe(ch) for ch in text):
            continue
        by_text.setdefault(text, []).append(index)
        match = _TOKEN_SHAPE.match(text)
        if match is not None:
            shapes[index] = (match["lead"], match["word"] or "", match["trail"])
    return TokenTable(texts, by_text, shapes, sorted(stops))


def _unsafe(char: str) -> bool:
    return not (char.isalnum() or char in _SEPARATOR_CHARS or char in "'’")


class BriefMasks:
    """Which tokens each state of a candidate allows, for one brief's vocabulary.

    Shared by every field of a brief: the masks depend on the words, not the field.
    """

    def __init__(
        self, table: TokenTable, vocabulary: Vocabulary, numbers: frozenset[str] = frozenset()
    ) -> None:
        self.table = table
        self.vocabulary = vocabulary
        #: the numbers the facts state; a number is only ever written as one of them
        self.numbers = numbers
        self._masks: dict[tuple[str, str], Any] = {}
        self._after_ids: dict[str, list[int]] = {}
        #: the only tokens that can ever start a word or stand between words here
        self._usable = [
            (index, lead, word, trail)
            for index, (lead, word, trail) in table.shapes.items()
            if not word or vocabulary.is_prefix(word)
        ]

    @cached_property
    def stop_mask(self) -> Any:
        """The tokens that end a text (end of sequence, line breaks)."""
        import torch

        mask = torch.zeros(self.table.size, dtype=torch.bool)
        mask[self.table.stops] = True
        return mask

    def starting(self, word: str, *, after_word: bool) -> Any:
        """The tokens that would begin ``word`` (" Kn" and " Knitted" for "Knitted"), as
        written, case and all: after a word, only those that bring their own space."""
        import torch

        key = ("starting", f"{after_word}:{word}")
        if key not in self._masks:
            leads = (" ",) if after_word else (" ", "")
            mask = torch.zeros(self.table.size, dtype=torch.bool)
            ids = [
                index
                for index, (lead, piece, trail) in self.table.shapes.items()
                if lead in leads and piece and not trail and word.startswith(piece)
            ]
            if ids:
                mask[ids] = True
            self._masks[key] = mask
        return self._masks[key]

    @property
    def token_ids(self) -> list[int]:
        """Every token that can start or join the brief's words (for scoring among them)."""
        return [index for index, *_ in self._usable]

    def allowed(self, text: str, name_rest: str) -> Any:
        if name_rest:
            mask = self._forced(name_rest)
            if mask is not None:
                return mask
        number = _NUMBER_TAIL.search(text)
        if number is not None and number.group(0).rstrip(".,") not in self.numbers:
            return self._mask("number", number.group(0))
        if not text:
            return self._mask("start", "")
        partial = PARTIAL_WORD.search(text)
        if partial is not None:
            return self._mask("word", partial.group(0))
        tail = re.search(r"[^\w'’]+$", text)
        return self._mask("tail", tail.group(0) if tail else "")

    def _mask(self, state: str, key: str) -> Any:
        cached = self._masks.get((state, key))
        if cached is None:
            cached = self._build(state, key)
            self._masks[(state, key)] = cached
        return cached

    def _build(self, state: str, key: str) -> Any:
        import torch

        vocabulary = self.vocabulary
        if state == "number":
            ids = self._number_rest(key)
        elif state == "start":
            ids = [
                i
                for i, lead, word, trail in self._usable
                if lead == " " and word and self._word_token_ok(word, trail)
            ]
        elif state == "word":
            ids = self._continuations(key)
            if vocabulary.is_word(key) and not key.endswith(("'", "’")):
                ids += self._after("") + self.table.stops
        else:
            ids = list(self._after(key))
            if key.strip() in ENDINGS:
                ids += self.table.stops
        mask = torch.zeros(self.table.size, dtype=torch.bool)
        if ids:
            mask[ids] = True
        return mask

    def _word_token_ok(self, word: str, trail: str) -> bool:
        if not trail:
            return self.vocabulary.is_prefix(word)
        return self.vocabulary.is_word(word) and _separator_prefix(trail)

    def _continuations(self, partial: str) -> list[int]:
        """Tokens that carry on the word being written: the rest of an allowed word, maybe
        with the punctuation after it."""
        head, tail = self.vocabulary.split_elision(partial)
        if head is not None and not tail:  # "l'" then a word, with no space between
            return [
                i
                for i, lead, word, trail in self._usable
                if not lead and word and self._word_token_ok(word, trail)
            ]
        base = tail if head is not None else partial
        ids: list[int] = []
        seen: set[str] = set()
        for word in _completions(self.vocabulary, base):
            rest = word[len(base) :]
            pieces = [rest[:end] for end in range(1, len(rest) + 1)]
            pieces += [rest + mark for mark in (",", ".", "!", "?", ":", ";")]
            for piece in pieces:
                if piece not in seen:
                    seen.add(piece)
                    ids += self.table.by_text.get(piece, [])
        return ids

    def _after(self, tail: str) -> list[int]:
        """Tokens allowed after a finished word followed by the separator ``tail``."""
        cached = self._after_ids.get(tail)
        if cached is not None:
            return cached
        ids = []
        for index, lead, word, trail in self._usable:
            joined = tail + lead
            if word:
                if joined in SEPARATORS and self._word_token_ok(word, trail):
                    ids.append(index)
            elif joined and _separator_prefix(joined + trail):
                ids.append(index)
        self._after_ids[tail] = ids
        return ids

    def _number_rest(self, partial: str) -> list[int]:
        """Tokens that carry a number on towards one the facts state ("2." → "95")."""
        ids: list[int] = []
        for number in self.numbers:
            if number.startswith(partial) and len(number) > len(partial):
                rest = number[len(partial) :]
                for end in range(1, len(rest) + 1):
                    ids += self.table.by_text.get(rest[:end], [])
        return ids

    def _forced(self, rest: str) -> Any:
        import torch

        ids: list[int] = []
        for end in range(1, len(rest) + 1):
            ids += self.table.by_text.get(rest[:end], [])
        if not ids:
            return None
        mask = torch.zeros(self.table.size, dtype=torch.bool)
        mask[ids] = True
        return mask


class Phrases(Protocol):
    """The facts' phrases a candidate may not begin for want of room
    (:class:`generators.copy.phrase_room.PhraseRoom`)."""

    def blocked(self, text: str, room: int) -> tuple[Any | None, Any | None]:
        """Tokens that would begin a word, and tokens that would carry on or end the word
        being written, that ``text`` may not take with ``room`` characters in all."""
        ...


class WordConstraint:
    """Which tokens each candidate of one sampling call may take next (see module doc).

    ``room`` is the field's length in characters: a token that would run past it is never
    taken; once nothing fits, a candidate whose text may end there ends, and any other is
    cut off (its row in :attr:`cut`: unfinished, so it never passes). Nor does a candidate
    begin the product's name where the rest of the room cannot hold it: once begun, a
    name is copied whole, so "It has been a while: Knitted Union Flag" could only be cut
    off; the model says it in its other words instead. With ``phrases``, nor does it begin
    a phrase of the facts the room cannot finish. With ``sentence``, a candidate may end
    only after a full stop, "!" or "?".
    """

    def __init__(
        self,
        masks: BriefMasks,
        name: str = "",
        prefix: str = "",
        *,
        room: int | None = None,
        sentence: bool = False,
        phrases: Phrases | None = None,
    ) -> None:
        self.masks = masks
        self.phrases = phrases
        self.name = name
        #: text the prompt already ends with that belongs to the candidate (its opening)
        self.prefix = prefix
        self.room = room
        self.sentence = sentence
        self._texts: dict[int, tuple[int, str]] = {}
        #: candidates (rows) that ran out of room or of a way on before they ended
        self.cut: set[int] = set()
        self._overflow: dict[int, Any] = {}

    def __call__(self, row: int, tokens: list[int]) -> Any:
        text = self._text(row, tokens)
        name_rest = self._name_rest(text)
        mask = self.masks.allowed(text, name_rest)
        written = text[len(self.prefix) :].strip()
        if (self.sentence and not text.rstrip().endswith(_SENTENCE_END)) or (
            self.prefix and not written
        ):  # a sentence ends on its mark; an opening alone ("Welcome!") is no copy
            mask = mask & ~self.masks.stop_mask
        if not name_rest and self._name_cannot_fit(text):
            after_word = bool(text) and _WORD_CHAR.match(text[-1]) is not None
            mask = mask & ~self.masks.starting(self.name.split()[0], after_word=after_word)
        if self.room is not None:
            # at the end of its room a candidate may still end where its text may end (a
            # whole word, a finished sentence): that ending is its own, not a cut
            fits = self.masks.table.lengths <= self.room - len(text)
            kept = mask & (fits | self.masks.stop_mask)
            begun = carried = None
            if self.phrases is not None and not name_rest:
                begun, carried = self.phrases.blocked(text, self.room)
                for blocked in (begun, carried):
                    if blocked is not None:
                        kept = kept & ~blocked
            removed = mask & ~kept
            if begun is not None:
                # another word instead of one that cannot be finished is the model's
                # choice; a word carried on elsewhere is not ("sl" → "slow")
                removed = removed & ~begun
            self._overflow[row] = removed if bool(removed.any()) else None
            mask = kept
        if not mask.any():  # no room left, or no way on: the candidate is cut off here
            self.cut.add(row)
        return mask

    def overflow(self, row: int) -> Any | None:
        """The tokens the room took from a candidate at its latest step (the brief allowed
        them), or None: what the sampler needs to tell a word the model chose from one the
        room left it ("tea lit" where "tea light" did not fit)."""
        return self._overflow.get(row)

    def squeezed(self, row: int) -> None:
        """The candidate took a word the model would not have chosen with more room: its
        text is cut off there, whatever follows."""
        self.cut.add(row)

    def _name_cannot_fit(self, text: str) -> bool:
        """Less room left than the product's whole name needs (a name copied once begun);
        asked only before the name is begun."""
        if " " not in self.name or self.room is None:
            return False
        return len(text) + 1 + len(self.name) > self.room

    def _text(self, row: int, tokens: list[int]) -> str:
        """The candidate's text so far, extended by the tokens added since the last step."""
        known, text = self._texts.get(row, (0, self.prefix))
        if known > len(tokens):
            known, text = 0, self.prefix
        if known < len(tokens):
            text += "".join(self.masks.table.texts[t] for t in tokens[known:])
            self._texts[row] = (len(tokens), text)
        return text

    def _name_rest(self, text: str) -> str:
        """What is left of a multi-word product name once a candidate has written its
        first word: the rest is copied as it is, never respelt."""
        name = self.name
        first = name.find(" ")
        if first < 0:
            return ""
        for end in range(len(name) - 1, first - 1, -1):
            head = name[:end]
            if text.endswith(head) and (
                len(text) == len(head) or not _WORD_CHAR.match(text[-len(head) - 1])
            ):
                return name[end:]
        return ""


def _separator_prefix(text: str) -> bool:
    """Could ``text`` start a separator, or end the copy?"""
    return (
        text.strip() in ENDINGS
        or any(s.startswith(text) for s in SEPARATORS)
        or any(text.startswith(e) and text[len(e) :] == " " for e in (".", "!", "?"))
    )


def _completions(vocabulary: Vocabulary, partial: str) -> list[str]:
    """Allowed words that start with ``partial`` and are longer than it."""
    if not vocabulary.is_prefix(partial):
        return []
    return [w for w in vocabulary.words if w.startswith(partial) and len(w) > len(partial)]
