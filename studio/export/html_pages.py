"""The bundle's HTML: one email per segment, and ``index.html`` to review everything.

Every generated text goes through :func:`html.escape`; links are kept only when they are
``http(s)`` URLs. Images are referenced relatively inside the bundle, with width, height
and alt text. Emails follow what mail clients render reliably: a 600 px table layout
with inline styles, no scripts, no external CSS.
"""

from __future__ import annotations

import re
from html import escape

from studio.core.links import is_web_link
from studio.export.catalog import BundleAsset, BundleCampaign, BundleSegment

EMAIL_WIDTH = 600
#: product blocks per email: keeps the HTML far below the ~100 KB at which Gmail clips
MAX_EMAIL_BLOCKS = 10
EMAIL_COPY_FORMAT = "email"
EMAIL_HERO_FORMAT = "email_hero_600x300"
PREVIEW_BOX = 280
AI_NOTICE = "Images and text in this message were made with the help of AI."
#: the unsubscribe link each email platform fills in when it sends (its merge tag)
UNSUBSCRIBE_LINKS = {
    "mailchimp": "*|UNSUB|*",
    "klaviyo": "{% unsubscribe_url %}",
}
EMAIL_PLATFORMS = (*UNSUBSCRIBE_LINKS, "plain")
DEFAULT_BUTTON = "#1a73e8"
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _safe_url(url: str) -> str | None:
    return url.strip() if is_web_link(url) else None


def _fit(width: int | None, height: int | None, box: int) -> tuple[int, int]:
    """Display size that fits ``box`` px wide (and tall, for previews), keeping aspect."""
    width, height = width or box, height or box
    scale = min(1.0, box / width)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _button_colour(campaign: BundleCampaign) -> str:
    """The brand kit's primary colour when it is a plain hex colour (nothing else reaches CSS)."""
    palette = (campaign.brand_kit or {}).get("palette") or {}
    colour = palette.get("primary") if isinstance(palette, dict) else None
    return colour if isinstance(colour, str) and _HEX_COLOUR.match(colour) else DEFAULT_BUTTON


def _first(asset: BundleAsset | None, field: str) -> str:
    texts = asset.fields.get(field) if asset else None
    return texts[0] if texts else ""


def _email_image(campaign: BundleCampaign, segment: str, sku: str) -> BundleAsset | None:
    images = [c for c in campaign.creatives if c.segment == segment and c.product == sku]
    heroes = [c for c in images if c.format == EMAIL_HERO_FORMAT]
    return (heroes or sorted(images, key=lambda c: -(c.width or 0)))[0] if images else None


def unsubscribe_link(platform: str, url: str = "") -> str:
    """The unsubscribe link for ``platform``'s merge tag, or a plain web address."""
    if platform == "plain":
        return _safe_url(url) or ""
    return UNSUBSCRIBE_LINKS[platform]


