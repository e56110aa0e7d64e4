"""The copy generator: few-shot prompts, constrained sampling, the gate, ranking, provenance.

Per field of the channel format:

1. a few-shot completion prompt in the copy's language (:mod:`generators.copy.prompts`);
2. candidates: sampled in batches with decoding kept to the brief's words
   (:mod:`generators.copy.decoding`), some opening with the product's name, the
   campaign's occasion or, in a headline, the segment's approach; messages filled from
   the facts (:mod:`generators.copy.templates`), or for a button the CTA grammar's
   phrases (:mod:`generators.copy.cta`), join as a fallback;
3. every candidate checked against the hard constraints and the gate
   (:mod:`generators.copy.candidates`);
4. passing candidates ranked by how much of the brief they carry, the model's own lines
   before filled ones, then the model's likelihood and their relevance to the product;
   near-duplicates dropped.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from dataclasses import dataclass

from generators.base import Provenance
from generators.copy.candidates import FieldCheck, build_candidate
from generators.copy.constraints import without_suffixes
from generators.copy.cta import cta_phrases
from generators.copy.decoding import BriefMasks, WordConstraint, fact_numbers
from generators.copy.facts import FactSheet, fact_sheet
from generators.copy.gate import CTA, LONG, SENTENCE, GateContext, field_kind, lead_fields
from generators.copy.language import copy_language, resource
from generators.copy.lexicon import vocabulary
from generators.copy.loading import copy_model_id, load_copy_model
from generators.copy.phrase_room import PhraseRoom
from generators.copy.phrases import button_phrases
from generators.copy.plans import FieldPlan, plan_fields
from generators.copy.prompts import ad_prompt, field_opening
from generators.copy.ranking import closest, pick_diverse, rank, score_relevance
from generators.copy.request import CopyCandidate, CopyRequest, CopyResult
from generators.copy.sampling import PromptState, SamplingParameters, sample, score_texts
from generators.copy.templates import fill_texts, template_texts
from studio.core.channels import get_channel_format
from studio.core.progress import CancelToken, ProgressSink

#: characters per token assumed when budgeting tokens (English BPE averages about 4)
CHARS_PER_TOKEN = 3.0
MAX_NEW_TOKENS = 120
#: characters a field must have beyond an opening with the product's name to offer it
NAME_OPENER_ROOM = 12
#: model-written copy the model itself finds less likely than this (mean log-prob per
#: token after the brief, the copied rest of the product's name left out) reads as the
#: garbled text small models write: it is not returned. Set by reading Gemma 3 270M's
#: lines on the shop briefs: above it "… is the perfect Christmas gift for our regulars."
#: (−1.34); below it "… is a great way to stay warming." (−3.31), "… gets softer with
#: every touch." (−1.81). A model's spec may set its own (``extra["fluency_floor"]``):
#: each model spreads its probability differently.
FLUENCY_FLOOR = -1.5


class CopyGenerator:
    """Writes channel copy for one product and segment. Thread-compatible: one job at a time.

    ``oversample`` candidates are sampled per wanted candidate, spread over the prompt's
    openings, and up to ``max_rounds`` rounds are sampled while no model-written
    candidate passes.
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
        language = copy_language(request.language)
        channel = get_channel_format(request.channel_format)
        plans = plan_fields(request, channel)
        sheet = fact_sheet(request, language)
        model_id = copy_model_id(request.model_id)
        sink.update(f"Loading the copy model {model_id}", 0.0)
        loading = time.perf_counter()
        lm = load_copy_model(model_id, device=self.device, precision=self.precision)
        load_seconds = time.perf_counter() - loading
        cancel.raise_if_cancelled()
        masks = BriefMasks(lm.table, vocabulary(sheet), fact_numbers(sheet.claims_text))
        # a button stops on what the product is; other copy's phrases are the gate's
        button_room = PhraseRoom(masks, button_phrases(sheet))
        # a model writes only in the languages it was trained for; in others the copy is
        # built from the product's own text and the model only ranks it
        writes = language in lm.spec.extra.get("languages", [language])

        fields: dict[str, list[CopyCandidate]] = {}
        closest_by_field: dict[str, CopyCandidate] = {}
        considered: dict[str, list[CopyCandidate]] = {}
        used: set[str] = set()  # texts another field already shows
        problems: list[str] = []
        stats = {"new_tokens": 0.0, "seconds": 0.0, "generate_calls": 0.0, "sampled": 0.0,
                 "load_seconds": round(load_seconds, 3)}  # fmt: skip
        kinds = [field_kind(plan.field.name, plan.field.max_chars) for plan in plans]
        field_kinds = [(p.field.name, k) for p, k in zip(plans, kinds, strict=True)]
        state = PromptState(lm, ad_prompt(sheet, field_kinds))
        leads = lead_fields(field_kinds)
        for index, (plan, kind) in enumerate(zip(plans, kinds, strict=True)):
            name = plan.field.name
            field_sink = sink.scaled(index / len(plans), (index + 1) / len(plans))
            state = state.then(field_opening(language, name))
            gate = GateContext(sheet, name, kind, plan.suffixes, lead=name in leads, room=plan.room)
            check = FieldCheck(plan.rules, plan.suffixes, plan.room, gate)
            phrases = button_room if kind == CTA else None
            run = _FieldRun(
                self, state, request, sheet, masks, plan, kind, check, stats, writes, phrases
            )
            candidates = run.candidates(index, field_sink, cancel)
            considered[name] = candidates
            _score(state, candidates, request, sheet.name, plan.suffixes)
            passing = rank([c for c in candidates if c.passed], sheet, lead=name in leads)
            fresh = [c for c in passing if _key(c.text) not in used] or passing
            fields[name] = pick_diverse(fresh, plan.wanted)
            if passing and len(fields[name]) < plan.field.min_count:
                fields[name] += run.fill(fields[name], plan.field.min_count)
            used |= {_key(c.text) for c in fields[name]}
            shown = fields[name][0] if fields[name] else closest(candidates)
            if not passing:
                if shown is not None:
                    closest_by_field[name] = shown
                problems.append(_why_none_passed(name, candidates))
            elif len(fields[name]) < plan.field.min_count:  # the platform refuses fewer
                problems.append(
                    f"{name}: {len(fields[name])} of the {plan.field.min_count} lines a "
                    f"{channel.label} needs passed every check; write the others"
                )
            # the next field is written after this one, as the ad will read
            state = state.then(" " + shown.text if shown is not None else "")
        sink.update("Copy ready", 1.0)
        provenance = Provenance(
            generator=self.name,
            model_id=lm.spec.id,
            model_revision=lm.revision,
            seed=request.seed,
            prompt=state.prompt,
            parameters={
                **self.parameters.as_dict(),
                "channel_format": channel.id,
                "language": language,
                "oversample": self.oversample,
                "max_rounds": self.max_rounds,
                "device": lm.device.label,
                "constrained_decoding": True,
                "model_writes": writes,
                "ignored_instructions": list(sheet.ignored),
                **({"angle": sheet.angle, "focus": sheet.focus} if sheet.angle else {}),
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
            considered=considered,
        )


@dataclass
class _FieldRun:
    """Making the candidates of one field."""

    generator: CopyGenerator
    state: PromptState
    request: CopyRequest
    sheet: FactSheet
    masks: BriefMasks
    plan: FieldPlan
    kind: str
    check: FieldCheck
    stats: dict[str, float]
    #: whether the model writes in this language (else only fact templates are offered)
    writes: bool = True
    #: the facts' phrases the field's room cannot finish are not begun (buttons)
    phrases: PhraseRoom | None = None

    def candidates(
        self, index: int, sink: ProgressSink, cancel: CancelToken
    ) -> list[CopyCandidate]:
        made: list[CopyCandidate] = []
        generator = self.generator
        for round_ in range(generator.max_rounds if self.writes else 0):
            round_sink = sink.scaled(
                round_ / generator.max_rounds, (round_ + 1) / generator.max_rounds
            )
            made += self._sample_round(index, round_, round_sink, cancel)
            if any(c.passed for c in made):
                break
        if self.kind == CTA:  # the button grammar's phrases, filled in
            fallback = [
                self._build(text, "grammar") for text in cta_phrases(self.sheet, self.plan.room)
            ]
        else:
            templates = template_texts(self.sheet, self.kind, self.plan.room)
            fallback = [self._build(text, "template") for text in templates]
        # the fallback first: when the model writes the product's own sentence or a stock
        # button, the text is not the model's, and it is judged as such
        return _unique(fallback + made)

    def _sample_round(
        self, index: int, round_: int, sink: ProgressSink, cancel: CancelToken
    ) -> list[CopyCandidate]:
        openers = _openers(self.sheet, self.kind, self.plan.room, lead=self.check.gate.lead)
        total = self.plan.wanted * self.generator.oversample
        per_opener = max(math.ceil(total / len(openers)), 1)
        max_new_tokens = min(
            math.ceil(min(self.plan.room, 2 * self.plan.target) / CHARS_PER_TOKEN) + 6,
            MAX_NEW_TOKENS,
        )
        made = []
        for position, opener in enumerate(openers):
            opener_sink = sink.scaled(position / len(openers), (position + 1) / len(openers))
            constraint = WordConstraint(
                self.masks,
                self.sheet.name,
                prefix=opener,
                room=self.plan.room,
                sentence=self.kind in (SENTENCE, LONG),
                phrases=self.phrases,
            )
            sampled = sample(
                self.state,
                " " + opener if opener else "",
                count=per_opener,
                max_new_tokens=max_new_tokens,
                # distinct, reproducible streams per field, opening and round
                seed=self.request.seed * 1_000 + index * 100 + round_ * 10 + position,
                parameters=self.generator.parameters,
                allowed=constraint,
                room=constraint,
                sink=opener_sink,
                cancel=cancel,
                status=f"Writing {self.plan.field.name.replace('_', ' ')}",
            )
            self.stats["new_tokens"] += sampled.new_tokens
            self.stats["seconds"] += sampled.seconds
            self.stats["generate_calls"] += 1
            self.stats["sampled"] += len(sampled.texts)
            endings = zip(sampled.texts, sampled.finished, strict=True)
            for row, (raw, finished) in enumerate(endings):
                text = (opener + raw) if opener else raw
                whole = finished and row not in constraint.cut
                made.append(self._build(text, "model", finished=whole, opening=opener))
        return made

    def fill(self, chosen: list[CopyCandidate], wanted: int) -> list[CopyCandidate]:
        """More lines for a field a platform needs several of (a search ad's three
        headlines) when too few passed: the language's plain invitations, checked like
        every other line."""
        taken = {_key(c.text) for c in chosen}
        extra: list[CopyCandidate] = []
        for text in fill_texts(self.sheet, self.kind, self.plan.room):
            if len(chosen) + len(extra) >= wanted:
                break
            candidate = self._build(text, "template")
            if candidate.passed and _key(candidate.text) not in taken:
                extra.append(candidate)
                taken.add(_key(candidate.text))
        return extra

    def _build(
        self, raw: str, source: str, *, finished: bool = True, opening: str = ""
    ) -> CopyCandidate:
        return build_candidate(
            raw, source, self.check, self.sheet, finished=finished, opening=opening
        )


def _key(text: str) -> str:
    """A text as a reader compares two fields: case, spacing, end mark and an opening
    article aside ("The Jumbo Bag … print." repeats "Jumbo Bag … print")."""
    return re.sub(r"^(?:the|an?) ", "", " ".join(text.lower().split())).rstrip(".!")


def _unique(candidates: list[CopyCandidate]) -> list[CopyCandidate]:
    """One candidate per text: the sampler often writes the same short text twice."""
    seen: dict[str, CopyCandidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.text, candidate)
    return list(seen.values())


def _openers(sheet: FactSheet, kind: str, room: int, *, lead: bool) -> list[str]:
    """How candidates of a field kind open (``examples.json``, in order of preference):
    with the segment's approach ("Welcome!", "For our regulars:") in a ``lead`` field or
    the campaign's occasion where the brief has them, freely, or with the product's name;
    each only where it leaves the field room for more than itself. Left to open a
    headline itself, a small model mostly copies the product's name."""
    examples = resource(sheet.language, "examples.json")

    def fits(opener: str) -> bool:
        return not opener or len(opener) + NAME_OPENER_ROOM <= room

    slots = {"name": sheet.name, "occasion": sheet.occasion,
             "price": sheet.product.price_text()}  # fmt: skip
    approaches = examples.get("approach_openers", {}).get(sheet.approach, [])
    filled = (_filled(opener, slots) for opener in approaches)
    slots["approach"] = next((o for o in filled if o and fits(o)), "") if lead else ""
    openers = [
        opener
        for way in examples.get("openers", {}).get(kind, [""])
        if (opener := _filled(way, slots)) is not None and fits(opener)
    ]
    return openers[: examples.get("openings_per_field", {}).get(kind)] or [""]


def _filled(opener: str, slots: dict[str, str]) -> str | None:
    """The opener with its slots filled, or None where one of them is empty."""
    if any(not slots.get(slot) for slot in re.findall(r"{(\w+)}", opener)):
        return None
    return opener.format(**slots)


def _score(
    state: PromptState,
    candidates: list[CopyCandidate],
    request: CopyRequest,
    name: str,
    suffixes: tuple[str, ...],
) -> None:
    """Likelihood and relevance for passing candidates; model-written ones the model finds
    too unlikely fail the fluency check. The required text a field ends with ("Reply STOP
    to opt out.") is the studio's, not the model's: it is left out of the likelihood."""
    passing = [c for c in candidates if c.passed]
    if not passing:
        return
    score_relevance(passing, request)
    floor = float(state.lm.spec.extra.get("fluency_floor", FLUENCY_FLOOR))
    likelihoods = score_texts(
        state,
        [without_suffixes(c.text, suffixes) for c in passing],
        copied=name,
        openings=[c.opening for c in passing],
    )
    for candidate, likelihood in zip(passing, likelihoods, strict=True):
        candidate.likelihood = round(likelihood, 4)
        if candidate.source == "model" and likelihood < floor:
            reason = (
                f"reads unnaturally: the model gives it {likelihood:.2f} per word piece "
                f"(at least {floor} needed)"
            )
            candidate.checks["fluency"] = [reason]
            candidate.problems.append(reason)
            candidate.passed = False


def _why_none_passed(field: str, candidates: list[CopyCandidate]) -> str:
    """'headline: none of 9 candidates passed (6× too long, 3× misspelled product name …)'."""
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
