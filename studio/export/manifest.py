"""``manifest.json``: what a bundle holds, where it came from, and how to check it.

The manifest lists every other file in the bundle with its sha256 and size, so a reader
can verify the bundle without this app (``sha256sum``), and describes the campaign,
its segments (with the segmentation run they came from), products, targets and every
asset with its approval status and provenance (generator, model id and revision, seed,
prompt, parameters, time). It never contains workspace row ids or the export time, so
exporting the same campaign again, here or after an import elsewhere, gives the same
manifest.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from studio.export.catalog import BundleAsset, BundleCampaign

MANIFEST_NAME = "manifest.json"
SCHEMA = "campaign-studio-bundle"
SCHEMA_VERSION = 1


def asset_entry(asset: BundleAsset) -> dict[str, Any]:
    return {
        "key": asset.key,
        "kind": asset.kind,
        "channel": asset.channel,
        "format": asset.format,
        "status": asset.status,
        "version": asset.version,
        "variant_id": asset.variant_id,
        "parent": asset.parent,
        "segment": asset.segment,
        "product": asset.product,
        "channel_format": asset.channel_format,
        "content": asset.content,
        "provenance": asset.provenance,
    }


def build_manifest(
    campaign: BundleCampaign,
    files: list[dict[str, Any]],
    *,
    app_version: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "app": {"name": "Campaign Studio", "version": app_version},
        "options": options,
        "campaign": {
            "name": campaign.name,
            "brief": campaign.brief,
            "language": campaign.language,
            "tone": campaign.tone,
            "status": campaign.status,
            "settings": campaign.settings.to_json(),
            "brand_kit": campaign.brand_kit,
            "created_at": campaign.created_at,
            "updated_at": campaign.updated_at,
        },
        "segments": [asdict(s) for s in campaign.segments],
        "products": [asdict(p) for p in campaign.products],
        "targets": [asdict(t) for t in campaign.targets],
        "copy": [asset_entry(c) for c in campaign.copy],
        "rounds": campaign.rounds,
        "files": files,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def readme_text(
    campaign: BundleCampaign,
    paths: list[str],
    *,
    app_version: str,
    signed: bool,
    personal_rows: int | None = None,
    meta_ad_sets: str = "per-test",
) -> str:
    has = {p.split("/", 1)[0] for p in paths}
    lines = [
        f"Campaign bundle: {campaign.name}",
        f"Made with Campaign Studio {app_version}.",
        "",
        "What is inside",
        "  index.html       open in a browser to review every creative and all copy",
        "  manifest.json    every file with its sha256 and size, the campaign, segments,",
        "                   products, targets, approval status and how each asset was made",
    ]
    if "creatives" in has:
        lines.append(
            "  creatives/       images by channel and segment: creatives/<channel>/<segment>/"
        )
    if "copy" in has:
        lines.append(
            "  copy/copy.csv    every copy text: segment, product, channel, field, variant id"
        )
    if "ads" in has:
        lines.append(
            "  ads/             import files: Google Ads Editor (responsive search ads) and"
        )
        lines.append("                   Meta Ads Manager (bulk-style sheet); ads import paused")
    if "ads/meta-ads-bulk.csv" in paths:
        if meta_ad_sets == "per-ad":
            lines += [
                "                   Meta: one ad set per ad; give them equal budgets for a",
                "                   fair split (or compare them in a Meta A/B test)",
            ]
        else:
            lines += [
                "                   Meta: one ad set per segment and product. Meta shows",
                "                   the ads of one ad set by what it predicts, not at random;",
                "                   for a randomised test export with --meta-ad-sets per-ad",
            ]
    if "email" in has:
        lines.append("  email/           one HTML email per segment (600 px, images referenced")
        lines.append("                   relatively: upload creatives/ and adjust the paths)")
    if personal_rows is not None:
        lines += [
            f"  personal/        a mail-merge file: {personal_rows:,} customers, each with their",
            "                   own three products and their segment's email",
        ]
    lines += ["", "Customer data"]
    if personal_rows is not None:
        lines += [
            "  personal/ holds customer data: names, email addresses and picks based on what",
            "  each customer bought. It was included because the person exporting asked for",
            "  it. Share it only with your email platform, and delete it when it is imported.",
        ]
    else:
        lines += [
            "  No customer data is in this bundle: segments appear only as names and figures.",
        ]
    lines += [
        "",
        "AI labelling",
        "  Every image is labelled as AI-generated in its embedded XMP metadata",
        "  (IPTC DigitalSourceType trainedAlgorithmicMedia or",
        "  compositeWithTrainedAlgorithmicMedia).",
    ]
    if signed:
        lines += [
            "  Images also carry C2PA Content Credentials signed by the exporting team;",
            "  check them with any C2PA reader (e.g. https://contentcredentials.org/verify).",
        ]
    lines += [
        "",
        "Spreadsheet cells that begin with = + - @ are prefixed with ' so spreadsheet",
        "programs show them as text; remove the apostrophe if an ad should start with one.",
        "",
        "Check the bundle: studio bundle verify BUNDLE.zip, or compare sha256 sums with",
        "manifest.json. Import it into another workspace: studio bundle import WS BUNDLE.zip",
        "",
    ]
    return "\r\n".join(lines)
