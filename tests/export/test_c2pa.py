"""C2PA Content Credentials: signed locally, checked with the C2PA reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from studio.core.errors import ExportError
from studio.export import C2paSigner, export_bundle, labels, load_or_create_identity, verify_bundle
from studio.export.c2pa_signing import read_credentials
from studio.storage.workspace import Workspace

c2pa = pytest.importorskip("c2pa")


@pytest.fixture
def signer(tmp_path: Path) -> C2paSigner:
    signer, created = load_or_create_identity(tmp_path / "identity", organisation="Northwind")
    assert created
    return signer


def test_identity_is_created_once_and_key_is_private(tmp_path: Path) -> None:
    first, created = load_or_create_identity(tmp_path / "id")
    second, created_again = load_or_create_identity(tmp_path / "id")
    assert created and not created_again
    assert first == second and first.algorithm == "es256"
    assert (tmp_path / "id" / "c2pa-key.pem").stat().st_mode & 0o077 == 0


def test_signed_bundle_has_valid_credentials(
    workspace: Workspace, campaign: int, signer: C2paSigner, tmp_path: Path
) -> None:
    out = tmp_path / "signed.zip"
    report = export_bundle(workspace, campaign, out, c2pa=signer)
    assert report.c2pa_signed == report.creatives == 5
    with zipfile.ZipFile(out) as z:
        names = [n for n in z.namelist() if n.startswith("creatives/")]
        for name in names:
            data = z.read(name)
            media_type = "image/jpeg" if name.endswith(".jpg") else "image/png"
            credentials = read_credentials(data, media_type)
            assert credentials is not None, name
            assert credentials["validation_state"] == "Valid", credentials["report"]
            manifest = credentials["manifest"]
            assert manifest["signature_info"]["issuer"] == "Northwind"
            actions = next(
                a["data"]["actions"]
                for a in manifest["assertions"]
                if a["label"].startswith("c2pa.actions")
            )
            expected = labels.TRAINED if "v-style" in name else labels.COMPOSITE
            assert actions[0]["digitalSourceType"] == labels.source_type_uri(expected)
            # the XMP label survives signing
            assert labels.read_source_type(data, media_type) == expected
    verified = verify_bundle(out)
    assert verified.ok, verified.problems
    assert verified.c2pa_checked == verified.c2pa_valid == 5


def test_tampered_pixels_break_the_credentials(signer: C2paSigner) -> None:
    from bundle_factory import image_bytes

    signed = signer.sign(
        image_bytes((64, 64), (1, 2, 3)),
        "image/png",
        title="x.png",
        source_type=labels.TRAINED,
        generator="test",
        app_version="0",
    )
    idat = signed.index(b"IDAT")
    tampered = signed[: idat + 10] + bytes([signed[idat + 10] ^ 0xFF]) + signed[idat + 11 :]
    state = read_credentials(tampered, "image/png")["validation_state"]
    assert state == "Invalid"


def test_unreadable_key_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "chain.pem").write_text("not a chain")
    (tmp_path / "key.pem").write_text("not a key")
    with pytest.raises(ExportError, match="not an unencrypted PEM private key"):
        C2paSigner.from_files(tmp_path / "chain.pem", tmp_path / "key.pem")
    with pytest.raises(ExportError, match="Cannot read"):
        C2paSigner.from_files(tmp_path / "missing.pem", tmp_path / "key.pem")
