"""The copy gate: the checks an editor makes before copy can ship.

The hard constraints (:mod:`generators.copy.constraints`) say whether copy *may* run —
length, banned words, required text, ungrounded numbers and claims. The gate says
whether it *reads* as copy: the product's name spelt right, no template residue, no
assistant voice, real words of the right language, no invented names or service
promises, a field that looks like its kind and ends where a phrase ends, no stutter, an
article that fits (and in German and French, agrees), the product called only what
the facts call it. Where a rule needs more than a few lines of reading, that reading
lives in its own module (:mod:`generators.copy.phrases`, :mod:`generators.copy.grammar`,
:mod:`generators.copy.agreement`).

Every rule returns reasons in plain words ("misspelled product name: 'Espreso' …");
no reason means the rule passed. The word lists behind the rules are per-language data
in ``resources/copy/<code>/rules.json``; word frequencies come from ``wordfreq`` and
language identification from ``lingua``.

One module because the rules are read as one editor's checklist, in the order they
are applied; their word lists are data, not code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from itertools import pairwise

from generators.copy.agreement import agreement_mistakes
from generators.copy.cta import button_words
from generators.copy.facts import FactSheet, contains_words, singular
from generators.copy.grammar import article_mistakes, numbers_without_nouns, tense_mistakes
from generators.copy.language import (
    LanguageRules,
    is_real_word,
    language_confidences,
    language_name,
    language_rules,
    resource,
    words,
)
from generators.copy.phrases import (
    button_object_cut,
    cut_off_word,
    misnamed_kinds,
    name_in_other_number,
    plural_after_article,
    plural_name_in_singular,
    plural_verbs_for_one,
    price_relations,
    stranded_modifiers,
    swapped_units,
    wrong_purposes,
)
from generators.copy.references import field_references

#: field kinds: what shape a field's text must have
CTA, SUBJECT, HEADLINE, SENTENCE, LONG = "cta", "subject", "headline", "sentence", "long"
#: a field this short (characters) is headline-shaped, longer ones are sentences
SHORT_FIELD = 45
#: detected language must beat the requested one by this much to fail a text
LANGUAGE_MARGIN = 0.25
#: at least this many words (besides names) before a language can be told
LANGUAGE_MIN_WORDS = 3
#: a word this close to a name word (difflib ratio) is a misspelling of it
NEAR_MISS = 0.75
#: French elisions: "l'arôme" is "l'" and a word
ELISIONS = {"l", "d", "j", "qu", "c", "n", "s", "m", "t", "jusqu", "lorsqu", "puisqu"}

_BRACKETS = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<<[^>]*>>|<[^<>]+>|_{3,}|\.{4,}|\*{2,}")
_STRAY_BRACKET = re.compile(r"[\[\]{}<>|\\]")
#: "… is a lightweight": a verb, an article and one word end a headline only when cut
_DANGLING_ARTICLE = re.compile(
    r"\b(?:is|are|was|ist|sind|est|sont)\s+(?:a|an|the|ein|eine|un|une|le|la)\s+[^\W\d_]+$",
    re.I,
)
#: a unit written with a full stop that the sentence then runs past ("350 ml. stoneware")
_UNIT_STOP = re.compile(r"\d\s?(?:mm|cm|m|ml|cl|l|g|kg|oz|lb)\.\s+[a-zà-ÿ]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:…]\s+|[–—]\s+|\n\s*)[\"'“‘«(]*$")


@dataclass(frozen=True)
class GateContext:
    sheet: FactSheet
    field: str
    kind: str
    #: text the studio appends (disclaimer, opt-out): not the model's, not checked here
    required: tuple[str, ...] = ()
    #: a field that carries the message angle (:func:`lead_fields`)
    lead: bool = False
    #: characters the field leaves for copy: a name longer than this may be referred to
    #: by its last words (:func:`generators.copy.references.short_references`)
    room: int = 0

    @property
    def language(self) -> str:
        return self.sheet.language

    @property
    def rules(self) -> LanguageRules:
        return language_rules(self.sheet.language)


def field_kind(field: str, max_chars: int) -> str:
    if field == "cta":
        return CTA
    if field == "subject":
        return SUBJECT
    if field in ("body", "caption"):
        return LONG
    if field == "headline" or max_chars <= SHORT_FIELD:
        return HEADLINE
    return SENTENCE


def lead_fields(fields: list[tuple[str, str]]) -> set[str]:
    """The fields that carry a message angle (of ``(name, kind)`` pairs): every headline
    and subject line, else the first text that is not a button."""
    leads = {name for name, kind in fields if kind in (HEADLINE, SUBJECT)}
    if not leads:
        first = next((name for name, kind in fields if kind != CTA), None)
        leads = {first} if first else set()
    return leads


# --- helpers ----------------------------------------------------------------------------


def _phrase_pattern(phrase: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    edge_start = r"(?<![^\W_])" if phrase[:1].isalnum() else ""
    edge_end = r"(?![^\W_])" if phrase[-1:].isalnum() else ""
    return re.compile(edge_start + body + edge_end, re.I if ignore_case else 0)


@cache
def _patterns(phrases: tuple[str, ...], ignore_case: bool = True) -> tuple[re.Pattern[str], ...]:
    return tuple(_phrase_pattern(p, ignore_case=ignore_case) for p in phrases if p.strip())


def _found(text: str, phrases: tuple[str, ...], *, ignore_case: bool = True) -> list[str]:
    hits = []
    for pattern in _patterns(phrases, ignore_case):
        match = pattern.search(text)
        if match:
            hits.append(match.group(0))
    return hits


def _quoted(items: list[str]) -> str:
    return ", ".join(f"'{item}'" for item in dict.fromkeys(items))


def _spans(text: str) -> list[tuple[str, int]]:
    return [(m.group(0), m.start()) for m in re.finditer(r"[^\W_]+(?:['’-][^\W_]+)*", text)]


def _starts_sentence(text: str, position: int) -> bool:
    return _SENTENCE_START.search(text[:position]) is not None


def _split_elision(word: str, language: str) -> str:
    if language == "fr" and ("'" in word or "’" in word):
        head, _, tail = word.replace("’", "'").partition("'")
        if head.lower() in ELISIONS and tail:
            return tail
    return word


def copy_body(text: str, required: tuple[str, ...]) -> str:
    """The text without the studio's appended disclaimer and opt-out."""
    for item in required:
        if item:
            text = text.replace(item, " ")
    return " ".join(text.split())


