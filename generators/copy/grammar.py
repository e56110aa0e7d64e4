"""Grammar a reader trips over and a word list cannot see: "an regency pattern", "a easy".

English only: the article must agree with the sound of the word after it. Spelling
decides, with the words whose first letter is not their first sound ("an hour", "a
unique", "a one-off", "a European").
"""

from __future__ import annotations

import re

_ARTICLE = re.compile(r"\b(an?)\s+([^\W\d_][\w'’-]*)", re.IGNORECASE)
#: words that start with a vowel letter but a consonant sound
_CONSONANT_SOUND = re.compile(r"^(?:uni|use|usu|uk|ut|ur[aeiou]|eu|ewe|one|once|ubiq)", re.I)
#: words that start with a consonant letter but a vowel sound
_VOWEL_SOUND = re.compile(r"^(?:hour|honest|honou?r|heir|x-|mp3|fbi)", re.I)


def _vowel_sound(word: str) -> bool:
    if _VOWEL_SOUND.match(word):
        return True
    if _CONSONANT_SOUND.match(word):
        return False
    if len(word) > 1 and word.isupper():  # an initialism is read letter by letter
        return word[0] in "AEFHILMNORSX"
    return word[:1].lower() in "aeiou"


def article_mistakes(text: str, language: str) -> list[str]:
    """'an regency', 'a easy': each article that does not fit the word after it."""
    if language != "en":
        return []
    wrong = []
    for match in _ARTICLE.finditer(text):
        article, word = match.group(1), match.group(2)
        if (article.lower() == "an") != _vowel_sound(word):
            wrong.append(f"{article} {word}")
    return wrong
