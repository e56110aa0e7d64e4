"""Render a bundle's index.html and one email in headless Chromium and keep screenshots.

    python docs/render_bundle_preview.py                       # a demo campaign
    python docs/render_bundle_preview.py --workspace WS --campaign "Spring Launch"

Needs Debian's ``chromium`` (``apt-get install -y chromium``). Writes
``docs/screenshots/bundle-index.png``, ``docs/screenshots/bundle-email.png`` and
``docs/screenshots/bundle-email-dark.png`` (the email in a mail client's dark mode:
Chromium reports ``prefers-color-scheme: dark``, as Apple Mail and Outlook on the web
do), and fails when a page renders blank or Chromium reports an error. Not part of the
test suite: it needs a browser and takes a few seconds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageStat

from studio.export import export_bundle
from studio.storage.campaigns import get_campaign
from studio.storage.workspace import Workspace, to_json

IMAGES = Path(__file__).resolve().parent / "screenshots"
NOW = "2026-03-02T10:00:00+00:00"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
)


def _ad(size: tuple[int, int], top: str, bottom: str, title: str, cta: str) -> Image.Image:
    """A simple designed ad: a vertical gradient, a product silhouette, a title and CTA."""
    width, height = size
    image = Image.new("RGB", size)
    a, b = Image.new("RGB", size, top), Image.new("RGB", size, bottom)
    mask = Image.linear_gradient("L").resize(size)
    image.paste(Image.composite(b, a, mask))
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    cx, cy = width * 0.72, height * 0.55
    draw.ellipse(
        (cx - unit * 0.28, cy - unit * 0.28, cx + unit * 0.28, cy + unit * 0.28), fill="#ffffff30"
    )
    draw.rounded_rectangle(
        (cx - unit * 0.16, cy - unit * 0.2, cx + unit * 0.16, cy + unit * 0.2),
        radius=unit * 0.04,
        fill="#f4efe6",
    )
    font = ImageFont.load_default(size=max(12, int(unit * 0.09)))
    small = ImageFont.load_default(size=max(10, int(unit * 0.055)))
    draw.text((unit * 0.07, unit * 0.08), title, font=font, fill="white")
    box = (unit * 0.07, height - unit * 0.22, unit * 0.07 + unit * 0.6, height - unit * 0.08)
    draw.rounded_rectangle(box, radius=unit * 0.03, fill="white")
    draw.text((box[0] + unit * 0.04, box[1] + unit * 0.025), cta, font=small, fill=bottom)
    return image


def build_demo(ws: Workspace) -> int:
    """A two-segment campaign with copy for Meta, Google and email, and its creatives."""
    with ws.write() as db:

        def insert(table: str, **values: object) -> int:
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            return db.execute(sql, tuple(values.values())).lastrowid

        run = insert("segmentation_runs", created_at=NOW, method="kmeans", n_customers=1200)
        segments = {
            name: insert(
                "segments",
                run_id=run,
                kind="cluster",
                name=name,
                description=text,
                size=size,
                created_at=NOW,
                updated_at=NOW,
            )
            for name, text, size in (
                ("Weekend hikers", "Buy outdoor gear before long weekends", 640),
                ("Coffee regulars", "Small, frequent kitchen and coffee baskets", 560),
            )
        }
        products = {
            sku: insert("products", sku=sku, name=name, price=price, currency="EUR")
            for sku, name, price in (
                ("TR-200", "Trail Runner 200", 89.0),
                ("MUG-9", "Enamel Mug", 12.5),
            )
        }
        campaign = insert(
            "campaigns",
            name="Spring Launch",
            brief="Spring range: light trail shoes and camp kitchenware",
            settings=to_json({"landing_url": "https://shop.example/spring"}),
            created_at=NOW,
            updated_at=NOW,
        )
        plan = (
            ("Weekend hikers", "TR-200", "meta_feed", "#2d6a4f", "#081c15", "Trail Runner 200"),
            ("Weekend hikers", "TR-200", "email", "#2d6a4f", "#081c15", "Trail Runner 200"),
            ("Coffee regulars", "MUG-9", "google_display", "#9c6644", "#3d2314", "Enamel Mug"),
            ("Coffee regulars", "MUG-9", "email", "#9c6644", "#3d2314", "Enamel Mug"),
        )
        copy_fields = {
            "meta_feed": {
                "primary_text": ["Light enough for the long way round. Grip for every weather."],
                "headline": ["Run the long way"],
                "description": ["Free returns"],
                "cta": ["Shop now"],
            },
            "google_display": {
                "headline": ["Coffee, camp-ready"],
                "description": ["Enamel mugs that go anywhere."],
                "cta": ["Shop now"],
            },
        }
        email_fields = {
            "TR-200": {
                "subject": ["Your weekend trail shoe is here"],
                "preheader": ["Light, grippy, ready for spring"],
                "body": ["The Trail Runner 200 weighs 240 g and grips wet rock. Try it 30 days."],
                "cta": ["Shop the Trail Runner"],
            },
            "MUG-9": {
                "subject": ["A mug for every morning"],
                "preheader": ["Enamel, made to last"],
                "body": ["Chip-resistant enamel in four spring colours. Dishwasher safe."],
                "cta": ["Pick your colour"],
            },
        }
        sizes = {
            "meta_feed": [("social_1080x1080", (1080, 1080))],
            "google_display": [("iab_300x250", (300, 250)), ("iab_728x90", (728, 90))],
            "email": [("email_hero_600x300", (600, 300))],
        }
        for seed, (segment, sku, channel_format, top, bottom, title) in enumerate(plan):
            target = insert(
                "campaign_targets",
                campaign_id=campaign,
                segment_id=segments[segment],
                product_id=products[sku],
                channel_format=channel_format,
            )
            channel = channel_format.split("_")[0]
            fields = email_fields[sku] if channel_format == "email" else copy_fields[channel_format]
            copy_id = insert(
                "assets",
                campaign_id=campaign,
                target_id=target,
                kind="copy",
                channel=channel,
                format=channel_format,
                status="approved",
                generator="copy",
                model_id="HuggingFaceTB/SmolLM2-135M-Instruct",
                seed=seed,
                content=to_json({"fields": fields, "channel_format": channel_format}),
                created_at=NOW,
                updated_at=NOW,
            )
            cta = fields["cta"][0]
            for image_format, size in sizes[channel_format]:
                stored = ws.store_image(_ad(size, top, bottom, title, cta))
                insert(
                    "assets",
                    campaign_id=campaign,
                    target_id=target,
                    kind="creative",
                    channel=channel,
                    format=image_format,
                    sha256=stored.sha256,
                    status="approved",
                    generator="compositor",
                    seed=seed,
                    content=to_json({"image_format": image_format, "copy_asset_id": copy_id}),
                    created_at=NOW,
                    updated_at=NOW,
                )
    return campaign


#: a client in dark mode: the page is told the reader prefers dark
DARK_FLAGS = ("--force-dark-mode",)


def screenshot(
    chromium: str, page: Path, out: Path, size: tuple[int, int], *, dark: bool = False
) -> None:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                *(DARK_FLAGS if dark else ()),
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                f"--screenshot={out}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if result.returncode != 0 or not out.exists():
        raise SystemExit(f"chromium failed on {page.name}: {result.stderr[-2000:]}")
    with Image.open(out) as image:
        spread = ImageStat.Stat(image.convert("L")).stddev[0]
    if spread < 5:
        raise SystemExit(f"{out.name} looks blank (grey-level spread {spread:.1f})")
    print(f"{out} ({size[0]}x{size[1]}, grey-level spread {spread:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, help="render a campaign of this workspace")
    parser.add_argument("--campaign", help="campaign id or name (with --workspace)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (Debian: apt-get install -y chromium)")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.workspace:
            ws = Workspace.open(args.workspace)
            campaign = get_campaign(ws, args.campaign or "1").id
        else:
            ws = Workspace.create(root / "demo")
            campaign = build_demo(ws)
        with ws:
            report = export_bundle(ws, campaign, root / "bundle.zip")
        with zipfile.ZipFile(report.path) as bundle:
            bundle.extractall(root / "bundle")  # our own, just-written bundle
        manifest = json.loads((root / "bundle" / "manifest.json").read_text())
        email = next(f["path"] for f in manifest["files"] if f["role"] == "email")
        screenshot(
            chromium, root / "bundle" / "index.html", IMAGES / "bundle-index.png", (1280, 1500)
        )
        page = root / "bundle" / email
        screenshot(chromium, page, IMAGES / "bundle-email.png", (680, 1150))
        screenshot(chromium, page, IMAGES / "bundle-email-dark.png", (680, 1150), dark=True)


if __name__ == "__main__":
    main()
