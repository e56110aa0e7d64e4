"""Emails bring their own dark scheme: every light colour a customer would see has a dark
counterpart, and the dark colours are as readable as the light ones."""

from __future__ import annotations

import re
import zipfile

from studio.export.html_pages import _EMAIL_DARK_CSS
from studio.render.colour import contrast_ratio, parse_hex

#: WCAG 2 AA for body text
TEXT_CONTRAST = 4.5


def _dark_rules() -> dict[str, dict[str, str]]:
    body = _EMAIL_DARK_CSS.split("{", 1)[1]
    rules = {}
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]+)\}", body):
        values = dict(
            (name.strip(), value.replace("!important", "").strip())
            for name, value in (d.split(":", 1) for d in declarations.split(";") if d)
        )
        for selector in selectors.split(","):
            rules[selector.strip()] = values
    return rules


def test_every_coloured_cell_of_an_email_has_a_dark_counterpart(bundle):
    with zipfile.ZipFile(bundle) as archive:
        emails = [archive.read(n).decode() for n in archive.namelist() if n.startswith("email/")]
    assert emails
    for email in emails:
        assert "@media (prefers-color-scheme: dark)" in email
        assert '<meta name="color-scheme" content="light dark">' in email
        for tag in re.findall(r"<(?:td|table|body)\b[^>]*>", email):
            style = re.search(r'style="([^"]*)"', tag)
            if not style or "color:#" not in style.group(1):
                continue
            assert re.search(r'class="[^"]*cs-', tag), f"no dark-mode class on {tag}"


def test_dark_colours_are_readable():
    rules = _dark_rules()
    card = parse_hex(rules[".cs-card"]["background-color"])
    page = parse_hex(rules[".cs-page"]["background-color"])
    for role in (".cs-text", ".cs-muted"):
        assert contrast_ratio(parse_hex(rules[role]["color"]), card) >= TEXT_CONTRAST
    # the card stands apart from the page, and a button keeps a visible edge on the card
    assert card != page
    edge = parse_hex(rules[".cs-button"]["border"].split()[-1])
    assert contrast_ratio(edge, card) >= 3.0
