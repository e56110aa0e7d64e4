"""Deterministic, portable names for the files inside a bundle.

Names are plain lowercase ASCII (``a-z 0-9 -``) so that every zip tool, file system and
ad platform accepts them, and they depend only on what the asset *is* (segment, product,
format, stable key), never on database ids, so a re-export of an imported bundle names
every file the same way.
"""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 48
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def slugify(text: str | None, *, fallback: str = "untitled", max_length: int = MAX_SLUG) -> str:
    """``"Café Lovers — 25+"`` → ``"cafe-lovers-25"``."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = _NOT_SAFE.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback


class UniqueNames:
    """Hands out names, appending ``-2``, ``-3`` … when one was already taken."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, name: str) -> str:
        candidate, counter = name, 1
        while candidate in self._taken:
            counter += 1
            candidate = f"{name}-{counter}"
        self._taken.add(candidate)
        return candidate
