"""Ad results, decisions and rounds in the workspace: the SQL, nothing else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from studio.storage.workspace import Workspace, inserted_id, to_json, utcnow


@dataclass(frozen=True)
class DayResult:
    asset_id: int
    day: str
    source: str
    impressions: int
    clicks: int
    conversions: float
    spend: float
    #: what the conversions were worth (None: the report did not say)
    conversion_value: float | None = None


@dataclass(frozen=True)
class Totals:
    impressions: int = 0
    clicks: int = 0
    conversions: float = 0.0
    spend: float = 0.0
    days: int = 0
    first_day: str | None = None
    last_day: str | None = None
    #: summed over the days whose report gave it (None: no report did)
    conversion_value: float | None = None


@dataclass(frozen=True)
class Decision:
    id: int
    test_id: int
    winner_id: int
    source: str
    metric: str
    note: str
    evidence: dict[str, Any]
    round_id: int | None
    created_at: str


def existing_days(ws: Workspace, keys: list[tuple[int, str, str]]) -> dict[tuple[int, str], str]:
    """Which (asset, day) of ``keys`` already have a row, and from which source."""
    found = {}
    for asset_id, day, _source in keys:
        source = ws.scalar(
            "SELECT source FROM performance_results WHERE asset_id = ? AND date = ?",
            (asset_id, day),
        )
        if source is not None:
            found[(asset_id, day)] = str(source)
    return found


def store_import(
    ws: Workspace,
    *,
    file_name: str,
    sha256: str,
    platform: str,
    rows: int,
    days: list[DayResult],
    report: dict[str, Any],
) -> int:
    """One import and its days, in one write: one source per ad and day, so a day
    already imported (from this platform, another or the template) is replaced by the
    newer file, never added twice."""
    with ws.write() as db:
        db.conn.executemany(
            "DELETE FROM performance_results WHERE asset_id = ? AND date = ? AND source != ?",
            [(d.asset_id, d.day, d.source) for d in days],
        )
        import_id = inserted_id(
            db.execute(
                "INSERT INTO result_imports (created_at, file_name, sha256, platform, rows,"
                " matched, first_day, last_day, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    utcnow(),
                    file_name,
                    sha256,
                    platform,
                    rows,
                    len(days),
                    min((d.day for d in days), default=None),
                    max((d.day for d in days), default=None),
                    to_json(report),
                ),
            )
        )
        db.conn.executemany(
            "INSERT INTO performance_results (asset_id, date, source, impressions, clicks,"
            " conversions, spend, conversion_value, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (asset_id, date, source) DO UPDATE SET"
            " impressions = excluded.impressions, clicks = excluded.clicks,"
            " conversions = excluded.conversions, spend = excluded.spend,"
            " conversion_value = excluded.conversion_value, import_id = excluded.import_id",
            [
                (
                    d.asset_id,
                    d.day,
                    d.source,
                    d.impressions,
                    d.clicks,
                    d.conversions,
                    d.spend,
                    d.conversion_value,
                    import_id,
                )
                for d in days
            ],
        )
    return int(import_id)


def totals(
    ws: Workspace, asset_ids: list[int], *, before: str | None = None, since: str | None = None
) -> dict[int, Totals]:
    """Summed results per asset (days before ``before`` and from ``since`` only, when
    given)."""
    if not asset_ids:
        return {}
    marks = ", ".join("?" for _ in asset_ids)
    cutoff, params = "", list[Any](asset_ids)
    if before is not None:
        cutoff += " AND date < ?"
        params.append(before)
    if since is not None:
        cutoff += " AND date >= ?"
        params.append(since)
    rows = ws.query(
        "SELECT asset_id, SUM(impressions) AS impressions, SUM(clicks) AS clicks,"
        " SUM(conversions) AS conversions, SUM(spend) AS spend, COUNT(DISTINCT date) AS days,"
        " SUM(conversion_value) AS conversion_value,"
        " MIN(date) AS first_day, MAX(date) AS last_day FROM performance_results"
        f" WHERE asset_id IN ({marks}){cutoff} GROUP BY asset_id",
        tuple(params),
    )
    return {
        r["asset_id"]: Totals(
            impressions=int(r["impressions"] or 0),
            clicks=int(r["clicks"] or 0),
            conversions=float(r["conversions"] or 0),
            spend=float(r["spend"] or 0),
            days=int(r["days"]),
            first_day=r["first_day"],
            last_day=r["last_day"],
            conversion_value=r["conversion_value"],
        )
        for r in rows
    }


def daily(ws: Workspace, asset_ids: list[int]) -> list[DayResult]:
    if not asset_ids:
        return []
    marks = ", ".join("?" for _ in asset_ids)
    return [
        DayResult(
            r["asset_id"],
            r["date"],
            r["source"],
            r["impressions"],
            r["clicks"],
            r["conversions"],
            r["spend"],
            r["conversion_value"],
        )
        for r in ws.query(
            "SELECT * FROM performance_results"
            f" WHERE asset_id IN ({marks}) ORDER BY date, asset_id",
            tuple(asset_ids),
        )
    ]


def last_day(ws: Workspace, asset_ids: list[int]) -> str | None:
    if not asset_ids:
        return None
    marks = ", ".join("?" for _ in asset_ids)
    return ws.scalar(
        f"SELECT MAX(date) FROM performance_results WHERE asset_id IN ({marks})",
        tuple(asset_ids),
    )


def imports(ws: Workspace, limit: int = 20) -> list[dict[str, Any]]:
    rows = ws.query("SELECT * FROM result_imports ORDER BY id DESC LIMIT ?", (limit,))
    return [{**r, "report": json.loads(r["report"] or "{}")} for r in rows]


# --- decisions and rounds -------------------------------------------------------------------


def insert_decision(
    ws: Workspace,
    *,
    campaign_id: int,
    test_id: int,
    winner_id: int,
    source: str,
    metric: str,
    note: str = "",
    evidence: dict[str, Any] | None = None,
    round_id: int | None = None,
) -> int:
    with ws.write() as db:
        return int(
            inserted_id(
                db.execute(
                    "INSERT INTO decisions (campaign_id, test_id, winner_id, source, metric, note,"
                    " evidence, round_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        campaign_id,
                        test_id,
                        winner_id,
                        source,
                        metric,
                        note,
                        to_json(evidence or {}),
                        round_id,
                        utcnow(),
                    ),
                )
            )
        )


def delete_overrides(ws: Workspace, test_id: int) -> int:
    """Remove a person's winners of a test that no round has acted on yet; how many."""
    with ws.write() as db:
        return db.execute(
            "DELETE FROM decisions WHERE test_id = ? AND source = 'override' AND round_id IS NULL",
            (test_id,),
        ).rowcount


