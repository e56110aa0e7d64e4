"""Phrases of the facts kept whole: copy does not end on, or strand, a word that in the
facts always leads into another.

A small model stopped by a short field often ends inside a phrase of the facts: "Crew
neck t-shirt in soft" (the facts say "soft organic cotton"), "It has been a while: hot"
("hot water bottle"), "Botanical illustration printed on matte" ("matte paper"). Such a
last word is a modifier: every time the facts use it, a content word follows in the same
clause. A word of the language's adjectives after an article or a preposition ("in a
warm") is cut off the same way (English, whose modifiers come first). Inside a text,
such a modifier followed by a little word has lost its noun: "is a hot of the season".
And the product is called only what the facts call it: "is a red polka dot print" is
said of a shopping bag.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise, takewhile

from generators.copy.facts import FactSheet, singular
from generators.copy.language import resource, words, zipf
from generators.copy.references import (
    COLLECTIVE_NOUNS,
    description_lead,
    kind_of_name,
    name_head,
    up_to_kind,
)

#: languages whose modifiers come before their noun ("soft organic cotton"); French puts
#: most after it ("pressée à froid"), so an ending there says nothing
MODIFIER_FIRST = frozenset({"en"})
#: what ends a clause inside a fact text
_CLAUSE_END = re.compile(r"[.!?](?=\s|$)|[,;:()–—]|\s-\s")
#: verbs after which an adjective completes the sentence ("stays soft")
_LINKING = frozenset({
    "is", "are", "was", "were", "be", "been", "being", "stay", "stays", "feel", "feels",
    "look", "looks", "keep", "keeps", "get", "gets", "remain", "remains", "smell", "smells",
    "taste", "tastes",
})  # fmt: skip
#: a word as the facts' phrases split them ("t-light", "2.95")
PHRASE_WORD = re.compile(r"[^\W_](?:[^\W_]|['’.-](?=[^\W_]))*")


@cache
def _lexicon_group(language: str, group: str) -> frozenset[str]:
    return frozenset(w.lower() for w in resource(language, "lexicon.json").get(group, ()))


def modifiers(sheet: FactSheet) -> frozenset[str]:
    """Words (lower case) that the facts only ever use before a content word."""
    return _leading_words(sheet)[0]


def _fact_texts(sheet: FactSheet) -> list[str]:
    """The texts whose phrases copy repeats: name, description, price, attributes, brief."""
    product = sheet.product
    texts = [product.name, product.description, product.price_text()]
    return [*texts, *product.attributes.values(), sheet.brief, sheet.occasion]


def _leading_words(sheet: FactSheet) -> tuple[frozenset[str], frozenset[str]]:
    """The facts' modifiers, and the participles they always complete ("printed" of
    "printed on matte paper")."""
    texts = _fact_texts(sheet)
    function = _lexicon_group(sheet.language, "function")
    nouns = _lexicon_group(sheet.language, "nouns")  # "home" ends a phrase as often as not
    leads: set[str] = set()
    completed: set[str] = set()
    ends: set[str] = set()
    for text in texts:
        for clause in _CLAUSE_END.split(text or ""):
            words = [w.lower() for w in PHRASE_WORD.findall(clause)]
            for word, following in pairwise(words):
                if any(ch.isdigit() for ch in following):
                    ends.add(word)  # a size follows its noun: "Print A3", "Bath Salts 500g"
                elif following.endswith("ed") and following not in function:
                    ends.add(word)  # a noun its participle qualifies: "illustration printed"
                elif following not in function:
                    leads.add(word)
                elif word.endswith("ed"):  # "printed on", "scented with"
                    completed.add(word)
                else:
                    ends.add(word)
            if words:
                ends.add(words[-1])
    never_last = ends | function | nouns
    return frozenset(leads - never_last), frozenset(completed - never_last)


#: a phrase of the facts as decoding reads it: each word as written, and whether a button
#: may stop on it
FactPhrase = tuple[tuple[str, bool], ...]


def button_phrases(sheet: FactSheet) -> tuple[FactPhrase, ...]:
    """The facts' runs of content words, each word marked with whether a button may stop
    on it: only on what the product is ("Shop the chalkboard", never "Shop the slate",
    "Shop the 1L" or "Shop the Union Jack" of a hand warmer). Decoding does not begin a
    word its room cannot take to such a stop (:class:`generators.copy.phrase_room.PhraseRoom`)."""
    if sheet.language not in MODIFIER_FIRST:
        return ()
    nouns = (kind_words(sheet) - _ANY_PRODUCT) | _BUTTON_NOUNS
    function = _lexicon_group(sheet.language, "function")
    phrases: list[FactPhrase] = []
    for text in _fact_texts(sheet):
        for clause in _CLAUSE_END.split(text or ""):
            run: list[tuple[str, bool]] = []
            for word in [*PHRASE_WORD.findall(clause), ""]:
                if word and word.lower() not in function:
                    run.append((word, singular(word.lower()) in nouns))
                    continue
                if len(run) > 1:
                    phrases.append(tuple(run))
                run = []
    return tuple(phrases)


def cut_off_word(text: str, sheet: FactSheet) -> str:
    """The text's last word when it leaves a phrase unfinished, else ''."""
    words = PHRASE_WORD.findall(text)
    if not words or sheet.language not in MODIFIER_FIRST:
        return ""
    last = words[-1]
    previous = words[-2].lower() if len(words) > 1 else ""
    # after a verb a modifier may end a sentence ("keeps you warm"), but not after a word
    # that only looks like one, behind a determiner ("since your last hot")
    determined = len(words) > 2 and words[-3].lower() in _DETERMINERS
    if previous in _LINKING or (
        previous in _lexicon_group(sheet.language, "verbs") and not determined
    ):
        return ""
    leading, completed = _leading_words(sheet)
    if last.lower() in leading | completed:
        return last
    before = text[: text.rstrip(".!?…").rfind(last)].rstrip()
    attributive = before.endswith(":") or (
        previous in _lexicon_group(sheet.language, "function") - _COORDINATING
        and not before.endswith(",")
    )
    if last.lower() in _lexicon_group(sheet.language, "adjectives") and attributive:
        return last
    return ""


