"""``import_bundle``: bring a bundle's campaign, assets and provenance into a workspace.

Every check runs before the first write: the zip's structure (see :mod:`reader`), every
file's sha256, the manifest's references, and clashes with what the workspace already
holds. Then everything is written in one transaction. Customers never travel in a
bundle, so imported segments carry their description and statistics but no members.

Writes the tables `campaigns`, `campaign_targets`, `assets`, `segments`,
`segmentation_runs`, `products`, `brand_kits` (their schema is in
:mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from studio.core.campaign_settings import CampaignSettings
from studio.core.errors import ImportProblem, InputError
from studio.core.progress import Progress
from studio.export.catalog import (
    BRAND_KIT_JSON,
    COPY_KIND,
    ID_SUFFIX,
    IMAGE_KINDS,
    KEY_SUFFIX,
    PARENT_KEY,
)
from studio.export.reader import Bundle, image_problem, open_bundle
from studio.storage.workspace import Workspace, to_json, utcnow

#: what a manifest with missing keys, wrong types or values the schema rejects raises
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, sqlite3.IntegrityError)


def _malformed(bundle: Bundle, error: Exception) -> InputError:
    return InputError(f"{bundle.path.name}: manifest.json is malformed ({error!r}).")


def import_bundle(ws: Workspace, path: Path, progress: Progress | None = None) -> int:
    """Import the bundle at ``path`` as a new campaign; returns its id.

    Raises :class:`InputError` (with one :class:`ImportProblem` per finding) and writes
    nothing when the bundle is unsafe, altered, or clashes with the workspace.
    """
    report = progress or (lambda description, fraction=None: None)
    report("Checking the bundle", 0.0)
    try:
        with open_bundle(Path(path)) as bundle:
            plan = _checked_plan(ws, bundle)
            try:
                return _write(ws, bundle, plan, report)
            except _MALFORMED as error:  # the transaction was rolled back
                raise _malformed(bundle, error) from error
    except InputError as error:
        raise InputError(
            f"{error.message} Nothing was imported.", problems=error.problems, hint=error.hint
        ) from error


def _checked_plan(ws: Workspace, bundle: Bundle) -> dict[str, Any]:
    """Every check, before the first write: references, clashes, then every file's hash."""
    try:
        plan = _plan(ws, bundle)
    except _MALFORMED as error:
        raise _malformed(bundle, error) from error
    problems = []
    for name, data, reason in bundle.check_files():
        entry = bundle.files[name]
        if reason is None and entry.get("role") == "creative" and data is not None:
            image = image_problem(data, entry)
            reason = f"{bundle.path.name}: '{name}' {image}." if image else None
        if reason:
            problems.append(ImportProblem(str(bundle.path), None, name, reason))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{problems[0].reason}{more}", problems=problems)
    return plan


def _plan(ws: Workspace, bundle: Bundle) -> dict[str, Any]:
    """Validate references in the manifest and list what the import will create."""
    manifest = bundle.manifest
    segments = {s["key"]: s for s in manifest["segments"]}
    products = {p["sku"]: p for p in manifest["products"]}
    for target in manifest["targets"]:
        if target["segment"] not in segments or target["product"] not in products:
            raise ValueError(f"target {target} names an unknown segment or product")
    creatives = [f for f in manifest["files"] if f.get("role") == "creative"]
    assets = [*manifest["copy"], *(f["asset"] for f in creatives)]
    for asset in assets:
        if asset["kind"] not in (*IMAGE_KINDS, COPY_KIND):
            raise ValueError(f"asset {asset['key']} has unknown kind {asset['kind']!r}")
        if asset["segment"] is not None and asset["segment"] not in segments:
            raise ValueError(f"asset {asset['key']} names an unknown segment")
    variant_ids = [a["variant_id"] for a in assets if a.get("variant_id")]
    if variant_ids:
        marks = ", ".join("?" for _ in variant_ids)
        clashes = ws.query(
            f"SELECT a.variant_id, c.name FROM assets a LEFT JOIN campaigns c"
            f" ON c.id = a.campaign_id WHERE a.variant_id IN ({marks})",
            tuple(variant_ids),
        )
        if clashes:
            raise InputError(
                f"{bundle.path.name}: {len(clashes)} of its variants are already in {ws.path}"
                f" (e.g. {clashes[0]['variant_id']} in campaign '{clashes[0]['name']}').",
                hint="this bundle was exported from, or imported into, this workspace before",
            )
    try:
        settings = CampaignSettings.from_json(manifest["campaign"]["settings"])
    except InputError as error:
        raise InputError(f"{bundle.path.name}: {error.message}", hint=error.hint) from error
    return {
        "segments": segments,
        "products": products,
        "creatives": creatives,
        "settings": settings,
    }


