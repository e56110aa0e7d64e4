"""Every row of the exported upload files is one the platform's importer accepts: the
documented columns, value enumerations and lengths (tests/platform_files.py)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from campaign_helpers import run_queue
from platform_files import google_rsa_problems, meta_problems

from studio.core.campaign_settings import CampaignSettings
from studio.export import export_bundle
from studio.services import campaigns as c
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store

CHECKS = {
    "ads/google-ads-editor-rsa.csv": google_rsa_problems,
    "ads/meta-ads-bulk.csv": meta_problems,
}


def _problems(bundle: Path) -> tuple[dict[str, int], list[str]]:
    rows, problems = {}, []
    with zipfile.ZipFile(bundle) as archive:
        for name, check in CHECKS.items():
            if name not in archive.namelist():
                continue
            reader = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            found = list(reader)
            rows[name] = len(found)
            for number, row in enumerate(found, start=2):
                problems += [f"{name} line {number}: {p}" for p in check(reader.fieldnames, row)]
    return rows, problems


def test_generated_ads_upload_as_they_are(demo_ws, tiny_copy_model, tmp_path):
    """Copy from the real pipeline (model, gate, fallbacks) for a search ad and a feed ad."""
    ws = demo_ws
    segment = ws.scalar("SELECT min(id) FROM segments WHERE kind = 'cluster'")
    products = [r["id"] for r in ws.query("SELECT id FROM products ORDER BY id LIMIT 2")]
    campaign_id = c.create_campaign(
        ws, "Uploads", pairs=[(segment, p) for p in products],
        channel_formats=["google_rsa", "meta_feed"],
        settings=CampaignSettings(copy_candidates=1, landing_url="https://shop.example/"),
    )  # fmt: skip
    enqueue_generation(ws, campaign_id)
    run_queue(ws, campaign_id)
    held = c.approve_all(ws, campaign_id).left_for_review
    assert held == []  # every field has as many lines as its platform needs
    for copy in store.current_assets(ws, campaign_id, "copy"):
        if copy.format == "google_rsa":
            assert len(copy.content["fields"]["headline"]) >= 3
            assert len(copy.content["fields"]["description"]) >= 2
    # a person who cuts a search ad to two headlines is held back until a third is written
    rsa = next(a for a in store.current_assets(ws, campaign_id, "copy")
               if a.format == "google_rsa")  # fmt: skip
    headlines = rsa.content["fields"]["headline"]
    too_few = c.edit_copy(ws, rsa.id, {"headline": headlines[:2]})
    assert store.get_asset(ws, too_few).content["passed"] is False
    assert c.approve_all(ws, campaign_id).left_for_review == [too_few]
    c.set_status(ws, c.edit_copy(ws, too_few, {"headline": headlines[:3]}), "approved")
    report = export_bundle(ws, campaign_id, tmp_path / "uploads.zip")
    rows, problems = _problems(report.path)
    assert rows == {"ads/google-ads-editor-rsa.csv": 2, "ads/meta-ads-bulk.csv": 4}
    assert problems == [] and report.warnings == []


def test_a_search_ad_short_of_headlines_is_named_before_upload(workspace, tmp_path):
    from bundle_factory import build_campaign

    campaign_id = build_campaign(workspace)
    report = export_bundle(workspace, campaign_id, tmp_path / "full.zip")
    assert _problems(report.path) == ({f: 1 if "google" in f else 2 for f in CHECKS}, [])

    (rsa,) = [a for a in store.current_assets(workspace, campaign_id, "copy")
              if a.format == "google_rsa"]  # fmt: skip
    with workspace.write() as db:  # approved with two headlines (a file from elsewhere)
        db.execute(
            "UPDATE assets SET content = json_set(content, '$.fields.headline',"
            ' json(\'["Trail Shoe", "Light on rocks"]\')) WHERE id = ?',
            (rsa.id,),
        )
    report = export_bundle(workspace, campaign_id, tmp_path / "short.zip")
    _rows, problems = _problems(report.path)
    assert problems == ["ads/google-ads-editor-rsa.csv line 2: 2 headlines, at least 3 needed"]
    (warning,) = report.warnings
    assert "fewer lines than Google Ads needs" in warning and "headline: 2 of 3" in warning


def test_meta_ads_can_leave_in_one_ad_set_each_for_a_fair_split(workspace, tmp_path):
    from bundle_factory import build_campaign

    campaign_id = build_campaign(workspace)
    shared = export_bundle(workspace, campaign_id, tmp_path / "shared.zip")
    fair = export_bundle(workspace, campaign_id, tmp_path / "fair.zip", meta_ad_sets="per-ad")
    sets = {}
    for report in (shared, fair):
        with zipfile.ZipFile(report.path) as archive:
            rows = list(csv.DictReader(io.StringIO(
                archive.read("ads/meta-ads-bulk.csv").decode("utf-8-sig"))))  # fmt: skip
            readme = archive.read("README.txt").decode()
        sets[report.path.stem] = [row["Ad Set Name"] for row in rows]
        assert _problems(report.path)[1] == []
        assert ("not at random" in readme) == (report is shared)
    assert len(set(sets["shared"])) == 1 < len(rows)  # the test's ads compete in one set
    assert len(set(sets["fair"])) == len(rows)  # each ad its own set, named by its key
    assert all(name.startswith(sets["shared"][0]) for name in sets["fair"])