#: little words that may follow a modifier: it is one of a list ("soft and warm")
_COORDINATING = frozenset({"and", "or", "nor", "but"})


def stranded_modifiers(text: str, sheet: FactSheet) -> list[str]:
    """Modifiers of the facts followed by a little word instead of their noun:
    "a hot of the season" → ["hot of"]."""
    if sheet.language not in MODIFIER_FIRST:
        return []
    words = PHRASE_WORD.findall(text)
    function = _lexicon_group(sheet.language, "function") - _COORDINATING
    leading = modifiers(sheet)
    return [
        f"{word} {following}"
        for word, following in pairwise(words)
        if word.lower() in leading and following.lower() in function
    ]


#: "X is a …", "X are an …": a statement of what the product is, to the sentence's end
_IDENTITY = re.compile(r"\b(?:is|are)\s+(?:a|an)\s+([^.;!?]+)", re.IGNORECASE)
#: "At 0.55 GBP: a retro polka dot print": what follows an opening's colon names the product
_NAMED_AFTER_OPENING = re.compile(r"^[^:]*:\s+(?:a|an|the)\s+([^.;:!?]+)", re.IGNORECASE)
#: where what a noun phrase is ends and what qualifies it begins
_QUALIFIER = re.compile(r",\s*(?=\d)|\s(?:that|which|who|with|for)\b", re.IGNORECASE)
#: words copy may call any product: "a gift", "a good choice"
_ANY_PRODUCT = frozenset({
    "gift", "choice", "way", "treat", "must", "favourite", "classic", "set", "pair", "pack",
    "piece", "staple", "essential",
})  # fmt: skip


def kind_words(sheet: FactSheet) -> frozenset[str]:
    """Nouns that may say what the product is: its name's last word (and the one before
    "Set", "Kit" …) or, where the name goes on past it, the word of the name the
    description's opening phrase ends on; its category; and that last word of the
    description's opening phrase ("bag" of "Large shopping bag with a red polka dot
    print")."""
    product = sheet.product
    lead = description_lead(product.description)
    head = name_head(product.name)
    # a name may go on past the kind of thing: "Hand Warmer Union Jack" is a warmer
    head = up_to_kind(head, product.description, "") or head
    words = [*kind_of_name(head), *lead[-1:]]
    words += PHRASE_WORD.findall(product.category)
    return frozenset(singular(w.lower()) for w in words) | _ANY_PRODUCT


