"""Exporting a campaign: layout, manifest, labels, CSVs, HTML, determinism, failures."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from bundle_factory import HOSTILE_SEGMENT, INJECTION, build_campaign
from PIL import Image

from studio.core.errors import Cancelled, ExportError, NotFound, OutputRefused
from studio.core.progress import CancelToken
from studio.export import export_bundle, labels
from studio.storage.campaigns import get_campaign
from studio.storage.workspace import Workspace


def _zip(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


def _manifest(path: Path) -> dict:
    with _zip(path) as z:
        return json.loads(z.read("manifest.json"))


def _csv(path: Path, name: str) -> list[dict[str, str]]:
    with _zip(path) as z:
        return list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig"))))


def test_bundle_layout_and_manifest(bundle: Path) -> None:
    with _zip(bundle) as z:
        names = z.namelist()
    creatives = sorted(n for n in names if n.startswith("creatives/"))
    patterns = [
        r"creatives/email/script-alert-x-script-friends/"
        r"sku-2-email-hero-600x300-creative-[0-9a-f]{16}\.png",
        r"creatives/google/cafe-lovers/sku-2-iab-300x250-creative-[0-9a-f]{16}\.jpg",
        r"creatives/google/cafe-lovers/sku-2-iab-300x250-creative-[0-9a-f]{16}\.jpg",
        r"creatives/meta/cafe-lovers/sku-1-social-1080x1080-creative-[0-9a-f]{16}\.png",
        r"creatives/meta/cafe-lovers/sku-1-social-1080x1080-v-style-0001\.png",
    ]
    assert len(creatives) == len(patterns)
    assert all(re.fullmatch(p, n) for p, n in zip(patterns, creatives, strict=True)), creatives
    for name in (
        "manifest.json",
        "README.txt",
        "index.html",
        "copy/copy.csv",
        "ads/google-ads-editor-rsa.csv",
        "ads/meta-ads-bulk.csv",
        "email/cafe-lovers.html",
        "email/script-alert-x-script-friends.html",
    ):
        assert name in names
    assert all(n.isascii() for n in names)

    manifest = _manifest(bundle)
    assert manifest["schema_version"] == 1 and manifest["app"]["version"]
    assert manifest["campaign"]["name"] == "Spring Launch"
    assert manifest["campaign"]["brand_kit"]["name"] == "Northwind"
    cafe = next(s for s in manifest["segments"] if s["name"] == "Café lovers")
    assert cafe["run"]["method"] == "kmeans" and cafe["run"]["parameters"] == {"k": 2, "seed": 7}
    assert {p["sku"] for p in manifest["products"]} == {"SKU-1", "SKU-2"}
    assert len(manifest["targets"]) == 4
    # every file but the manifest is listed, with the right hash and size
    with _zip(bundle) as z:
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(listed) == set(names) - {"manifest.json"}
        for path, entry in listed.items():
            data = z.read(path)
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["bytes"] == len(data)
    variant = listed["creatives/meta/cafe-lovers/sku-1-social-1080x1080-v-style-0001.png"]
    assert (variant["width"], variant["height"]) == (1080, 1080)
    assert variant["asset"]["variant_id"] == "v-style-0001"
    assert variant["asset"]["parent"] == "creative-e7bcb26f143c569c"
    assert variant["asset"]["status"] == "approved"
    assert variant["asset"]["provenance"] == {
        "generator": "gan-variants",
        "model_id": "vintagify",
        "model_revision": "G_A2B_epoch33",
        "seed": 3,
        "prompt": None,
        "parameters": {"strength": 0.6},
        "created_at": "2026-03-02T10:00:00+00:00",
    }
    # links between assets travel as keys, never as workspace row ids
    meta_creative = listed[
        "creatives/meta/cafe-lovers/sku-1-social-1080x1080-creative-e7bcb26f143c569c.png"
    ]["asset"]
    assert "copy_asset_id" not in meta_creative["content"]
    meta_copy = next(c for c in manifest["copy"] if c["format"] == "meta_feed")
    assert meta_creative["content"]["copy_asset_key"] == meta_copy["key"]
    assert meta_creative["content"]["visual_asset_key"].startswith("visual-")


def test_only_approved_latest_versions_by_default(workspace: Workspace, bundle: Path) -> None:
    manifest = _manifest(bundle)
    statuses = {f["asset"]["status"] for f in manifest["files"] if f["role"] == "creative"}
    assert statuses == {"approved"}
    seeds = {f["asset"]["provenance"]["seed"] for f in manifest["files"] if f["role"] == "creative"}
    assert 1 not in seeds  # superseded by version 2
    assert 99 not in seeds  # rejected


def test_include_drafts(workspace: Workspace, campaign: int, tmp_path: Path) -> None:
    report = export_bundle(workspace, campaign, tmp_path / "d.zip", include_drafts=True)
    manifest = _manifest(tmp_path / "d.zip")
    statuses = sorted(f["asset"]["status"] for f in manifest["files"] if f["role"] == "creative")
    assert statuses.count("draft") == 1 and "rejected" not in statuses
    assert report.creatives == 6 and report.include_drafts
    assert manifest["options"]["include_drafts"] is True


def test_every_image_is_labelled(bundle: Path) -> None:
    manifest = _manifest(bundle)
    with _zip(bundle) as z:
        for entry in (f for f in manifest["files"] if f["role"] == "creative"):
            data = z.read(entry["path"])
            expected = labels.TRAINED if entry["asset"]["kind"] == "variant" else labels.COMPOSITE
            assert entry["ai_label"] == expected
            with Image.open(io.BytesIO(data)) as image:
                xmp = image.info.get("XML:com.adobe.xmp") or image.info.get("xmp")
                assert image.size == (entry["width"], entry["height"])
            xmp = xmp.decode() if isinstance(xmp, bytes) else xmp
            assert f'DigitalSourceType="{labels.source_type_uri(expected)}"' in xmp


def test_csv_files(bundle: Path) -> None:
    copy_rows = _csv(bundle, "copy/copy.csv")
    injected = next(r for r in copy_rows if r["field"] == "primary_text" and r["position"] == "1")
    assert injected["text"] == "'" + INJECTION
    assert {r["segment"] for r in copy_rows} == {"Café lovers", HOSTILE_SEGMENT}
    assert all(r["variant_id"] for r in copy_rows)

    (rsa,) = _csv(bundle, "ads/google-ads-editor-rsa.csv")
    assert rsa["Campaign"] == "Spring Launch"
    assert rsa["Ad group"] == "Café lovers / Trail Shoe"
    assert rsa["Ad type"] == "Responsive search ad"
    assert [rsa["Headline 1"], rsa["Headline 2"], rsa["Headline 3"]] == [
        "Trail Shoe",
        "Light on rocks",
        "'@home on trails",
    ]
    assert rsa["Headline 4"] == "" and rsa["Description 2"] == "Free returns."
    # the link carries the ad's key, so results reports can be matched back to it
    assert rsa["Final URL"].startswith("https://shop.example/trail-shoe?utm_content=copy-")

    meta = _csv(bundle, "ads/meta-ads-bulk.csv")
    assert len(meta) == 2  # the creative and its variant, both with the meta_feed copy
    for row in meta:
        assert row["Body"] == "'" + INJECTION
        assert row["Title"] == "Run lighter"
        assert row["Link Description"] == "'-20% this week"
        assert row["Call to Action"] == "SHOP_NOW"
        assert row["Image File Name"].endswith(".png")
        key = row["Ad Name"].split()[-1]
        assert key in row["Image File Name"] and row["Link"].endswith(f"utm_content={key}")


def test_email_html(bundle: Path) -> None:
    with _zip(bundle) as z:
        html = z.read("email/script-alert-x-script-friends.html").decode()
        names = set(z.namelist())
    assert len(html.encode()) < 100_000
    assert 'width="600"' in html
    assert "<script>" not in html
    # no name the studio uses inside reaches customers: not the segment, not the campaign
    shown = re.sub(r"<[^>]+>", " ", html)  # what a reader sees (file paths are not text)
    assert "alert" not in shown and "Friends" not in shown
    assert '<a href="*|UNSUB|*"' in html  # Mailchimp's unsubscribe merge tag, by default
    assert "<b>Not bold</b>" not in html and "&lt;b&gt;Not bold&lt;/b&gt;" in html
    assert "Your mug &lt;is&gt; ready &amp; waiting" in html
    img = html[html.index("<img") : html.index(">", html.index("<img"))]
    src = img.split('src="')[1].split('"')[0]
    assert src.startswith("../creatives/") and src[3:] in names
    assert 'width="600" height="300"' in img and 'alt="Your mug' in img
    assert "<link" not in html and "<script" not in html
    assert "background-color:#b5179e" in html  # the brand kit's primary colour
    # a segment without email copy gets the words of its ads
    with _zip(bundle) as z:
        cafe = z.read("email/cafe-lovers.html").decode()
    assert "Shop now" in cafe and 'alt="Run lighter"' in cafe
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in cafe  # shown as text, quoted


def test_email_button_colour_only_takes_a_hex_colour(
    workspace: Workspace, campaign: int, tmp_path: Path
) -> None:
    with workspace.write() as db:
        db.execute("""UPDATE brand_kits SET palette = '{"primary": "red;background:url(x)"}'""")
    export_bundle(workspace, campaign, tmp_path / "b.zip")
    with _zip(tmp_path / "b.zip") as z:
        html = z.read("email/script-alert-x-script-friends.html").decode()
    assert "url(x)" not in html and "background-color:#1a73e8" in html


def test_index_html_escapes_and_links_every_creative(bundle: Path) -> None:
    manifest = _manifest(bundle)
    with _zip(bundle) as z:
        html = z.read("index.html").decode()
    assert "<script>" not in html and "&lt;script&gt;alert" in html
    # self-contained: no scripts, no external style sheets, images, fonts or frames
    assert "<script" not in html and "<link" not in html and "<iframe" not in html
    assert 'src="http' not in html and "url(" not in html
    for entry in (f for f in manifest["files"] if f["role"] == "creative"):
        assert f'src="{entry["path"]}"' in html


def test_export_is_byte_identical(workspace: Workspace, campaign: int, tmp_path: Path) -> None:
    first = export_bundle(workspace, campaign, tmp_path / "a.zip")
    second = export_bundle(workspace, campaign, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert first.sha256 == second.sha256
    with _zip(tmp_path / "a.zip") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_progress_reports_and_cancel_leaves_nothing(
    workspace: Workspace, campaign: int, tmp_path: Path
) -> None:
    seen: list[float] = []
    export_bundle(
        workspace, campaign, tmp_path / "p.zip", progress=lambda _, f=None: seen.append(f)
    )
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)

    token = CancelToken()

    def cancel_at_second_creative(description: str, fraction: float | None = None) -> None:
        if description.startswith("Writing creative 2"):
            token.cancel()

    out = tmp_path / "cancelled.zip"
    with pytest.raises(Cancelled):
        export_bundle(workspace, campaign, out, progress=cancel_at_second_creative, cancel=token)
    assert list(tmp_path.glob("*cancelled*")) == []


def test_failure_keeps_an_existing_bundle(workspace: Workspace, campaign: int, tmp_path: Path):
    out = tmp_path / "keep.zip"
    previous = export_bundle(workspace, campaign, out).path.read_bytes()
    blob = workspace.query("SELECT sha256 FROM assets WHERE kind = 'variant'")[0]["sha256"]
    workspace.blob_path(blob).write_bytes(b"tampered")
    with pytest.raises(ExportError, match="no longer matches its hash"):
        export_bundle(workspace, campaign, out)  # replacing its own earlier bundle
    assert out.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir() if p.name != "ws"] == ["keep.zip"]


def test_a_file_the_studio_did_not_make_is_never_replaced(
    workspace: Workspace, campaign: int, tmp_path: Path
):
    notes = tmp_path / "notes.zip"
    notes.write_bytes(b"the user's own file")
    with pytest.raises(OutputRefused, match="not a file Campaign Studio wrote"):
        export_bundle(workspace, campaign, notes)
    assert notes.read_bytes() == b"the user's own file"
    export_bundle(workspace, campaign, notes, overwrite=True)  # when told to
    assert zipfile.is_zipfile(notes)


@pytest.mark.parametrize(
    "part", ["workspace.db", "workspace.db-wal", "assets/x.zip", "backups/b.zip"]
)
def test_a_workspaces_own_files_are_never_an_export_destination(
    workspace: Workspace, campaign: int, part: str
):
    target = workspace.path / part
    before = target.read_bytes() if target.exists() else None
    with pytest.raises(OutputRefused, match="of the workspace"):
        export_bundle(workspace, campaign, target, overwrite=True)
    assert (target.read_bytes() if target.exists() else None) == before
    assert workspace.summary()["campaigns"] == 1


def test_disk_full_leaves_no_bundle(workspace: Workspace, campaign: int, tmp_path: Path) -> None:
    """A file-size limit makes writes fail like a full disk, in a separate process."""
    out = tmp_path / "full" / "bundle.zip"
    script = textwrap.dedent(
        f"""
        import resource, signal
        from studio.cli import main
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        main(["export", {str(workspace.path)!r}, "Spring Launch", "--out", {str(out)!r}])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr
    assert "Error: Could not write the bundle" in result.stderr
    assert "No bundle was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(out.parent.iterdir()) == []


