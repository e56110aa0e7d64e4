"""Few-shot completion prompts: worked examples of a whole ad, then the brief.

A small model follows examples far better than instructions, and a completion prompt
works the same for base and instruct models. The examples
(``resources/copy/<code>/examples.json``) are products the studio is never asked about,
written in the language of the copy, each showing every field of the channel format in
the format's order. The brief's fields are then written one after another: each field's
prompt is the previous one plus the text chosen for the field before it, so the fields
of one ad read together and the prompt runs through the model once per ad.

Product, segment and brand text is data: whitespace is collapsed, so it cannot open a new
example or a new field, and instruction-like sentences were already taken out
(:mod:`generators.copy.facts`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from generators.copy.facts import FactSheet
from generators.copy.gate import CTA, HEADLINE, LONG, SENTENCE, SUBJECT
from generators.copy.language import resource

#: general examples kept before the example of the brief's approach (the prompt's length
#: is paid once per ad, in every copy job)
GENERAL_EXAMPLES = 3
#: which examples a field kind learns from
EXAMPLE_KIND = {
    HEADLINE: "headline",
    SUBJECT: "subject",
    SENTENCE: "sentence",
    LONG: "long",
    CTA: "cta",
}


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def field_label(language: str, field: str) -> str:
    labels = resource(language, "examples.json")["labels"]["fields"]
    return labels.get(field, field.replace("_", " ").capitalize())


def _brief_lines(
    labels: dict[str, str],
    product: str,
    audience: str,
    tone: str,
    brief: str = "",
    price: str = "",
) -> list[str]:
    lines = [f"{labels['product']}: {product}"]
    if price and "price" in labels:  # the languages whose examples show prices
        lines.append(f"{labels['price']}: {price}")
    if audience:
        lines.append(f"{labels['audience']}: {one_line(audience)}")
    if tone:
        lines.append(f"{labels['tone']}: {one_line(tone)}")
    if brief:
        lines.append(f"{labels.get('brief', 'Brief')}: {one_line(brief)}")
    return lines


def _product_line(name: str, category: str, description: str) -> str:
    line = one_line(name) + (f" ({one_line(category)})" if category else "")
    return line + (f". {one_line(description)}" if description else "")


def details_text(sheet: FactSheet) -> str:
    """The description with the attributes a copywriter would use ("size 500 g")."""
    product = sheet.product
    details = [f"{key} {value}" for key, value in product.attributes.items() if _plain(value)]
    text = product.description
    if details:
        text = f"{text} ({'; '.join(details)})" if text else "; ".join(details)
    return text


def _plain(value: str) -> bool:
    """Attribute values worth showing a model: short text, not JSON lists or dates."""
    return 0 < len(value) <= 40 and not value.startswith(("[", "{"))


def _leading(text: str, focus: str) -> str:
    """The text with the sentence that holds ``focus`` first."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    first = next((s for s in sentences if focus.lower() in s.lower()), None)
    if first is None or first == sentences[0]:
        return text
    return " ".join([first, *(s for s in sentences if s is not first)])


def ad_prompt(sheet: FactSheet, fields: list[tuple[str, str]]) -> str:
    """The examples, each with every field (``(name, kind)`` in order), then the brief.

    Where the language has an example per approach to a segment, the general examples
    are followed by the one for the brief's approach, with a campaign occasion when the
    brief has one: a small model writes most like the example nearest the brief, so
    regulars are thanked and deal-seekers told the price by the model, not by a template.
    The prompt ends just before the brief's first field label; :func:`field_opening`
    adds each label in turn.
    """
    raw = resource(sheet.language, "examples.json")
    labels = raw["labels"]
    blocks = [raw["header"]]
    examples = [(example, example, "") for example in raw["products"]]
    approaches = raw.get("approaches", {})
    if sheet.approach in approaches:
        example = approaches[sheet.approach]
        lines_of = example["occasion"] if sheet.occasion else example["plain"]
        brief = example["brief"] if sheet.occasion else ""
        examples = [*examples[:GENERAL_EXAMPLES], (example, lines_of, brief)]
    for example, lines_of, brief in examples:
        lines = _brief_lines(
            labels,
            _product_line(example["name"], example["category"], example["description"]),
            example["audience"],
            example.get("tone", ""),
            brief,
            example.get("price", ""),
        )
        uses: Counter[str] = Counter()
        for name, kind in fields:
            texts = lines_of[EXAMPLE_KIND[kind]]
            text = texts[uses[kind] % len(texts)]
            uses[kind] += 1
            lines.append(f"{field_label(sheet.language, name)}: {text}")
        blocks.append("\n".join(lines))
    product = sheet.product
    details = details_text(sheet)
    if sheet.focus and sheet.focus.lower() not in details.lower():
        details = f"{sheet.focus}. {details}" if details else sheet.focus
    elif sheet.focus:  # the fact leads: the sentence that holds it comes first
        details = _leading(details, sheet.focus)
    target = _brief_lines(
        labels,
        _product_line(product.name, product.category, details),
        sheet.audience,
        ", ".join(sheet.tone_words),
        sheet.brief,
        product.price_text(),
    )
    blocks.append("\n".join(target))
    return "\n\n".join(blocks)


def field_opening(language: str, field: str) -> str:
    """What follows the prompt (and the previous field's text) to ask for a field."""
    return f"\n{field_label(language, field)}:"
