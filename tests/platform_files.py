"""What the ad platforms' importers accept, written from their documentation, to check
every row of an exported upload file against.

Google Ads Editor, responsive search ads: columns as listed in "CSV file columns" for Ads
Editor (support.google.com/google-ads/editor/answer/57747); 3–15 headlines of at most 30
characters, 2–4 descriptions of at most 90, display paths of at most 15, a final URL
(support.google.com/google-ads/answer/7684791); a status of Enabled, Paused or Removed.

Meta Ads Manager, image ads in a bulk sheet: the ad-level columns Ads Manager exports and
imports (Campaign Name, Ad Set Name, Ad Name, Ad Status, Body, Title, Link Description,
Call to Action, Link), an ad status of ACTIVE or PAUSED, a call to action from the
Marketing API's ``call_to_action`` types, a link that is a web address; primary text,
headline and description within the lengths the studio writes for a feed ad (125, 40, 30:
what Meta shows before it cuts text off).
"""

from __future__ import annotations

from urllib.parse import urlsplit

GOOGLE_RSA_REQUIRED = ("Campaign", "Ad group", "Ad type", "Status", "Final URL")
GOOGLE_RSA_DOCUMENTED = (
    *("Campaign", "Ad group", "Ad type", "Status"),
    *(f"Headline {i}" for i in range(1, 16)),
    *(f"Description {i}" for i in range(1, 5)),
    *("Path 1", "Path 2", "Final URL"),
)
GOOGLE_STATUSES = {"Enabled", "Paused", "Removed"}

META_DOCUMENTED = (
    "Campaign Name", "Ad Set Name", "Ad Name", "Ad Status", "Body", "Title",
    "Link Description", "Call to Action", "Link", "Image File Name",
)  # fmt: skip
META_STATUSES = {"ACTIVE", "PAUSED"}
#: the Marketing API's call-to-action types an image link ad may carry
META_CALL_TO_ACTION_TYPES = {
    "APPLY_NOW", "BOOK_NOW", "BOOK_TRAVEL", "BUY_NOW", "BUY_TICKETS", "CALL_NOW",
    "CONTACT_US", "DOWNLOAD", "GET_DIRECTIONS", "GET_OFFER", "GET_QUOTE", "GET_SHOWTIMES",
    "INSTALL_APP", "LEARN_MORE", "LISTEN_NOW", "MESSAGE_PAGE", "NO_BUTTON", "ORDER_NOW",
    "PLAY_GAME", "REQUEST_TIME", "SEE_MENU", "SEND_MESSAGE", "SHOP_NOW", "SIGN_UP",
    "SUBSCRIBE", "WATCH_MORE", "WHATSAPP_MESSAGE",
}  # fmt: skip
META_LENGTHS = {"Body": 125, "Title": 40, "Link Description": 30}


def _web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def google_rsa_problems(header: list[str], row: dict[str, str]) -> list[str]:
    problems = [f"unknown column {c!r}" for c in header if c not in GOOGLE_RSA_DOCUMENTED]
    problems += [f"{c} is empty" for c in GOOGLE_RSA_REQUIRED if not row.get(c)]
    if row.get("Ad type") != "Responsive search ad":
        problems.append(f"Ad type {row.get('Ad type')!r}")
    if row.get("Status") not in GOOGLE_STATUSES:
        problems.append(f"Status {row.get('Status')!r}")
    headlines = [row.get(f"Headline {i}", "") for i in range(1, 16)]
    descriptions = [row.get(f"Description {i}", "") for i in range(1, 5)]
    for kind, texts, low, limit in (
        ("headlines", headlines, 3, 30), ("descriptions", descriptions, 2, 90)
    ):  # fmt: skip
        filled = [t for t in texts if t]
        if len(filled) < low:
            problems.append(f"{len(filled)} {kind}, at least {low} needed")
        if texts[: len(filled)] != filled:
            problems.append(f"a gap among the {kind}")
        problems += [f"{kind[:-1]} over {limit}: {t!r}" for t in filled if len(t) > limit]
    problems += [f"{p} over 15" for p in ("Path 1", "Path 2") if len(row.get(p, "")) > 15]
    if row.get("Final URL") and not _web(row["Final URL"]):
        problems.append(f"Final URL {row['Final URL']!r}")
    return problems


def meta_problems(header: list[str], row: dict[str, str]) -> list[str]:
    problems = [f"unknown column {c!r}" for c in header if c not in META_DOCUMENTED]
    for column in ("Campaign Name", "Ad Set Name", "Ad Name", "Body", "Title", "Link"):
        if not row.get(column):
            problems.append(f"{column} is empty")
    if row.get("Ad Status") not in META_STATUSES:
        problems.append(f"Ad Status {row.get('Ad Status')!r}")
    if row.get("Call to Action") not in META_CALL_TO_ACTION_TYPES:
        problems.append(f"Call to Action {row.get('Call to Action')!r}")
    if row.get("Link") and not _web(row["Link"]):
        problems.append(f"Link {row['Link']!r}")
    for column, limit in META_LENGTHS.items():
        if len(row.get(column, "")) > limit:
            problems.append(f"{column} over {limit}: {row[column]!r}")
    return problems
