"""``studio render`` and ``studio visual`` on a real workspace."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from studio.cli import main
from studio.data.packshots import draw_packshot
from studio.storage.workspace import Workspace


@pytest.fixture
def shop(tmp_path) -> Workspace:
    ws = Workspace.create(tmp_path / "shop")
    photo = ws.store_image(draw_packshot("candle", "cream", ["FERNHILL", "Fig Candle"]))
    with ws.write() as db:
        db["products"].insert_all(
            [
                {
                    "sku": "FH-CAN-01",
                    "name": "Fig Candle",
                    "category": "Home fragrance",
                    "description": "Soy wax with fig leaf and cedar. Burns for 40 hours.",
                    "image_sha256": photo.sha256,
                },
                {"sku": "FH-NOPHOTO", "name": "Mystery", "category": "Home"},
            ]
        )
    ws.close()
    return ws


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_a_contact_sheet_and_creatives(shop, tmp_path, capsys) -> None:
    sheet, folder = tmp_path / "sheet.png", tmp_path / "creatives"
    code, out, _ = _run(
        [
            "render", str(shop.path), "--product", "FH-CAN-01",
            "--formats", "iab_300x250,iab_728x90,social_1080x1920",
            "--out", str(sheet), "--out-dir", str(folder), "--json",
        ],
        capsys,
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["copy"]["headline"] == "Fig Candle"
    assert data["copy"]["subline"] == "Soy wax with fig leaf and cedar."
    assert data["visual"]["diffusion"] is False
    assert [c["image_format"] for c in data["creatives"]] == [
        "iab_300x250", "iab_728x90", "social_1080x1920",
    ]  # fmt: skip
    for row in data["creatives"]:
        assert row["bytes"] <= row["max_bytes"] and row["min_contrast"] >= 4.5
    assert Image.open(sheet).width == 2000
    assert Image.open(folder / "iab_728x90.jpg").size == (728, 90)


def test_visual_without_a_model_designs_the_background(shop, tmp_path, capsys) -> None:
    scene = tmp_path / "scene.png"
    code, out, _ = _run(
        ["visual", str(shop.path), "--product", "FH-CAN-01", "--out", str(scene), "--json"],
        capsys,
    )
    assert code == 0
    made = json.loads(out)["provenance"]
    assert made["generator"] == "visual.designed" and made["parameters"]["diffusion"] is False
    assert Image.open(scene).size == (768, 768)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--product", "NOPE"], "No product 'NOPE'"),
        (["--product", "FH-CAN-01", "--formats", "iab_1x1"], "Unknown image format 'iab_1x1'"),
        (["--product", "FH-CAN-01", "--layout", "zigzag"], "Unknown layout 'zigzag'"),
        (["--product", "FH-CAN-01", "--segment", "Nobody"], "No segment 'Nobody'"),
    ],
)
def test_user_errors_are_one_line(shop, tmp_path, capsys, args, message) -> None:
    code, _, err = _run(["render", str(shop.path), *args, "--out", str(tmp_path / "s.png")], capsys)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_a_product_without_a_photo_renders_as_a_text_card(shop, tmp_path, capsys) -> None:
    out = tmp_path / "sheet.png"
    code, _, err = _run(["render", str(shop.path), "--product", "FH-NOPHOTO", "--out", str(out)],
                        capsys)  # fmt: skip
    assert code == 0 and out.is_file()
    assert "has no photo" in err and "text card" in err


def test_visual_models_are_listed_and_added_through_studio_models(tmp_path, capsys) -> None:
    code, out, _ = _run(["models", "list", "--kind", "visual", "--json"], capsys)
    rows = {row["id"]: row for row in json.loads(out)}
    assert code == 0 and rows["sd-turbo"]["recommended"] and not rows["sd-turbo"]["available"]
    assert "Non-Commercial" in rows["sd-turbo"]["license"]
    add = ["models", "add", "--kind", "visual"]

    checkpoint = tmp_path / "model.ckpt"
    checkpoint.write_bytes(b"pickle")
    code, _, err = _run([*add, str(checkpoint), "--family", "sd15"], capsys)
    assert code == 1 and "pickle" in err and "--allow-pickle" in err

    code, _, err = _run([*add, str(tmp_path), "--family", "sd15"], capsys)
    assert code == 1 and "model_index.json" in err
    code, _, err = _run([*add, str(tmp_path)], capsys)
    assert code == 1 and "pass --family with one of sd15" in err

    folder = tmp_path / "pipe"
    folder.mkdir()
    (folder / "model_index.json").write_text("{}")
    (folder / "unet.safetensors").write_bytes(
        b"\x02\x00\x00\x00\x00\x00\x00\x00{}"
    )  # no tensors, valid header
    code, out, _ = _run([*add, str(folder), "--family", "sd-turbo", "--id", "mine"], capsys)
    assert code == 0 and "Added mine (visual)" in out
    code, out, _ = _run(["models", "list", "--json"], capsys)
    assert {row["id"]: row for row in json.loads(out)}["mine"]["available"]
