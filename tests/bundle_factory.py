"""A small but complete campaign, built directly in a workspace with real image files."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image, ImageDraw

from studio.storage.workspace import Workspace, to_json

NOW = "2026-03-02T10:00:00+00:00"
HOSTILE_SEGMENT = "<script>alert('x')</script> & Friends"
INJECTION = '=HYPERLINK("http://evil.example","click")'


def image_bytes(size: tuple[int, int], colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=90) if fmt == "JPEG" else image.save(buffer, fmt)
    return buffer.getvalue()


def _insert(db: Any, table: str, **values: Any) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
    ).lastrowid


def _asset(db: Any, **values: Any) -> int:
    values.setdefault("content", {})
    values.setdefault("parameters", {})
    values["content"] = to_json(values["content"])
    values["parameters"] = to_json(values["parameters"])
    values.setdefault("created_at", NOW)
    values.setdefault("updated_at", NOW)
    return _insert(db, "assets", **values)


def build_campaign(ws: Workspace, *, name: str = "Spring Launch", extra_creatives: int = 0) -> int:
    """Two segments, two products, copy for three channels, creatives in three formats,
    a GAN variant, plus a draft, a rejected and a superseded creative."""
    meta_png = ws.store_bytes(image_bytes((1080, 1080), (200, 60, 40)), "image/png")
    variant_png = ws.store_bytes(image_bytes((1080, 1080), (40, 60, 200)), "image/png")
    display_jpg = ws.store_bytes(image_bytes((300, 250), (20, 160, 90), "JPEG"), "image/jpeg")
    hero_png = ws.store_bytes(image_bytes((600, 300), (240, 200, 40)), "image/png")
    draft_png = ws.store_bytes(image_bytes((1080, 1080), (90, 90, 90)), "image/png")
    old_png = ws.store_bytes(image_bytes((1080, 1080), (10, 10, 10)), "image/png")
    visual_png = ws.store_bytes(image_bytes((512, 512), (120, 30, 160)), "image/png")
    with ws.write() as db:
        kit = _insert(
            db,
            "brand_kits",
            name="Northwind",
            palette=json.dumps({"primary": "#b5179e"}),
            tone_words=json.dumps(["warm", "direct"]),
            disclaimer="Terms apply.",
            created_at=NOW,
            updated_at=NOW,
        )
        run = _insert(
            db,
            "segmentation_runs",
            created_at=NOW,
            method="kmeans",
            parameters=json.dumps({"k": 2, "seed": 7}),
            metrics=json.dumps({"silhouette": 0.41}),
            features=json.dumps(["recency", "frequency", "monetary"]),
            n_customers=500,
        )
        cafe = _insert(
            db,
            "segments",
            run_id=run,
            kind="cluster",
            name="Café lovers",
            description="Frequent small baskets",
            size=300,
            revenue_share=0.55,
            stats=json.dumps({"recency_days": 12}),
            created_at=NOW,
            updated_at=NOW,
        )
        hostile = _insert(
            db,
            "segments",
            run_id=run,
            kind="cluster",
            name=HOSTILE_SEGMENT,
            description="Names are data, not markup",
            size=200,
            revenue_share=0.45,
            created_at=NOW,
            updated_at=NOW,
        )
        shoe = _insert(
            db,
            "products",
            sku="SKU-1",
            name="Trail Shoe",
            category="Footwear",
            description="Light trail runner",
            price=89.0,
            currency="EUR",
            attributes=json.dumps({"url": "https://shop.example/trail-shoe"}),
        )
        mug = _insert(db, "products", sku="SKU-2", name="Enamel Mug", price=12.5, currency="EUR")
        campaign = _insert(
            db,
            "campaigns",
            name=name,
            brief="Launch the spring range",
            brand_kit_id=kit,
            segmentation_run_id=run,
            settings=json.dumps({"landing_url": "https://shop.example/spring"}),
            created_at=NOW,
            updated_at=NOW,
        )

        def target(segment: int, product: int, channel_format: str) -> int:
            return _insert(
                db,
                "campaign_targets",
                campaign_id=campaign,
                segment_id=segment,
                product_id=product,
                channel_format=channel_format,
            )

        t_meta = target(cafe, shoe, "meta_feed")
        t_rsa = target(cafe, shoe, "google_rsa")
        t_display = target(cafe, mug, "google_display")
        t_email = target(hostile, mug, "email")
        common = {"campaign_id": campaign, "status": "approved", "generator": "copy-lm"}
        lm = {"model_id": "HuggingFaceTB/SmolLM2-135M-Instruct", "model_revision": "q4_1"}
        meta_copy = _asset(
            db,
            **common,
            **lm,
            target_id=t_meta,
            kind="copy",
            channel="meta",
            format="meta_feed",
            seed=11,
            prompt="Write a Meta feed ad",
            content={
                "fields": {
                    "primary_text": [INJECTION, "Trails are calling."],
                    "headline": ["Run lighter"],
                    "description": ["-20% this week"],
                    "cta": ["Shop now"],
                },
                "channel_format": "meta_feed",
            },
        )
        _asset(
            db,
            **common,
            **lm,
            target_id=t_rsa,
            kind="copy",
            channel="google",
            format="google_rsa",
            seed=12,
            content={
                "fields": {
                    "headline": ["Trail Shoe", "Light on rocks", "@home on trails"],
                    "description": ["Grip and comfort for every trail.", "Free returns."],
                },
                "channel_format": "google_rsa",
            },
        )
        _asset(
            db,
            **common,
            **lm,
            target_id=t_email,
            kind="copy",
            channel="email",
            format="email",
            seed=13,
            content={
                "fields": {
                    "subject": ["Your mug <is> ready & waiting"],
                    "preheader": ["Enamel, made to last"],
                    "body": ["<b>Not bold</b>: text stays text."],
                    "cta": ["Order now"],
                },
                "channel_format": "email",
            },
        )
        visual = _asset(
            db,
            **{**common, "generator": "diffusion"},
            target_id=t_meta,
            kind="visual",
            sha256=visual_png.sha256,
            model_id="tiny-sd",
            seed=5,
            prompt="a trail shoe on rocks",
            content={"product_box": [10, 10, 200, 200]},
        )
        compositor = {**common, "generator": "compositor"}
        meta_creative = _asset(
            db,
            **compositor,
            target_id=t_meta,
            kind="creative",
            channel="meta",
            format="social_1080x1080",
            sha256=meta_png.sha256,
            parent_id=visual,
            content={
                "image_format": "social_1080x1080",
                "copy_asset_id": meta_copy,
                "visual_asset_id": visual,
                "layout": {"template": "hero"},
            },
        )
        _asset(
            db,
            **{**common, "generator": "gan-variants"},
            target_id=t_meta,
            kind="variant",
            channel="meta",
            format="social_1080x1080",
            sha256=variant_png.sha256,
            parent_id=meta_creative,
            variant_id="v-style-0001",
            model_id="vintagify",
            model_revision="G_A2B_epoch33",
            seed=3,
            parameters={"strength": 0.6},
            content={"axis": "style", "value": "vintage"},
        )
        _asset(
            db,
            **compositor,
            target_id=t_display,
            kind="creative",
            channel="google",
            format="iab_300x250",
            sha256=display_jpg.sha256,
            content={"image_format": "iab_300x250"},
        )
        _asset(
            db,
            **compositor,
            target_id=t_email,
            kind="creative",
            channel="email",
            format="email_hero_600x300",
            sha256=hero_png.sha256,
            content={"image_format": "email_hero_600x300"},
        )
        _asset(
            db,
            **{**compositor, "status": "draft"},
            target_id=t_meta,
            kind="creative",
            channel="meta",
            format="social_1080x1350",
            sha256=draft_png.sha256,
            content={"image_format": "social_1080x1350"},
        )
        _asset(
            db,
            **{**compositor, "status": "rejected"},
            target_id=t_meta,
            kind="creative",
            channel="meta",
            format="social_1080x1080",
            sha256=old_png.sha256,
            seed=99,
        )
        old = _asset(
            db,
            **compositor,
            target_id=t_display,
            kind="creative",
            channel="google",
            format="iab_300x250",
            sha256=old_png.sha256,
            seed=1,
        )
        _asset(
            db,
            **compositor,
            target_id=t_display,
            kind="creative",
            channel="google",
            format="iab_300x250",
            sha256=display_jpg.sha256,
            version=2,
            supersedes_id=old,
            seed=2,
        )
        for i in range(extra_creatives):
            stored = ws.store_bytes(image_bytes((64, 64), (i % 256, 0, 0)), "image/png")
            _asset(
                db,
                **compositor,
                target_id=t_meta,
                kind="creative",
                channel="meta",
                format="social_1080x1080",
                sha256=stored.sha256,
                seed=1000 + i,
            )
    return campaign


def workspace_state(ws: Workspace) -> dict[str, object]:
    """Row counts of every table plus the files in the asset store."""
    tables = [
        r["name"]
        for r in ws.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {t: ws.scalar(f"SELECT count(*) FROM [{t}]") for t in tables}
    files = sorted(str(p.relative_to(ws.path)) for p in (ws.path / "assets").rglob("*"))
    return {"counts": counts, "files": files}
