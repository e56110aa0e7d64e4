"""Who copy speaks to, in a marketer's words, and the approach that suits them.

A segment's name and figures (:mod:`studio.data.naming` writes both) say how its
customers buy; the copy should sound like it, without claiming more than the figures say:

* ``loyalty``  — regulars and big spenders: thanks and "for our regulars";
* ``value``    — deal-seekers: the price up front;
* ``welcome``  — new customers and prospects: a welcome and a first look;
* ``win_back`` — lapsed and at-risk customers: "it has been a while";
* ``general``  — everyone else.

The approach picks the approach templates (``templates.json``, tried before the general
ones) and lends the few words they need (``APPROACH_WORDS``); the audience text goes into
the prompt in place of the segment's bare name. A campaign's occasion, typed or found in
its brief ("Christmas gifts for our regulars"), is read here too.
"""

from __future__ import annotations

import re
from typing import Any

APPROACHES = ("loyalty", "value", "welcome", "win_back", "general")
#: words each approach's templates use beyond the copy lexicon: true of the segment, so
#: lent to its copy and to no other
APPROACH_WORDS = {
    "loyalty": "regulars thanks coming back shopping",
    "value": "value price only at good",
    "welcome": "welcome first look",
    "win_back": "while been since last order back more",
    "general": "",
}
#: a share of items bought on discount above which a segment is deal-seeking
DEAL_SHARE = 0.3
#: occasions a brief may name, as the copy should write them (English)
OCCASIONS = (
    "Christmas", "Black Friday", "Cyber Monday", "Mother's Day", "Father's Day",
    "Valentine's Day", "Easter", "Halloween", "New Year", "Thanksgiving", "Hanukkah",
    "Diwali", "Ramadan", "Eid", "Lunar New Year", "back to school", "summer", "winter",
    "spring", "autumn", "the holidays", "birthdays", "weddings",
)  # fmt: skip
_ALIASES = {"xmas": "Christmas", "holiday season": "the holidays", "fall": "autumn"}


def approach_for(name: str, stats: dict[str, Any]) -> str:
    """The approach for a segment, from its archetype name, else from its figures."""
    lowered = name.lower()
    if lowered.startswith(("lapsed", "at-risk")):
        return "win_back"
    if lowered.startswith(("new ", "prospects")):
        return "welcome"
    if lowered.startswith("deal-seeking"):
        return "value"
    if "loyal" in lowered or "big spenders" in lowered or lowered.startswith("active"):
        return "loyalty"
    segment = stats.get("segment") or {}
    overall = stats.get("overall") or {}
    if (segment.get("discount_share_mean") or 0) >= DEAL_SHARE:
        return "value"
    orders, everyone = segment.get("orders_mean"), overall.get("orders_mean")
    if orders and everyone and orders >= 1.5 * everyone:
        return "loyalty"
    return "general"


def audience_text(name: str, stats: dict[str, Any]) -> str:
    """'Loyal regulars: 4.1 orders each, 2.3× the average spend; they buy mostly Coffee'."""
    segment = stats.get("segment") or {}
    overall = stats.get("overall") or {}
    archetype = re.sub(r"\s*\(.*\)$", "", name).strip() or name
    facts = []
    if segment.get("orders_mean"):
        facts.append(f"{segment['orders_mean']:.1f} orders each")
    spend, average = segment.get("spend_mean"), overall.get("spend_mean")
    if spend and average:
        facts.append(f"{spend / average:.1f}× the average spend")
    history = stats.get("history_days")
    if segment.get("recency_median") is not None and (history is None or history >= 90):
        facts.append(f"last order a median {segment['recency_median']:.0f} days ago")
    if (segment.get("discount_share_mean") or 0) >= DEAL_SHARE:
        facts.append(f"{segment['discount_share_mean']:.0%} of items bought on discount")
    text = archetype + (": " + ", ".join(facts) if facts else "")
    categories = [c for c in stats.get("categories") or [] if (c.get("share") or 0) < 0.999]
    if categories and (categories[0].get("share") or 0) >= 0.3:
        text += f"; they buy mostly {categories[0]['name']}"
    return text


def occasion_in(text: str) -> str:
    """The occasion a brief names ("December push before Christmas" → "Christmas"),
    written as copy writes it; empty when it names none."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    for alias, occasion in _ALIASES.items():
        if re.search(rf"\b{re.escape(alias)}\b", lowered):
            return occasion
    found = [
        (match.start(), occasion)
        for occasion in OCCASIONS
        if (match := re.search(rf"\b{re.escape(occasion.lower())}\b", lowered))
    ]
    return min(found)[1] if found else ""
