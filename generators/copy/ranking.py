"""Rank passing candidates by the model's likelihood and their relevance to the product;
keep variants that differ."""

from __future__ import annotations

import re

from generators.copy.audiences import APPROACH_WORDS
from generators.copy.constraints import normalise
from generators.copy.facts import FactSheet
from generators.copy.request import CopyCandidate, CopyRequest

#: candidates more similar than this (cosine of MiniLM embeddings) count as the same idea
DUPLICATE_SIMILARITY = 0.92
#: how much relevance (MiniLM cosine, 0–1) weighs against likelihood (log-prob per token)
RELEVANCE_WEIGHT = 2.0


def reference_text(request: CopyRequest) -> str:
    product = request.product
    parts = [product.name, product.category, product.description]
    if request.segment is not None:
        parts += [request.segment.name, request.segment.description]
    return " ".join(p for p in parts if p)


def score_relevance(candidates: list[CopyCandidate], request: CopyRequest) -> None:
    """Set each candidate's relevance: cosine similarity to the product and segment."""
    from generators.scoring.embeddings import embed_texts

    scored = [c for c in candidates if c.text]
    if not scored:
        return
    vectors = embed_texts([reference_text(request)] + [c.text for c in scored])
    for candidate, similarity in zip(scored, vectors[1:] @ vectors[0], strict=True):
        candidate.relevance = round(float(similarity), 4)


def rank(
    candidates: list[CopyCandidate], sheet: FactSheet | None = None, *, lead: bool = True
) -> list[CopyCandidate]:
    """Best first: copy that carries the campaign's occasion and, in a field that leads the
    ad (``lead``), speaks to the segment's approach (:func:`steering`); then the model's
    own lines before lines filled from the facts (both passed every check, and a filled
    line says only what the catalogue says); then likelihood per token (log-prob, about
    −3 … 0) plus weighted relevance. The approach is asked of the leading fields only: said
    once where the ad is read first, "for our regulars" need not open every line."""
    return sorted(
        candidates,
        key=lambda c: (
            steering(c.text, sheet, approach=lead) if sheet is not None else 0,
            c.source == "model",
            c.likelihood + RELEVANCE_WEIGHT * c.relevance,
        ),
        reverse=True,
    )


def steering(text: str, sheet: FactSheet, *, approach: bool = True) -> int:
    """How much of the brief a text carries: 2 for the campaign's occasion, and with
    ``approach`` 1 for a mark of the segment's approach (a word only that approach lends,
    or the price for value)."""
    lowered = text.lower()
    score = 0
    if sheet.occasion and sheet.occasion.lower() in lowered:
        score += 2
    if not approach:
        return score
    if sheet.approach == "value":
        price = sheet.product.price_text()
        score += 1 if price and price.lower() in lowered else 0
    elif sheet.approach != "general":
        # words the product's own text uses mark nothing (the brief's may: "for our regulars")
        product = sheet.product
        own = f"{product.name} {product.category} {product.description}".lower()
        marks = set(APPROACH_WORDS[sheet.approach].split()) - set(re.findall(r"[a-z']+", own))
        score += 1 if marks & set(re.findall(r"[a-z']+", lowered)) else 0
    return score


def pick_diverse(candidates: list[CopyCandidate], keep: int) -> list[CopyCandidate]:
    """The first ``keep`` candidates in order, skipping near-duplicates of ones picked."""
    from generators.scoring.embeddings import embed_texts

    ordered = list(candidates)
    if not ordered:
        return []
    vectors = embed_texts([c.text for c in ordered])
    picked: list[int] = []
    seen: set[str] = set()
    for index, candidate in enumerate(ordered):
        key = normalise(candidate.text).lower().rstrip(".!")
        if key in seen:
            continue
        if any(float(vectors[index] @ vectors[j]) > DUPLICATE_SIMILARITY for j in picked):
            continue
        picked.append(index)
        seen.add(key)
        if len(picked) == keep:
            break
    return [ordered[i] for i in picked]


def closest(candidates: list[CopyCandidate]) -> CopyCandidate | None:
    """The failing candidate nearest to passing: fewest problems, then most relevant."""
    usable = [c for c in candidates if c.text]
    if not usable:
        return None
    return min(usable, key=lambda c: (len(c.problems), -c.relevance))
