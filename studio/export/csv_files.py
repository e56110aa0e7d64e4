"""The bundle's spreadsheets: every copy text, and import files for two ad platforms.

Every text cell is neutralised against formula injection before it is written: a cell
that starts with ``= + - @``, a tab or a carriage return (or their full-width forms) is
prefixed with an apostrophe, so a spreadsheet shows it as text instead of evaluating it
(OWASP "CSV Injection"). Files are UTF-8 with a byte-order mark (so Excel reads accents)
and CRLF line ends (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from studio.export.catalog import BundleAsset, BundleCampaign

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

#: Google Ads Editor CSV import, responsive search ads. Header names as listed in
#: "Import a CSV file in Google Ads Editor — CSV file columns"
#: (https://support.google.com/google-ads/editor/answer/57747): Campaign, Ad group,
#: Ad type, Status, Headline 1…15, Description 1…4, Path 1, Path 2, Final URL. An RSA
#: takes 3–15 headlines of 30 characters and 2–4 descriptions of 90
#: (https://support.google.com/google-ads/answer/7684791).
GOOGLE_RSA_HEADLINES = 15
GOOGLE_RSA_DESCRIPTIONS = 4
GOOGLE_RSA_COLUMNS: tuple[str, ...] = (
    "Campaign",
    "Ad group",
    "Ad type",
    "Status",
    *(f"Headline {i}" for i in range(1, GOOGLE_RSA_HEADLINES + 1)),
    *(f"Description {i}" for i in range(1, GOOGLE_RSA_DESCRIPTIONS + 1)),
    "Path 1",
    "Path 2",
    "Final URL",
)
GOOGLE_RSA_FORMAT = "google_rsa"

#: Meta Ads Manager bulk import ("Export & import" spreadsheets, ad level). Column names
#: as Ads Manager writes them in its exports, which its import reads back: Campaign Name,
#: Ad Set Name, Ad Name, Ad Status, Body (the primary text), Title (the headline), Link
#: Description, Call to Action, Link. Checked against open-source readers of Ads Manager
#: exports (e.g. columns 'Campaign Name', 'Ad Set Name', 'Ad Name', 'Title', 'Body' in
#: Meta ads importers on GitHub), since Meta publishes its template only inside Ads
#: Manager. Ads Manager ties an image by its library hash ('Image Hash'); a file cannot be
#: uploaded through the sheet, so 'Image File Name' names the bundle file to upload to the
#: media library first. This is a bulk-*style* file: review it in Ads Manager's import.
META_COLUMNS: tuple[str, ...] = (
    "Campaign Name",
    "Ad Set Name",
    "Ad Name",
    "Ad Status",
    "Body",
    "Title",
    "Link Description",
    "Call to Action",
    "Link",
    "Image File Name",
)
#: Call-to-action button types Ads Manager accepts, by the button label a copy model writes
META_CALL_TO_ACTIONS = {
    "apply now": "APPLY_NOW",
    "book now": "BOOK_TRAVEL",
    "buy now": "BUY_NOW",
    "contact us": "CONTACT_US",
    "download": "DOWNLOAD",
    "get offer": "GET_OFFER",
    "get quote": "GET_QUOTE",
    "learn more": "LEARN_MORE",
    "order now": "ORDER_NOW",
    "see menu": "SEE_MENU",
    "shop now": "SHOP_NOW",
    "sign up": "SIGN_UP",
    "subscribe": "SUBSCRIBE",
}
#: bulk files create ads paused, so nothing goes live before someone presses the button
IMPORT_STATUS_GOOGLE = "Paused"
IMPORT_STATUS_META = "PAUSED"

COPY_COLUMNS = (
    "segment",
    "product_sku",
    "product_name",
    "channel",
    "channel_format",
    "variant_id",
    "status",
    "field",
    "position",
    "text",
)


def neutralise(value: Any) -> str:
    """A cell a spreadsheet will not evaluate as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def tagged_link(url: str, key: str) -> str:
    """The landing URL with ``utm_content=<asset key>``: results reports carry the link,
    so each row can be matched to the ad it measures (an existing ``utm_content`` stays)."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name == "utm_content" for name, _ in query):
        query.append(("utm_content", key))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _ad_group(campaign: BundleCampaign, asset: BundleAsset) -> str:
    segment = campaign.segment(asset.segment)
    product = campaign.product(asset.product)
    return " / ".join(
        part for part in (segment.name if segment else "", product.name if product else "") if part
    )


def copy_csv(campaign: BundleCampaign) -> bytes:
    """One row per text: every field of every exported copy asset."""
    rows = []
    for asset in campaign.copy:
        segment = campaign.segment(asset.segment)
        product = campaign.product(asset.product)
        for field, texts in asset.fields.items():
            for position, text in enumerate(texts, start=1):
                rows.append(
                    (
                        segment.name if segment else "",
                        asset.product or "",
                        product.name if product else "",
                        asset.channel or "",
                        asset.format or "",
                        asset.key,
                        asset.status,
                        field,
                        position,
                        text,
                    )
                )
    return csv_bytes(COPY_COLUMNS, rows)


def google_rsa_csv(campaign: BundleCampaign) -> bytes:
    """Responsive search ads for Google Ads Editor: one row per ``google_rsa`` copy asset."""
    rows = []
    for asset in campaign.copy:
        if asset.format != GOOGLE_RSA_FORMAT:
            continue
        headlines = list(asset.fields.get("headline", []))[:GOOGLE_RSA_HEADLINES]
        descriptions = list(asset.fields.get("description", []))[:GOOGLE_RSA_DESCRIPTIONS]
        rows.append(
            (
                campaign.name,
                _ad_group(campaign, asset),
                "Responsive search ad",
                IMPORT_STATUS_GOOGLE,
                *headlines,
                *[""] * (GOOGLE_RSA_HEADLINES - len(headlines)),
                *descriptions,
                *[""] * (GOOGLE_RSA_DESCRIPTIONS - len(descriptions)),
                "",
                "",
                tagged_link(campaign.landing_url(asset.product), asset.key),
            )
        )
    return csv_bytes(GOOGLE_RSA_COLUMNS, rows)


#: a CTA's first word → the nearest of Ads Manager's button types (image ads take a type,
#: not text: the copy CSV keeps the text itself)
META_CTA_BY_VERB = {
    "shop": "SHOP_NOW", "discover": "SHOP_NOW", "explore": "SHOP_NOW", "browse": "SHOP_NOW",
    "find": "SHOP_NOW", "pick": "SHOP_NOW", "choose": "SHOP_NOW", "treat": "SHOP_NOW",
    "try": "SHOP_NOW", "taste": "SHOP_NOW", "get": "SHOP_NOW", "grab": "SHOP_NOW",
    "buy": "BUY_NOW", "order": "ORDER_NOW", "reorder": "ORDER_NOW", "learn": "LEARN_MORE",
    "see": "LEARN_MORE", "meet": "LEARN_MORE", "read": "LEARN_MORE", "view": "LEARN_MORE",
    "sign": "SIGN_UP", "join": "SIGN_UP", "subscribe": "SUBSCRIBE", "book": "BOOK_NOW",
    "contact": "CONTACT_US", "download": "DOWNLOAD", "apply": "APPLY_NOW",
}  # fmt: skip
#: every button type the bulk sheet may hold (Ads Manager's call_to_action types)
META_CTA_TYPES = frozenset(META_CALL_TO_ACTIONS.values()) | frozenset(META_CTA_BY_VERB.values())
#: a shop's ads link to products: when no verb tells, the button is "Shop now"
META_DEFAULT_CTA = "SHOP_NOW"


def meta_call_to_action(text: str) -> str:
    """Ads Manager's button type for a CTA label: its own type for a known label, else the
    type its verb asks for ("Shop our coffee" → SHOP_NOW), else SHOP_NOW."""
    label = " ".join(text.lower().split()).strip(".!")
    if label in META_CALL_TO_ACTIONS:
        return META_CALL_TO_ACTIONS[label]
    first = label.split(" ", 1)[0] if label else ""
    return META_CTA_BY_VERB.get(first, META_DEFAULT_CTA)


#: how the Meta sheet groups ads into ad sets: one per test (segment × product; Meta then
#: favours the ad it predicts will do best, so the comparison is not randomised), or one
#: per ad (each with its own budget: a fair split, as a Meta A/B test compares ad sets)
META_AD_SET_LAYOUTS = ("per-test", "per-ad")


def meta_ads_csv(campaign: BundleCampaign, ad_sets: str = "per-test") -> bytes:
    """Meta image ads: one row per exported creative on the ``meta`` channel, in one ad set
    per test or one per ad (:data:`META_AD_SET_LAYOUTS`)."""
    rows = []
    for creative in campaign.creatives:
        if creative.channel != "meta":
            continue
        copy = campaign.copy_for(creative)
        fields = dict(copy.fields) if copy else {}
        # the line the picture shows is the line the ad row carries
        shown = creative.content.get("copy") or {}
        from_field = (creative.content.get("copy_fields") or {}).get("headline")
        if shown.get("headline") and from_field in ("headline", "primary_text", "description"):
            others = [t for t in fields.get(from_field, []) if t != shown["headline"]]
            fields[from_field] = [shown["headline"], *others]

        def first(name: str, fields: dict = fields) -> str:
            texts = fields.get(name) or [""]
            return texts[0]

        rows.append(
            (
                campaign.name,
                _ad_group(campaign, creative)
                + (f" / {creative.key}" if ad_sets == "per-ad" else ""),
                f"{creative.format} {creative.key}",
                IMPORT_STATUS_META,
                first("primary_text"),
                first("headline"),
                first("description"),
                meta_call_to_action(first("cta")) if first("cta") else "",
                tagged_link(campaign.landing_url(creative.product), creative.key),
                creative.path.rsplit("/", 1)[-1] if creative.path else "",
            )
        )
    return csv_bytes(META_COLUMNS, rows)