def misnamed_kinds(text: str, sheet: FactSheet) -> list[str]:
    """What a text says the product is when the facts do not call it that: "is a red polka
    dot print" for a shopping bag → ["a red polka dot print"]; "At 0.55 GBP: a retro polka
    dot print" for cake cases."""
    if sheet.language != "en":
        return []
    allowed = kind_words(sheet)
    wrong = []
    for match in [*_IDENTITY.finditer(text), *_NAMED_AFTER_OPENING.finditer(text)]:
        # the noun phrase, before what qualifies it ("a light | that holds your gift")
        phrase = _QUALIFIER.split(match.group(1).strip(), maxsplit=1)[0]
        if not {singular(w.lower()) for w in PHRASE_WORD.findall(phrase)} & allowed:
            wrong.append(f"a {phrase}")
    return wrong


#: "a gift for …", "ready for …" and the words of what follows, up to a stop
_PURPOSE_FOR = re.compile(
    r"\b(gifts?|ready|perfect|ideal)\s+for\s+([^\W\d_][\w'’ -]*)", re.IGNORECASE
)
_DETERMINERS = frozenset({
    "a", "an", "the", "your", "our", "every", "any", "each", "their", "his", "her", "my",
    "all",
})  # fmt: skip
#: whom or where a gift may be for, besides words that name a person by what they do
_RECIPIENTS = frozenset({
    "you", "yourself", "him", "her", "them", "everyone", "anyone", "someone", "mum", "mom",
    "dad", "kids", "children", "family", "friend", "friends", "regulars", "people", "ones",
    "home", "kitchen", "garden", "table", "desk", "office", "bathroom", "bedroom", "walls",
})  # fmt: skip
_PERSON_ENDING = re.compile(r"(?:er|ist|ian|lover|fan)s?$")


def wrong_purposes(text: str, sheet: FactSheet) -> list[str]:
    """A gift, or the product's use, said to be for one of its own things, not for
    someone: "the perfect gift for a tea light" (the facts: a holder *for a tea light*),
    "Hot Water Bottle is ready for hot water bottle". A use the facts state ("made for
    espresso machines") stands."""
    if sheet.language != "en":
        return []
    product = sheet.product
    facts = f"{product.name} {product.description}"
    own = {singular(w.lower()) for w in PHRASE_WORD.findall(facts)}
    said = " ".join(w.lower() for w in PHRASE_WORD.findall(facts))
    function = _lexicon_group(sheet.language, "function")
    wrong = []
    for match in _PURPOSE_FOR.finditer(text):
        words = [w.lower() for w in PHRASE_WORD.findall(match.group(2))]
        while words and words[0] in _DETERMINERS:
            words.pop(0)
        phrase = list(takewhile(lambda w: w not in function, words))
        if not phrase or phrase[-1] in sheet.occasion.lower().split():
            continue
        if set(phrase) & _RECIPIENTS or _PERSON_ENDING.search(phrase[-1]):
            continue
        gift = match.group(1).lower().startswith("gift")
        if not gift and re.search(rf"\bfor (?:\w+ )?{re.escape(' '.join(phrase))}\b", said):
            continue
        if {singular(w) for w in phrase} <= own:
            wrong.append(f"{match.group(1)} for {' '.join(phrase)}")
    return wrong


#: words before a price that make it an offer or a comparison: "more than 139 EUR"
_BEFORE_PRICE = re.compile(
    r"\b(?:(?:more|less|fewer|cheaper)\s+than|over|under|up\s+to|save|saving|from|extra|"
    r"off)\s*$",
    re.IGNORECASE,
)
#: words after a price that do the same: "2.95 GBP off"
_AFTER_PRICE = re.compile(r"^\s*(?:[A-Z]{3}\b)?\s*(?:off|more|less|cheaper|discount)\b", re.I)


