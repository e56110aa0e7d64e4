"""Web links the studio puts in ads and emails: ``http(s)`` with a host, nothing else.

A landing URL travels into upload files and emails that reach customers; a
``javascript:`` or ``file:`` link there would be a hole, so it is refused when typed and
left out if it ever comes from data (a product's ``url`` attribute)."""

from __future__ import annotations

from urllib.parse import urlsplit

from studio.core.errors import InputError


def is_web_link(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def web_link(url: str, *, what: str = "The landing URL") -> str:
    """``url`` stripped, or a clear refusal when it is not an http(s) link with a host."""
    url = url.strip()
    if url and not is_web_link(url):
        raise InputError(
            f"{what} '{url[:80]}' is not a web address.",
            hint="use an address starting with https:// (or http://) and a host name",
        )
    return url