def test_nothing_approved(workspace: Workspace, campaign: int, tmp_path: Path) -> None:
    with workspace.write() as db:
        db.execute("UPDATE assets SET status = 'draft'")
    with pytest.raises(ExportError, match="no approved creatives") as raised:
        export_bundle(workspace, campaign, tmp_path / "x.zip")
    assert "--include-drafts" in str(raised.value)
    assert not (tmp_path / "x.zip").exists()


def test_formats_filter(workspace: Workspace, campaign: int, tmp_path: Path) -> None:
    report = export_bundle(
        workspace, campaign, tmp_path / "f.zip", formats=["iab_300x250", "google_rsa"]
    )
    manifest = _manifest(tmp_path / "f.zip")
    assert {f["asset"]["format"] for f in manifest["files"] if f["role"] == "creative"} == {
        "iab_300x250"
    }
    assert [c["format"] for c in manifest["copy"]] == ["google_rsa"]
    assert report.creatives == 2
    with pytest.raises(ExportError, match="tiktok_9x16"):
        export_bundle(workspace, campaign, tmp_path / "g.zip", formats=["tiktok_9x16"])


def test_a_campaign_is_found_by_id_or_name(workspace: Workspace, campaign: int) -> None:
    assert get_campaign(workspace, str(campaign)).id == campaign
    assert get_campaign(workspace, "Spring Launch").id == campaign
    with pytest.raises(NotFound, match="Spring Launch"):  # the hint names the campaigns
        get_campaign(workspace, "Autumn")


def test_many_creatives_stream(workspace: Workspace, tmp_path: Path) -> None:
    campaign = build_campaign(workspace, name="Big", extra_creatives=300)
    updates: list[str] = []
    report = export_bundle(
        workspace, campaign, tmp_path / "big.zip", progress=lambda s, f=None: updates.append(s)
    )
    assert report.creatives == 305
    assert sum(u.startswith("Writing creative") for u in updates) == 305
    with _zip(tmp_path / "big.zip") as z:
        assert z.testzip() is None