def price_relations(text: str, sheet: FactSheet) -> list[str]:
    """The product's price made into a saving or a comparison the facts do not state:
    "get more than 139 EUR for it", "2.95 GBP off"."""
    price = sheet.product.price_text()
    if not price or sheet.language != "en":
        return []
    figure = price.split()[0]
    wrong = []
    for match in re.finditer(rf"(?<![\d.,]){re.escape(figure)}(?![\d])", text):
        before, after = text[: match.start()], text[match.end() :]
        found, following = _BEFORE_PRICE.search(before), _AFTER_PRICE.match(after)
        if found is not None:
            wrong.append(f"{found.group(0).strip()} {figure}")
        elif following is not None:
            wrong.append(f"{figure}{following.group(0)}")
    return wrong


#: what a button names after its verb: "Shop the hot water" → "hot water"
_BUTTON_OBJECT = re.compile(r"\b(?:the|our|your)\s+([^.!?]+)$", re.IGNORECASE)
#: nouns a button may name besides the product's kinds
_BUTTON_NOUNS = frozenset({"range", "collection", "look", "price", "gift", "gifts", "offer"})


def button_object_cut(text: str, sheet: FactSheet) -> str:
    """What a button names when it stops inside the product's noun phrase ("Shop the hot
    water" for a hot water bottle, "Shop the T-Light"), else ''."""
    match = _BUTTON_OBJECT.search(text.strip())
    if match is None or sheet.language != "en" or text.strip().endswith(sheet.name):
        return ""
    last = PHRASE_WORD.findall(match.group(1))[-1:]
    # the category's words before its last lead its noun ("running" of "Running shoes")
    leading = {singular(w.lower()) for w in PHRASE_WORD.findall(sheet.product.category)[:-1]}
    nouns = (kind_words(sheet) - leading) | _BUTTON_NOUNS
    if not last or singular(last[0].lower()) in nouns:
        return ""
    return match.group(1)


#: "a …", "is the …": the noun phrase up to what qualifies it, "of" included ("a set | of tins")
_ONE_THING = re.compile(r"\b(an?|(?<=\bis\s)the)\s+([^.;:!?]+)", re.IGNORECASE)
#: words that end a noun phrase and begin what qualifies it ("a bag | with …")
_PHRASE_ENDS = (
    "that", "which", "who", "with", "for", "of", "in", "from", "to", "at", "on", "by", "made",
    "is", "are",
)  # fmt: skip
_QUALIFIER_OR_OF = re.compile(r",|\s(?:" + "|".join(_PHRASE_ENDS) + r")\b", re.IGNORECASE)
#: the lower-case words an article's noun phrase runs through ("a bath salts"): a number or
#: a capital starts a name or a count ("A toothbrushes 4-Pack", "a Two Person Tent")
_COMMON_WORDS = re.compile(r"(?:[a-z][a-z'’-]*(?:\s+|$))+")
#: "a few drops", "a dozen eggs": quantities, not one thing
_QUANTITIES = frozenset({"few", "dozen", "hundred", "thousand", "million", "couple", "lot"})
#: endings of words that end in "s" and are not plurals ("glass", "canvas", "news")
_SINGULAR_S = ("ss", "us", "is", "as", "os", "ys", "ics", "ws")
#: whole words that end in "s" and name one thing
_SINGULAR_WORDS = frozenset({"lens", "means"})
#: how common (wordfreq's Zipf scale) a word without its "s" must be to read as its singular
PLURAL_STEM_ZIPF = 3.0


def plural_after_article(text: str, sheet: FactSheet) -> list[str]:
    """One thing named in the plural: "is a bath salts", "is a three nesting cake tins",
    "A toothbrushes 4-Pack", "is the perfect toothbrushes". A plural before another noun
    is a modifier ("a sports bag")."""
    if sheet.language != "en":
        return []
    wrong = []
    for match in _ONE_THING.finditer(text):
        phrase = _QUALIFIER_OR_OF.split(match.group(2).strip(), maxsplit=1)[0]
        common = _COMMON_WORDS.match(phrase.strip())
        noun_phrase = common.group(0).split() if common else []
        if not noun_phrase or noun_phrase[0] in _QUANTITIES:
            continue
        if _plural(noun_phrase[-1]):
            wrong.append(f"{match.group(1)} {' '.join(noun_phrase)}")
    return wrong


