"""Fallback messages filled from the product's own facts (``templates.json`` per language).

When no model-written candidate of a field passes the gate, these still read well,
because every word of their slots comes from the merchant's own description. They go
through the same hard constraints and gate as model copy and are marked as templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from generators.copy.agreement import name_as_object
from generators.copy.angles import buyers_text
from generators.copy.facts import FactSheet
from generators.copy.gate import HEADLINE, SUBJECT
from generators.copy.language import resource
from generators.copy.references import field_references, short_references
from generators.copy.text import first_sentence, lower_first, split_kind


@dataclass(frozen=True)
class Slots:
    name: str
    language: str = "en"
    description: str = ""
    description_lc: str = ""
    kind: str = ""
    kind_lc: str = ""
    detail: str = ""
    #: the fact a message angle leads with (empty without an angle)
    focus: str = ""
    focus_lc: str = ""
    focus_cap: str = ""
    #: how many customers ordered it, as the language writes the number (social angle)
    count: str = ""
    #: the product's price as the facts write it ("12.50 EUR"), for the value approach
    price: str = ""
    #: what the campaign is for ("Christmas")
    occasion: str = ""

    def fill(self, template: str) -> str | None:
        """The template with its slots filled, or None when a slot it needs is empty."""
        values = {key: getattr(self, key) for key in self.__dataclass_fields__}
        needed = re.findall(r"\{(\w+)\}", template)
        if "name_object" in needed:  # "Entdecke die Regenjacke Nordkap"
            values["name_object"] = name_as_object(self.name, self.language)
        if any(not values.get(key) for key in needed):
            return None
        return template.format(**values)


def slots(sheet: FactSheet) -> Slots:
    language = sheet.language
    description = first_sentence(sheet.product.description) if sheet.product.description else ""
    kind, detail = split_kind(description)
    return Slots(
        name=sheet.name,
        language=language,
        description=description,
        description_lc=lower_first(description, language),
        kind=kind,
        kind_lc=lower_first(kind, language),
        detail=detail,
        focus=sheet.focus,
        focus_lc=lower_first(sheet.focus, language),
        focus_cap=sheet.focus[:1].upper() + sheet.focus[1:],
        count=buyers_text(sheet.product.buyers, language) if sheet.angle == "social" else "",
        price=sheet.product.price_text(),
        occasion=sheet.occasion,
    )


def template_texts(sheet: FactSheet, kind: str, limit: int) -> list[str]:
    """The language's templates for a field kind, filled from the facts, within ``limit``;
    copy on a message angle tries the angle's templates first."""
    filled = slots(sheet)
    raw = resource(sheet.language, "templates.json")
    templates = list(raw.get(kind, []))
    # the segment's approach first, then the campaign's occasion, then the angle's own
    approach = raw.get("approaches", {}).get(sheet.approach, {})
    occasion = raw.get("occasions", {}) if sheet.occasion else {}
    templates = approach.get(f"{kind}_occasion" if sheet.occasion else "", []) + (
        approach.get(kind, []) + occasion.get(kind, []) + templates
    )
    if sheet.angle:
        templates = raw["angles"][sheet.angle].get(kind, []) + templates
    # in a short field a name is also referred to by its last words, never cut
    references = (
        field_references(
            sheet.name, limit, sheet.kind_text, sheet.product.category, short_field=True
        )
        if kind in (HEADLINE, SUBJECT)
        else []
    )
    texts: list[str] = []
    for names in ([filled], [replace(filled, name=ref) for ref in references]):
        for template in templates:
            for slots_ in names:
                text = _fitting(slots_, template, limit)
                if text and text not in texts:
                    texts.append(text)
    return texts + [ref for ref in references if ref not in texts]


def fill_texts(sheet: FactSheet, kind: str, limit: int) -> list[str]:
    """The language's plain invitations for a field ("Shop {name}"), for when a platform
    needs more lines of it than passed; a long name is referred to by its last words."""
    raw = resource(sheet.language, "templates.json").get("fill", {}).get(kind, [])
    filled = slots(sheet)
    references = short_references(sheet.name, limit, sheet.kind_text, sheet.product.category)
    texts: list[str] = []
    for names in (filled, *(replace(filled, name=ref) for ref in references)):
        for template in raw:
            text = _fitting(names, template, limit)
            if text and text not in texts:
                texts.append(text)
    return texts


def _fitting(filled: Slots, template: str, limit: int) -> str | None:
    """The template filled within ``limit``; the name without its article where that is
    what makes it fit ("Découvrez Confiture d'abricot" in a 30-character headline)."""
    for form in (template, template.replace("{name_object}", "{name}")):
        text = filled.fill(form)
        if text and len(text) <= limit:
            return text
    return None
