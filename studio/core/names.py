"""How a product's name is shown to customers.

Many shop systems store names in capitals ("WHITE HANGING HEART T-LIGHT HOLDER"); copy
and creatives that shout them read like a warehouse list. The stored name stays as it
is (it is the shop's key to its own catalogue); what customers see is title case, with
known acronyms, sizes and codes kept, unless the user set a display name of their own.
"""

from __future__ import annotations

import re

#: the product attribute that holds a display name the user chose
DISPLAY_NAME_KEY = "display_name"
#: words kept in capitals when a name in capitals is title-cased
_ACRONYMS = """UK USA US EU LED USB UV TV DVD CD DIY BBQ PVC XS XL XXL XXXL SPF UHT ABC
II III IV VI VII VIII IX NYC LA DNA"""
ACRONYMS = frozenset(_ACRONYMS.split())
#: small words that stay lower case inside a title
_SMALL_WORDS = "a an and as at but by for in of on or the to with"
SMALL_WORDS = frozenset(_SMALL_WORDS.split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*|[^A-Za-z]+")


def is_shouting(name: str) -> bool:
    """Whether a name is written in capitals (at least two words of letters)."""
    letters = [c for c in name if c.isalpha()]
    words = re.findall(r"[A-Za-z]{2,}", name)
    return len(words) >= 2 and bool(letters) and all(c.isupper() for c in letters)


def display_name(name: str, override: str | None = None) -> str:
    """The name customers see: the user's own display name, else the stored name, in
    title case when it is written in capitals."""
    if override and override.strip():
        return override.strip()
    if not is_shouting(name):
        return name
    out: list[str] = []
    first = True
    for token in _TOKEN.findall(name):
        if not token[0].isalpha():
            out.append(token)
            continue
        if token in ACRONYMS or (len(token) <= 3 and not re.search(r"[AEIOUY]", token)):
            out.append(token)  # LED, USB, 3D-like codes without vowels (PK, CM)
        elif not first and token.lower() in SMALL_WORDS and not out[-1].endswith("-"):
            out.append(token.lower())
        else:
            head, apostrophe, tail = token.partition("'")
            out.append(head.capitalize() + apostrophe + tail.lower())
        first = False
    return "".join(out)