# --- the rules --------------------------------------------------------------------------


def check_name(text: str, ctx: GateContext) -> list[str]:
    """The product's name exactly as in the facts, or not at all."""
    sheet = ctx.sheet
    name = sheet.name
    name_words = [w for w in sheet.name_words if len(w) >= 3]
    problems = []
    misspelt = []
    for word, _ in _spans(text):
        core = _split_elision(word, ctx.language)
        if core in sheet.cased_words or sheet.grounds_word(core):
            continue
        for name_word in name_words:
            if core.lower() == name_word.lower() or singular(name_word.lower()) == core.lower():
                continue  # the name's word in the singular is read below
            ratio = SequenceMatcher(None, core.lower(), name_word.lower()).ratio()
            if ratio >= NEAR_MISS and core.lower()[:2] == name_word.lower()[:2]:
                misspelt.append(core)
                break
    if misspelt:
        problems.append(f"misspelled product name: {_quoted(misspelt)} (the product is '{name}')")
    singular_of = plural_name_in_singular(text, sheet)
    if singular_of:
        problems.append(
            f"the name's plural in the singular: {_quoted(singular_of)} (the product is '{name}')"
        )
    # a run of the name's words that is not the name, written as a name
    all_name = sheet.name_words
    whole_name = re.search(r"(?<![^\W_])" + re.escape(name) + r"(?![^\W_])", text)
    if len(all_name) >= 2 and whole_name is None:
        short_field = ctx.kind in (HEADLINE, SUBJECT)
        references = field_references(
            name, ctx.room, sheet.kind_text, sheet.product.category, short_field=short_field
        )
        spans = _spans(text)
        for index in range(len(spans)):
            run = []
            for offset in range(len(all_name)):
                if index + offset >= len(spans):
                    break
                word = spans[index + offset][0]
                if word.lower() not in (w.lower() for w in all_name):
                    break
                run.append(word)
            if len(run) >= 2:
                phrase = " ".join(run)
                if phrase in references:
                    continue
                if not _in_text_outside_name(sheet, phrase):
                    problems.append(f"partial product name '{phrase}': write '{name}' in full")
                    break
    lowered = text.lower()
    if name.lower() in lowered and name not in text and len(all_name) > 1:
        at = lowered.index(name.lower())
        written = text[at : at + len(name)]
        if written != name and not _in_text_outside_name(sheet, written):
            problems.append(f"product name written '{written}': write '{name}'")
    inflected = name_in_other_number(text, sheet)
    if inflected:
        problems.append(f"product name written '{inflected}': write '{name}'")
    return problems


