"""Grammar a reader trips over and a word list cannot see: "an regency pattern", "a easy",
"a three nesting cake tins".

English only: the article must agree with the sound of the word after it. Spelling
decides, with the words whose first letter is not their first sound ("an hour", "a
unique", "a one-off", "a European"). A counted number of things takes no "a" ("a
three-tier stand" is one stand; "a three nesting tins" is not English).
"""

from __future__ import annotations

import re

_ARTICLE = re.compile(r"\b(an?)\s+([^\W\d_][\w'’-]*)", re.IGNORECASE)
#: words that start with a vowel letter but a consonant sound
_CONSONANT_SOUND = re.compile(r"^(?:uni|use|usu|uk|ut|ur[aeiou]|eu|ewe|one|once|ubiq)", re.I)
#: words that start with a consonant letter but a vowel sound
_VOWEL_SOUND = re.compile(r"^(?:hour|honest|honou?r|heir|x-|mp3|fbi)", re.I)
#: "a three nesting …": an article before a spelled count, lower case (a capital starts a
#: name: "a Two Person Tent"; a hyphen makes one thing: "a three-tier stand")
_ARTICLE_COUNT = re.compile(
    r"\b([Aa]n?\s+(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))(?![\w'’-])"
)


def _vowel_sound(word: str) -> bool:
    if _VOWEL_SOUND.match(word):
        return True
    if _CONSONANT_SOUND.match(word):
        return False
    if len(word) > 1 and word.isupper():  # an initialism is read letter by letter
        return word[0] in "AEFHILMNORSX"
    return word[:1].lower() in "aeiou"


#: "since you last order": a time in the past wants the verb's past form
_SINCE_LAST = re.compile(r"\bsince\s+you\s+last\s+([^\W\d_]+)", re.IGNORECASE)
_IRREGULAR_PAST = frozenset({
    "came", "bought", "saw", "went", "made", "got", "took", "had", "was", "were", "did",
    "found", "chose", "left", "met", "spent", "ate", "drank", "wore", "read", "gave",
    "heard", "felt", "paid", "sent", "won",
})  # fmt: skip


#: "the 72 in a pack", ": 72 in a pack": a number opening a phrase with nothing to count
_NUMBER_ALONE = re.compile(
    r"(?:\b(?:[Tt]he|[Aa]n?)|:)\s+\d+(?:[.,]\d+)?\s+(?:in|of|for|with|at|is|are)\b"
)


def numbers_without_nouns(text: str, language: str) -> list[str]:
    """'the 72 in a pack': a number after an article or a colon, with no noun after it."""
    if language != "en":
        return []
    return [match.group(0).lstrip(": ") for match in _NUMBER_ALONE.finditer(text)]


def tense_mistakes(text: str, language: str) -> list[str]:
    """'since you last order': a verb after a past time that is not in its past form."""
    if language != "en":
        return []
    return [
        match.group(0)
        for match in _SINCE_LAST.finditer(text)
        if not match.group(1).lower().endswith("ed")
        and match.group(1).lower() not in _IRREGULAR_PAST
    ]


def article_mistakes(text: str, language: str) -> list[str]:
    """'an regency', 'a easy', 'a three': each article that does not fit the word after it."""
    if language != "en":
        return []
    wrong = []
    for match in _ARTICLE.finditer(text):
        article, word = match.group(1), match.group(2)
        if (article.lower() == "an") != _vowel_sound(word):
            wrong.append(f"{article} {word}")
    return wrong + [" ".join(m.group(1).split()) for m in _ARTICLE_COUNT.finditer(text)]