def email_html(
    campaign: BundleCampaign,
    segment: BundleSegment,
    *,
    platform: str = "mailchimp",
    unsubscribe_url: str = "",
) -> str:
    """A marketing email for one segment, ready for ``platform`` to send: a block per
    product with image, copy and a linked button, the platform's unsubscribe link, and no
    name the studio uses inside (campaign, segment) where customers can read it."""
    skus = sorted(
        {a.product for a in campaign.copy + campaign.creatives if a.segment == segment.key}
    )
    skus = [s for s in skus if s]
    email_copy = {
        c.product: c
        for c in campaign.copy
        if c.segment == segment.key and c.format == EMAIL_COPY_FORMAT
    }
    first_copy = next(iter(email_copy.values()), None)
    first_product = campaign.product(skus[0]) if skus else None
    subject = _first(first_copy, "subject") or (first_product.name if first_product else "")
    unsubscribe = unsubscribe_link(platform, unsubscribe_url)
    footer = escape(AI_NOTICE)
    if unsubscribe:
        footer += (
            f'<br><a href="{escape(unsubscribe)}" style="color:#555555;">Unsubscribe</a>'
            " from these emails."
        )
    preheader = _first(first_copy, "preheader")
    blocks = [_email_block(campaign, segment.key, sku, email_copy.get(sku)) for sku in skus]
    more = len(blocks) - MAX_EMAIL_BLOCKS
    body = "\n".join(blocks[:MAX_EMAIL_BLOCKS])
    if more > 0:
        body += (
            '\n<tr><td style="padding:8px 24px;font:14px Arial,sans-serif;color:#555555;">'
            f"{more} more product(s) for this segment are in index.html.</td></tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="{escape(campaign.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{escape(subject)}</title>
<style>{_EMAIL_DARK_CSS}</style>
</head>
<body class="cs-page" style="margin:0;padding:0;background-color:#f2f2f2;">
<div style="display:none;max-height:0;overflow:hidden;">{escape(preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" class="cs-page" style="background-color:#f2f2f2;">
<tr><td align="center" style="padding:16px 0;">
<table role="presentation" width="{EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0" class="cs-card" style="width:{EMAIL_WIDTH}px;max-width:{EMAIL_WIDTH}px;background-color:#ffffff;">
<tr><td class="cs-text" style="padding:20px 24px;font:bold 20px Arial,sans-serif;color:#222222;">{escape(subject)}</td></tr>
{body}
<tr><td class="cs-muted cs-rule" style="padding:16px 24px;font:12px Arial,sans-serif;color:#555555;border-top:1px solid #e5e5e5;">{footer}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""  # noqa: E501


#: dark-mode colours for the clients that honour ``prefers-color-scheme`` (Apple Mail,
#: Outlook on the web and for Mac …); the inline light colours stay for the rest, and the
#: meta tags tell clients the email brings its own dark scheme rather than be inverted
_EMAIL_DARK_CSS = (
    "@media (prefers-color-scheme: dark){"
    ".cs-page{background-color:#121212 !important}"
    ".cs-card{background-color:#1e1e1e !important}"
    ".cs-text{color:#ececec !important}"
    ".cs-muted,.cs-muted a{color:#b8b8b8 !important}"
    ".cs-rule{border-top-color:#3a3a3a !important}"
    # a dark brand colour would melt into the dark card: the button keeps an edge
    ".cs-button{border:1px solid #8a8a8a !important}}"
)


def _email_block(campaign: BundleCampaign, segment: str, sku: str, copy: BundleAsset | None) -> str:
    product = campaign.product(sku)
    name = product.name if product else sku
    image = _email_image(campaign, segment, sku)
    if copy is None and image is not None:
        copy = campaign.copy_for(image)  # no email copy: the words on the ad itself
    rows = []
    if image and image.path:
        width, height = _fit(image.width, image.height, EMAIL_WIDTH)
        alt = _first(copy, "subject") or _first(copy, "headline") or name
        rows.append(
            f'<tr><td style="padding:0;"><img src="../{escape(image.path)}" width="{width}"'
            f' height="{height}" alt="{escape(alt)}"'
            ' style="display:block;border:0;width:100%;max-width:600px;height:auto;"></td></tr>'
        )
    rows.append(
        '<tr><td class="cs-text" style="padding:16px 24px 4px;font:bold 18px Arial,sans-serif;'
        f'color:#222222;">{escape(name)}</td></tr>'
    )
    body = (
        _first(copy, "body")
        or _first(copy, "primary_text")
        or (product.description if product and product.description else "")
    )
    if body:
        rows.append(
            '<tr><td class="cs-text" style="padding:4px 24px 12px;font:15px/1.5 Arial,'
            f'sans-serif;color:#333333;">{escape(body)}</td></tr>'
        )
    cta = _first(copy, "cta")
    if cta:
        link = _safe_url(campaign.landing_url(sku))
        label = escape(cta)
        button = (
            f'<a href="{escape(link)}" style="color:#ffffff;text-decoration:none;">{label}</a>'
            if link
            else label
        )
        rows.append(
            '<tr><td style="padding:4px 24px 20px;"><table role="presentation" cellpadding="0"'
            ' cellspacing="0" border="0"><tr><td class="cs-button" style="background-color:'
            f"{_button_colour(campaign)};padding:10px 18px;font:bold 15px Arial,sans-serif;"
            f'color:#ffffff;">{button}</td></tr></table></td></tr>'
        )
    return "\n".join(rows)


_INDEX_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0}
body{color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;color:#d0d7de}
main{padding:8px 32px 40px}
nav a{margin-right:14px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px}
section{margin:20px 0;padding:8px 20px 16px}
h2{font-size:18px;margin:12px 0 4px}
h3{font-size:15px;margin:18px 0 8px;color:#57606a}
.grid{display:flex;flex-wrap:wrap;gap:14px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px;width:296px;background:#fafbfc}
.card img{display:block;margin:0 auto 6px;max-width:280px;height:auto;background:#eee}
.meta{font-size:12px;color:#57606a}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:11px}
.badge{background:#ddf4ff;color:#0969da}
.badge.draft{background:#fff8c5;color:#9a6700}
table.copy{border-collapse:collapse;width:100%;margin:6px 0}
table.copy td,table.copy th{border:1px solid #d0d7de;padding:4px 8px}
table.copy td,table.copy th{text-align:left;vertical-align:top}
table.copy th{background:#f6f8fa;width:140px}
details{font-size:12px;margin-top:4px}
code{font-size:12px}
"""


def index_html(campaign: BundleCampaign, other_files: list[str], *, app_version: str) -> str:
    """A self-contained page (inline CSS, no scripts, no network) to review the bundle."""
    nav = " ".join(
        f'<a href="#seg-{escape(s.key)}">{escape(s.name)}</a>' for s in campaign.segments
    )
    sections = [_segment_section(campaign, s) for s in campaign.segments]
    loose = [a for a in campaign.creatives + campaign.copy if a.segment is None]
    if loose:
        sections.append(_assets_section(campaign, "Campaign-wide", "all", loose))
    files = "".join(f'<li><a href="{escape(p)}">{escape(p)}</a></li>' for p in other_files)
    drafts = sum(a.status != "approved" for a in campaign.creatives + campaign.copy)
    draft_note = f" &middot; {drafts} draft(s) included" if drafts else ""
    return f"""<!DOCTYPE html>
<html lang="{escape(campaign.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(campaign.name)} – campaign bundle</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<header>
<h1>{escape(campaign.name)}</h1>
<p>{escape(campaign.brief)}</p>
<p>{len(campaign.creatives)} creative image(s) &middot; {len(campaign.copy)} copy set(s) &middot; {len(campaign.segments)} segment(s){draft_note}</p>
<p>Every image carries an IPTC DigitalSourceType label (AI-generated). Made with Campaign Studio {escape(app_version)}.</p>
</header>
<main>
<nav>{nav}</nav>
{"".join(sections)}
<section><h2>Files</h2><ul>{files}</ul></section>
</main>
</body>
</html>
"""  # noqa: E501


def _segment_section(campaign: BundleCampaign, segment: BundleSegment) -> str:
    assets = [a for a in campaign.creatives + campaign.copy if a.segment == segment.key]
    return _assets_section(campaign, segment.name, segment.key, assets, segment.description)


def _assets_section(
    campaign: BundleCampaign, title: str, key: str, assets: list[BundleAsset], description: str = ""
) -> str:
    parts = [f'<section id="seg-{escape(key)}"><h2>{escape(title)}</h2>']
    if description:
        parts.append(f'<p class="meta">{escape(description)}</p>')
    for sku in sorted({a.product or "" for a in assets}):
        product = campaign.product(sku)
        parts.append(
            f"<h3>{escape(product.name if product else 'All products')}"
            f' <span class="meta">{escape(sku)}</span></h3>'
        )
        for copy in (a for a in assets if a.product == (sku or None) and a.kind == "copy"):
            parts.append(_copy_table(copy))
        cards = [_card(a) for a in assets if a.product == (sku or None) and a.kind != "copy"]
        if cards:
            parts.append('<div class="grid">' + "".join(cards) + "</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _copy_table(copy: BundleAsset) -> str:
    rows = "".join(
        f"<tr><th>{escape(field)}</th><td>{'<br>'.join(escape(t) for t in texts)}</td></tr>"
        for field, texts in copy.fields.items()
    )
    return (
        f'<p class="meta">Copy for <b>{escape(copy.format or "")}</b> {_badge(copy.status)}'
        f' <code>{escape(copy.key)}</code></p><table class="copy">{rows}</table>'
    )


def _badge(status: str) -> str:
    return f'<span class="badge {escape(status)}">{escape(status)}</span>'


def _card(asset: BundleAsset) -> str:
    width, height = _fit(asset.width, asset.height, PREVIEW_BOX)
    path = asset.path or ""
    prov = asset.provenance
    details = "".join(
        f"<div><b>{escape(label)}</b>: {escape(str(value))}</div>"
        for label, value in (
            ("generator", prov.get("generator")),
            ("model", prov.get("model_id")),
            ("revision", prov.get("model_revision")),
            ("seed", prov.get("seed")),
            ("prompt", prov.get("prompt")),
            ("parent", asset.parent),
        )
        if value not in (None, "")
    )
    return (
        f'<div class="card"><a href="{escape(path)}"><img src="{escape(path)}"'
        f' width="{width}" height="{height}" loading="lazy" alt="{escape(asset.format or "")}'
        f' creative"></a><div class="meta">{escape(asset.format or "")} &middot;'
        f" {asset.width}×{asset.height} &middot; {escape(asset.kind)} {_badge(asset.status)}</div>"
        f'<div class="meta"><code>{escape(asset.key)}</code></div>'
        f"<details><summary>provenance</summary>{details}</details></div>"
    )


# --- the decisions of a campaign's rounds ---------------------------------------------------

_RESULTS_CSS = (
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
    "table{border-collapse:collapse;margin:8px 0 20px}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "td:first-child,th:first-child{text-align:left}.win{font-weight:bold;color:#0a6b2d}"
    ".bar{display:inline-block;height:8px;background:#1a73e8;vertical-align:middle}"
)


def results_html(campaign: BundleCampaign) -> str:
    """What each round of the campaign's tests decided, with the figures it rested on."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(campaign.name)}: results</title><style>{_RESULTS_CSS}</style></head>",
        f"<body><h1>{escape(campaign.name)}: what the results decided</h1>",
    ]
    for round_ in campaign.rounds:
        figures = round_.get("results", {})
        parts.append(
            f"<h2>Round {int(round_['number'])} ({escape(str(round_['created_at'])[:10])})</h2>"
            f"<p>Judged on {escape(str(figures.get('metric_label', '')))}, with results to "
            f"{escape(str(figures.get('last_day', '')))}.</p>"
        )
        plans = {t.get("test_key"): t for t in round_.get("tests", [])}
        for test in figures.get("tests", []):
            plan = plans.get(test.get("test_key"), {})
            parts.append(_results_table(test, plan))
        effects = [e for e in figures.get("attribute_effects", []) if e.get("segment")]
        if effects:
            parts.append("<h3>What wins per segment (change against the creative, 95 %)</h3>")
            parts.append("<table><tr><th>Segment</th><th>Attribute</th><th>Lift</th></tr>")
            for effect in effects:
                parts.append(
                    f"<tr><td>{escape(str(effect['segment']))}</td>"
                    f"<td>{escape(str(effect['axis']))}: {escape(str(effect['value']))}</td>"
                    f"<td>{effect['lift']:+.0%} ({effect['low']:+.0%} to {effect['high']:+.0%})"
                    f"{'' if effect.get('clear') else ', unclear'}</td></tr>"
                )
            parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _results_table(test: dict, plan: dict) -> str:
    verdict = test.get("verdict", {})
    head = (
        f"<h3>{escape(str(test.get('segment', '')))} · {escape(str(test.get('product', '')))}"
        f" · {escape(str(test.get('format', '')))}</h3><p>{escape(str(plan.get('status', '')))}:"
        f" {escape(str(plan.get('reason') or verdict.get('reason', '')))}</p>"
    )
    rows = [
        "<table><tr><th>Ad</th><th>Key</th><th>Impressions</th><th>Clicks</th>"
        "<th>Rate (95 %)</th><th>P(best)</th><th>Decision</th></tr>"
    ]
    keep, drop = set(plan.get("keep", [])), set(plan.get("drop", []))
    for ad in test.get("ads", []):
        est = ad.get("estimate") or {}
        key = ad.get("asset_key")
        decision = "kept" if key in keep else "dropped" if key in drop else ""
        winner = key == test.get("winner_asset_key")
        rate = f"{est['mean']:.2%} ({est['low']:.2%}–{est['high']:.2%})" if est else ""
        share = f"<span class='bar' style='width:{round(60 * est.get('p_best', 0))}px'></span> "
        rows.append(
            f"<tr{' class=win' if winner else ''}><td>{escape(str(ad.get('label', '')))}"
            f"{' ★' if winner else ''}</td><td>{escape(str(key))}</td>"
            f"<td>{ad['totals']['impressions']:,}</td><td>{ad['totals']['clicks']:,}</td>"
            f"<td>{rate}</td><td>{share}{est.get('p_best', 0):.0%}</td><td>{decision}</td></tr>"
        )
    rows.append("</table>")
    for challenger in plan.get("challengers", []):
        changes = ", ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in challenger.items())
        rows.append(f"<p>New challenger: {changes}</p>")
    return head + "".join(rows)
