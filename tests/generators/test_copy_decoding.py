"""Constrained decoding, token by token, on a small hand-made vocabulary of word pieces."""

from __future__ import annotations

from typing import ClassVar

import torch

from generators.copy.decoding import BriefMasks, WordConstraint, fact_numbers, token_table
from generators.copy.facts import FactSheet, fact_sheet
from generators.copy.lexicon import vocabulary
from generators.copy.phrase_room import PhraseRoom
from generators.copy.phrases import button_phrases
from generators.copy.request import BrandVoice, CopyRequest, ProductFacts

PIECES = [
    "<eos>", "\n", " Slate", " Chalkboard", " at", " 2", ".", "95", "9", "5", " GBP", " is",
    " warm", " playful", " a", " gift", " for", " you", " heart", "-shaped", " 3", " 7", "!",
    " Shop", " the", " slate", " chalkboard", " sl", "ate",
]  # fmt: skip
EOS = 0


class PieceTokenizer:
    """Just enough of a tokenizer for :func:`token_table`: one text per id."""

    all_special_ids: ClassVar[list[int]] = [EOS]

    def __len__(self) -> int:
        return len(PIECES)

    def decode(self, ids: list[int]) -> str:
        return "".join(PIECES[i] for i in ids)


def ids(*pieces: str) -> list[int]:
    return [PIECES.index(piece) for piece in pieces]


def allowed(constraint: WordConstraint, *pieces: str, row: int = 0) -> set[str]:
    mask = constraint(row, ids(*pieces))
    return {PIECES[i] for i in torch.nonzero(mask).flatten().tolist()}


def masks(tone: tuple[str, ...] = ("warm", "playful")) -> tuple[BriefMasks, str]:
    sheet = chalkboard(tone)
    table = token_table(PieceTokenizer(), {EOS})
    return BriefMasks(table, vocabulary(sheet), fact_numbers(sheet.claims_text)), sheet.name


def chalkboard(tone: tuple[str, ...] = ("warm", "playful")) -> FactSheet:
    request = CopyRequest(
        product=ProductFacts(
            name="Slate Chalkboard",
            category="Home decor",
            description="Heart-shaped slate chalkboard.",
            price=2.95,
            currency="GBP",
        ),
        channel_format="meta_feed",
        brand=BrandVoice(tone_words=tone),
    )
    return fact_sheet(request, "en")


def vocabulary_words(brief: BriefMasks) -> frozenset[str]:
    return brief.vocabulary.words


def test_a_number_is_written_whole_as_the_facts_give_it() -> None:
    brief, name = masks()
    constraint = WordConstraint(brief, name)
    after_two = allowed(constraint, " Slate", " Chalkboard", " at", " 2")
    assert after_two == {"."}  # "2" alone is no price; "2.95" is
    assert allowed(constraint, " Slate", " Chalkboard", " at", " 2", ".") == {"9", "95"}
    whole = allowed(constraint, " Slate", " Chalkboard", " at", " 2", ".", "95")
    assert {" GBP", "<eos>"} <= whole
    assert " 7" not in allowed(constraint, " Slate", " Chalkboard", " at")


def test_a_sentence_ends_only_after_its_full_stop() -> None:
    brief, name = masks()
    constraint = WordConstraint(brief, name, sentence=True)
    before = allowed(constraint, " Slate", " Chalkboard", " is", " a", " gift")
    assert "<eos>" not in before and "\n" not in before and "." in before
    assert "<eos>" in allowed(constraint, " Slate", " Chalkboard", " is", " a", " gift", ".")


def test_nothing_runs_past_the_room_and_a_candidate_without_room_ends_or_is_cut() -> None:
    brief, name = masks()
    constraint = WordConstraint(brief, name, room=len(" Slate Chalkboard is a gift"))
    near_end = allowed(constraint, " Slate", " Chalkboard", " is", " a")
    assert " gift" in near_end and " heart" not in near_end  # " heart" is a letter too long
    # a whole word fills the room: the candidate may only end, and that ending is its own
    assert allowed(constraint, " Slate", " Chalkboard", " is", " a", " gift") == {"<eos>", "\n"}
    assert 0 not in constraint.cut
    # half a price fills it: there is no way on and no ending, so it is cut off
    constraint = WordConstraint(brief, name, room=len(" Slate Chalkboard at 2."))
    assert allowed(constraint, " Slate", " Chalkboard", " at", " 2", ".") == set()
    assert 0 in constraint.cut