def _in_text_outside_name(sheet: FactSheet, phrase: str) -> bool:
    """Is a phrase used in the vocabulary text other than as the product's name?"""
    rest = sheet.vocabulary_text.replace(sheet.name, " ")
    return (
        re.search(r"(?<![^\W_])" + re.escape(phrase.lower()) + r"(?![^\W_])", rest.lower())
        is not None
    )


def check_placeholders(text: str, ctx: GateContext) -> list[str]:
    """No template residue: brackets, placeholders or field labels."""
    rules = ctx.rules
    residue = [m.group(0) for m in _BRACKETS.finditer(text)]
    residue += [
        m.group(0) for m in _STRAY_BRACKET.finditer(text) if m.group(0) not in "".join(residue)
    ]
    residue += _found(text, rules.placeholders)
    labels = "|".join(r"\s+".join(map(re.escape, label.split())) for label in rules.labels)
    residue += [
        m.group(1).strip()
        for m in re.finditer(
            rf"(?:^|[.!?\"“]\s*|\n)\s*((?:[^\W\d_]+\s+){{0,3}}?(?:{labels})\s*\d*\s*:)", text, re.I
        )
    ]
    if not residue:
        return []
    return [f"template residue: {_quoted(residue)}"]


def check_persona(text: str, ctx: GateContext) -> list[str]:
    """No assistant or persona voice: copy speaks as the brand, never as 'I'."""
    rules = ctx.rules
    hits = _found(text, rules.persona_exact, ignore_case=False) + _found(text, rules.persona)
    hits = [hit for hit in hits if not ctx.sheet.grounds_phrase(hit)]
    return [f"assistant or persona voice: {_quoted(hits)}"] if hits else []


def check_greeting(text: str, ctx: GateContext) -> list[str]:
    """No greeting where a subject line, headline or button belongs."""
    if ctx.kind not in (SUBJECT, HEADLINE, CTA):
        return []
    opening = text.lstrip(" \"'“‘«").lower()
    for greeting in sorted(ctx.rules.greetings, key=len, reverse=True):
        if re.match(re.escape(greeting) + r"(?![^\W_])", opening):
            what = {SUBJECT: "a subject line", HEADLINE: "a headline", CTA: "a button"}[ctx.kind]
            return [f"a greeting ('{text.lstrip()[: len(greeting)]}') where {what} belongs"]
    return []


