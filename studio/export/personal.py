"""The bundle's optional ``personal/`` part: a mail-merge file, one row per customer with
their own three products and their segment's email, in the column names the email
platform's import reads.

Mailchimp needs an ``Email Address`` column and matches the others to audience fields
(First Name, Last Name, text fields of up to 255 bytes; "Format guidelines for your import
file", mailchimp.com/help). Klaviyo reads ``Email``, ``First Name``, ``Last Name`` and
``External ID`` as profile fields and every other column as a custom property. Customers
without an email address cannot be imported into either, so they are left out and
counted; the plain file keeps them.

This is personal data: it is written only when the user asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.core.records import PersonalPick
from studio.export.catalog import BundleAsset, BundleCampaign
from studio.export.csv_files import csv_bytes, tagged_link
from studio.export.html_pages import EMAIL_COPY_FORMAT

#: per platform: the columns for email, first name, last name and the shop's customer id
PERSON_COLUMNS = {
    "mailchimp": ("Email Address", "First Name", "Last Name", "Customer ID"),
    "klaviyo": ("Email", "First Name", "Last Name", "External ID"),
    "plain": ("email", "first_name", "last_name", "customer_id"),
}
PICKS = 3
#: Mailchimp clips text fields at 255 bytes
MAX_TEXT_BYTES = 255


@dataclass(frozen=True)
class PersonalFile:
    path: str
    data: bytes
    rows: int
    #: customers left out: the platform cannot import a contact without an email address
    without_email: int


def personal_columns(platform: str) -> tuple[str, ...]:
    plain = platform == "plain"
    picks = tuple(
        (f"pick_{i}", f"pick_{i}_reason", f"pick_{i}_link")
        if plain
        else (f"Pick {i}", f"Pick {i} Reason", f"Pick {i} Link")
        for i in range(1, PICKS + 1)
    )
    segment_columns = (
        ("segment", "subject", "preheader", "image_file")
        if plain
        else ("Segment", "Subject", "Preheader", "Image File")
    )
    return (*PERSON_COLUMNS[platform], *(c for pick in picks for c in pick), *segment_columns)


def personal_file(
    campaign: BundleCampaign, picks: Sequence[PersonalPick], platform: str
) -> PersonalFile:
    """The mail-merge file for ``platform`` (``personal/<platform>-contacts.csv``)."""
    rows = []
    without_email = 0
    for pick in picks:
        if not pick.email and platform != "plain":
            without_email += 1
            continue
        key = campaign.segment_keys.get(pick.segment_id)
        segment = campaign.segment(key)
        image, copy = _segment_email(campaign, key)
        first, _, last = pick.name.strip().partition(" ")
        products = [
            (
                product.name,
                product.reason,
                tagged_link(campaign.landing_url(product.sku), image.key) if image else "",
            )
            for product in pick.products[:PICKS]
        ]
        products += [("", "", "")] * (PICKS - len(products))
        rows.append(
            (
                pick.email,
                first,
                last.strip(),
                pick.customer,
                *(_clip(cell) for product in products for cell in product),
                segment.name if segment else "",
                _clip(_first(copy, "subject")),
                _clip(_first(copy, "preheader")),
                image.path or "" if image else "",
            )
        )
    return PersonalFile(
        f"personal/{platform}-contacts.csv",
        csv_bytes(personal_columns(platform), rows),
        len(rows),
        without_email,
    )


def _segment_email(
    campaign: BundleCampaign, key: str | None
) -> tuple[BundleAsset | None, BundleAsset | None]:
    """The segment's email image and copy, else its first creative and copy."""
    images = [c for c in campaign.creatives if c.segment == key and c.kind == "creative"]
    copies = [c for c in campaign.copy if c.segment == key]
    image = next((c for c in images if c.channel == "email"), images[0] if images else None)
    copy = next((c for c in copies if c.format == EMAIL_COPY_FORMAT), None)
    return image, copy or (copies[0] if copies else None)


def _first(asset: BundleAsset | None, field: str) -> str:
    texts = asset.fields.get(field) if asset else None
    return texts[0] if texts else ""


def _clip(text: str) -> str:
    """At most 255 bytes, cut at a character boundary (as Mailchimp would, but visibly)."""
    data = text.encode()
    return text if len(data) <= MAX_TEXT_BYTES else data[:MAX_TEXT_BYTES].decode(errors="ignore")