def _free_name(ws: Workspace, name: str) -> str:
    candidate, counter = name, 1
    while ws.scalar("SELECT 1 FROM campaigns WHERE name = ?", (candidate,)):
        counter += 1
        candidate = f"{name} (imported {counter})" if counter > 2 else f"{name} (imported)"
    return candidate


def _write(ws: Workspace, bundle: Bundle, plan: dict[str, Any], report: Progress) -> int:
    """One transaction; files new to the asset store are removed again if it rolls back."""
    added: list[Path] = []
    try:
        return _write_rows(ws, bundle, plan, report, added)
    except BaseException:
        for path in added:
            path.unlink(missing_ok=True)
            for folder in (path.parent, path.parent.parent):  # the ab/cd shards, if now empty
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise


def _store(ws: Workspace, data: bytes, media_type: str, added: list[Path]) -> str:
    stored = ws.store_bytes(data, media_type)
    if stored.created:
        added.append(stored.path)
    return stored.sha256


def _write_rows(
    ws: Workspace, bundle: Bundle, plan: dict[str, Any], report: Progress, added: list[Path]
) -> int:
    manifest = bundle.manifest
    campaign = manifest["campaign"]
    now = utcnow()
    with ws.write() as db:
        brand_kit_id = _brand_kit(db, campaign.get("brand_kit"), now)
        campaign_id = db.execute(
            "INSERT INTO campaigns (name, brief, brand_kit_id, language, tone, settings, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _free_name(ws, campaign["name"]),
                campaign["brief"],
                brand_kit_id,
                campaign["language"],
                campaign["tone"],
                to_json(plan["settings"].to_json()),
                campaign["status"],
                campaign["created_at"],
                campaign["updated_at"],
            ),
        ).lastrowid
        segment_ids = _segments(db, plan["segments"].values(), now)
        product_ids = _products(db, plan["products"].values())
        target_ids = {}
        for t in manifest["targets"]:
            target_ids[(t["segment"], t["product"], t["channel_format"])] = db.execute(
                "INSERT INTO campaign_targets (campaign_id, segment_id, product_id, channel_format)"
                " VALUES (?, ?, ?, ?)",
                (
                    campaign_id,
                    segment_ids[t["segment"]],
                    product_ids[t["product"]],
                    t["channel_format"],
                ),
            ).lastrowid
        asset_ids: dict[str, int] = {}
        rows: list[tuple[int, dict[str, Any]]] = []
        entries = [(a, None) for a in manifest["copy"]] + [
            (f["asset"], f) for f in plan["creatives"]
        ]
        for done, (asset, file) in enumerate(entries):
            report(
                f"Importing asset {done + 1} of {len(entries)}", 0.1 + 0.85 * done / len(entries)
            )
            sha256 = None
            if file is not None:
                sha256 = _store(ws, bundle.read(file["path"]), file["media_type"], added)
            target = (asset["segment"], asset["product"], asset["channel_format"])
            prov = asset["provenance"]
            asset_id = db.execute(
                "INSERT INTO assets (campaign_id, target_id, kind, channel, format, sha256,"
                " content, variant_id, version, status, generator, model_id, model_revision,"
                " seed, prompt, parameters, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    campaign_id,
                    target_ids.get(target),
                    asset["kind"],
                    asset["channel"],
                    asset["format"],
                    sha256,
                    asset["variant_id"],
                    asset["version"],
                    asset["status"],
                    prov["generator"],
                    prov["model_id"],
                    prov["model_revision"],
                    prov["seed"],
                    prov["prompt"],
                    to_json(prov["parameters"]),
                    prov["created_at"],
                    prov["created_at"],
                ),
            ).lastrowid
            asset_ids[asset["key"]] = asset_id
            rows.append((asset_id, asset))
        # links between assets are resolved once every asset of the bundle has its id
        for asset_id, asset in rows:
            content = _local_content(asset["content"], asset_ids)
            parent_id = asset_ids.get(asset["parent"]) if asset["parent"] else None
            if asset["parent"] and parent_id is None:
                content[PARENT_KEY] = asset["parent"]  # parent not in the bundle
            db.execute(
                "UPDATE assets SET content = ?, parent_id = ? WHERE id = ?",
                (to_json(content), parent_id, asset_id),
            )
    report("Imported", 1.0)
    return int(campaign_id)