def check_spelling(text: str, ctx: GateContext) -> list[str]:
    """Every word is a word of the language, or a word of the product, brand or segment."""
    sheet = ctx.sheet
    unknown = []
    for word, _ in _spans(text):
        core = _split_elision(word, ctx.language)
        if any(ch.isdigit() for ch in core):
            continue  # numbers are the grounding rule's
        if sheet.grounds_word(core) or core in sheet.cased_words:
            continue
        if not is_real_word(core, ctx.language):
            unknown.append(core)
    if not unknown:
        return []
    return [f"not {language_name(ctx.language)} words: {_quoted(unknown)}"]


def check_language(text: str, ctx: GateContext) -> list[str]:
    """The text, and each of its sentences, reads as the requested language."""
    sheet = ctx.sheet
    pieces = [text, *re.split(r"(?<=[.!?])\s+", text)]
    for piece in dict.fromkeys(pieces):
        own = [w for w, _ in _spans(piece) if not sheet.grounds_word(w)]
        if len(own) < LANGUAGE_MIN_WORDS:
            continue
        confidences = language_confidences(" ".join(own))
        best = max(confidences, key=confidences.__getitem__)
        if best == ctx.language:
            continue
        if confidences[best] - confidences.get(ctx.language, 0.0) >= LANGUAGE_MARGIN:
            where = "" if piece == text else f": '{piece}'"
            return [
                f"reads as {language_name(best) if best in _NAMES else best}, "
                f"not {language_name(ctx.language)}{where}"
            ]
    return []


_NAMES = {"en", "de", "fr", "es", "it", "nl", "pt"}


def check_invented_names(text: str, ctx: GateContext) -> list[str]:
    """No brands, people, places or model names the facts do not have."""
    sheet = ctx.sheet
    invented = []
    for word, position in _spans(text):
        if word in sheet.cased_words or word.lower() in ("i",):
            continue
        has_digit = any(ch.isdigit() for ch in word)
        has_letter = any(ch.isalpha() for ch in word)
        if has_digit and has_letter:
            invented.append(word)  # "X200", "Pro3": a model name
            continue
        letters = [ch for ch in word if ch.isalpha()]
        if len(letters) >= 2 and all(ch.isupper() for ch in letters):
            invented.append(word)  # "ESMEK": an acronym or brand
            continue
        if (
            ctx.rules.names_are_capitalised
            and word[:1].isupper()
            and not _starts_sentence(text, position)
        ):
            invented.append(word)
    if not invented:
        return []
    return [
        f"names or capitalised words not in the product facts: {_quoted(invented)} "
        "(write in sentence case; names must come from the facts)"
    ]


def check_service_statements(text: str, ctx: GateContext) -> list[str]:
    """No promises about stock, delivery, shipping, supply, returns or warranties that
    the facts do not make."""
    problems = []
    for topic, phrases in ctx.rules.service_statements.items():
        hits = [hit for hit in _found(text, phrases) if not ctx.sheet.grounds_phrase(hit)]
        if hits:
            problems.append(f"a statement about {topic} the facts do not make: {_quoted(hits)}")
    return problems


def _inner_button(text: str, language: str) -> str:
    """The call to action a text ends with after a colon ("At 2.95 GBP: Shop the Home" →
    "Shop the Home"), else ''."""
    clause = text.rsplit(": ", 1)[-1] if ": " in text else ""
    first = clause.split(maxsplit=1)[:1]
    return clause if first and first[0].lower() in _cta_verbs(language) else ""


