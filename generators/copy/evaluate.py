"""Evaluate the copy generator on a set of briefs (``tests/data/copy_briefs.json`` shape).

Every returned candidate is checked again here, independently of the flag the generator
set, so the "100% pass" and "0 ungrounded" figures are measured, not assumed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from generators.base import CancelToken, ProgressSink
from generators.copy import constraints
from generators.copy.generator import CopyGenerator, plan_fields
from generators.copy.request import (
    BrandVoice,
    CopyRequest,
    CopyResult,
    ProductFacts,
    SegmentBrief,
)
from studio.core.channels import get_channel_format
from studio.core.errors import InputError, StudioError


@dataclass
class CopyEvaluation:
    model_id: str
    briefs: int
    #: briefs where every field got at least one passing candidate
    briefs_passed: int
    returned: int
    constraint_pass_rate: float
    product_name_rate: float
    ungrounded_rate: float
    distinct_2: float
    mean_relevance: float
    #: (brief, field) pairs with at least one passing candidate
    field_coverage: float
    tokens_per_second: float
    seconds: float
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_briefs(path: Path) -> list[CopyRequest]:
    """Read a briefs file; any malformed brief is reported with its position and field."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"Cannot read the briefs file {path}: {error.strerror}.") from error
    except ValueError as error:
        raise InputError(f"The briefs file {path} is not valid JSON: {error}.") from error
    items = raw.get("briefs") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError(f"The briefs file {path} has no 'briefs' list.")
    requests = []
    for index, item in enumerate(items):
        label = item.get("id", "no id") if isinstance(item, dict) else "?"
        where = f"{path}, brief {index + 1} ({label})"
        try:
            requests.append(_request(item))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InputError(f"{where}: malformed brief ({error!r}).") from error
        except StudioError as error:
            raise InputError(f"{where}: {error}") from error
    return requests


def _request(item: dict[str, Any]) -> CopyRequest:
    product = item["product"]
    segment = item.get("segment")
    brand = item.get("brand", {})
    request = CopyRequest(
        product=ProductFacts(
            name=product["name"],
            category=product.get("category", ""),
            description=product.get("description", ""),
            attributes={str(k): str(v) for k, v in product.get("attributes", {}).items()},
            price=float(product["price"]) if product.get("price") is not None else None,
            currency=product.get("currency", ""),
        ),
        channel_format=item["channel_format"],
        segment=SegmentBrief(segment["name"], segment.get("description", "")) if segment else None,
        brand=BrandVoice(
            tone_words=tuple(brand.get("tone_words", ())),
            banned_words=tuple(brand.get("banned_words", ())),
            disclaimer=brand.get("disclaimer", ""),
            do_examples=tuple(brand.get("do_examples", ())),
            dont_examples=tuple(brand.get("dont_examples", ())),
        ),
        n=int(item.get("n", 3)),
        language=item.get("language", "en"),
        seed=int(item.get("seed", 0)),
    )
    plan_fields(request, get_channel_format(request.channel_format))  # refuse impossible briefs
    return request


def distinct_2(texts: list[str]) -> float:
    """Distinct word bigrams over all bigrams across variants (1.0: no bigram repeats)."""
    bigrams = []
    for text in texts:
        words = text.lower().split()
        bigrams += list(pairwise(words))
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0


def evaluate(
    requests: list[CopyRequest],
    *,
    model_id: str | None = None,
    generator: CopyGenerator | None = None,
    on_brief: Callable[[int, int, CopyResult], None] | None = None,
    cancel: CancelToken | None = None,
) -> CopyEvaluation:
    generator = generator or CopyGenerator()
    cancel = cancel or CancelToken()
    returned = passing = named = ungrounded_count = 0
    relevance: list[float] = []
    diversity: list[float] = []
    fields_total = fields_covered = briefs_passed = 0
    tokens = decode_seconds = 0.0
    failures: list[str] = []
    used_model = model_id or ""
    started = time.perf_counter()
    for index, base in enumerate(requests):
        request = replace(base, model_id=model_id or base.model_id)
        result = generator.generate(request, ProgressSink(), cancel)
        used_model = result.provenance.model_id or used_model
        tokens += result.stats.get("new_tokens", 0.0)
        decode_seconds += result.stats.get("seconds", 0.0)
        briefs_passed += result.passed
        failures += [f"brief {index + 1}: {problem}" for problem in result.problems]
        facts = constraints.grounding_text(request.product, request.brand)
        rules = {
            p.field.name: p.rules
            for p in plan_fields(request, get_channel_format(result.channel_format))
        }
        for name, candidates in result.fields.items():
            fields_total += 1
            fields_covered += bool(candidates)
            if len(candidates) > 1:
                diversity.append(distinct_2([c.text for c in candidates]))
            for candidate in candidates:
                returned += 1
                passing += not constraints.check(candidate.text, rules[name], facts)
                named += request.product.name.lower() in candidate.text.lower()
                body = candidate.text
                for required in rules[name].required:
                    body = body.replace(required, " ")
                ungrounded_count += bool(constraints.ungrounded(body, facts))
                relevance.append(candidate.relevance)
        if on_brief is not None:
            on_brief(index + 1, len(requests), result)

    def share(count: int, total: int) -> float:
        return round(count / total, 4) if total else 0.0

    return CopyEvaluation(
        model_id=used_model,
        briefs=len(requests),
        briefs_passed=briefs_passed,
        returned=returned,
        constraint_pass_rate=share(passing, returned),
        product_name_rate=share(named, returned),
        ungrounded_rate=share(ungrounded_count, returned),
        distinct_2=round(sum(diversity) / len(diversity), 4) if diversity else 0.0,
        mean_relevance=round(sum(relevance) / len(relevance), 4) if relevance else 0.0,
        field_coverage=share(fields_covered, fields_total),
        tokens_per_second=round(tokens / decode_seconds, 2) if decode_seconds else 0.0,
        seconds=round(time.perf_counter() - started, 1),
        failures=failures,
    )
