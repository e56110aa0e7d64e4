"""Files a killed process leaves behind are found, reported and removed, and nothing a
running writer may still need is touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image

from studio.cli import main
from studio.storage.leftovers import GRACE_SECONDS, find_leftovers, remove_leftovers
from studio.storage.outputs import write_output
from studio.storage.workspace import Workspace

# stores photos, then hangs inside the import's transaction until it is killed
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import studio.data.images as images
    from studio.data.csv_import import import_files
    from studio.storage.workspace import Workspace

    store = images.PhotoStore.store
    def store_then_report(self, path):
        sha = store(self, path)
        if self.stored == 3:
            print("stored", flush=True)
            time.sleep(600)
        return sha
    images.PhotoStore.store = store_then_report
    with Workspace.open(Path(sys.argv[1])) as ws:
        import_files(ws, products=Path(sys.argv[2]), images=Path(sys.argv[3]))
    """
)


def _run(arguments: list[str]) -> None:
    try:
        main(arguments)
    except SystemExit as exit_:
        assert exit_.code in (0, None)


def _age(path: Path, seconds: float = GRACE_SECONDS + 60) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_photos_of_a_killed_import_are_found_and_removed(tmp_path: Path, capsys) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.new("RGB", (64, 64), (80 * i, 40, 200)).save(photos / f"P{i}.png")
    products = tmp_path / "p.csv"
    products.write_text("SKU,Name\n" + "".join(f"P{i},Item {i}\n" for i in range(3)))
    ws_path = tmp_path / "ws"
    Workspace.create(ws_path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ws_path), str(products), str(photos)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline().strip() == "stored"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with Workspace.open(ws_path) as ws:
        assert ws.scalar("SELECT count(*) FROM products") == 0  # the import rolled back
        orphans = find_leftovers(ws)
        assert [f.kind for f in orphans] == ["orphan"] * 3
        assert all(f.recent for f in orphans)
        assert remove_leftovers(orphans) == []  # too recent: a writer may still need them
        for orphan in orphans:
            _age(orphan.path)

    main_args = ["info", str(ws_path), "--verify"]
    _run(main_args)
    out = capsys.readouterr().out
    assert "orphan files" in out and "--verify --repair" in out

    _run([*main_args, "--repair"])
    assert "Removed 3 left-behind file(s)" in capsys.readouterr().out
    with Workspace.open(ws_path) as ws:
        assert find_leftovers(ws) == []
        assert ws.verify_files() == [] and ws.integrity_check() == "ok"


def test_recorded_files_and_recent_writes_are_never_removed(workspace: Workspace) -> None:
    stored = workspace.store_bytes(b"kept", "text/plain")
    _age(stored.path)
    incoming = stored.path.parent / ".incoming-abc"
    incoming.write_bytes(b"half")
    report = workspace.path / "import-reports" / ".skipped.csv.x1.partial"
    report.parent.mkdir()
    report.write_bytes(b"half")
    _age(report)

    leftovers = find_leftovers(workspace)
    assert {(f.path.name, f.kind, f.recent) for f in leftovers} == {
        (".incoming-abc", "unfinished", True),
        (".skipped.csv.x1.partial", "unfinished", False),
    }
    assert [f.path for f in remove_leftovers(leftovers)] == [report]
    assert stored.path.exists() and incoming.exists()


def test_the_next_write_to_a_destination_clears_what_a_killed_one_left(tmp_path: Path) -> None:
    destination = tmp_path / "out" / "sheet.csv"
    destination.parent.mkdir()
    stale = destination.parent / ".sheet.csv.k3j2.partial"
    stale.write_bytes(b"half a file")
    _age(stale)
    running = destination.parent / ".sheet.csv.z9.partial"  # another write, just started
    running.write_bytes(b"")
    write_output(destination, b"a,b\n")
    assert destination.read_bytes() == b"a,b\n"
    assert not stale.exists() and running.exists()
