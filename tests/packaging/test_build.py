"""The Linux package: build it, run the built binary's self-test, check the report.

Takes many minutes (a full PyInstaller build); run it with ``pytest -m packaging``.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 3 * 3600

pytestmark = pytest.mark.packaging


def test_build_linux_packages_the_app_and_its_self_test_passes() -> None:
    done = subprocess.run(
        ["bash", "packaging/build-linux"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads((ROOT / "build" / "packaging-report.json").read_text())

    selftest = report["self_test"]
    assert selftest["ok"], selftest
    names = [step["name"] for step in selftest["steps"]]
    assert {"main window", "imports", "embedded models", "copy", "creative", "verify"} <= set(names)
    assert selftest["timings"]["first_window_s"] > 0

    tarball = Path(report["tarball"])
    assert tarball.stat().st_size == report["tarball_bytes"] > 0
    with tarfile.open(ROOT / tarball) as archive:
        members = {Path(name).name for name in archive.getnames()}
    # the launcher, the menu entry, the icon, the file type and the embedded weights
    assert {"campaign-studio", "campaign-studio.desktop", "campaign-studio.png"} <= members
    assert {"campaign-studio-mime.xml", "install.sh"} <= members
    assert "SmolLM2-135M-Instruct.Q4_1.gguf" in members
    assert "G_A2B_epoch33.pth" in members