def check_shape(text: str, ctx: GateContext) -> list[str]:
    """The field looks like its kind: a button, a subject line, a headline, a sentence."""
    problems = []
    sheet = ctx.sheet
    stripped = text.strip()
    own_words = [w for w, _ in _spans(stripped.replace(sheet.name, " "))]
    first = stripped[:1]
    if first.isalpha() and first.islower():
        first_word = _spans(stripped)[0][0] if _spans(stripped) else ""
        if first_word not in sheet.cased_words:
            problems.append("starts in lower case")
    shouted = [w for w in own_words if len(w) >= 2 and w.isupper() and w not in sheet.cased_words]
    if len(shouted) >= 2:
        problems.append(f"written in capitals: {_quoted(shouted)}")
    for opening, closing in (("(", ")"), ("“", "”"), ("«", "»")):
        if stripped.count(opening) != stripped.count(closing):
            problems.append(f"unbalanced {opening}{closing}")
    if stripped.count('"') % 2:
        problems.append('unbalanced quotation mark (")')
    spans = _spans(stripped)
    last = spans[-1][0].lower() if spans else ""
    if last in _never_last(ctx.language) and not stripped.endswith(("!", "?")):
        problems.append(f"ends on '{spans[-1][0]}', as if cut off")
    elif ctx.kind != CTA and (word := cut_off_word(stripped, sheet)):
        problems.append(f"ends on '{word}', as if cut off in the middle of a phrase")
    if ctx.kind == CTA:
        limit = ctx.rules.cta_max_words
        if len(own_words) > limit:
            problems.append(f"a button label of {len(own_words)} words (at most {limit})")
        verbs = _cta_verbs(ctx.language)
        if not any(w.lower() in verbs for w in own_words):
            problems.append("not a call to action: start with a verb such as 'Shop' or 'Discover'")
        if cut := button_object_cut(stripped, sheet):
            problems.append(f"names '{cut}', a phrase cut off before its noun")
        phrases = resource(ctx.language, "cta.json")["phrases"]
        if len(spans) == 1 and stripped.lower() not in {p.lower() for p in phrases}:
            problems.append(f"'{stripped}' alone: a button says what to do with what")
        if stripped.endswith(("?", ".", ",", ";", ":")):
            problems.append(f"a button label ending in '{stripped[-1]}'")
    elif (button := _inner_button(stripped, ctx.language)) and (
        cut := button_object_cut(button, sheet)
    ):  # "At 2.95 GBP: Shop the Home" is held to a button's noun too
        problems.append(f"names '{cut}', a phrase cut off before its noun")
    if ctx.kind in (SUBJECT, HEADLINE):
        if stripped.endswith((",", ";", ":", "–", "-")):
            problems.append(f"ends with '{stripped[-1]}', as if cut off")
        elif _DANGLING_ARTICLE.search(stripped):
            problems.append("ends after an article and one word, as if cut off")
    elif (
        ctx.kind != CTA
        and not stripped.endswith((".", "!", "?", "…"))
        and not re.search(r"#\w+$", stripped)
    ):
        problems.append("ends mid-sentence: end a sentence with '.', '!' or '?'")
    stray = _UNIT_STOP.search(stripped)
    if stray:
        problems.append(f"a full stop inside a sentence: '{stray.group(0)}'")
    return problems


