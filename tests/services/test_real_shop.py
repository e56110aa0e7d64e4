"""One real shop end to end: its own order-lines export, no brand kit, no photos.

The gift shop's invoice lines (tests/shop_exports.py) are imported in one call, segmented,
a campaign is generated, approved and exported; every creative shows the product as a
text card in the shop's neutral kit, never the demo brand.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from campaign_helpers import add_copy, run_queue
from PIL import Image
from shop_exports import write_invoice_lines

from studio.data.csv_import import import_files
from studio.export import export_bundle
from studio.render.brand import NEUTRAL_KIT_NAME, demo_brand_kit
from studio.services import campaigns as c
from studio.services.audience import find_segments, recommended_pairs, top_segments
from studio.services.brand_kits import load_brand_kit, shop_name, uses_neutral_kit
from studio.services.generation.common import campaign_brand_kit
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

FEED_COPY = {
    "primary_text": ["A white heart lantern for a warm window this winter."],
    "headline": ["Heart T-Light Holder"],
    "description": ["Hanging heart holder"],
    "cta": ["Shop now"],
}


@pytest.fixture
def gift_shop(tmp_path):
    with Workspace.create(tmp_path / "gift-shop") as ws:
        import_files(ws, orders=write_invoice_lines(tmp_path / "OnlineRetail.csv", invoices=300))
        find_segments(ws, seed=0)
        yield ws


def test_a_shop_without_a_kit_never_borrows_the_demo_brand(gift_shop):
    assert uses_neutral_kit(gift_shop)
    kit = load_brand_kit(gift_shop)
    assert kit.name == NEUTRAL_KIT_NAME and kit.tone_words == [] and kit.do_examples == []
    assert shop_name(gift_shop) == "Gift Shop"
    demo_logo = np.asarray(demo_brand_kit().logo)
    logo = np.asarray(kit.logo)
    assert logo.shape != demo_logo.shape or not np.array_equal(logo, demo_logo)
    assert "Harbor" not in str(kit.to_row())


def test_the_demo_keeps_its_own_kit(demo_ws):
    assert not uses_neutral_kit(demo_ws)
    assert load_brand_kit(demo_ws).tone_words == demo_brand_kit().tone_words


def test_a_campaign_on_products_without_photos_generates_approves_and_exports(gift_shop, tmp_path):
    ws = gift_shop
    assert ws.scalar("SELECT count(*) FROM products WHERE image_sha256 IS NOT NULL") == 0
    segment = top_segments(ws, 1)[0]["id"]
    pairs = recommended_pairs(ws, [segment], 1)
    campaign_id = c.create_campaign(ws, "Winter", pairs=pairs, channel_formats=["meta_feed"])
    assert campaign_brand_kit(ws, store.get_campaign(ws, campaign_id)).name == NEUTRAL_KIT_NAME
    target = store.campaign_targets(ws, campaign_id)[0]
    add_copy(ws, campaign_id, target, FEED_COPY)
    enqueue_generation(ws, campaign_id)
    run_queue(ws, campaign_id)
    assert ws.scalar("SELECT count(*) FROM jobs WHERE status != 'done'") == 0
    creatives = [a for a in store.current_assets(ws, campaign_id) if a.kind == "creative"]
    assert creatives, "no creative was made for a product without a photo"
    visual = next(a for a in store.current_assets(ws, campaign_id) if a.kind == "visual")
    assert visual.content["product_picture"] == "text card"
    approval = c.approve_all(ws, campaign_id)
    assert approval.approved
    out = tmp_path / "winter.zip"
    export_bundle(ws, campaign_id, out)
    with zipfile.ZipFile(out) as bundle:
        images = [n for n in bundle.namelist() if n.endswith((".jpg", ".png"))]
        assert images
        picture = Image.open(io.BytesIO(bundle.read(images[0])))
        assert picture.width > 100
