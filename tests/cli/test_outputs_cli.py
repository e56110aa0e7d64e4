"""Files a command writes never land on a workspace's own files or a stranger's file,
and no input gives a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.cli import main
from studio.storage.workspace import Workspace


def _fails(capsys, *args: str, code: int = 1) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    assert exit_.value.code == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def _ok(*args) -> None:
    try:
        main([str(a) for a in args])
    except SystemExit as exit_:
        assert exit_.code in (0, None)


def _customers(ws: Workspace) -> int:
    return ws.scalar("SELECT COUNT(*) FROM customers")


@pytest.fixture
def bad_products(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("sku,name,price\nA1,,3\n")
    return path


def test_an_import_report_cannot_replace_the_database(demo_ws, bad_products, capsys):
    before = _customers(demo_ws)
    for target in ("workspace.db", "workspace.db-wal", "assets/report.csv"):
        err = _fails(capsys, "import", demo_ws.path, "--products", bad_products,
                     "--skip-bad-rows", "--report", demo_ws.path / target)  # fmt: skip
        assert "Refusing to write the report" in err and str(demo_ws.path) in err
    with Workspace.open(demo_ws.path) as ws:
        assert _customers(ws) == before
        assert ws.scalar("PRAGMA integrity_check") == "ok"


def test_an_import_report_replaces_only_its_own_kind(demo_ws, bad_products, tmp_path, capsys):
    notes = tmp_path / "notes.csv"
    notes.write_text("my own notes\n")
    args = ["import", demo_ws.path, "--products", bad_products, "--skip-bad-rows", "--report"]
    assert "already exists" in _fails(capsys, *args, notes)
    assert notes.read_text() == "my own notes\n"
    report = tmp_path / "report.csv"
    for _ in range(2):  # a report the studio wrote may be written again
        _ok(*args, report, "--json")
    assert report.read_text().splitlines() == [
        "file,line,column,reason",
        f"{bad_products.name},2,name,the name is empty",
    ]
    assert not list(tmp_path.glob(".*.partial"))
    _ok(*args, notes, "--overwrite", "--json")
    assert notes.read_text().startswith("file,line,column,reason")


def test_an_image_output_needs_an_image_name_and_spares_strangers(demo_ws, tmp_path, capsys):
    sku = demo_ws.scalar("SELECT sku FROM products ORDER BY id LIMIT 1")
    render = ["render", demo_ws.path, "--product", sku, "--out"]
    assert "not an image format" in _fails(capsys, *render, tmp_path / "sheet.txt")
    photo = tmp_path / "holiday.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert "already exists" in _fails(capsys, *render, photo)
    assert photo.read_bytes().endswith(b"\0" * 64)
    sheet = tmp_path / "sheet.png"
    for _ in range(2):  # its own contact sheet it may replace
        _ok(*render, sheet, "--json")
    from PIL import Image

    with Image.open(sheet) as image:
        assert image.info["Software"] == "Campaign Studio"


def test_a_bug_is_one_line_and_a_logged_traceback(monkeypatch, tmp_path, capsys):
    from studio.cli import workspace as commands

    def broken(*args, **kwargs):
        raise RuntimeError("something no one expected")

    monkeypatch.setattr(commands, "import_files", broken)
    products = tmp_path / "p.csv"
    products.write_text("sku,name\nA,B\n")
    err = _fails(capsys, "import", tmp_path / "ws", "--create", "--products", products, code=2)
    assert "unexpected RuntimeError" in err and "something no one expected" in err
    log = Path(err.rsplit("the details are in ", 1)[1].strip().rstrip("."))
    assert "Traceback" in log.read_text() and "something no one expected" in log.read_text()


def test_a_json_run_keeps_stderr_for_the_studio(demo_shop):
    """No progress bars or library warnings around the JSON a script reads."""
    import json
    import subprocess
    import sys

    sku = "FH-COF-01"
    run = subprocess.run(
        [sys.executable, "-m", "studio", "copy", str(demo_shop), "--product", sku,
         "--channel", "sms", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["channel_format"] == "sms"
    assert run.stderr.strip() == ""


# --- files the user owns: "ours" is what the studio wrote, byte for byte -----------------


def test_demo_force_replaces_the_workspace_and_keeps_the_users_files(tmp_path, capsys):
    folder = tmp_path / "x"
    _ok("init", folder, "--json")
    (folder / "brief.txt").write_text("brief")
    (folder / "exports").mkdir()
    (folder / "exports" / "spring.zip").write_bytes(b"PK not really")
    _ok("demo", folder, "--force", "--customers", 50)
    assert (folder / "brief.txt").read_text() == "brief"
    assert (folder / "exports" / "spring.zip").read_bytes() == b"PK not really"
    assert "Kept your files" in capsys.readouterr().err
    with Workspace.open(folder) as ws:
        assert ws.scalar("SELECT count(*) FROM customers") == 50


def test_a_user_file_mentioning_the_studio_is_not_taken_for_its_own(demo_ws, tmp_path, capsys):
    sku = demo_ws.scalar("SELECT sku FROM products ORDER BY id LIMIT 1")
    notes = tmp_path / "n.png"
    notes.write_text("Campaign Studio meeting notes\n")
    err = _fails(capsys, "render", demo_ws.path, "--product", sku, "--out", notes)
    assert "already exists" in err
    assert notes.read_text() == "Campaign Studio meeting notes\n"


def test_render_out_dir_spares_a_users_creative(demo_ws, tmp_path, capsys):
    sku = demo_ws.scalar("SELECT sku FROM products ORDER BY id LIMIT 1")
    out_dir = tmp_path / "d"
    out_dir.mkdir()
    mine = out_dir / "social_1080x1080.jpg"
    mine.write_bytes(b"my own picture")
    args = ["render", demo_ws.path, "--product", sku, "--out", tmp_path / "s.png",
            "--out-dir", out_dir]  # fmt: skip
    assert "already exists" in _fails(capsys, *args)
    assert mine.read_bytes() == b"my own picture"
    _ok(*args, "--overwrite", "--json")
    assert mine.read_bytes() != b"my own picture"


def test_a_filled_in_results_template_is_never_written_over(tmp_path, capsys):
    from bundle_factory import build_campaign

    with Workspace.create(tmp_path / "ws") as ws:
        build_campaign(ws)
        campaign = ws.scalar("SELECT name FROM campaigns LIMIT 1")
    sheet = tmp_path / "r.csv"
    _ok("results", "template", tmp_path / "ws", campaign, "--out", sheet)
    _ok("results", "template", tmp_path / "ws", campaign, "--out", sheet)  # untouched: its own
    filled = sheet.read_text().replace(",,,,", ",1000,20,2,10.5", 1)
    sheet.write_text(filled)
    err = _fails(capsys, "results", "template", tmp_path / "ws", campaign, "--out", sheet)
    assert "changed since" in err
    assert sheet.read_text() == filled


def test_devices_and_pipes_are_refused_as_destinations(demo_ws, tmp_path, capsys):
    import os

    campaign = "Nothing"  # refused before the campaign is looked at
    for target in (Path("/dev/full"), Path("/dev/zero")):
        if target.exists():
            err = _fails(capsys, "export", demo_ws.path, campaign, "--out", target)
            assert "not a regular file" in err
    fifo = tmp_path / "pipe.zip"
    os.mkfifo(fifo)
    assert "not a regular file" in _fails(capsys, "export", demo_ws.path, campaign, "--out", fifo)
