"""``studio export`` and ``studio bundle import|verify`` end to end."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import bundle_factory
import pytest

from studio.cli import main
from studio.storage.workspace import Workspace


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def source(tmp_path: Path) -> Path:
    with Workspace.create(tmp_path / "source") as ws:
        bundle_factory.build_campaign(ws)
    return tmp_path / "source"


def test_export_verify_import(source: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "spring.zip"
    code, stdout, err = run(
        capsys, "export", str(source), "Spring Launch", "--out", str(out), "--json"
    )
    assert code == 0, err
    report = json.loads(stdout)
    assert report["path"] == str(out) and report["creatives"] == 5 and report["c2pa_signed"] == 0

    code, stdout, _ = run(capsys, "bundle", "verify", str(out), "--json")
    assert code == 0 and json.loads(stdout)["ok"] is True

    code, stdout, _ = run(capsys, "bundle", "verify", str(out))
    assert code == 0 and stdout.startswith("OK: 12 file(s) match the manifest")

    with Workspace.create(tmp_path / "target"):
        pass
    code, stdout, err = run(
        capsys, "bundle", "import", str(tmp_path / "target"), str(out), "--json"
    )
    assert code == 0, err
    imported = json.loads(stdout)
    assert imported["campaign"] == "Spring Launch" and imported["assets"] == 8


def test_export_options(source: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "signed.zip"
    code, stdout, err = run(
        capsys,
        "export",
        str(source),
        "1",
        "--out",
        str(out),
        "--include-drafts",
        "--c2pa",
        "--formats",
        "social_1080x1080,social_1080x1350",
    )
    assert code == 0, err
    assert "3 creative(s), 3 signed with C2PA" in stdout
    assert "Created a local C2PA signing identity" in err
    code, stdout, _ = run(capsys, "bundle", "verify", str(out))
    assert code == 0 and "C2PA valid on 3" in stdout


def test_errors_are_one_line_messages(source: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "export", str(source), "Autumn", "--out", str(tmp_path / "a.zip"))
    assert code == 1 and err.startswith("Error: No campaign 'Autumn'") and "Traceback" not in err

    tampered = tmp_path / "tampered.zip"
    good = tmp_path / "good.zip"
    assert run(capsys, "export", str(source), "Spring Launch", "--out", str(good))[0] == 0
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(tampered, "w") as t:
        for info in z.infolist():
            data = z.read(info)
            t.writestr(info, data + b" " if info.filename == "index.html" else data)
    code, _, err = run(capsys, "bundle", "verify", str(tampered))
    assert code == 1 and "index.html' does not match the sha256" in err

    with Workspace.create(tmp_path / "fresh"):
        pass
    code, _, err = run(capsys, "bundle", "import", str(tmp_path / "fresh"), str(tampered))
    assert code == 1 and "Error: tampered.zip: 'index.html' does not match" in err
    assert "Nothing was imported." in err


def test_a_dry_run_says_what_would_ship_and_writes_nothing(source: Path, tmp_path, capsys):
    out = tmp_path / "spring.zip"
    code, stdout, err = run(capsys, "export", str(source), "Spring Launch", "--out", str(out),
                            "--dry-run", "--json")  # fmt: skip
    assert code == 0, err
    plan = json.loads(stdout)
    assert (plan["creatives"], plan["copy_sets"], plan["emails"]) == (5, 3, 2)
    assert not out.exists()
    code, stdout, err = run(capsys, "export", str(source), "Spring Launch", "--out", str(out),
                            "--dry-run")  # fmt: skip
    assert "would hold 5 creative(s), 3 copy set(s) and 2 email(s). Nothing was written." in stdout
    code, stdout, err = run(capsys, "export", str(source), "Spring Launch", "--out", str(out),
                            "--json")  # fmt: skip
    report = json.loads(stdout)
    assert (report["creatives"], report["copy_assets"], report["emails"]) == (5, 3, 2)
