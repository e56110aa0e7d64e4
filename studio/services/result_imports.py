"""Ad results in: the platforms' reports, matched to the studio's ads and stored one
source per ad and day, and the template to fill in by hand.

Rows are tied to ads by the studio's asset keys in their ad names, ids and links
(``utm_content``); what the figures say is :mod:`studio.services.results`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import ImportProblem, InputError
from studio.export.catalog import ad_keys
from studio.stats.columns import GENERIC_COLUMNS, VALUE_FIELD
from studio.stats.reading import ResultRow, ResultsFile, read_results
from studio.storage import campaigns as store
from studio.storage import results as results_store
from studio.storage.results import DayResult
from studio.storage.workspace import Workspace

#: problems listed in an error message (all are in the report)
SHOWN_PROBLEMS = 5
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


@dataclass
class ResultsImport:
    file: str
    platform: str
    rows: int
    matched_rows: int
    days_new: int
    days_replaced: int
    #: rows of one ad and day added up (a report split by device or placement)
    merged_rows: int
    summary_rows: int
    #: other sources whose rows for the same ad-days this newer file replaced
    replaced_sources: list[str] = field(default_factory=list)
    unmatched: list[ImportProblem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    campaigns: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items() if k not in ("unmatched", "problems")},
            "unmatched": [p.as_dict() for p in self.unmatched],
            "problems": [p.as_dict() for p in self.problems],
        }


def import_results(
    ws: Workspace,
    path: Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> ResultsImport:
    """Read a results report and store its days, all or nothing.

    A row that cannot be read stops the import (nothing is written) unless
    ``skip_bad_rows``; rows that name no ad of this workspace are reported by line and
    left out. Days imported before from the same platform are replaced.
    """
    report = read_results(Path(path), platform, mapping)
    if report.problems and not skip_bad_rows:
        raise _bad_rows(report)
    keys = _workspace_keys(ws)
    per_day: dict[tuple[int, str], _DaySum] = {}
    unmatched: list[ImportProblem] = []
    merged = 0
    for row in report.rows:
        asset_id = _match(row.references, keys)
        if asset_id is None:
            unmatched.append(
                ImportProblem(
                    report.name, row.line, None, f"no ad of this workspace in {row.references[0]!r}"
                )
            )
            continue
        slot = (asset_id, row.day)
        if slot in per_day:
            merged += 1
        per_day.setdefault(slot, _DaySum()).add(row)
    if not per_day:
        if not report.rows:  # every row was bad (and skipped): say that, not "no ad"
            raise _bad_rows(report)
        shown = "; ".join(str(p) for p in unmatched[:SHOWN_PROBLEMS])
        raise InputError(
            f"None of the {len(report.rows)} rows of {report.name} names an ad of this "
            f"workspace{': ' + shown if shown else ''}.",
            problems=unmatched,
            hint="import the report of ads made from this workspace's bundle: their names "
            "and links carry the studio's keys",
        )
    days = [
        DayResult(asset_id, date_, report.platform.id, v.impressions, v.clicks, v.conversions,
                  v.spend, v.conversion_value)
        for (asset_id, date_), v in sorted(per_day.items())
    ]  # fmt: skip
    for day in days:
        if day.clicks > day.impressions:
            raise InputError(
                f"{report.name}: asset {day.asset_id} on {day.day} adds up to more clicks "
                "than impressions."
            )
    replaced = results_store.existing_days(ws, [(d.asset_id, d.day, d.source) for d in days])
    other_sources = sorted({s for s in replaced.values() if s != report.platform.id})
    campaigns: dict[str, int] = defaultdict(int)
    names = {a: c for c, ids in _campaign_assets(ws).items() for a in ids}
    for day in days:
        campaigns[names.get(day.asset_id, "?")] += 1
    result = ResultsImport(
        file=report.name,
        platform=report.platform.id,
        rows=len(report.rows) + len(report.problems),
        matched_rows=len(report.rows) - len(unmatched),
        days_new=len(days) - len(replaced),
        days_replaced=len(replaced),
        replaced_sources=other_sources,
        merged_rows=merged,
        summary_rows=report.summary_rows,
        unmatched=unmatched,
        problems=report.problems,
        campaigns=dict(campaigns),
    )
    result.import_id = results_store.store_import(
        ws,
        file_name=report.name,
        sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        platform=report.platform.id,
        rows=result.rows,
        days=days,
        report={k: v for k, v in result.as_dict().items() if k != "import_id"},
    )
    return result


def _bad_rows(report: ResultsFile) -> InputError:
    shown = "; ".join(str(p) for p in report.problems[:SHOWN_PROBLEMS])
    more = len(report.problems) - SHOWN_PROBLEMS
    return InputError(
        f"{len(report.problems)} rows of {report.name} cannot be read: {shown}"
        + (f" (and {more} more)" if more > 0 else "")
        + ". Nothing was imported.",
        problems=report.problems,
        hint="fix those rows, or import the rest with --skip-bad-rows",
    )


def _workspace_keys(ws: Workspace) -> dict[str, int]:
    keys: dict[str, int] = {}
    for row in ws.query("SELECT id FROM campaigns ORDER BY id"):
        keys.update(ad_keys(ws, int(row["id"])))
    return keys


@dataclass
class _DaySum:
    """One ad's day, added up over the report's rows for it (one per placement, say)."""

    impressions: int = 0
    clicks: int = 0
    conversions: float = 0.0
    spend: float = 0.0
    conversion_value: float | None = None

    def add(self, row: ResultRow) -> None:
        self.impressions += row.impressions
        self.clicks += row.clicks
        self.conversions += row.conversions
        self.spend += row.spend
        if row.conversion_value is not None:
            self.conversion_value = (self.conversion_value or 0.0) + row.conversion_value


def _campaign_assets(ws: Workspace) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for row in ws.query(
        "SELECT c.name, a.id FROM assets a JOIN campaigns c ON c.id = a.campaign_id"
    ):
        found[row["name"]].append(int(row["id"]))
    return found


def _match(references: tuple[str, ...], keys: dict[str, int]) -> int | None:
    """The asset whose key appears in a row's ad name, id or link (the first found)."""
    for text in references:
        for token in _TOKEN.findall(text):
            if token.lower() in keys:
                return keys[token.lower()]
    return None


# --- a sheet to fill in by hand -------------------------------------------------------------


#: the template's columns: the report's, and what the conversions were worth (optional,
#: for ROAS)
TEMPLATE_COLUMNS = (*GENERIC_COLUMNS, VALUE_FIELD)


def results_template(ws: Workspace, campaign_ref: int | str) -> bytes:
    """The studio's results template for a campaign: one row per ad (named by its key)
    with the numbers left to fill in, one row per day."""
    campaign = store.get_campaign(ws, campaign_ref)
    keys = {asset_id: key for key, asset_id in ad_keys(ws, campaign.id).items()}
    copy_only = {t.id for t in store.campaign_targets(ws, campaign.id) if not t.image_formats}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for asset in store.current_assets(ws, campaign.id):
        if asset.status == "rejected" or asset.id not in keys:
            continue
        if asset.kind == "copy" and asset.target_id not in copy_only:
            continue  # copy shown on creatives is measured through them
        writer.writerow([f"{asset.format} {keys[asset.id]}", *[""] * (len(TEMPLATE_COLUMNS) - 1)])
    return buffer.getvalue().encode("utf-8")