def _local_content(content: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """``copy_asset_key: "…"`` back to ``copy_asset_id: 12`` when that asset came along."""
    local = {}
    for name, value in content.items():
        if name.endswith(KEY_SUFFIX) and value in ids:
            local[name.removesuffix(KEY_SUFFIX) + ID_SUFFIX] = ids[value]
        else:
            local[name] = value
    return local


def _brand_kit(db: Any, kit: dict[str, Any] | None, now: str) -> int | None:
    if not kit:
        return None
    existing = db.execute("SELECT id FROM brand_kits WHERE name = ?", (kit["name"],)).fetchone()
    if existing:
        return existing[0]
    columns = BRAND_KIT_JSON
    return db.execute(
        f"INSERT INTO brand_kits (name, {', '.join(columns)}, disclaimer, created_at, updated_at)"
        f" VALUES (?, {', '.join('?' for _ in columns)}, ?, ?, ?)",
        (kit["name"], *(to_json(kit[c]) for c in columns), kit["disclaimer"], now, now),
    ).lastrowid


def _segments(db: Any, segments: Any, now: str) -> dict[str, int]:
    run_ids: dict[str, int] = {}
    ids = {}
    for s in segments:
        run_id = None
        if s["run"] is not None:
            run = s["run"]
            run_key = json.dumps(run, sort_keys=True)
            if run_key not in run_ids:
                run_ids[run_key] = db.execute(
                    "INSERT INTO segmentation_runs (created_at, method, parameters, metrics,"
                    " features, n_customers) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        run["created_at"],
                        run["method"],
                        to_json(run["parameters"]),
                        to_json(run["metrics"]),
                        to_json(run["features"]),
                        run["n_customers"],
                    ),
                ).lastrowid
            run_id = run_ids[run_key]
        else:
            same = db.execute(
                "SELECT id, rule FROM segments WHERE run_id IS NULL AND kind = ? AND name = ?",
                (s["kind"], s["name"]),
            ).fetchone()
            if same and same[1] == s["rule"]:
                ids[s["key"]] = same[0]  # the same rule segment already lives here
                continue
        name = s["name"]
        while (
            run_id is None
            and db.execute(
                "SELECT 1 FROM segments WHERE run_id IS NULL AND kind = ? AND name = ?",
                (s["kind"], name),
            ).fetchone()
        ):
            name += " (imported)"
        ids[s["key"]] = db.execute(
            "INSERT INTO segments (run_id, kind, name, description, size, revenue_share, stats,"
            " rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                s["kind"],
                name,
                s["description"],
                s["size"],
                s["revenue_share"],
                to_json(s["stats"]),
                s["rule"],
                now,
                now,
            ),
        ).lastrowid
    return ids


def _products(db: Any, products: Any) -> dict[str, int]:
    ids = {}
    for p in products:
        existing = db.execute("SELECT id FROM products WHERE sku = ?", (p["sku"],)).fetchone()
        if existing:
            ids[p["sku"]] = existing[0]  # the workspace's own product record wins
            continue
        ids[p["sku"]] = db.execute(
            "INSERT INTO products (sku, name, category, description, price, currency, attributes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                p["sku"],
                p["name"],
                p["category"],
                p["description"],
                p["price"],
                p["currency"],
                to_json(p["attributes"]),
            ),
        ).lastrowid
    return ids
