"""Hard constraints on copy, and the tidying of raw model text that never cuts a word.

Every candidate is checked against every rule here; a candidate with a problem is never
returned as a pass. Grounding is strict: a number, price, link or marketing claim may
appear only when the product facts (or the brand's own disclaimer and opt-out text)
contain it, because a small model happily invents "50% off" or "free shipping".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from generators.copy.language import resource

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w.-]+\.(?:com|net|org|io|co|shop|store)\b", re.I)
_MARKUP = re.compile(r"</?\s*[a-z_]+\s*>|<\|[^|]*\|>", re.I)


def _claims(language: str) -> dict[str, re.Pattern[str]]:
    """Claims that need support in the facts: offers, superlatives, certifications and
    product properties a small model tends to invent (``claims`` in the language's
    ``rules.json``): whole words with their inflections, and stems that start a word."""
    return _claim_patterns(language)


@cache
def _claim_patterns(language: str) -> dict[str, re.Pattern[str]]:
    raw = resource(language, "rules.json")["claims"]
    patterns = {
        claim: re.compile(r"(?<![\w#])" + re.escape(claim) + r"(?:s|es|r|st|ty|ly|d|e|n)?(?!\w)")
        for claim in raw["words"]
    }
    patterns |= {claim: re.compile(r"(?<![\w#])" + re.escape(claim)) for claim in raw["prefixes"]}
    return patterns


@cache
def _number_words(language: str) -> dict[str, str]:
    """Spelled-out numbers are facts too ("one" is left out: it is mostly no quantity)."""
    return dict(resource(language, "rules.json")["number_words"])


@cache
def _never_last(language: str) -> frozenset[str]:
    return frozenset(resource(language, "lexicon.json")["never_last"])


@cache
def _label(language: str) -> re.Pattern[str]:
    """A leading field label a model writes before its copy ("Headline:", "Betreff:")."""
    labels = "|".join(
        r"\s+".join(map(re.escape, label.split()))
        for label in sorted(resource(language, "rules.json")["labels"], key=len, reverse=True)
    )
    return re.compile(rf"^\s*(?:[\w -]{{0,25}}?\b(?:{labels})\s*(?:\d+)?\s*:\s*)", re.I)


#: the shortest remainder worth keeping when shortening at a boundary
MIN_KEPT = 15
_QUOTES = "\"'“”‘’«»`"


@dataclass(frozen=True)
class FieldRules:
    """The limits one field must meet, including text the studio appends to it."""

    name: str
    max_chars: int
    banned_words: tuple[str, ...] = ()
    #: text that must appear in this field (the brand disclaimer, the SMS opt-out)
    required: tuple[str, ...] = ()
    multiline: bool = False
    #: an SMS: GSM 7-bit characters only, extension characters count twice
    sms: bool = False
    language: str = "en"


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


# --- grounding --------------------------------------------------------------------------


def _number_key(token: str) -> str:
    """'1,299.00' → '1299'; '4.5' → '4.5'; thousands separators and zero decimals dropped."""
    token = (
        token.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token) else token
    )
    token = token.replace(",", ".")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return token.lstrip("0") or "0"


def _numbers_in(text: str, language: str) -> set[str]:
    found = {_number_key(m) for m in _NUMBER.findall(text)}
    spelled = _number_words(language)
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        if word in spelled:
            found.add(spelled[word])
    return found


def _claims_in(text: str, language: str) -> set[str]:
    lowered = text.lower()
    return {claim for claim, pattern in _claims(language).items() if pattern.search(lowered)}


def ungrounded(text: str, facts: str, language: str = "en") -> list[str]:
    """Numbers, prices, links and claims in ``text`` that ``facts`` does not contain."""
    problems = []
    numbers = sorted(_numbers_in(text, language) - _numbers_in(facts, language))
    if numbers:
        problems.append(f"numbers not in the product facts: {', '.join(numbers)}")
    claims = sorted(_claims_in(text, language) - _claims_in(facts, language))
    if claims:
        problems.append(f"claims not in the product facts: {', '.join(claims)}")
    links = [link for link in _LINK.findall(text) if link.lower() not in facts.lower()]
    if links:
        problems.append(f"links not in the product facts: {', '.join(links)}")
    problems += [
        f"a size cut short: the facts say {size!r}" for size in _partial_sizes(text, facts)
    ]
    return problems


#: a size of two or three measures ("130 × 170 cm", "20x30x10 cm")
_SIZE = re.compile(r"\d+(?:[.,]\d+)?(?:\s*[×xX]\s*\d+(?:[.,]\d+)?){1,2}(?:\s*[^\W\d_]+)?")


def _size_key(text: str) -> str:
    """A text with sizes written one way: "130 x 170cm" and "130 × 170 cm" alike."""
    return re.sub(r"\s*[×xX]\s*(?=\d)", "×", " ".join(text.lower().split())).replace(" ", "")


def _partial_sizes(text: str, facts: str) -> list[str]:
    """Sizes of the facts that the text quotes only in part ("130 cm" of "130 × 170 cm"):
    every number is a fact, the statement is not."""
    cut = []
    for size in _SIZE.findall(facts):
        numbers = _NUMBER.findall(size)
        spaced = " ".join(size.split())
        if _size_key(spaced) in _size_key(text):
            continue
        if any(re.search(rf"(?<![\d.,]){re.escape(n)}(?![\d.,]|\s*[×xX]\s*\d)", text)
               for n in numbers):  # fmt: skip
            cut.append(spaced)
    return cut


# --- SMS alphabet ----------------------------------------------------------------------

#: 3GPP TS 23.038 basic character set (one septet each) and extension table (two septets)
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
#: typographic characters a model likes, and their GSM equivalents
SMS_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
}


def gsm_length(text: str) -> int | None:
    """Length in GSM 7-bit septets, or None when a character needs UCS-2 (70 per SMS)."""
    length = 0
    for char in text:
        if char in GSM_BASIC:
            length += 1
        elif char in GSM_EXTENSION:
            length += 2
        else:
            return None
    return length


def sms_safe(text: str) -> tuple[str, list[str]]:
    """Swap typographic quotes and dashes for their GSM equivalents."""
    replaced = "".join(SMS_REPLACEMENTS.get(char, char) for char in text)
    return replaced, ["used plain quotes and dashes for SMS"] if replaced != text else []


# --- the checks -------------------------------------------------------------------------


def banned_in(text: str, banned: tuple[str, ...]) -> list[str]:
    """Banned words or phrases present as whole words (plural, -er, -est, -ly too), any case."""
    hits = []
    for word in banned:
        word = word.strip()
        if word and re.search(r"\b" + re.escape(word) + r"(?:s|es|er|est|ly)?\b", text, re.I):
            hits.append(word)
    return hits


def check(text: str, rules: FieldRules, facts: str) -> list[str]:
    """Every hard-constraint problem of ``text``; empty means it passes."""
    problems = []
    if len(re.findall(r"[^\W\d_]", text)) < 2:
        problems.append("no words")
    if len(text) > rules.max_chars:
        problems.append(f"{len(text)} characters, over the limit of {rules.max_chars}")
    if rules.sms:
        septets = gsm_length(text)
        if septets is None:
            outside = sorted({c for c in text if c not in GSM_BASIC | GSM_EXTENSION})
            problems.append(
                f"characters outside the SMS (GSM 7-bit) alphabet: {' '.join(outside)} "
                "(they cut an SMS to 70 characters)"
            )
        elif septets > rules.max_chars >= len(text):
            problems.append(
                f"{septets} SMS characters (€ and [ ] {{ }} count twice), over the limit"
            )
    if not rules.multiline and "\n" in text:
        problems.append("more than one line")
    hits = banned_in(text, rules.banned_words)
    if hits:
        problems.append(f"banned words: {', '.join(hits)}")
    for required in rules.required:
        if normalise(required) not in normalise(text):
            problems.append(f"missing required text: {required!r}")
    if _MARKUP.search(text):
        problems.append("contains prompt markup")
    # the appended disclaimer/opt-out are grounded by definition; check the rest of the copy
    body = text
    for required in rules.required:
        body = body.replace(required, " ")
    problems += ungrounded(body, facts, rules.language)
    return problems


# --- tidying raw model text -------------------------------------------------------------


def clean(raw: str, *, multiline: bool, language: str = "en") -> tuple[str, list[str]]:
    """Strip chat noise (labels, quotes, markdown) from a model reply; never cut a word."""
    edits = []
    text = raw.replace("\r", "")
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return "", edits
    text = paragraphs[0]
    if len(paragraphs) > 1:
        edits.append("kept the first paragraph")
    if not multiline:
        lines = [line for line in text.splitlines() if line.strip()]
        text = lines[0]
        if len(lines) > 1:
            edits.append("kept the first line")
    text = re.sub(r"[*_]{2,}|^#+\s*|^\s*(?:[-•]|\d+[.)])\s+", "", text, flags=re.M)
    labelled = _label(language).match(text)
    if labelled and len(text) > labelled.end():
        text = text[labelled.end() :]
        edits.append("removed a label")
    text = text.strip()
    stripped = text.strip(_QUOTES).strip()
    if stripped != text and text.count('"') + text.count("“") + text.count("”") <= 2:
        text = stripped
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line), edits


def fit(
    text: str, limit: int, *, unfinished: bool = False, language: str = "en"
) -> tuple[str, list[str]]:
    """Shorten ``text`` to ``limit`` at a sentence or clause boundary — never mid-word.

    ``unfinished`` text (sampling ran out of tokens) is always cut back to its last
    boundary. Without a boundary that leaves a useful remainder (``MIN_KEPT`` characters) the
    text comes back unchanged, so the checks report it instead of a stub passing.
    """
    if len(text) <= limit and not unfinished:
        return text, []
    head = text[: min(limit, len(text) - 1 if unfinished else limit) + 1]
    for boundary in (r"[.!?](?=\s|$)", r"[,;:–—](?=\s)|\s[-–—]\s"):
        cuts = [m.start() for m in re.finditer(boundary, head)]
        while cuts:
            end = cuts.pop()
            keep_mark = boundary.startswith("[.!?]")
            candidate = _tidy_end(text[: end + 1] if keep_mark else text[:end], language)
            if min(limit // 2, MIN_KEPT) <= len(candidate) <= limit:
                return candidate, [f"shortened from {len(text)} to {len(candidate)} characters"]
    return text, []


def _tidy_end(text: str, language: str) -> str:
    """Drop dangling function words and separators from the end of a shortened text."""
    words = text.rstrip(" ,;:–—-").split(" ")
    while len(words) > 1 and words[-1].lower().strip(",;:") in _never_last(language):
        words.pop()
    return " ".join(words).rstrip(" ,;:–—-")


def with_suffix(body: str, suffix: str) -> str:
    """Append required text (disclaimer, opt-out) unless the body already carries it."""
    if not suffix or normalise(suffix) in normalise(body):
        return body
    joiner = " " if body.endswith((".", "!", "?")) else ". "
    return f"{body}{joiner}{suffix}" if body else suffix


def without_suffixes(text: str, suffixes: tuple[str, ...]) -> str:
    """The copy before the required text :func:`with_suffix` appended."""
    for suffix in reversed(suffixes):
        if suffix and text.endswith(suffix) and text != suffix:
            text = text[: -len(suffix)].rstrip()
    return text
