"""Human names and one-paragraph descriptions for segments, from their statistics.

A name is an archetype read from how the segment differs from the average customer
(recency, frequency, spend, tenure, discounts), qualified by what it prefers when that
is distinctive ("At-risk big spenders (Outdoor)"). Names are unique within a run.
"""

from __future__ import annotations

from typing import Any

PROSPECTS_NAME = "Prospects: no orders yet"
RETURNED_NAME = "Returned or cancelled every order"
#: days of order history before "new", "active" and "lapsed" can be told apart
MIN_HISTORY_DAYS = 90
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

#: a segment value this many times the overall average counts as "high" …
HIGH = 1.5
#: … and this fraction of it as "low"
LOW = 0.6
#: a preference (category, country …) must be this much above the overall share
DISTINCTIVE = 1.25


def money(value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol:
        return f"{symbol}{value:,.0f}"
    return f"{value:,.0f} {currency}".strip()


def _ratio(segment: float | None, overall: float | None) -> float:
    if segment is None or not overall:
        return 1.0
    return segment / overall


def archetype(profile: dict[str, Any]) -> tuple[str, list[str]]:
    """('At-risk big spenders', ['high past spend', 'no order in 140 days'])."""
    seg, overall = profile["segment"], profile["overall"]
    spend = _ratio(seg["spend_mean"], overall["spend_mean"])
    orders = _ratio(seg["orders_mean"], overall["orders_mean"])
    recency = _ratio(seg["recency_median"], overall["recency_median"])
    tenure = _ratio(seg["tenure_median"], overall["tenure_median"])
    discount = _ratio(seg["discount_share_mean"], overall["discount_share_mean"])
    traits: list[str] = []

    if spend >= HIGH:
        noun = "big spenders"
        traits.append("high spend" if recency < HIGH else "high past spend")
    elif orders >= HIGH:
        noun = "loyal regulars"
        traits.append(f"{seg['orders_mean']:.1f} orders each")
    elif (seg["one_time_share"] or 0) >= 0.7:
        noun = "one-time buyers"
        traits.append("a single order")
    elif spend <= LOW:
        noun = "light buyers"
        traits.append("low spend")
    else:
        noun = "steady shoppers"
        traits.append("average spend")

    # the strongest distinctive behaviour becomes the prefix: (strength, prefix, trait)
    recency_days = seg["recency_median"] or 0
    discount_share = seg["discount_share_mean"] or 0
    candidates: list[tuple[float, str, str]] = []
    # on a short history, the day someone happened to order says nothing about them
    history = profile.get("history_days")
    timed = history is None or history >= MIN_HISTORY_DAYS  # older runs did not record it
    if timed and recency >= HIGH and recency_days >= 60:
        lapsed = "At-risk" if noun in ("big spenders", "loyal regulars") else "Lapsed"
        candidates.append((recency, lapsed, f"no order in {recency_days:.0f} days"))
    if timed and tenure <= 0.5:
        joined = f"joined about {seg['tenure_median'] or 0:.0f} days ago"
        candidates.append((1 / max(tenure, 1e-9), "New", joined))
    if discount >= HIGH and discount_share >= 0.15:
        on_discount = f"{discount_share:.0%} of items bought on discount"
        candidates.append((discount, "Deal-seeking", on_discount))
    if timed and recency <= LOW:
        recent = f"last order {recency_days:.0f} days ago"
        candidates.append((1 / max(recency, 1e-9), "Active", recent))
    prefix = ""
    if candidates:
        _, prefix, trait = max(candidates)
        traits.append(trait)
    name = f"{prefix} {noun}" if prefix else noun
    return name[0].upper() + name[1:], traits


def qualifiers(profile: dict[str, Any]) -> list[str]:
    """Distinctive preferences, strongest first: categories, then attributes like country."""
    found: list[tuple[float, str]] = []
    for category in profile["categories"]:
        share, overall = category["share"] or 0, category["overall"] or 0
        if share >= 0.2 and overall and share >= DISTINCTIVE * overall:
            found.append((share / overall, category["name"]))
    for name, attribute in profile["attributes"].items():
        share, overall = attribute["share"] or 0, attribute["overall"] or 0
        if share >= 0.5 and overall and share >= DISTINCTIVE * overall:
            label = f"{name.replace('_', ' ')} {attribute['value']}"  # "country Germany"
            found.append((share / overall * 0.5, label))  # categories first
    return [label for _, label in sorted(found, key=lambda item: -item[0])]


def name_segments(profiles: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, description) for each profile; names are unique among them."""
    archetypes = [archetype(p) for p in profiles]
    extras = [qualifiers(p) for p in profiles]
    used = [min(1, len(e)) for e in extras]

    def label(i: int, with_trait: bool = False) -> str:
        parts = extras[i][: used[i]]
        if with_trait:
            parts = [*parts, archetypes[i][1][-1]]
        return f"{archetypes[i][0]} ({', '.join(parts)})" if parts else archetypes[i][0]

    # colliding names get more preferences until they differ …
    for _ in range(max((len(e) for e in extras), default=0)):
        names = [label(i) for i in range(len(profiles))]
        clashes = [i for i, name in enumerate(names) if names.count(name) > 1]
        if not clashes:
            break
        for i in clashes:
            used[i] = min(used[i] + 1, len(extras[i]))
    # … then the behaviour that named them, and numbers as the last resort
    names = [label(i) for i in range(len(profiles))]
    names = [label(i, with_trait=names.count(names[i]) > 1) for i in range(len(profiles))]
    unique = [
        f"{name} #{names[: i + 1].count(name)}" if names.count(name) > 1 else name
        for i, name in enumerate(names)
    ]
    return [(name, describe(profile)) for name, profile in zip(unique, profiles, strict=True)]


def describe(profile: dict[str, Any]) -> str:
    """One paragraph a marketer can read: who they are, what they spend, what they like."""
    seg, overall = profile["segment"], profile["overall"]
    currency = profile.get("currency", "")
    title, traits = archetype(profile)
    category_names = {c["name"] for c in profile["categories"]}
    preferred = [q for q in qualifiers(profile) if q in category_names]
    if preferred:
        traits.append(f"lean towards {preferred[0]}")
    parts = [f"{title}: {', '.join(traits)}."]
    parts.append(
        f"{profile['size']:,} customers ({profile['customer_share']:.0%} of all) bringing "
        f"{profile['revenue_share']:.0%} of revenue."
    )
    if seg["spend_mean"] is not None:
        parts.append(
            f"They spent {money(seg['spend_mean'], currency)} on average "
            f"({_ratio(seg['spend_mean'], overall['spend_mean']):.1f}× the average customer) "
            f"over {seg['orders_mean']:.1f} orders with a typical basket of "
            f"{money(seg['avg_basket_mean'], currency)}"
        )
        history = profile.get("history_days")
        if history is not None and history < MIN_HISTORY_DAYS:
            parts[-1] += f", in the {history + 1} days the orders cover."
        else:
            parts[-1] += (
                f"; their last order was a median {seg['recency_median']:.0f} days ago "
                f"(everyone: {overall['recency_median']:.0f})."
            )
    # one category for everything (or none known) tells a reader nothing
    top = [c for c in profile["categories"] if c["share"] and c["share"] < 0.999]
    if len(top) == 1 and (top[0]["overall"] or 0) >= 0.999:
        top = []
    if top:
        first = top[0]
        text = (
            f"Biggest category: {first['name']} ({first['share']:.0%} of their spend vs "
            f"{first['overall']:.0%} overall)"
        )
        if len(top) > 1:
            text += ", then " + ", ".join(c["name"] for c in top[1:])
        parts.append(text + ".")
    for attribute, info in profile["attributes"].items():
        if info["share"] >= 0.5 and info["share"] >= DISTINCTIVE * (info["overall"] or 1):
            parts.append(
                f"Mostly {attribute.replace('_', ' ')} {info['value']} "
                f"({info['share']:.0%} vs {info['overall']:.0%} overall)."
            )
    return " ".join(parts)


def describe_returned(profile: dict[str, Any]) -> str:
    return (
        f"{profile['size']:,} customers ({profile['customer_share']:.0%} of all) whose every "
        "order was returned, refunded or cancelled. They have bought before, so they are no "
        "prospects; they are kept out of the clustering and their returns count as no sales."
    )


def describe_prospects(profile: dict[str, Any]) -> str:
    return (
        f"{profile['size']:,} customers ({profile['customer_share']:.0%} of all) who signed up "
        "but have not ordered yet. They are kept out of the clustering; recommendations for "
        "them follow overall popularity."
    )
