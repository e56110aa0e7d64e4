"""What the user approves is what ships: one approval for a creative and its copy, the
chosen line on the picture, in the ad row and in the email, buttons of the platform's
types, and emails a sender can use."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from campaign_helpers import add_copy, run_queue

from studio.core.campaign_settings import CampaignSettings
from studio.export import export_bundle
from studio.export.csv_files import META_CTA_TYPES
from studio.services import campaigns as c
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store

FEED = {
    "primary_text": ["A syrupy dark roast made for espresso machines."],
    "headline": ["Espresso Dark Roast", "A syrupy dark roast"],
    "description": ["For espresso machines"],
    "cta": ["Shop our coffee"],
}
EMAIL = {
    "subject": ["Your espresso, darker"],
    "preheader": ["A syrupy dark roast"],
    "body": ["A syrupy dark roast made for espresso machines."],
    "cta": ["Shop now"],
}


def test_an_edited_approved_ad_ships_the_same_text_everywhere(demo_ws, tmp_path):
    ws = demo_ws
    product = ws.scalar("SELECT id FROM products WHERE sku = 'FH-COF-05'")
    segment = ws.scalar("SELECT min(id) FROM segments WHERE kind = 'cluster'")
    campaign_id = c.create_campaign(
        ws, "Winter", pairs=[(segment, product)], channel_formats=["meta_feed", "email"],
        settings=CampaignSettings(landing_url="https://shop.example/espresso"),
    )  # fmt: skip
    for target in store.campaign_targets(ws, campaign_id):
        add_copy(ws, campaign_id, target, FEED if target.channel_format == "meta_feed" else EMAIL)
    enqueue_generation(ws, campaign_id)
    run_queue(ws, campaign_id)

    copy = next(a for a in store.current_assets(ws, campaign_id, "copy") if a.format == "meta_feed")
    edited = "A syrupy dark roast for gifting"
    new_copy = c.edit_copy(ws, copy.id, {"headline": [edited, "Espresso Dark Roast"]})
    assert store.get_asset(ws, new_copy).content["sources"]["headline"][0] == "user"
    run_queue(ws, campaign_id)  # the re-render and the variants it queued

    # one approval: approving each creative approves the copy it shows
    creatives = [a for a in store.current_assets(ws, campaign_id) if a.kind == "creative"]
    for creative in creatives:
        changed = c.set_status(ws, creative.id, "approved")
        assert creative.content["copy_asset_id"] in changed or (
            store.get_asset(ws, creative.content["copy_asset_id"]).status == "approved"
        )
    assert all(a.status == "approved" for a in store.current_assets(ws, campaign_id, "copy"))

    out = tmp_path / "winter.zip"
    report = export_bundle(ws, campaign_id, out)
    assert report.copy_assets == 2 and report.warnings == []
    with zipfile.ZipFile(out) as bundle:
        rows = list(csv.DictReader(io.StringIO(bundle.read("ads/meta-ads-bulk.csv").decode())))
        manifest = json.loads(bundle.read("manifest.json"))
        emails = [n for n in bundle.namelist() if n.startswith("email/")]
        email = bundle.read(emails[0]).decode()
    assert rows, "no Meta ad rows"
    shown = {f["path"].rsplit("/", 1)[-1]: f["asset"] for f in manifest["files"] if "asset" in f}
    for row in rows:
        assert row["Body"] and row["Title"] and row["Link Description"], row  # nothing empty
        assert row["Call to Action"] in META_CTA_TYPES
        assert row["Link"].startswith("https://shop.example/espresso")
        picture = shown[row["Image File Name"]]
        assert picture["content"]["copy"]["headline"] == row["Title"] == edited
    assert "Your espresso, darker" in email and 'href="https://shop.example/espresso' in email
    assert "*|UNSUB|*" in email and "Winter" not in email.split("<body", 1)[1]
