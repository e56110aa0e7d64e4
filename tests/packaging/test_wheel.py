"""The wheel ``pip wheel .`` builds is the whole app: its data files (channel tables,
fonts, copy resources) ship inside it, so it runs away from the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_built_wheel_carries_its_resources_and_renders_outside_the_checkout(
    tmp_path: Path,
) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path / "dist")],
        check=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("campaign_studio-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(site)
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*")
               if p.is_file()}  # fmt: skip
    assert {f"studio/{name}" for name in shipped} <= names

    env = {**os.environ, "PYTHONPATH": str(site)}

    def studio(*arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "studio", *arguments],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import studio.core.paths as p; print(p.resources_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(where) == site / "studio" / "resources"
    studio("demo", "shop", "--customers", "40", "--json")
    out = tmp_path / "sheet.png"
    result = json.loads(studio("render", "shop", "--product", "FH-MUG-04", "--out", str(out),
                               "--json"))  # fmt: skip
    assert out.stat().st_size > 10_000 and result