def _singular(word: str) -> str:
    """The word without a plural ending (good enough to match 'figs' with 'fig')."""
    for ending in ("es", "s", "en", "n", "e", "x"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


@cache
def _cta_verbs(language: str) -> frozenset[str]:
    return frozenset(v.lower() for v in resource(language, "cta.json")["verbs"])


def check_supported(text: str, ctx: GateContext) -> list[str]:
    """Every word is a word of the product's facts, of the brand's voice or of the copy
    vocabulary: anything else ("skin", "supply chain", "coffee shop") says what the facts
    do not; so does a price made into a saving ("more than 139 EUR", "2.95 GBP off") or a
    number given another unit ("129 g" for a shoe at 129 EUR that weighs 280 g)."""
    from generators.copy.lexicon import lexicon_words

    sheet = ctx.sheet
    allowed = {w.lower() for w in lexicon_words(ctx.language)} | button_words(ctx.language)
    own = {_split_elision(w, ctx.language).lower() for w in words(sheet.decoding_text)}
    own |= {_singular(w) for w in own}
    unsupported = []
    for word, _ in _spans(text):
        core = _split_elision(word, ctx.language).lower().replace("’", "'")
        if any(ch.isdigit() for ch in core) or core in allowed:
            continue
        if core in own or _singular(core) in own:
            continue
        unsupported.append(word)
    problems = [f"says what the facts do not: {_quoted(unsupported)}"] if unsupported else []
    relations = price_relations(text, sheet)
    if relations:
        problems.append(f"makes the price an offer the facts do not state: {_quoted(relations)}")
    swapped = swapped_units(text, sheet)
    if swapped:
        problems.append(f"a number with another unit than the facts give it: {_quoted(swapped)}")
    return problems


def check_tone_words(text: str, ctx: GateContext) -> list[str]:
    """Tone words set the voice; they never describe the product ("a warm, confident
    tote"), unless the product's own facts use the word."""
    sheet = ctx.sheet
    tone = {w.lower() for phrase in sheet.tone_words for w in words(phrase)}
    used = [
        word
        for word, _ in _spans(text)
        if word.lower() in tone and not contains_words(sheet.claims_text, word)
    ]
    if not used:
        return []
    return [f"uses the tone word {_quoted(used)} as if it described the product"]


def check_topic(text: str, ctx: GateContext) -> list[str]:
    """Copy is about the product: it names it, its kind, or something the facts say."""
    if ctx.kind == CTA:
        return []
    sheet = ctx.sheet
    product = sheet.product
    function = _function_words(ctx.language)
    product_words = [product.name, product.category, product.description]
    product_words += list(product.attributes.values())
    stems = {
        _stem(w.lower())
        for w in words(" ".join(product_words))
        if len(w) >= 3 and w.lower() not in function
    }
    if any(_stem(w.lower()) in stems for w, _ in _spans(text)):
        return []
    return ["does not say what the product is: name it, its kind or one of its facts"]


def check_angle(text: str, ctx: GateContext) -> list[str]:
    """Copy on a message angle leads with its fact."""
    sheet = ctx.sheet
    if not sheet.focus or not ctx.lead:
        return []
    function = _function_words(ctx.language)
    name = {_stem(w.lower()) for w in sheet.name_words}
    focus = {
        _stem(w.lower())
        for w in words(sheet.focus)
        if (len(w) >= 3 or w.isdigit()) and w.lower() not in function
    } - name
    if not focus or any(_stem(w.lower()) in focus for w, _ in _spans(text)):
        return []
    return [f"does not lead with its {sheet.angle} angle: say {sheet.focus!r}"]


def check_channel_name(text: str, ctx: GateContext) -> list[str]:
    """Copy does not name its channel or itself ('Email:', 'SMS Marketing Message')."""
    hits = [h for h in _found(text, ctx.rules.channel_names) if not ctx.sheet.grounds_phrase(h)]
    return [f"names the channel or the ad: {_quoted(hits)}"] if hits else []


def check_repetition(text: str, ctx: GateContext) -> list[str]:
    """No stutter: no word twice in a row, no repeated phrase, no content word over and
    over."""
    sheet = ctx.sheet
    lowered = [w.lower() for w, _ in _spans(text)]
    problems = []
    name_text = sheet.name.lower()  # "X is a … x" reads as twice, whatever the case
    if ctx.kind != LONG and text.lower().count(name_text) > 1:
        problems.append(f"names '{sheet.name}' more than once")
    elif any(s.count(name_text) > 1 for s in re.split(r"(?<=[.!?])\s+", text.lower())):
        problems.append(f"names '{sheet.name}' twice in one sentence")
    doubled = [a for a, b in pairwise(lowered) if a == b]
    if doubled:
        problems.append(f"the same word twice in a row: {_quoted(doubled)}")
    name = [w.lower() for w in sheet.name_words]
    trigrams = Counter(
        tuple(lowered[i : i + 3])
        for i in range(len(lowered) - 2)
        if not set(lowered[i : i + 3]) <= set(name)
    )
    repeated = [" ".join(gram) for gram, count in trigrams.items() if count > 1]
    if repeated:
        problems.append(f"repeats the phrase {_quoted(repeated)}")
    function = _function_words(ctx.language)
    stems = Counter(_stem(w) for w in lowered if len(w) >= 3 and w not in function)
    allowed = 1 if ctx.kind in (CTA, SUBJECT, HEADLINE) else 2
    name_stems = {_stem(w) for w in name}
    over = [
        stem
        for stem, count in stems.items()
        if count > allowed and not (stem in name_stems and ctx.kind == LONG)
    ]
    if over and not problems:
        problems.append(f"repeats {_quoted(over)}")
    return problems


def _stem(word: str) -> str:
    for suffix in ("es", "s", "e", "en", "n"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)]
    return word


