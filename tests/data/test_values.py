"""Dates, money, quantities and discounts as exports write them."""

from __future__ import annotations

import pytest

from studio.data.csv_reading import normalise_header, sniff_delimiter
from studio.data.values import (
    DAY_FIRST,
    DECIMAL_COMMA,
    DECIMAL_POINT,
    MONTH_FIRST,
    Conventions,
    ValueProblem,
    parse_date,
    parse_discount,
    parse_money,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-01", None, "2024-03-01"),
        ("2024-03-01 14:05", None, "2024-03-01T14:05:00"),
        ("2024-03-01T14:05:09Z", None, "2024-03-01T14:05:09+00:00"),
        ("2024/3/1", None, "2024-03-01"),
        ("13/02/2024", None, "2024-02-13"),
        ("02/13/2024 10:30", None, "2024-02-13T10:30:00"),
        ("03.04.2024", DAY_FIRST, "2024-04-03"),
        ("03-04-2024", MONTH_FIRST, "2024-03-04"),
        ("05/05/2024", None, "2024-05-05"),  # same either way
    ],
)
def test_dates(text: str, order: str | None, expected: str) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("03/04/2024", "could be day/month or month/day"),
        ("2024-02-30", "not a valid date"),
        ("31/02/2024", "not a valid date"),
        ("yesterday", "not a date"),
        ("3/4/24", "not a date"),
    ],
)
def test_bad_dates(text: str, reason: str) -> None:
    with pytest.raises(ValueProblem, match=reason):
        parse_date(text, None)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1,234.50", None, 1234.5),
        ("1.234,50", None, 1234.5),
        ("$12.00", None, 12.0),
        ("12,50 €", None, 12.5),
        ("EUR 9.90", None, 9.9),
        ("1 234,50", None, 1234.5),
        ("1'234.50", None, 1234.5),
        ("1,234", None, 1234.0),  # no evidence: a thousands separator
        ("1,234", DECIMAL_COMMA, 1.234),  # the file writes decimal commas
        ("1.234.567", None, 1234567.0),
        ("-3.5", None, -3.5),
        ("7", None, 7.0),
    ],
)
def test_money(text: str, decimal: str | None, expected: float) -> None:
    assert parse_money(text, decimal) == expected


@pytest.mark.parametrize(
    ("text", "decimal"),
    [("abc", None), ("1,23.5", None), ("12.3.4,5,6", None), ("12,50", DECIMAL_POINT), ("", None)],
)
def test_bad_money(text: str, decimal: str | None) -> None:
    with pytest.raises(ValueProblem, match="not an amount of money"):
        parse_money(text, decimal)


def test_conventions_are_decided_by_the_first_value_that_tells() -> None:
    conventions = Conventions()
    for text in ("05/05/2024", "03/04/2024", "2024-01-01"):
        conventions.observe_date(text)
    assert conventions.date_order is None and conventions.ambiguous_date == "03/04/2024"
    conventions.observe_date("04/25/2024")
    assert conventions.date_order == MONTH_FIRST
    conventions.observe_date("25/04/2024")  # too late: the file already told
    assert conventions.date_order == MONTH_FIRST
    for text in ("12", "1,234", "€ 3,50"):
        conventions.observe_money(text)
    assert conventions.decimal == DECIMAL_COMMA


def test_quantities_and_discounts() -> None:
    assert parse_quantity("3") == 3 and parse_quantity("2.0") == 2
    for bad in ("0", "-1", "1.5", "two", "1e400", "inf", "nan", "9" * 30):
        with pytest.raises(ValueProblem):
            parse_quantity(bad)
    assert parse_discount("10%", None) == (None, 0.1)
    assert parse_discount("2,50", None) == (2.5, None)
    for bad in ("120%", "-1.00"):
        with pytest.raises(ValueProblem):
            parse_discount(bad, None)


def test_headers_and_delimiters() -> None:
    assert {normalise_header(h) for h in ("Customer ID", "customer_id", "CustomerID")} == {
        "customerid"
    }
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter('"x;y",b,c') == ","  # a quoted semicolon does not count
    assert sniff_delimiter("a\tb") == "\t"
    assert sniff_delimiter("single") == ","


@pytest.mark.parametrize("text", ["9" * 400, "1" + "0" * 12, "12" + ",000" * 5])
def test_absurd_amounts_are_refused_not_stored_as_infinity(text: str) -> None:
    with pytest.raises(ValueProblem, match="not a plausible amount") as raised:
        parse_money(text, None)
    assert len(str(raised.value)) < 120  # a 400-digit value is not quoted whole
