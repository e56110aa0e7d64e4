"""Evaluate the copy generator on a set of briefs (``resources/copy/briefs/*.json`` shape).

Every returned candidate is checked again here with the same rules, independently of the
flag the generator set, so "0 misspelled product names among returned copy" is measured,
not assumed. Every candidate the generator considered is counted per rule, so the report
also says what the checks caught. The full list of returned candidates, with each rule's
verdict, goes into the JSON report and the HTML review sheet a person reads and marks.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from generators.copy.audiences import APPROACHES, occasion_in
from generators.copy.candidates import RULE_IDS, check_text
from generators.copy.gate import RULES
from generators.copy.generator import CopyGenerator
from generators.copy.language import copy_language
from generators.copy.plans import plan_fields
from generators.copy.request import (
    BrandVoice,
    CopyRequest,
    CopyResult,
    ProductFacts,
    SegmentBrief,
)
from studio.core.channels import get_channel_format
from studio.core.errors import InputError, StudioError
from studio.core.progress import CancelToken, ProgressSink

#: every rule a report counts: hard constraints, the gate, and the generator's fluency check
REPORTED_RULES = (*RULE_IDS, *RULES, "fluency")


@dataclass
class BriefReport:
    id: str
    language: str
    channel_format: str
    passed: bool
    seconds: float
    #: returned candidates: field, text, source, likelihood, relevance, failed rules
    returned: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)


@dataclass
class CopyEvaluation:
    model_id: str
    briefs: int
    #: briefs where every field got at least one passing candidate
    briefs_passed: int
    fields: int
    #: fields with at least one candidate passing everything
    fields_covered: int
    #: fields whose first returned candidate the model wrote (not a template)
    fields_led_by_model: int
    returned: int
    #: per rule: returned candidates that fail it when checked again (all must be 0)
    returned_failures: dict[str, int]
    considered: int
    #: per rule: the share of every considered candidate that fails it
    rule_failure_rates: dict[str, float]
    #: returned candidates per source (model, template, grammar)
    sources: dict[str, int]
    distinct_2: float
    mean_relevance: float
    tokens_per_second: float
    seconds: float
    seconds_per_brief: float
    reports: list[BriefReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def clean(self) -> bool:
        """No returned candidate fails any rule, and every field has one."""
        return not any(self.returned_failures.values()) and self.fields_covered == self.fields


def load_briefs(path: Path) -> list[tuple[str, CopyRequest]]:
    """Read a briefs file: (id, request) pairs; a malformed brief is reported with its
    position and what is wrong."""
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
        label = item.get("id", f"brief {index + 1}") if isinstance(item, dict) else "?"
        where = f"{path}, brief {index + 1} ({label})"
        try:
            requests.append((str(label), _request(item)))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InputError(f"{where}: malformed brief ({error!r}).") from error
        except StudioError as error:
            raise InputError(f"{where}: {error}") from error
    return requests


def _request(item: dict[str, Any]) -> CopyRequest:
    product = item["product"]
    segment = item.get("segment")
    brand = item.get("brand", {})
    if segment and segment.get("approach", "general") not in APPROACHES:
        raise InputError(
            f"segment approach '{segment['approach']}' is not one of {', '.join(APPROACHES)}"
        )
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
        segment=SegmentBrief(
            segment["name"],
            segment.get("description", ""),
            approach=segment.get("approach", "general"),
            audience=segment.get("audience", ""),
        )
        if segment
        else None,
        brand=BrandVoice(
            tone_words=tuple(brand.get("tone_words", ())),
            banned_words=tuple(brand.get("banned_words", ())),
            disclaimer=brand.get("disclaimer", ""),
            do_examples=tuple(brand.get("do_examples", ())),
            dont_examples=tuple(brand.get("dont_examples", ())),
        ),
        n=int(item.get("n", 3)),
        language=copy_language(item.get("language", "en")),
        seed=int(item.get("seed", 0)),
        occasion=item.get("occasion") or occasion_in(item.get("brief", "")),
        brief=item.get("brief", ""),
    )
    plan_fields(request, get_channel_format(request.channel_format))  # refuse impossible briefs
    return request


def distinct_2(texts: list[str]) -> float:
    """Distinct word bigrams over all bigrams across variants (1.0: no bigram repeats)."""
    bigrams = []
    for text in texts:
        bigrams += list(pairwise(text.lower().split()))
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0


def evaluate(
    requests: list[tuple[str, CopyRequest]],
    *,
    model_id: str | None = None,
    generator: CopyGenerator | None = None,
    on_brief: Callable[[int, int, CopyResult], None] | None = None,
    cancel: CancelToken | None = None,
) -> CopyEvaluation:
    generator = generator or CopyGenerator()
    cancel = cancel or CancelToken()
    failures_returned: Counter[str] = Counter()
    failures_considered: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    relevance: list[float] = []
    diversity: list[float] = []
    reports: list[BriefReport] = []
    fields_total = fields_covered = led_by_model = briefs_passed = considered = 0
    tokens = decode_seconds = 0.0
    used_model = model_id or ""
    started = time.perf_counter()
    for index, (brief_id, base) in enumerate(requests):
        request = replace(base, model_id=model_id or base.model_id)
        brief_started = time.perf_counter()
        result = generator.generate(request, ProgressSink(), cancel)
        used_model = result.provenance.model_id or used_model
        tokens += result.stats.get("new_tokens", 0.0)
        decode_seconds += result.stats.get("seconds", 0.0)
        briefs_passed += result.passed
        for candidates in result.considered.values():
            for candidate in candidates:
                considered += 1
                for rule, reasons in candidate.checks.items():
                    failures_considered[rule] += bool(reasons)
        returned = []
        for name, candidates in result.fields.items():
            fields_total += 1
            fields_covered += bool(candidates)
            led_by_model += bool(candidates) and candidates[0].source == "model"
            if len(candidates) > 1:
                diversity.append(distinct_2([c.text for c in candidates]))
            for candidate in candidates:
                failed = check_text(request, name, candidate.text)
                failures_returned.update(failed.keys())
                sources[candidate.source] += 1
                relevance.append(candidate.relevance)
                returned.append(
                    {
                        "field": name,
                        "text": candidate.text,
                        "source": candidate.source,
                        "likelihood": candidate.likelihood,
                        "relevance": candidate.relevance,
                        "edits": candidate.edits,
                        "failed": failed,
                    }
                )
        reports.append(
            BriefReport(
                id=brief_id,
                language=request.language,
                channel_format=request.channel_format,
                passed=result.passed,
                seconds=round(time.perf_counter() - brief_started, 1),
                returned=returned,
                problems=result.problems,
            )
        )
        if on_brief is not None:
            on_brief(index + 1, len(requests), result)

    seconds = time.perf_counter() - started
    total_returned = sum(sources.values())
    return CopyEvaluation(
        model_id=used_model,
        briefs=len(requests),
        briefs_passed=briefs_passed,
        fields=fields_total,
        fields_covered=fields_covered,
        fields_led_by_model=led_by_model,
        returned=total_returned,
        returned_failures={rule: failures_returned.get(rule, 0) for rule in REPORTED_RULES},
        considered=considered,
        rule_failure_rates={
            rule: round(failures_considered.get(rule, 0) / considered, 4) if considered else 0.0
            for rule in REPORTED_RULES
        },
        sources=dict(sources),
        distinct_2=round(sum(diversity) / len(diversity), 4) if diversity else 0.0,
        mean_relevance=round(sum(relevance) / len(relevance), 4) if relevance else 0.0,
        tokens_per_second=round(tokens / decode_seconds, 2) if decode_seconds else 0.0,
        seconds=round(seconds, 1),
        seconds_per_brief=round(seconds / len(requests), 1) if requests else 0.0,
        reports=reports,
    )
