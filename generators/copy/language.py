"""The languages copy is written in: their word frequencies, identification and rule data.

Word frequencies come from ``wordfreq`` and language identification from ``lingua``;
the studio's own per-language data (gate rules, lexicon, examples, CTA grammar,
templates) lives in ``resources/copy/<code>/``. A language is offered for copy only when
all three are there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from studio.core.errors import InputError
from studio.core.paths import resources_dir

#: copy languages with resources, by ISO 639-1 code
COPY_LANGUAGES = {"en": "English", "de": "German", "fr": "French"}
#: languages copy is told apart from: the copy languages and their close neighbours, so
#: "Sincera de la vida!" reads as Spanish rather than as English with odd words
DETECTED_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
#: a word at least this common (Zipf scale: 3 is once per million words) is a real word
REAL_WORD_ZIPF = 2.0
#: German compounds: both parts at least this common make a real word ("Kaffeebohne")
COMPOUND_PART_ZIPF = 3.0
#: words: letters and digits, with inner apostrophes and hyphens ("it's", "30-hour")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class LanguageRules:
    """The gate's data for one language (``resources/copy/<code>/rules.json``)."""

    code: str
    name: str
    persona_exact: tuple[str, ...]
    persona: tuple[str, ...]
    greetings: tuple[str, ...]
    placeholders: tuple[str, ...]
    labels: tuple[str, ...]
    channel_names: tuple[str, ...]
    service_statements: dict[str, tuple[str, ...]]
    instructions: tuple[re.Pattern[str], ...]
    cta_max_words: int
    #: English and French write names, not nouns, with a capital inside a sentence
    names_are_capitalised: bool


def copy_language(code: str) -> str:
    """The normalised code of a copy language; refuses languages without resources."""
    normalised = (code or "").strip().lower().split("-")[0].split("_")[0]
    if normalised not in COPY_LANGUAGES:
        known = ", ".join(f"{c} ({n})" for c, n in COPY_LANGUAGES.items())
        raise InputError(
            f"Copy cannot be written in '{code}' yet.",
            hint=f"choose one of {known}",
        )
    return normalised


def language_name(code: str) -> str:
    return COPY_LANGUAGES.get(code, code)


def resource(code: str, name: str) -> dict[str, Any]:
    """One JSON file of a copy language's resources."""
    return _resource(copy_language(code), name)


@cache
def _resource(code: str, name: str) -> dict[str, Any]:
    path = Path(resources_dir()) / "copy" / code / name
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def language_rules(code: str) -> LanguageRules:
    raw = resource(code, "rules.json")
    return LanguageRules(
        code=code,
        name=raw["language"],
        persona_exact=tuple(raw["persona_exact"]),
        persona=tuple(raw["persona"]),
        greetings=tuple(raw["greetings"]),
        placeholders=tuple(raw["placeholders"]),
        labels=tuple(raw["labels"]),
        channel_names=tuple(raw["channel_names"]),
        service_statements={k: tuple(v) for k, v in raw["service_statements"].items()},
        instructions=tuple(re.compile(p, re.I) for p in raw["instructions"]),
        cta_max_words=int(raw["cta_max_words"]),
        names_are_capitalised=bool(raw["multi_word_names_are_capitalised"]),
    )


def default_opt_out(code: str) -> str:
    """The SMS opt-out a language's copy ends with unless the brand kit says otherwise."""
    return str(resource(code, "rules.json")["sms_opt_out"])


def words(text: str) -> list[str]:
    return WORD.findall(text)


def zipf(word: str, code: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, code)


@cache
def is_real_word(word: str, code: str) -> bool:
    """A word of the language: common enough in ``wordfreq``'s corpus, or (German) a
    compound of two common words, or a plural of a common word."""
    lowered = word.lower()
    if zipf(lowered, code) >= REAL_WORD_ZIPF:
        return True
    if "-" in lowered:
        return all(is_real_word(part, code) for part in lowered.split("-") if part)
    return code == "de" and _is_compound(lowered, code)


def _is_compound(word: str, code: str) -> bool:
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        if zipf(tail, code) < COMPOUND_PART_ZIPF:
            continue
        if zipf(head, code) >= COMPOUND_PART_ZIPF:
            return True
        if head.endswith("s") and zipf(head[:-1], code) >= COMPOUND_PART_ZIPF:
            return True  # the linking s of "Geburtstagsgeschenk"
    return False


@cache
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
        for code in DETECTED_LANGUAGES
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def language_confidences(text: str) -> dict[str, float]:
    """Confidence per detected language (they sum to 1), by ``lingua``."""
    values = _detector().compute_language_confidence_values(text)
    return {value.language.iso_code_639_1.name.lower(): value.value for value in values}
