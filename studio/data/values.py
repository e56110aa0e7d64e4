"""Parsing the values real exports contain: dates in several orders, money in several
conventions, quantities and percentages.

Two conventions cannot be told from one value: ``03/04/2024`` (3 April or 4 March) and
``1,234`` (one thousand or one point two). They are decided once per file from the values
that can tell (:class:`Conventions`), and a file whose dates never tell is refused.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"
DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)
DECIMAL_POINT = "."
DECIMAL_COMMA = ","

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_SPACED_OFFSET = re.compile(r"(?<=\d)\s+([+-]\d{2}:?\d{2}|Z)$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_CURRENCY = re.compile(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$|[$€£¥₹\s\u00a0']")


class ValueProblem(ValueError):
    """A value that cannot be read; the message is the reason shown to the user."""


@dataclass
class Conventions:
    """How one file writes ambiguous values; ``None`` until a value has told."""

    date_order: str | None = None
    decimal: str | None = None
    ambiguous_date: str | None = None  # an example, for the error message
    numeric_dates: bool = False  # seen dates like 03/04/2024 (not ISO)

    def observe_date(self, text: str) -> None:
        if self.date_order is not None:
            return
        match = _NUMERIC.match(text.strip())
        if not match:
            return
        self.numeric_dates = True
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12 >= second:
            self.date_order = DAY_FIRST
        elif second > 12 >= first:
            self.date_order = MONTH_FIRST
        elif first != second:
            self.ambiguous_date = self.ambiguous_date or text.strip()

    def observe_money(self, text: str) -> None:
        if self.decimal is None:
            self.decimal = _decimal_evidence(_CURRENCY.sub("", text))


def _decimal_evidence(text: str) -> str | None:
    if "," in text and "." in text:
        return DECIMAL_COMMA if text.rfind(",") > text.rfind(".") else DECIMAL_POINT
    for mark in (",", "."):
        if mark in text:
            decimals = len(text) - text.rfind(mark) - 1
            if text.count(mark) > 1:  # 1.234.567 or 1,234,567: thousands
                return DECIMAL_COMMA if mark == "." else DECIMAL_POINT
            if decimals != 3:
                return DECIMAL_POINT if mark == "." else DECIMAL_COMMA
    return None


#: the first year a shop's, a customer's or an ad's date can plausibly fall in …
FIRST_YEAR = 1970
#: … and how far past today (an export from a machine whose clock is ahead, a pre-order)
FUTURE_DAYS = 366


def plausible_range() -> tuple[date, date]:
    return date(FIRST_YEAR, 1, 1), date.today() + timedelta(days=FUTURE_DAYS)


def parse_date(text: str, date_order: str | None) -> str:
    """An ISO-8601 date (``2024-03-01``) or date-time (``2024-03-01T14:05:00``), between
    1970 and a year from today: year 1 or 9999 is a typing or export error, refused."""
    value = _parse_date(text, date_order)
    first, last = plausible_range()
    if not first.isoformat() <= value[:10] <= last.isoformat():
        raise ValueProblem(
            f"'{_shown(text)}' is not a plausible date (the studio reads dates from "
            f"{first.isoformat()} to {last.isoformat()})"
        )
    return value


@lru_cache(maxsize=65_536)
def _parse_date(text: str, date_order: str | None) -> str:
    # Shopify writes "2024-09-02 10:00:00 +0100": the offset after a space
    value = _SPACED_OFFSET.sub(r"\1", text.strip())
    if _ISO.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError as error:
            raise ValueProblem(f"'{text}' is not a valid date ({error})") from error
        return parsed.date().isoformat() if len(value) == 10 else parsed.isoformat()
    if match := _YMD_SLASH.match(value):
        return _checked_date(text, int(match[1]), int(match[2]), int(match[3])).isoformat()
    match = _NUMERIC.match(value)
    if not match:
        raise ValueProblem(f"'{text}' is not a date (use YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY)")
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    if date_order is None:
        if first != second and first <= 12 and second <= 12:
            raise ValueProblem(f"'{text}' could be day/month or month/day")
        date_order = DAY_FIRST if first > 12 else MONTH_FIRST
    day, month = (first, second) if date_order == DAY_FIRST else (second, first)
    day_value = _checked_date(text, year, month, day)
    if match[5] is None:
        return day_value.isoformat()
    hour, minute, second_ = int(match[5]), int(match[6]), int(match[7] or 0)
    try:
        return datetime(year, month, day, hour, minute, second_).isoformat()
    except ValueError as error:
        raise ValueProblem(f"'{text}' has an invalid time ({error})") from error


def _checked_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueProblem(f"'{text}' is not a valid date ({error})") from error


#: larger amounts (per price or order line) and quantities are typing or export errors:
#: refused with their line, before they can overflow a float and poison the statistics
MAX_AMOUNT = 1_000_000_000.0
MAX_QUANTITY = 1_000_000


@lru_cache(maxsize=65_536)
def parse_money(text: str, decimal: str | None) -> float:
    """``1,234.50``, ``1.234,50``, ``$12.00``, ``12,50 €``, ``EUR 9.90`` → a float."""
    value = _CURRENCY.sub("", text.strip())
    negative = value.startswith("-")
    value = value.lstrip("-+")
    decimal = decimal or _decimal_evidence(value) or DECIMAL_POINT
    thousands = "," if decimal == DECIMAL_POINT else "."
    whole, _, fraction = value.partition(decimal)
    groups = whole.split(thousands)
    if (
        not value
        or not all(g.isdigit() for g in groups)
        or (len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]))
        or (fraction and not fraction.isdigit())
        or thousands in fraction
    ):
        convention = "1,234.50" if decimal == DECIMAL_POINT else "1.234,50"
        raise ValueProblem(f"'{text}' is not an amount of money (this file writes {convention})")
    amount = float("".join(groups) + "." + (fraction or "0"))
    if not math.isfinite(amount) or amount > MAX_AMOUNT:
        raise ValueProblem(
            f"'{_shown(text)}' is not a plausible amount (at most {MAX_AMOUNT:,.0f})"
        )
    return -amount if negative else amount


def _shown(text: str) -> str:
    """A value short enough to quote in a message."""
    return text if len(text) <= 24 else f"{text[:20]}… ({len(text)} characters)"


def parse_quantity(text: str) -> int:
    value = text.strip()
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValueProblem(f"'{_shown(text)}' is not a quantity") from None
    if not math.isfinite(number) or number > MAX_QUANTITY:
        raise ValueProblem(
            f"'{_shown(text)}' is not a plausible quantity (at most {MAX_QUANTITY:,})"
        )
    if number != int(number):
        raise ValueProblem(f"'{text}' is not a whole quantity")
    if number <= 0:
        raise ValueProblem(f"quantity must be positive, got '{text}'")
    return int(number)


def parse_discount(text: str, decimal: str | None) -> tuple[float | None, float | None]:
    """A discount as (money, fraction): ``2.50`` → (2.5, None); ``10%`` → (None, 0.1)."""
    value = text.strip()
    if value.endswith("%"):
        percent = parse_money(value[:-1], decimal)
        if not 0 <= percent <= 100:
            raise ValueProblem(f"discount '{text}' is not between 0% and 100%")
        return None, percent / 100
    amount = parse_money(value, decimal)
    if amount < 0:
        raise ValueProblem(f"discount '{text}' is negative")
    return amount, None


_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_FLOAT_ID = re.compile(r"^(\d+)\.0+$")


def clean_identifier(value: str) -> str:
    """An id as a person means it: no invisible characters or outer spaces, and a whole
    number that a spreadsheet wrote as ``17850.0`` back to ``17850``."""
    if value.isascii():  # no invisible characters to remove (the common case)
        text = value.strip()
        if "." not in text:
            return text
    else:
        text = unicodedata.normalize("NFKC", value.translate(_INVISIBLE)).strip()
    match = _FLOAT_ID.match(text)
    return match.group(1) if match else text