def test_a_name_the_room_cannot_hold_is_never_begun() -> None:
    """Once begun, a name is copied whole: "A gift Slate" could only be cut off."""
    brief, name = masks()
    roomy = WordConstraint(brief, name, room=len(" A gift Slate Chalkboard"))
    assert " Slate" in allowed(roomy, " a", " gift")
    tight = WordConstraint(brief, name, room=len(" A gift Slate Chalk"))
    after_gift = allowed(tight, " a", " gift")
    assert " Slate" not in after_gift and " for" in after_gift
    assert " Slate" not in allowed(WordConstraint(brief, name, room=12))  # nor at the start


def test_tone_words_steer_the_voice_and_are_never_decoded() -> None:
    brief, name = masks()
    after_a = allowed(WordConstraint(brief, name), " Slate", " Chalkboard", " is", " a")
    assert " warm" not in after_a and " playful" not in after_a and " gift" in after_a
    assert "warmer" not in vocabulary_words(brief)  # nor an inflected form
    # unless the product's own text uses the word
    brief, name = masks(tone=("heart",))
    assert " heart" in allowed(WordConstraint(brief, name), " Slate", " Chalkboard", " is", " a")


def test_an_ending_the_room_forced_inside_a_word_is_not_the_models() -> None:
    """'ceramic pour' where the model wanted 'pour-over': the word goes on; ' dripper'
    would have started a new one, and the ending before it is the model's own."""
    from generators.copy.sampling import _continues_word

    texts = ["<eos>", " dripper", "-over", "s"]
    union = torch.arange(len(texts))
    every = torch.ones(len(texts), dtype=torch.bool)
    assert _continues_word(texts, torch.tensor([0.0, 1.0, 3.0, 0.0]), every, union)
    assert _continues_word(texts, torch.tensor([0.0, 1.0, 0.0, 3.0]), every, union)
    assert not _continues_word(texts, torch.tensor([0.0, 3.0, 1.0, 0.0]), every, union)
    assert not _continues_word(texts, torch.tensor([3.0, 1.0, 0.0, 0.0]), every, union)


def test_a_phrase_of_the_facts_the_room_cannot_finish_is_never_begun() -> None:
    """A button does not say "Shop the slate" where "slate chalkboard" does not fit: it
    names the chalkboard, and a word begun as "sl" is not carried on into "slate"."""
    brief, name = masks()
    phrases = PhraseRoom(brief, button_phrases(chalkboard()))
    tight = WordConstraint(brief, name, room=len(" Shop the chalkboard"), phrases=phrases)
    after_the = allowed(tight, " Shop", " the")
    assert " chalkboard" in after_the and " slate" not in after_the
    # another word is the model's own choice; the room did not cut one short
    overflow = tight.overflow(0)
    assert overflow is None or not bool(overflow[PIECES.index(" slate")])
    assert "ate" not in allowed(tight, " Shop", " the", " sl")
    assert bool(tight.overflow(0)[PIECES.index("ate")])  # type: ignore[index]
    roomy = WordConstraint(brief, name, room=len(" Shop the slate chalkboard"), phrases=phrases)
    assert " slate" in allowed(roomy, " Shop", " the")
    after_slate = allowed(roomy, " Shop", " the", " slate")
    assert " chalkboard" in after_slate and "<eos>" not in after_slate  # it has to go on
    assert "<eos>" in allowed(roomy, " Shop", " the", " slate", " chalkboard")


def test_a_button_stops_only_on_what_the_product_is() -> None:
    phrases = button_phrases(chalkboard())
    assert phrases[1] == (("Heart-shaped", False), ("slate", False), ("chalkboard", True))
    assert phrases[2] == (("2.95", False), ("GBP", False))  # never "Shop the 2.95 GBP"