def _plural(word: str) -> bool:
    """'salts' (of 'salt'), 'boxes', 'berries'; not 'glass', 'series' or 'lens'."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(_SINGULAR_S):
        return False
    if word in _SINGULAR_WORDS:
        return False
    if word.endswith("ies"):
        stems = [word[:-3] + "y"]
    else:
        stems = [word[:-1]] + ([word[:-2]] if word.endswith("es") else [])
    return any(zipf(stem, "en") >= PLURAL_STEM_ZIPF for stem in stems)


def name_in_other_number(text: str, sheet: FactSheet) -> str:
    """'bamboo toothbrushes 4-Pack' for 'Bamboo Toothbrush 4-Pack': every word of the name
    in its order, one of them in the other number."""
    name = [word.lower() for word in sheet.name_words]
    if sheet.language != "en" or len(name) < 2 or sheet.name in text:
        return ""
    wanted = [singular(word) for word in name]
    written = words(text)
    for start in range(len(written) - len(name) + 1):
        run = written[start : start + len(name)]
        lowered = [word.lower() for word in run]
        if lowered != name and [singular(word) for word in lowered] == wanted:
            return " ".join(run)
    return ""


def plural_name_in_singular(text: str, sheet: FactSheet) -> list[str]:
    """A plural word of the name written in the singular where it ends its noun phrase:
    "a leather hiking boot" for "Hiking Boots", "Shop the bean" for "Espresso Beans" (one
    of a pair, one bean). Before another noun it is a modifier: "whole bean coffee"."""
    if sheet.language != "en":
        return []
    plurals = {singular(w.lower()) for w in sheet.name_words} - {
        w.lower() for w in sheet.name_words
    }
    found = []
    for match in PHRASE_WORD.finditer(text):
        word = match.group(0)
        if word.lower() not in plurals or word in sheet.cased_words or sheet.grounds_word(word):
            continue
        following = re.match(r"\s+([^\W\d_][\w'’-]*)", text[match.end() :])
        # "and" ends it too: "a hiking boot and a bag" (not in an article's noun phrase,
        # where it joins adjectives: "a versatile and stylish rain boots")
        if following is None or following.group(1).lower() in (*_PHRASE_ENDS, "and", "or"):
            found.append(word)
    return found


def plural_verbs_for_one(text: str, sheet: FactSheet) -> list[str]:
    """One product with a plural verb: "Set of 3 Cake Tins Pantry Design are" (a set is
    one thing), "Jumbo Bag Red Retrospot have". A name whose head is plural ("Hiking
    Boots") may take either."""
    if sheet.language != "en":
        return []
    words = sheet.name.lower().split()
    head = name_head(sheet.name)
    collective = len(words) > 2 and words[0] in COLLECTIVE_NOUNS and words[1] == "of"
    if not collective and (not head or head[-1].lower().endswith("s")):
        return []
    after_name = re.compile(rf"{re.escape(sheet.name)}\s+(?:are|were|have)\b", re.IGNORECASE)
    return [match.group(0) for match in after_name.finditer(text)]


#: a number and the unit or currency written right after it: "280 g", "129 EUR"
_MEASURE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(kg|mg|g|ml|cl|l|cm|mm|m|km|oz|lb|h|W|V|mAh|[A-Z]{3})\b"
)


def swapped_units(text: str, sheet: FactSheet) -> list[str]:
    """A number of the facts written with another unit than theirs: "129 g" when the facts
    say "129 EUR" and "280 g"."""
    product = sheet.product
    facts = " ".join([sheet.claims_text, product.price_text(), *product.attributes.values()])
    given: dict[str, set[str]] = {}
    for number, unit in _MEASURE.findall(facts):
        given.setdefault(number, set()).add(unit)
    return [
        f"{number} {unit}"
        for number, unit in _MEASURE.findall(text)
        if number in given and unit not in given[number]
    ]
