"""Importing bundles: the round trip, clashes with what is there, and hostile zips."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from bundle_factory import workspace_state

from studio.core.errors import InputError
from studio.export import export_bundle, import_bundle, reader, verify_bundle
from studio.storage.workspace import Workspace


@pytest.fixture
def target(tmp_path: Path):
    ws = Workspace.create(tmp_path / "target")
    yield ws
    ws.close()


def test_round_trip_is_byte_identical(bundle: Path, target: Workspace, tmp_path: Path) -> None:
    steps: list[float | None] = []
    campaign_id = import_bundle(target, bundle, progress=lambda _, f=None: steps.append(f))
    assert steps[-1] == 1.0
    again = tmp_path / "again.zip"
    export_bundle(target, campaign_id, again)
    with zipfile.ZipFile(bundle) as a, zipfile.ZipFile(again) as b:
        assert a.read("manifest.json") == b.read("manifest.json")
    assert bundle.read_bytes() == again.read_bytes()
    # links and provenance were restored as workspace rows
    variant = target.query("SELECT * FROM assets WHERE variant_id = 'v-style-0001'")[0]
    parent = target.query("SELECT * FROM assets WHERE id = ?", (variant["parent_id"],))[0]
    assert parent["kind"] == "creative" and variant["model_id"] == "vintagify"
    content = json.loads(parent["content"])
    copy = target.query("SELECT kind, format FROM assets WHERE id = ?", (content["copy_asset_id"],))
    assert copy == [{"kind": "copy", "format": "meta_feed"}]
    assert target.verify_files() == []
    assert target.scalar("SELECT count(*) FROM segment_members") == 0  # customers stay home


def test_import_next_to_existing_campaign(workspace: Workspace, bundle: Path) -> None:
    """Into the workspace it came from: the variant ids clash, so nothing is imported."""
    before = workspace_state(workspace)
    with pytest.raises(InputError, match="already in") as raised:
        import_bundle(workspace, bundle)
    assert "v-style-0001" in str(raised.value)
    assert workspace_state(workspace) == before


def test_same_name_and_products_are_reused(bundle: Path, target: Workspace) -> None:
    with target.write() as db:
        db.execute(
            "INSERT INTO campaigns (name, created_at, updated_at)"
            " VALUES ('Spring Launch', 'x', 'x')"
        )
        db.execute("INSERT INTO products (sku, name) VALUES ('SKU-1', 'Our own shoe record')")
    campaign_id = import_bundle(target, bundle)
    name = target.scalar("SELECT name FROM campaigns WHERE id = ?", (campaign_id,))
    assert name == "Spring Launch (imported)"
    assert target.scalar("SELECT name FROM products WHERE sku = 'SKU-1'") == "Our own shoe record"
    assert target.scalar("SELECT count(*) FROM products") == 2


# --- hostile bundles -------------------------------------------------------------------


def _rewrite(
    source: Path,
    out: Path,
    *,
    add: list[tuple[zipfile.ZipInfo | str, bytes]] = (),
    drop: set[str] = frozenset(),
    replace: dict[str, bytes] | None = None,
    manifest: Callable[[dict], None] | None = None,
    list_added: bool = True,
) -> Path:
    """A copy of a bundle with entries added, dropped or replaced (the manifest can be
    edited too, and lists added entries with their true hashes unless told not to)."""
    import hashlib

    replace = replace or {}
    with zipfile.ZipFile(source) as z:
        data = json.loads(z.read("manifest.json"))
        entries = [(i, z.read(i.filename)) for i in z.infolist() if i.filename != "manifest.json"]
    if list_added:
        for info, payload in add:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            data["files"].append(
                {
                    "path": name,
                    "role": "extra",
                    "sha256": hashlib.sha256(payload).hexdigest(),
                    "bytes": len(payload),
                }
            )
    if manifest:
        manifest(data)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, payload in entries:
            if info.filename not in drop:
                z.writestr(info, replace.get(info.filename, payload))
        for info, payload in add:
            z.writestr(info, payload)
        z.writestr("manifest.json", json.dumps(data))
    return out


def _rehash(manifest: dict, path: str, data: bytes) -> None:
    """Make the manifest agree with replaced bytes, as a careful forger would."""
    import hashlib

    entry = next(f for f in manifest["files"] if f["path"] == path)
    entry.update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("creatives/link.png")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _mark_encrypted(path: Path, name: str) -> Path:
    """Set the 'encrypted' flag of one entry in both of its headers, as a password-protected
    zip has it (zipfile cannot write encrypted entries)."""
    import struct

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        local = z.getinfo(name).header_offset
    data[local + 6] |= 0x1
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == name.encode():
            data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def _raw_manifest(source: Path, out: Path, text: bytes) -> Path:
    """A copy of a bundle whose manifest.json holds exactly ``text``."""
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(out, "w") as copy:
        for info in z.infolist():
            copy.writestr(info, text if info.filename == "manifest.json" else z.read(info))
    return out


def _first_creative(bundle: Path) -> str:
    with zipfile.ZipFile(bundle) as z:
        return next(n for n in z.namelist() if n.startswith("creatives/"))


HOSTILE = {
    "absolute path": (lambda b, o: _rewrite(b, o, add=[("/etc/cron.d/evil", b"x")]), "absolute"),
    "windows drive": (lambda b, o: _rewrite(b, o, add=[("C:/evil.txt", b"x")]), "absolute"),
    "dot-dot": (
        lambda b, o: _rewrite(b, o, add=[("creatives/../../evil.png", b"x")]),
        "climbs out of the bundle",
    ),
    "symlink": (lambda b, o: _rewrite(b, o, add=[(_symlink(), b"/etc/passwd")]), "symbolic link"),
    "zip bomb": (
        lambda b, o: _rewrite(b, o, add=[("email/bomb.html", bytes(20 << 20))]),
        "zip bomb",
    ),
    "encrypted entry": (
        lambda b, o: _mark_encrypted(_rewrite(b, o, add=[("copy/x.csv", b"a")]), "copy/x.csv"),
        "is encrypted",
    ),
    "not in manifest": (
        lambda b, o: _rewrite(b, o, add=[("extra.txt", b"hello")], list_added=False),
        "is not listed in manifest.json",
    ),
    "sha256 mismatch": (
        lambda b, o: _rewrite(b, o, replace={_first_creative(b): b"\x89PNG tampered"}),
        "does not match the sha256",
    ),
    "creative that is no image": (
        lambda b, o: _rewrite(
            b,
            o,
            replace={_first_creative(b): b"<html>not an image</html>"},
            manifest=lambda m: _rehash(m, _first_creative(b), b"<html>not an image</html>"),
        ),
        "is not a readable image",
    ),
    "listed but missing": (
        lambda b, o: _rewrite(b, o, drop={"index.html"}),
        "missing from the zip",
    ),
    "newer schema": (
        lambda b, o: _rewrite(b, o, manifest=lambda m: m.update(schema_version=99)),
        "newer Campaign Studio",
    ),
    "asset with a status the schema rejects": (
        lambda b, o: _rewrite(b, o, manifest=lambda m: m["copy"][0].update(status="live")),
        "malformed",
    ),
    "asset without provenance": (
        # the last creative: earlier ones are already in the asset store when it fails
        lambda b, o: _rewrite(
            b,
            o,
            manifest=lambda m: [f for f in m["files"] if f["role"] == "creative"][-1]["asset"].pop(
                "provenance"
            ),
        ),
        "malformed",
    ),
    "manifest nested too deep": (
        lambda b, o: _raw_manifest(b, o, b"[" * 200_000 + b"]" * 200_000),
        "nests deeper than any real manifest",
    ),
    "campaign that is a string": (
        lambda b, o: _rewrite(b, o, manifest=lambda m: m.update(campaign="Spring")),
        "malformed",
    ),
    "malformed manifest": (
        lambda b, o: _rewrite(b, o, manifest=lambda m: m["targets"][0].update(segment="nobody")),
        "malformed",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_bundle_is_refused_and_nothing_written(
    case: str, bundle: Path, target: Workspace, tmp_path: Path
) -> None:
    make, message = HOSTILE[case]
    hostile = make(bundle, tmp_path / "hostile.zip")
    before = workspace_state(target)
    with pytest.raises(InputError, match=message):
        import_bundle(target, hostile)
    assert workspace_state(target) == before
    report = verify_bundle(hostile)
    if "malformed" not in message:  # references are an import concern, files still match
        assert not report.ok and any(message in p for p in report.problems)
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "evil.png").exists()


def test_too_many_entries(bundle: Path, target: Workspace, monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_ENTRIES", 5)
    with pytest.raises(InputError, match="more than 5"):
        import_bundle(target, bundle)
    assert target.scalar("SELECT count(*) FROM campaigns") == 0


def test_too_large_when_expanded(bundle: Path, target: Workspace, monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_EXPANDED_BYTES", 10_000)
    with pytest.raises(InputError, match="expands to more than"):
        import_bundle(target, bundle)
    assert target.scalar("SELECT count(*) FROM campaigns") == 0


def test_not_a_bundle(tmp_path: Path, target: Workspace) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match="not a readable zip"):
        import_bundle(target, junk)
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("photo.png", b"x")
    with pytest.raises(InputError, match="not a Campaign Studio bundle"):
        import_bundle(target, plain)
    with pytest.raises(InputError, match="No bundle"):
        import_bundle(target, tmp_path / "missing.zip")


def test_verify_reports_ok(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.files_checked == 12 and report.creatives == report.labelled == 5
    assert report.campaign == "Spring Launch"
