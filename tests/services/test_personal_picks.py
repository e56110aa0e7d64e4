"""A personal pick for every customer: three products each, why, and a mail-merge file
in the columns Mailchimp and Klaviyo import; customer data leaves only when asked."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from campaign_helpers import add_copy, run_queue

from studio.core.campaign_settings import CampaignSettings
from studio.data.evaluate import evaluate_recommendations
from studio.data.personal_picks import personal_picks
from studio.data.recommend import DEFAULT_PERSONAL_WEIGHT, chosen_personal_weight
from studio.export.personal import personal_columns
from studio.services import campaigns as c
from studio.services.exports import export_campaign
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store

EMAIL = {
    "subject": ["Your espresso, darker"],
    "preheader": ["A syrupy dark roast"],
    "body": ["A syrupy dark roast made for espresso machines."],
    "cta": ["Shop now"],
}


def _segments(ws) -> list[int]:
    return [r["id"] for r in ws.query("SELECT id FROM segments WHERE kind = 'cluster'")]


def test_every_member_gets_three_products_and_a_reason_that_is_true(demo_ws):
    ws = demo_ws
    segments = _segments(ws)
    picks = personal_picks(ws, segments)
    members = {
        r["customer_id"]
        for r in ws.query("SELECT customer_id FROM segment_members WHERE segment_id IN "
                          f"({', '.join(map(str, segments))})")
    }  # fmt: skip
    assert len(picks) == len(members) == len({p.customer for p in picks})
    bought = {}
    for row in ws.query(
        "SELECT c.external_id, p.sku FROM orders o"
        " JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = o.product_id"
    ):
        bought.setdefault(row["external_id"], set()).add(row["sku"])
    for pick in picks:
        skus = [p.sku for p in pick.products]
        assert len(skus) == len(set(skus)) == 3
        for product in pick.products:
            assert product.reason and product.name
            if product.reason == "bought before":
                assert product.sku in bought[pick.customer]
    # personal, not the segment's list for everyone
    by_segment = {}
    for pick in picks:
        by_segment.setdefault(pick.segment_id, set()).add(tuple(p.sku for p in pick.products))
    assert any(len(lists) > 1 for lists in by_segment.values())


def test_the_hold_out_judges_personal_picks_and_chooses_their_weight(demo_ws):
    assert chosen_personal_weight(demo_ws) == DEFAULT_PERSONAL_WEIGHT
    result = evaluate_recommendations(demo_ws, holdout_days=60, k=10)
    personal = result["personal"]
    assert personal["k"] == 3
    assert set(personal["hit_rate"]) == {"personal", "segments", "popularity"}
    assert personal["by_weight"][str(personal["weight"])] == personal["hit_rate"]["personal"]
    # the chosen weight never hits less often than the segment's own list by more than noise
    assert personal["hit_rate"]["personal"] >= personal["hit_rate"]["segments"] - 0.05
    assert chosen_personal_weight(demo_ws) == personal["weight"]


@pytest.fixture
def email_campaign(demo_ws):
    ws = demo_ws
    product = ws.scalar("SELECT id FROM products WHERE sku = 'FH-COF-05'")
    segment = _segments(ws)[0]
    campaign_id = c.create_campaign(
        ws, "Winter", pairs=[(segment, product)], channel_formats=["email"],
        settings=CampaignSettings(landing_url="https://shop.example/winter"),
    )  # fmt: skip
    for target in store.campaign_targets(ws, campaign_id):
        add_copy(ws, campaign_id, target, EMAIL)
    enqueue_generation(ws, campaign_id)
    run_queue(ws, campaign_id)
    c.approve_all(ws, campaign_id)
    return ws, campaign_id, segment


def _bundle_text(path) -> str:
    with zipfile.ZipFile(path) as bundle:
        return "\n".join(
            bundle.read(name).decode("utf-8", errors="ignore") for name in bundle.namelist()
        )


def test_nothing_personal_leaves_unless_asked(email_campaign, tmp_path):
    ws, campaign_id, _segment = email_campaign
    out = tmp_path / "plain.zip"
    report = export_campaign(ws, campaign_id, out)
    text = _bundle_text(out)
    emails = [r["email"] for r in ws.query("SELECT email FROM customers WHERE email IS NOT NULL")]
    assert emails and not any(email in text for email in emails)
    assert report.personal_rows == 0
    with zipfile.ZipFile(out) as bundle:
        assert not any(name.startswith("personal/") for name in bundle.namelist())
        assert "No customer data is in this bundle" in bundle.read("README.txt").decode()


@pytest.mark.parametrize("platform", ["mailchimp", "klaviyo", "plain"])
def test_the_mail_merge_file_is_in_the_platforms_columns(email_campaign, tmp_path, platform):
    ws, campaign_id, segment = email_campaign
    silent = ws.scalar(
        "SELECT customer_id FROM segment_members WHERE segment_id = ? LIMIT 1", (segment,)
    )
    with ws.write() as db:
        db.execute("UPDATE customers SET email = NULL WHERE id = ?", (silent,))
    members = ws.scalar("SELECT count(*) FROM segment_members WHERE segment_id = ?", (segment,))
    out = tmp_path / f"{platform}.zip"
    unsubscribe = (
        {"unsubscribe_url": "https://shop.example/unsubscribe"} if platform == "plain" else {}
    )
    report = export_campaign(
        ws, campaign_id, out, personal_picks=True, email_platform=platform, **unsubscribe
    )
    with zipfile.ZipFile(out) as bundle:
        data = bundle.read(f"personal/{platform}-contacts.csv").decode("utf-8-sig")
        readme = bundle.read("README.txt").decode()
        images = {n for n in bundle.namelist() if n.startswith("creatives/")}
    rows = list(csv.DictReader(io.StringIO(data)))
    assert tuple(rows[0]) == personal_columns(platform)
    email_column, first_column = personal_columns(platform)[:2]
    if platform == "plain":
        assert len(rows) == members == report.personal_rows  # kept, with no address
        assert report.warnings == []
    else:
        assert len(rows) == members - 1 == report.personal_rows  # the platform cannot import it
        assert all(row[email_column] for row in rows)
        assert any("1 customers have no email address" in w for w in report.warnings)
    assert email_column == {"mailchimp": "Email Address", "klaviyo": "Email"}.get(platform, "email")
    named = next(row for row in rows if row[email_column])
    customer = ws.query("SELECT name FROM customers WHERE email = ?", (named[email_column],))[0]
    assert customer["name"].startswith(named[first_column])
    pick, link, subject, image = (
        ("pick_1", "pick_1_link", "subject", "image_file") if platform == "plain"
        else ("Pick 1", "Pick 1 Link", "Subject", "Image File")
    )  # fmt: skip
    assert all(row[pick] for row in rows)
    assert all(row[link].startswith("https://shop.example/winter?utm_content=") for row in rows)
    assert {row[subject] for row in rows} == {"Your espresso, darker"}
    assert {row[image] for row in rows} <= images
    assert "personal/ holds customer data" in readme
