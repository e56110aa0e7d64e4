"""Rule segments: parsing, evaluation against the data, re-evaluation on new data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synthetic_shop import build_shop

from studio.core.errors import InputError, NotFound
from studio.data.rules import add_rule_segment, find_rule_segment, parse_rule, refresh_rule_segment
from studio.storage.workspace import Workspace


@pytest.fixture
def shop(tmp_path: Path):
    ws = build_shop(tmp_path / "shop")
    yield ws
    ws.close()


def _expected(ws: Workspace, where: str) -> set[int]:
    """The same filter written directly in SQL."""
    rows = ws.query(
        "SELECT c.id FROM customers c JOIN orders o ON o.customer_id = c.id"
        f" GROUP BY c.id HAVING {where}"
    )
    return {r["id"] for r in rows}


def _members(ws: Workspace, segment_id: int) -> set[int]:
    rows = ws.query("SELECT customer_id FROM segment_members WHERE segment_id = ?", (segment_id,))
    return {r["customer_id"] for r in rows}


def test_parse_rule() -> None:
    rule = parse_rule("country = DE and spend > 200 and age_band in (25-34, '35-44')")
    assert rule["all"] == [
        {"field": "country", "op": "=", "value": "DE"},
        {"field": "spend", "op": ">", "value": 200.0},
        {"field": "age_band", "op": "in", "value": ["25-34", "35-44"]},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("country", "Incomplete condition"),
        ("country ~ DE", "Unknown comparison"),
        ("spend > 1 or orders > 2", "Expected 'and'"),
        ("spend > 1 and", "ends with 'and'"),
        ("country in DE", "needs a list"),
    ],
)
def test_bad_rules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_rule(text)


def test_members_match_the_same_filter_in_sql(shop: Workspace) -> None:
    segment_id = add_rule_segment(
        shop,
        "French big spenders",
        "country = france and spend > 150 and days_since_last_order <= 90",
    )
    expected = _expected(
        shop,
        "c.country = 'France' AND sum(o.amount) > 150"
        " AND julianday('2025-06-30') - julianday(max(substr(o.ordered_at, 1, 10))) <= 90",
    )
    assert expected and _members(shop, segment_id) == expected
    row = find_rule_segment(shop, "French big spenders")
    assert row["kind"] == "rule" and row["run_id"] is None and row["size"] == len(expected)
    assert json.loads(row["rule"])["all"][0] == {"field": "country", "op": "=", "value": "france"}
    assert row["description"].startswith("Rule: country = france and spend > 150")


def test_category_share_and_attributes(shop: Workspace) -> None:
    segment_id = add_rule_segment(shop, "Book lovers", "share:Books >= 0.5 and age_band = 25-34")
    members = _members(shop, segment_id)
    assert members
    categories = _expected(
        shop,
        "sum(CASE WHEN o.product_id BETWEEN 9 AND 12 THEN o.amount ELSE 0 END)"
        " >= 0.5 * sum(o.amount) AND json_extract(c.attributes, '$.age_band') = '25-34'",
    )
    assert members == categories


def test_no_order_customers_never_match_order_conditions(shop: Workspace) -> None:
    segment_id = add_rule_segment(shop, "Recent", "days_since_last_order < 100000")
    assert len(_members(shop, segment_id)) == 150  # the six prospects have no last order
    nobody = add_rule_segment(shop, "Nobody", "country = Atlantis")
    assert find_rule_segment(shop, nobody)["description"].endswith(
        "No customer matches it in the current data."
    )


def test_refresh_sees_new_orders(shop: Workspace) -> None:
    segment_id = add_rule_segment(shop, "Buyers", "orders >= 1")
    assert len(_members(shop, segment_id)) == 150
    with shop.write() as db:
        db.execute(
            "INSERT INTO orders (order_ref, customer_id, product_id, ordered_at, unit_price,"
            " amount) VALUES ('NEW-1', 151, 1, '2025-06-30T10:00:00', 20, 20)"
        )
    result = refresh_rule_segment(shop, "Buyers")
    assert result["size"] == 151
    assert 151 in _members(shop, segment_id)


def test_errors_on_fields_names_and_types(shop: Workspace) -> None:
    with pytest.raises(InputError, match=r"Unknown field 'colour'.*fields: "):
        add_rule_segment(shop, "X", "colour = red")
    with pytest.raises(InputError, match="spend is a number"):
        add_rule_segment(shop, "X", "spend > lots")
    with pytest.raises(InputError, match="country is text"):
        add_rule_segment(shop, "X", "country > 3")
    add_rule_segment(shop, "X", "spend > 1")
    with pytest.raises(InputError, match="already exists"):
        add_rule_segment(shop, "X", "spend > 2")
    with pytest.raises(NotFound):
        refresh_rule_segment(shop, "missing")