def latest_decisions(ws: Workspace, campaign_id: int) -> dict[int, Decision]:
    """The newest decision of each test of a campaign."""
    rows = ws.query(
        "SELECT * FROM decisions d WHERE campaign_id = ? AND id = ("
        " SELECT MAX(id) FROM decisions WHERE test_id = d.test_id)",
        (campaign_id,),
    )
    return {r["test_id"]: _decision(r) for r in rows}


def decisions(ws: Workspace, campaign_id: int) -> list[Decision]:
    rows = ws.query("SELECT * FROM decisions WHERE campaign_id = ? ORDER BY id", (campaign_id,))
    return [_decision(r) for r in rows]


def _decision(row: dict[str, Any]) -> Decision:
    return Decision(
        id=row["id"],
        test_id=row["test_id"],
        winner_id=row["winner_id"],
        source=row["source"],
        metric=row["metric"],
        note=row["note"],
        evidence=json.loads(row["evidence"] or "{}"),
        round_id=row["round_id"],
        created_at=row["created_at"],
    )


def insert_round(ws: Workspace, campaign_id: int, plan: dict[str, Any]) -> tuple[int, int]:
    """A new round of a campaign; returns (round id, its number)."""
    with ws.write() as db:
        number = (
            db.execute(
                "SELECT COALESCE(MAX(number), 1) FROM rounds WHERE campaign_id = ?",
                (campaign_id,),
            ).fetchone()[0]
            + 1
        )
        round_id = inserted_id(
            db.execute(
                "INSERT INTO rounds (campaign_id, number, created_at, plan) VALUES (?, ?, ?, ?)",
                (campaign_id, number, utcnow(), to_json(plan)),
            )
        )
    return int(round_id), int(number)


def rounds(ws: Workspace, campaign_id: int) -> list[dict[str, Any]]:
    rows = ws.query("SELECT * FROM rounds WHERE campaign_id = ? ORDER BY number", (campaign_id,))
    return [{**r, "plan": json.loads(r["plan"] or "{}")} for r in rows]