@cache
def _never_last(language: str) -> frozenset[str]:
    return frozenset(resource(language, "lexicon.json")["never_last"])


@cache
def _function_words(language: str) -> frozenset[str]:
    return frozenset(w.lower() for w in resource(language, "lexicon.json")["function"])


def check_grammar(text: str, ctx: GateContext) -> list[str]:
    """An article that does not fit the word after it ("an regency pattern", "a three
    nesting tins", "is a bath salts"); a word of the facts without the noun it leads there
    ("a hot of the season"); a gift or a use for one of the product's own things ("gift
    for a tea light", "ready for hot water bottle"); a verb not in the past form its time
    needs ("since you last order"); a number with nothing for it to count ("the 72 in a
    pack"); a plural verb for one product ("Set of 3 Cake Tins Pantry Design are"); in
    German and French, an article, adjective and noun that do not agree ("Der Regenjacke",
    "une cabas")."""
    language, sheet = ctx.language, ctx.sheet
    found = (
        ("the article does not fit the word after it",
         article_mistakes(text, language) + plural_after_article(text, sheet)),
        ("the article, adjectives and noun do not agree", agreement_mistakes(text, language)),
        ("a number without the thing it counts", numbers_without_nouns(text, language)),
        ("one product with a plural verb", plural_verbs_for_one(text, sheet)),
        ("the verb is not in the past form its time needs", tense_mistakes(text, language)),
        ("a word without the noun it leads in the facts", stranded_modifiers(text, sheet)),
        ("for someone, not for the product's own things", wrong_purposes(text, sheet)),
    )  # fmt: skip
    return [f"{what}: {_quoted(wrong)}" for what, wrong in found if wrong]


def check_identity(text: str, ctx: GateContext) -> list[str]:
    """Calling the product what the facts do not: "the Jumbo Bag is a red polka dot print"."""
    wrong = misnamed_kinds(text, ctx.sheet)
    kind = ctx.sheet.product.category.lower() or "something else"
    return [f"calls the product {_quoted(wrong)}; the facts say it is {kind}"] if wrong else []


Rule = Callable[[str, GateContext], list[str]]

#: every rule, by id, in the order a reader meets the problems
RULES: dict[str, Rule] = {
    "name": check_name,
    "placeholder": check_placeholders,
    "persona": check_persona,
    "greeting": check_greeting,
    "spelling": check_spelling,
    "language": check_language,
    "invented-name": check_invented_names,
    "service": check_service_statements,
    "supported": check_supported,
    "tone": check_tone_words,
    "topic": check_topic,
    "angle": check_angle,
    "shape": check_shape,
    "channel-name": check_channel_name,
    "repetition": check_repetition,
    "grammar": check_grammar,
    "identity": check_identity,
}
RULE_TITLES = {
    rule_id: (rule.__doc__ or "").strip().split("\n")[0] for rule_id, rule in RULES.items()
}


def review(text: str, ctx: GateContext) -> dict[str, list[str]]:
    """Each rule's reasons for the copy the model wrote (empty list: the rule passed)."""
    body = copy_body(text, ctx.required)
    if not body:
        return {rule_id: [] for rule_id in RULES}
    return {rule_id: rule(body, ctx) for rule_id, rule in RULES.items()}
