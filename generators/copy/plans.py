"""What each field of a brief must meet: its limits, the text the studio appends (the
brand's disclaimer, the SMS opt-out), the room left for copy and how many candidates."""

from __future__ import annotations

from dataclasses import dataclass

from generators.copy import constraints
from generators.copy.constraints import FieldRules
from generators.copy.language import copy_language, default_opt_out
from generators.copy.request import CopyRequest
from studio.core.channels import ChannelFormat, CopyField
from studio.core.errors import InputError

#: fields that may run over several lines
MULTILINE_FIELDS = {"body", "caption"}
#: the shortest room (characters) a field must leave for copy besides required text
MIN_ROOM = 12


@dataclass(frozen=True)
class FieldPlan:
    field: CopyField
    rules: FieldRules
    #: required text appended after the model's copy (disclaimer, opt-out)
    suffixes: tuple[str, ...]
    #: characters left for the model's copy
    room: int
    wanted: int

    @property
    def target(self) -> int:
        """The length to aim for: the channel's recommendation, within the room."""
        return min(self.room, self.field.recommended_chars or self.room)


def plan_fields(request: CopyRequest, channel: ChannelFormat) -> list[FieldPlan]:
    """Limits, required text and candidate counts per field; refuses impossible briefs."""
    if not request.product.name.strip():
        raise InputError("The product has no name; copy needs at least the product name.")
    if request.n < 1:
        raise InputError(f"Asked for {request.n} candidates; ask for at least 1.")
    language = copy_language(request.language)
    brand = request.brand
    disclaimer = brand.disclaimer.strip()
    opt_out = brand.sms_opt_out.strip() or default_opt_out(language)
    for text, what in ((disclaimer, "disclaimer"), (opt_out, "opt-out text")):
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
            suffixes.append(opt_out)
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
            language=language,
        )
        wanted = min(max(request.n, item.min_count), item.max_count)
        plans.append(FieldPlan(item, rules, tuple(suffixes), room, wanted))
    return plans
