"""From raw text to a checked candidate: tidy, fit, append required text, then every check.

Each candidate carries the verdict of every rule — the hard constraints
(:mod:`generators.copy.constraints`) and the gate (:mod:`generators.copy.gate`) — so the
review board, the evaluation and the bundle all read the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import generators.copy.constraints as constraints
from generators.copy.constraints import FieldRules
from generators.copy.facts import FactSheet, fact_sheet
from generators.copy.gate import GateContext, field_kind, lead_fields, review
from generators.copy.language import copy_language
from generators.copy.plans import plan_fields
from generators.copy.request import CopyCandidate, CopyRequest
from studio.core.errors import InputError

#: rule ids of the hard constraints, by the start of their reason strings
CONSTRAINT_RULES = (
    ("no words", "empty"),
    ("unfinished", "unfinished"),
    ("characters outside the SMS", "sms"),
    ("SMS characters", "sms"),
    ("more than one line", "lines"),
    ("banned words", "banned"),
    ("missing required text", "required"),
    ("contains prompt markup", "markup"),
    ("numbers not in", "grounded"),
    ("claims not in", "grounded"),
    ("links not in", "grounded"),
)
#: every rule id, hard constraints first, in the order reports list them
RULE_IDS = ("length", *dict.fromkeys(rule for _, rule in CONSTRAINT_RULES))


def constraint_rule(reason: str) -> str:
    if "over the limit" in reason:
        return "length" if "SMS characters" not in reason else "sms"
    for start, rule in CONSTRAINT_RULES:
        if reason.startswith(start):
            return rule
    return "other"


@dataclass(frozen=True)
class FieldCheck:
    """What one field's candidates are checked against."""

    rules: FieldRules
    #: required text appended after the copy (disclaimer, opt-out)
    suffixes: tuple[str, ...]
    #: characters left for the copy itself
    room: int
    gate: GateContext


def build_candidate(
    raw: str,
    source: str,
    check: FieldCheck,
    sheet: FactSheet,
    *,
    finished: bool = True,
    opening: str = "",
) -> CopyCandidate:
    """Tidy ``raw``, shorten it at a boundary if needed, append required text, check it."""
    rules = check.rules
    text, edits = constraints.clean(raw, multiline=rules.multiline, language=rules.language)
    if rules.sms:
        text, replaced = constraints.sms_safe(text)
        edits += replaced
    # a reply cut by the token budget only counts up to its last complete sentence or clause
    cut_here = not finished and "kept the first" not in " ".join(edits)
    text, shortened = constraints.fit(
        text, check.room, unfinished=cut_here, language=rules.language
    )
    edits += shortened
    body = text
    for suffix in check.suffixes:
        text = constraints.with_suffix(text, suffix)
    if text != body:
        edits.append("appended the required text")
    reasons = constraints.check(text, rules, sheet.claims_text) if body else ["no words"]
    if cut_here and not shortened:
        reasons.append("unfinished: ran out of tokens mid-sentence")
    checks: dict[str, list[str]] = {rule: [] for rule in RULE_IDS}
    for reason in reasons:
        checks.setdefault(constraint_rule(reason), []).append(reason)
    if body:
        checks.update(review(text, check.gate))
    problems = [reason for found in checks.values() for reason in found]
    return CopyCandidate(
        field=rules.name,
        text=text,
        passed=not problems,
        problems=problems,
        edits=edits,
        raw=raw,
        source=source,
        checks=checks,
        opening=opening if text.startswith(opening) else "",
    )


def check_text(request: CopyRequest, field_name: str, text: str) -> dict[str, list[str]]:
    """Every failing rule's reasons for a finished text of a field (an edit, or a returned
    candidate checked again), from scratch."""
    from studio.core.channels import get_channel_format

    language = copy_language(request.language)
    channel = get_channel_format(request.channel_format)
    plans = plan_fields(request, channel)
    plan = next((p for p in plans if p.field.name == field_name), None)
    if plan is None:
        raise InputError(f"{channel.label} has no copy field '{field_name}'.")
    sheet = fact_sheet(request, language)
    checks: dict[str, list[str]] = {}
    for reason in constraints.check(text, plan.rules, sheet.claims_text):
        checks.setdefault(constraint_rule(reason), []).append(reason)
    kinds = [(p.field.name, field_kind(p.field.name, p.field.max_chars)) for p in plans]
    kind = dict(kinds)[field_name]
    lead = field_name in lead_fields(kinds)
    checks.update(
        review(text, GateContext(sheet, field_name, kind, plan.suffixes, lead=lead, room=plan.room))
    )
    return {rule: reasons for rule, reasons in checks.items() if reasons}
