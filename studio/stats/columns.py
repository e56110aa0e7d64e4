"""The column names of the ad-level reports each platform exports, in the languages of
the studio's users.

Meta Ads Manager ("Reports" → "Export table data", level *Ad*, breakdown *By day*):
``Reporting starts``, ``Reporting ends``, ``Ad name``, ``Ad ID``, ``Impressions``,
``Link clicks`` (or ``Clicks (all)``), ``Results`` / ``Purchases``, ``Purchases conversion
value``, ``Amount spent (EUR)``
(the account's currency in brackets). Google Ads (report editor or the Ads table →
Download → CSV, segmented by *Day*): two title lines (report name, date range), then
``Day``, ``Campaign``, ``Ad group``, ``Ad ID``, ``Final URL``, ``Impr.``, ``Clicks``,
``Conversions``, ``Conv. value``, ``Cost``, ``Currency code``; summary rows ``Total: …``
at the end and ``--`` for an empty value. A report in another interface language uses
that language's names; the aliases below cover English, German and French. A column
under another name is named with ``--map "My column=impressions"``.

The studio's own template (``generic``) has the columns of :data:`GENERIC_COLUMNS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: what each imported row carries
MEASURES = ("impressions", "clicks", "conversions", "spend")
#: where a row says which ad it is (the studio's key is looked for in each)
REFERENCES = ("ad_name", "ad_id", "url")
DAY_FIELDS = ("day", "starts", "ends")
#: what the conversions were worth (revenue), when the report has it: what ROAS reads
VALUE_FIELD = "conversion_value"
FIELDS = (
    *REFERENCES, *DAY_FIELDS, *MEASURES, VALUE_FIELD, "currency", "results", "result_indicator"
)  # fmt: skip
#: what a Meta "Result indicator" says when its results are purchases
PURCHASE_INDICATORS = ("purchase", "fb_pixel_purchase", "onsite_web_purchase", "omni_purchase")

GENERIC_COLUMNS = ("ad_name", "date", "impressions", "clicks", "conversions", "spend")


@dataclass(frozen=True)
class Platform:
    id: str
    label: str
    #: field → column names, compared without case, spaces or punctuation
    aliases: dict[str, tuple[str, ...]]
    #: the fields whose presence identifies the platform's report
    signature: tuple[str, ...]


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


META = Platform(
    "meta",
    "Meta Ads Manager",
    {
        "ad_name": (
            "Ad name",
            "Ads",
            "Anzeigenname",
            "Name der Anzeige",
            "Anzeigen",
            "Nom de la publicité",
            "Publicités",
        ),
        "ad_id": ("Ad ID", "Anzeigen-ID", "ID de la publicité"),
        "url": ("Website URL", "Link (ad settings)", "URL der Website", "URL du site web"),
        "day": ("Day", "Tag", "Jour"),
        "starts": ("Reporting starts", "Berichtsbeginn", "Début des rapports"),
        "ends": ("Reporting ends", "Berichtsende", "Fin des rapports"),
        "impressions": ("Impressions", "Impressionen"),
        "clicks": (
            "Link clicks",
            "Link-Klicks",
            "Clics sur un lien",
            "Clicks (all)",
            "Klicks (alle)",
            "Clics (tous)",
        ),
        "conversions": ("Purchases", "Käufe", "Achats", "Website purchases", "Conversions"),
        "conversion_value": (
            "Purchases conversion value",
            "Website purchases conversion value",
            "Conversion value",
            "Conversionwert für Käufe",
            "Conversion-Wert der Käufe",
            "Valeur de conversion des achats",
        ),
        # what "Results" counts depends on the campaign's objective: read only with its
        # indicator, and counted as conversions only when that says purchases
        "results": ("Results", "Ergebnisse", "Résultats"),
        "result_indicator": ("Result indicator", "Ergebnisindikator", "Indicateur de résultat"),
        "spend": ("Amount spent", "Ausgegebener Betrag", "Montant dépensé"),
        "currency": ("Currency", "Währung", "Devise"),
    },
    ("impressions", "starts"),
)

GOOGLE = Platform(
    "google",
    "Google Ads",
    {
        "ad_name": ("Ad name", "Ad", "Anzeigenname", "Anzeige", "Nom de l'annonce", "Annonce"),
        "ad_id": ("Ad ID", "Anzeigen-ID", "ID de l'annonce"),
        "url": ("Final URL", "Finale URL", "URL finale", "Tracking template"),
        "day": ("Day", "Date", "Tag", "Datum", "Jour"),
        "impressions": ("Impr.", "Impressions", "Impressionen"),
        "clicks": ("Clicks", "Klicks", "Clics"),
        "conversions": ("Conversions", "Conv.", "Conversions (all)"),
        "conversion_value": (
            "Conv. value",
            "Conversion value",
            "Conv.-Wert",
            "Conversion-Wert",
            "Valeur de conv.",
            "Valeur de conversion",
        ),
        "spend": ("Cost", "Kosten", "Coût"),
        "currency": ("Currency code", "Currency", "Währungscode", "Code de la devise"),
    },
    ("url", "impressions", "day"),
)

GENERIC = Platform(
    "generic",
    "Campaign Studio template",
    {
        "ad_name": ("ad_name", "variant_id", "ad"),
        "day": ("date", "day"),
        "url": ("url",),
        "impressions": ("impressions",),
        "clicks": ("clicks",),
        "conversions": ("conversions",),
        "conversion_value": ("conversion_value", "revenue"),
        "spend": ("spend", "cost"),
        "currency": ("currency",),
    },
    ("ad_name", "impressions", "day"),
)

PLATFORMS = {p.id: p for p in (META, GOOGLE, GENERIC)}

#: Google writes this for "no value"
EMPTY_MARKERS = frozenset({"", "--", "-", "—", " --"})
#: first cells of summary rows, in the languages above ("Total: Account", "Gesamt: Konto",
#: "Total : compte"); Meta's exports have none, the template none either
_TOTAL = re.compile(r"^\s*(total|totals|gesamt|summe|insgesamt)\s*(:|$)", re.IGNORECASE)


def is_summary(cells: list[str]) -> bool:
    """A report's total row (it names no ad, it adds ads up)."""
    return any(_TOTAL.match(cell) for cell in cells[:6])


def column_field(platform: Platform, header: str) -> tuple[str, int] | None:
    """The field a column holds and how early its name comes among the field's aliases
    (``Amount spent (EUR)`` → ("spend", 0)), or None."""
    wanted = _key(re.sub(r"\s*\([A-Z]{3}\)\s*$", "", header))
    for name, aliases in platform.aliases.items():
        keys = [_key(alias) for alias in aliases]
        if wanted in keys:
            return name, keys.index(wanted)
    return None


def currency_in_header(header: str) -> str | None:
    """Meta names the account's currency in the spend column: ``Amount spent (EUR)``."""
    match = re.search(r"\(([A-Z]{3})\)\s*$", header)
    return match.group(1) if match else None
