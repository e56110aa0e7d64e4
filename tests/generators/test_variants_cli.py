"""The ``studio styles``, ``studio variants`` and ``studio train-style`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from test_variants_matrix import build_creative

from studio.cli import cli
from studio.storage.workspace import Workspace


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_styles_lists_the_shipped_style(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["styles", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == "vintage-film" and rows[0]["source"] == "shipped"


def test_variants_command_makes_and_lists_variants(runner: CliRunner, workspace: Workspace) -> None:
    creative = build_creative(workspace)
    args = ["variants", str(workspace.path), "--asset", str(creative)]
    result = runner.invoke(
        cli, [*args, "--styles", "all", "--headlines", "1", "--count", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["parent_id"] for row in rows] == [creative, creative]
    assert sorted(next(iter(row["axes"])) for row in rows) == ["headline", "style"]

    result = runner.invoke(cli, [*args, "--layouts", "nowhere", "--json"])
    assert result.exit_code != 0
    assert "Layout 'nowhere' does not exist" in str(result.exception)


def test_train_style_command_learns_from_product_photos(
    runner: CliRunner, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generators.variants import training
    from generators.variants.networks import GeneratorConfig

    tiny = training.TrainingConfig(generator=GeneratorConfig(4, 1, True), ndf=4)
    monkeypatch.setattr(training, "TrainingConfig", lambda: tiny)
    rng = np.random.default_rng(0)
    with workspace.write() as db:
        for index in range(4):
            pixels = rng.integers(0, 255, size=(48, 48, 3), dtype=np.uint8)
            sha = workspace.store_image(Image.fromarray(pixels)).sha256
            db["products"].insert({"sku": f"P{index}", "name": f"P{index}", "image_sha256": sha})
    brand = tmp_path / "brand"
    brand.mkdir()
    for index in range(4):
        pixels = rng.integers(100, 255, size=(40, 40, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(brand / f"{index}.jpg")

    args = ["train-style", str(workspace.path), "--brand-images", str(brand), "--size", "32"]
    result = runner.invoke(cli, [*args, "--steps", "1", "--name", "House", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["style"] == "house"

    listed = json.loads(runner.invoke(cli, ["styles", "--json"]).stdout)
    assert {"id": "house", "steps": 1, "complete": True}.items() <= listed[1].items()
    removed = runner.invoke(cli, ["styles", "--remove", "house", "--json"])
    assert removed.exit_code == 0, removed.output
    assert [row["id"] for row in json.loads(removed.stdout)] == ["vintage-film"]
