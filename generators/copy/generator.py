"""The copy generator: prompts, batched sampling, hard constraints, ranking, provenance."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from generators.base import CancelToken, ProgressSink, Provenance
from generators.copy import constraints
from generators.copy.constraints import FieldRules
from generators.copy.loading import LoadedCopyModel, copy_model_id, load_copy_model
from generators.copy.prompts import field_prompt
from generators.copy.ranking import closest, pick_diverse, score_relevance
from generators.copy.request import CopyCandidate, CopyRequest, CopyResult
from generators.copy.sampling import SamplingParameters, chat_prompt, sample
from studio.core.channels import ChannelFormat, CopyField, get_channel_format
from studio.core.errors import InputError

#: fields that may run over several lines; the rest stop sampling at the first line break
MULTILINE_FIELDS = {"body", "caption"}
#: the shortest room (characters) a field must leave for copy besides required text
MIN_ROOM = 12
#: characters per token assumed when budgeting tokens (English BPE averages about 4)
CHARS_PER_TOKEN = 2.5
MAX_NEW_TOKENS = 200


@dataclass(frozen=True)
class FieldPlan:
    field: CopyField
    rules: FieldRules
    #: required text appended after the model's copy (disclaimer, opt-out)
    suffixes: tuple[str, ...]
    #: characters left for the model's copy
    room: int
    wanted: int


class CopyGenerator:
    """Writes channel copy for one product and segment. Thread-compatible: one job at a time.

    ``oversample`` candidates are sampled per wanted candidate in one batched call, and
    up to ``max_rounds`` calls are made while a field has too few passing candidates.
    """

    name = "copy"

    def __init__(
        self,
        *,
        oversample: int = 3,
        max_rounds: int = 2,
        parameters: SamplingParameters | None = None,
        device: str | None = None,
        precision: str | None = None,
    ) -> None:
        self.oversample = max(oversample, 1)
        self.max_rounds = max(max_rounds, 1)
        self.parameters = parameters or SamplingParameters()
        self.device = device
        self.precision = precision

    def generate(self, request: CopyRequest, sink: ProgressSink, cancel: CancelToken) -> CopyResult:
        channel = get_channel_format(request.channel_format)
        plans = plan_fields(request, channel)
        model_id = copy_model_id(request.model_id)
        sink.update(f"Loading the copy model {model_id}", 0.0)
        lm = load_copy_model(model_id, device=self.device, precision=self.precision)
        cancel.raise_if_cancelled()

        facts = constraints.grounding_text(request.product, request.brand)
        fields: dict[str, list[CopyCandidate]] = {}
        closest_by_field: dict[str, CopyCandidate] = {}
        problems: list[str] = []
        prompts: list[str] = []
        stats = {"new_tokens": 0.0, "seconds": 0.0, "generate_calls": 0.0, "sampled": 0.0}
        for index, plan in enumerate(plans):
            field_sink = sink.scaled(index / len(plans), (index + 1) / len(plans))
            prompt = chat_prompt(lm, self._messages(request, channel, plan))
            prompts.append(f"[{plan.field.name}]\n{prompt}")
            candidates = self._sample_field(
                lm, request, plan, prompt, index, facts, field_sink, cancel, stats
            )
            score_relevance(candidates, request)
            passing = [c for c in candidates if c.passed]
            fields[plan.field.name] = pick_diverse(passing, plan.wanted)
            if not passing:
                nearest = closest(candidates)
                if nearest is not None:
                    closest_by_field[plan.field.name] = nearest
                problems.append(_why_none_passed(plan.field.name, candidates))
        sink.update("Copy ready", 1.0)
        provenance = Provenance(
            generator=self.name,
            model_id=lm.spec.id,
            model_revision=lm.revision,
            seed=request.seed,
            prompt="\n\n".join(prompts),
            parameters={
                **self.parameters.as_dict(),
                "channel_format": channel.id,
                "language": request.language,
                "candidates_per_call": [p.wanted * self.oversample for p in plans],
                "max_rounds": self.max_rounds,
                "device": lm.device.label,
            },
        )
        return CopyResult(
            channel_format=channel.id,
            fields=fields,
            passed=not problems,
            problems=problems,
            closest=closest_by_field,
            provenance=provenance,
            stats=stats,
        )

    def _messages(
        self, request: CopyRequest, channel: ChannelFormat, plan: FieldPlan
    ) -> list[dict[str, str]]:
        target = min(plan.room, plan.field.recommended_chars or plan.room)
        return field_prompt(request, plan.field.name, target, channel.label).messages

    def _sample_field(
        self,
        lm: LoadedCopyModel,
        request: CopyRequest,
        plan: FieldPlan,
        prompt: str,
        index: int,
        facts: str,
        sink: ProgressSink,
        cancel: CancelToken,
        stats: dict[str, float],
    ) -> list[CopyCandidate]:
        target = min(plan.room, plan.field.recommended_chars or plan.room)
        max_new_tokens = min(
            math.ceil(min(plan.room, 2 * target) / CHARS_PER_TOKEN) + 8, MAX_NEW_TOKENS
        )
        multiline = plan.field.name in MULTILINE_FIELDS
        candidates: list[CopyCandidate] = []
        for round_ in range(self.max_rounds):
            round_sink = sink.scaled(round_ / self.max_rounds, (round_ + 1) / self.max_rounds)
            sampled = sample(
                lm,
                prompt,
                count=plan.wanted * self.oversample,
                max_new_tokens=max_new_tokens,
                # distinct, reproducible streams per field and round
                seed=request.seed * 1_000 + index * 10 + round_,
                parameters=self.parameters,
                stop_at_newline=not multiline,
                sink=round_sink,
                cancel=cancel,
                status=f"Writing {plan.field.name.replace('_', ' ')}",
            )
            stats["new_tokens"] += sampled.new_tokens
            stats["seconds"] += sampled.seconds
            stats["generate_calls"] += 1
            stats["sampled"] += len(sampled.texts)
            for raw, finished in zip(sampled.texts, sampled.finished, strict=True):
                candidates.append(_candidate(raw, finished, plan, facts, multiline))
            if len({c.text for c in candidates if c.passed}) >= plan.wanted:
                break
        return candidates


def plan_fields(request: CopyRequest, channel: ChannelFormat) -> list[FieldPlan]:
    """Limits, required text and candidate counts per field; refuses impossible briefs."""
    if not request.product.name.strip():
        raise InputError("The product has no name; copy needs at least the product name.")
    if request.n < 1:
        raise InputError(f"Asked for {request.n} candidates; ask for at least 1.")
    brand = request.brand
    disclaimer = brand.disclaimer.strip()
    for text, what in ((disclaimer, "disclaimer"), (brand.sms_opt_out.strip(), "opt-out text")):
        hits = constraints.banned_in(text, brand.banned_words)
        if hits:
            raise InputError(
                f"The brand's {what} contains the banned word(s) {', '.join(hits)}, "
                "so no copy could pass.",
                hint="edit the brand kit",
            )
    # the disclaimer goes where there is most room: the body, caption or longest text
    disclaimer_field = max(channel.fields, key=lambda f: f.max_chars).name
    plans = []
    for item in channel.fields:
        suffixes = []
        if disclaimer and item.name == disclaimer_field:
            suffixes.append(disclaimer)
        if item.includes_opt_out:
            suffixes.append(brand.sms_opt_out.strip())
        room = item.max_chars - sum(len(s) + 2 for s in suffixes)
        if room < MIN_ROOM:
            raise InputError(
                f"The required text ({' '.join(suffixes)!r}) leaves {max(room, 0)} characters "
                f"for copy in the {item.name} of {channel.label} (limit {item.max_chars}).",
                hint="shorten the brand's disclaimer or opt-out text",
            )
        rules = FieldRules(
            name=item.name,
            max_chars=item.max_chars,
            banned_words=brand.banned_words,
            required=tuple(suffixes),
            multiline=item.name in MULTILINE_FIELDS,
            sms=item.includes_opt_out,
        )
        wanted = min(max(request.n, item.min_count), item.max_count)
        plans.append(FieldPlan(item, rules, tuple(suffixes), room, wanted))
    return plans


def _candidate(
    raw: str, finished: bool, plan: FieldPlan, facts: str, multiline: bool
) -> CopyCandidate:
    text, edits = constraints.clean(raw, multiline=multiline)
    if plan.rules.sms:
        text, replaced = constraints.sms_safe(text)
        edits += replaced
    # a reply cut by the token budget only counts up to its last complete sentence or clause
    cut_here = not finished and "kept the first" not in " ".join(edits)
    text, shortened = constraints.fit(text, plan.room, unfinished=cut_here)
    edits += shortened
    body = text
    for suffix in plan.suffixes:
        text = constraints.with_suffix(text, suffix)
    if text != body:
        edits.append("appended the required text")
    problems = constraints.check(text, plan.rules, facts) if body else ["no words"]
    if cut_here and not shortened:
        problems.append("unfinished: ran out of tokens mid-sentence")
    return CopyCandidate(plan.field.name, text, not problems, problems, edits, raw=raw)


def _why_none_passed(field: str, candidates: list[CopyCandidate]) -> str:
    """'headline: none of 9 candidates passed (6× over the limit …, 3× claims …)'."""
    reasons: Counter[str] = Counter()
    for candidate in candidates:
        for problem in candidate.problems:
            reasons[_problem_kind(problem)] += 1
    summary = ", ".join(f"{count}× {kind}" for kind, count in reasons.most_common(4))
    return f"{field}: none of {len(candidates)} candidates passed ({summary})"


def _problem_kind(problem: str) -> str:
    if "over the limit" in problem:
        return "too long"
    return problem.split(":")[0]


def generate_copy(
    request: CopyRequest, sink: ProgressSink | None = None, cancel: CancelToken | None = None
) -> CopyResult:
    """Generate copy with default settings (the convenience entry point)."""
    return CopyGenerator().generate(request, sink or ProgressSink(), cancel or CancelToken())
