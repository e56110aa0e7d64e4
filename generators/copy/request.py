"""What a copy job is given and what it gives back, plus builders from workspace rows."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from generators.base import Provenance
from studio.core.names import DISPLAY_NAME_KEY, display_name

if TYPE_CHECKING:
    from studio.render.brand import BrandKit


@dataclass(frozen=True)
class ProductFacts:
    """Everything the copy may state about a product; anything else is ungrounded."""

    name: str
    category: str = ""
    description: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    price: float | None = None
    currency: str = ""
    sku: str = ""
    #: how many of the shop's customers ordered it (the studio's own order data)
    buyers: int | None = None

    def price_text(self) -> str:
        if self.price is None:
            return ""
        amount = f"{self.price:,.2f}".removesuffix(".00")
        return f"{amount} {self.currency}".strip()


@dataclass(frozen=True)
class SegmentBrief:
    name: str
    description: str = ""
    #: how to speak to them (:data:`generators.copy.audiences.APPROACHES`): "loyalty" for
    #: regulars, "value" for deal-seekers, "welcome" for new customers, "win_back" for
    #: lapsed ones, "general" otherwise
    approach: str = "general"
    #: who they are in a marketer's words, from the segment's own figures
    audience: str = ""


@dataclass(frozen=True)
class BrandVoice:
    tone_words: tuple[str, ...] = ()
    do_examples: tuple[str, ...] = ()
    dont_examples: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    disclaimer: str = ""
    #: what SMS copy ends with; empty: the copy language's own ("Reply STOP to opt out.")
    sms_opt_out: str = ""


@dataclass(frozen=True)
class CopyRequest:
    product: ProductFacts
    channel_format: str
    segment: SegmentBrief | None = None
    brand: BrandVoice = field(default_factory=BrandVoice)
    #: passing candidates wanted per field (capped by what the channel takes)
    n: int = 3
    language: str = "en"
    seed: int = 0
    #: None: the default copy model from Settings, else the embedded SmolLM2
    model_id: str | None = None
    #: the message angle to lead with (:mod:`generators.copy.angles`); None: the brief's
    angle: str | None = None
    #: what the campaign is for ("Mother's Day"), the fact of the ``occasion`` angle
    occasion: str = ""
    #: the marketer's brief ("December push: gift ideas for our regulars, 10% off until
    #: 24 Dec"): it steers the copy, and what it states (an offer, a date) may be said
    brief: str = ""


@dataclass
class CopyCandidate:
    field: str
    text: str
    passed: bool
    #: why it fails the hard constraints or the gate (empty when it passes)
    problems: list[str] = field(default_factory=list)
    #: what the studio did to the raw model text (quotes stripped, opt-out appended …)
    edits: list[str] = field(default_factory=list)
    relevance: float = 0.0
    raw: str = ""
    #: "model" (sampled), "grammar" (a CTA phrase the model ranked) or "template"
    source: str = "model"
    #: every rule's reasons, by rule id (empty list: passed)
    checks: dict[str, list[str]] = field(default_factory=dict)
    #: the model's mean log-probability per token of the text after the brief
    likelihood: float = 0.0
    #: the words the studio opened a model candidate with ("Welcome!"): the model wrote
    #: the rest, and only the rest counts towards its likelihood
    opening: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CopyResult:
    channel_format: str
    #: passing candidates per field, best first
    fields: dict[str, list[CopyCandidate]]
    #: True when every field has at least one passing candidate
    passed: bool
    #: one line per field without a passing candidate, saying why
    problems: list[str]
    #: for a field without a pass: the nearest candidate, for the user to edit
    closest: dict[str, CopyCandidate]
    provenance: Provenance
    #: sampled token count and decoding seconds, for throughput reports
    stats: dict[str, float] = field(default_factory=dict)
    #: every candidate made per field, passing or not (evaluation reads them)
    considered: dict[str, list[CopyCandidate]] = field(default_factory=dict)

    def texts(self) -> dict[str, list[str]]:
        """The passing texts per field, the shape stored in a copy asset's content."""
        return {name: [c.text for c in items] for name, items in self.fields.items()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel_format": self.channel_format,
            "passed": self.passed,
            "fields": {k: [c.as_dict() for c in v] for k, v in self.fields.items()},
            "problems": self.problems,
            "closest": {k: c.as_dict() for k, c in self.closest.items()},
            "provenance": self.provenance.as_dict(),
            "stats": self.stats,
        }


# --- from workspace rows ----------------------------------------------------------------


def _json_value(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return value


def facts_from_product_row(row: dict[str, Any]) -> ProductFacts:
    """A ``products`` row (attributes as JSON text or dict) as ProductFacts."""
    attributes = _json_value(row.get("attributes"), {})
    if not isinstance(attributes, dict):
        attributes = {}
    # the name customers see: the user's display name, else the stored one out of capitals
    shown = display_name(str(row["name"]), str(attributes.pop(DISPLAY_NAME_KEY, "") or ""))
    return ProductFacts(
        name=shown,
        category=row.get("category") or "",
        description=row.get("description") or "",
        attributes={str(k): str(v) for k, v in attributes.items() if v not in (None, "")},
        price=row.get("price"),
        currency=row.get("currency") or "",
        sku=row.get("sku") or "",
    )


def segment_from_row(row: dict[str, Any]) -> SegmentBrief:
    """A ``segments`` row as a SegmentBrief, with its approach and its audience in a
    marketer's words read from the segment's stored figures."""
    from generators.copy.audiences import approach_for, audience_text

    name = str(row["name"])
    stats = _json_value(row.get("stats"), {})
    stats = stats if isinstance(stats, dict) else {}
    return SegmentBrief(
        name=name,
        description=row.get("description") or "",
        approach=approach_for(name, stats),
        audience=audience_text(name, stats),
    )


def voice_of(kit: BrandKit) -> BrandVoice:
    """The copy-writing part of a brand kit."""
    opt_out = kit.style.get("sms_opt_out") if isinstance(kit.style, dict) else None
    return BrandVoice(
        tone_words=tuple(kit.tone_words),
        do_examples=tuple(kit.do_examples),
        dont_examples=tuple(kit.dont_examples),
        banned_words=tuple(str(w) for w in kit.banned_words if str(w).strip()),
        disclaimer=kit.disclaimer or "",
        sms_opt_out=opt_out or "",
    )
