"""Rule segments: customers selected by filters the marketer writes.

A rule is a list of conditions joined by ``and``::

    country = Germany and spend > 200 and days_since_last_order <= 90
    age_band in (25-34, 35-44) and share:Coffee >= 0.5

Fields are the customer's columns and attributes (``country``, ``city``, ``age_band`` …)
and the order metrics of :data:`METRIC_FIELDS`. Text comparisons ignore case. The rule is
stored with the segment and re-evaluated on demand against the current data; time metrics
count days back from the newest order in the workspace.

Writes the table `segments` (its schema is in :mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from studio.core.errors import InputError, NotFound
from studio.data.features import (
    CustomerFeatures,
    WorkspaceData,
    build_features,
    load_workspace_data,
)
from studio.data.naming import describe
from studio.data.segmentation import insert_segment, segment_profile, store_members
from studio.storage.workspace import Workspace, to_json, utcnow

METRIC_FIELDS = {
    "spend": "total spend",
    "orders": "number of orders",
    "items": "number of order lines",
    "avg_basket": "average order value",
    "days_since_last_order": "days since the last order (empty when none)",
    "tenure_days": "days since sign-up or first order",
    "discount_share": "share of order lines bought on discount (0–1)",
    "share:<Category>": "share of spend in a category (0–1), e.g. share:Coffee",
}
OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "in")
_TOKEN = re.compile(
    r"\s*(?:(?P<op>>=|<=|!=|=|>|<)|(?P<quoted>\"[^\"]*\"|'[^']*')|(?P<punct>[(),])"
    r"|(?P<word>[^\s=<>!(),\"']+))"
)


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise InputError(f"Cannot read the rule near {text[position:]!r}.")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


def _value(token: str) -> str | float:
    if token[:1] in "\"'":
        return token[1:-1]
    try:
        return float(token)
    except ValueError:
        return token


def parse_rule(text: str) -> dict[str, Any]:
    """'country = DE and spend > 200' → {'all': [{'field', 'op', 'value'}, …], 'text': …}."""
    tokens = _tokens(text)
    if not tokens:
        raise InputError("The rule is empty.", hint="e.g. 'country = Germany and spend > 200'")
    conditions: list[dict[str, Any]] = []
    i = 0
    while i < len(tokens):
        if len(tokens) < i + 3:
            raise InputError(
                f"Incomplete condition at the end of the rule: {' '.join(tokens[i:])!r}."
            )
        field, op = tokens[i], tokens[i + 1].lower()
        if op not in OPERATORS:
            raise InputError(
                f"Unknown comparison {tokens[i + 1]!r} after {field!r}.",
                hint="use one of " + " ".join(OPERATORS),
            )
        i += 2
        if op == "in":
            if tokens[i] != "(" or ")" not in tokens[i:]:
                raise InputError(f"'{field} in' needs a list in brackets, e.g. (DE, AT).")
            end = tokens.index(")", i)
            value: Any = [_value(t) for t in tokens[i + 1 : end] if t != ","]
            i = end + 1
        else:
            value = _value(tokens[i])
            i += 1
        conditions.append({"field": field, "op": op, "value": value})
        if i < len(tokens):
            if tokens[i].lower() != "and":
                raise InputError(
                    f"Expected 'and' between conditions, found {tokens[i]!r}.",
                    hint="rules combine conditions with 'and'",
                )
            i += 1
            if i == len(tokens):
                raise InputError("The rule ends with 'and'.")
    return {"all": conditions, "text": " ".join(text.split())}


def _columns(features: CustomerFeatures, data: WorkspaceData) -> dict[str, np.ndarray]:
    """Every field a rule can use, one value per customer (index order)."""
    values = features.values
    columns: dict[str, np.ndarray] = {
        "spend": values["spend"],
        "orders": values["orders"],
        "items": values["items"],
        "avg_basket": values["avg_basket"],
        "days_since_last_order": values["recency_days"],
        "tenure_days": values["tenure_days"],
        "discount_share": values["discount_share"],
    }
    for index, category in enumerate(features.categories):
        columns[f"share:{category.lower()}"] = features.category_share[:, index]
    columns["city"] = data.customers.city
    for name, column in data.customers.categorical.items():
        columns[name.lower()] = column
    for name, column in data.customers.numeric.items():
        columns[name.lower()] = column
    return columns


def _matches(column: np.ndarray, op: str, value: Any, field: str) -> np.ndarray:
    if column.dtype.kind in "fiu":
        targets = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) for v in targets):
            raise InputError(f"{field} is a number; {value!r} is not.")
        numbers = column.astype(np.float64)
        known = ~np.isnan(numbers)  # no orders yet: no recency, matches no condition
        with np.errstate(invalid="ignore"):
            result = {
                "=": lambda: numbers == value,
                "!=": lambda: numbers != value,
                ">": lambda: numbers > value,
                ">=": lambda: numbers >= value,
                "<": lambda: numbers < value,
                "<=": lambda: numbers <= value,
                "in": lambda: np.isin(numbers, targets),
            }[op]()
        return result & known
    text = np.char.lower(column.astype(str))

    def normal(v: Any) -> str:
        return (f"{v:g}" if isinstance(v, float) else str(v)).lower()

    if op == "=":
        return text == normal(value)
    if op == "!=":
        return text != normal(value)
    if op == "in":
        return np.isin(text, [normal(v) for v in value])
    raise InputError(f"{field} is text; compare it with =, != or in, not {op}.")


def evaluate_rule(
    ws: Workspace, rule: dict[str, Any]
) -> tuple[np.ndarray, WorkspaceData, CustomerFeatures]:
    """The members (bool mask over customers in id order) of a parsed rule, now."""
    data = load_workspace_data(ws)
    features = build_features(
        data.lines, data.customers, data.catalog.category, data.catalog.categories
    )
    columns = _columns(features, data)
    members = np.ones(len(data.customers.ids), dtype=bool)
    for condition in rule["all"]:
        field = condition["field"].lower()
        if field not in columns:
            known = sorted(k for k in columns if not k.startswith("share:"))
            raise InputError(
                f"Unknown field {condition['field']!r} in the rule.",
                hint="fields: " + ", ".join([*known, "share:<Category>"]),
            )
        members &= _matches(columns[field], condition["op"], condition["value"], field)
    return members, data, features


def add_rule_segment(ws: Workspace, name: str, text: str) -> int:
    """Save a rule segment and evaluate it; returns the segment id."""
    name = name.strip()
    if not name:
        raise InputError("A rule segment needs a name.")
    if ws.scalar("SELECT id FROM segments WHERE kind = 'rule' AND name = ?", (name,)):
        raise InputError(f"A rule segment named {name!r} already exists.", hint="pick another")
    rule = parse_rule(text)
    members, data, features = evaluate_rule(ws, rule)
    profile = segment_profile(data, features, members)
    with ws.write() as db:
        return insert_segment(
            db, None, name, _description(rule, profile), profile, members,
            np.ones(len(members)), data, utcnow(), kind="rule", rule=to_json(rule),
        )  # fmt: skip


def find_rule_segment(ws: Workspace, name_or_id: str | int) -> dict[str, Any]:
    rows = ws.query(
        "SELECT * FROM segments WHERE kind = 'rule' AND (name = ? OR CAST(id AS TEXT) = ?)",
        (str(name_or_id), str(name_or_id)),
    )
    if not rows:
        raise NotFound(f"No rule segment {name_or_id!r} in {ws.path}.")
    return rows[0]


def refresh_rule_segment(ws: Workspace, name_or_id: str | int) -> dict[str, Any]:
    """Re-evaluate a saved rule against the current data; returns size and revenue share."""
    row = find_rule_segment(ws, name_or_id)
    rule = json.loads(row["rule"])
    members, data, features = evaluate_rule(ws, rule)
    profile = segment_profile(data, features, members)
    with ws.write() as db:
        db.execute(
            "UPDATE segments SET size = ?, revenue_share = ?, stats = ?, description = ?,"
            " updated_at = ? WHERE id = ?",
            (
                profile["size"],
                profile["revenue_share"],
                to_json(profile),
                _description(rule, profile),
                utcnow(),
                row["id"],
            ),
        )
        store_members(db, row["id"], data.customers.ids[members], np.ones(int(members.sum())))
    return {
        "id": row["id"],
        "name": row["name"],
        **{k: profile[k] for k in ("size", "revenue_share")},
    }


def _description(rule: dict[str, Any], profile: dict[str, Any]) -> str:
    if profile["size"] == 0:
        return f"Rule: {rule['text']}. No customer matches it in the current data."
    return f"Rule: {rule['text']}. {describe(profile)}"
