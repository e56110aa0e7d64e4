"""``studio copy``, ``studio eval copy`` and ``studio models`` on real workspaces."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from copy_fixtures import (  # noqa: F401 (fixtures)
    BRIEF_REPLY,
    one_torch_thread,
    tiny_copy_model,
    tiny_models_fixture,
)

from studio.cli import main
from studio.render.brand import demo_brand_kit
from studio.services.brand_kits import save_brand_kit
from studio.storage.workspace import Workspace, utcnow

BRIEFS = Path(__file__).resolve().parents[2] / "resources" / "copy" / "briefs" / "bundled.json"
HELDOUT = BRIEFS.with_name("heldout.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def shop(workspace: Workspace) -> Workspace:
    now = utcnow()
    with workspace.write() as db:
        db["products"].insert(
            {"sku": "TR-1", "name": "Trail Runner GTX", "category": "Running shoes",
             "description": "Grippy trail shoe.", "price": 129.0, "currency": "EUR",
             "attributes": json.dumps({"colour": "forest green"})}
        )  # fmt: skip
        db["segments"].insert(
            {"kind": "rule", "name": "Weekend adventurers", "description": "Hikers",
             "created_at": now, "updated_at": now}
        )  # fmt: skip
    kit = replace(demo_brand_kit(), logo=None)
    save_brand_kit(workspace, replace(kit, name="Outdoor", banned_words=["cheap"],
                                      disclaimer="Terms apply."))  # fmt: skip
    save_brand_kit(workspace, replace(kit, name="Strict", banned_words=["trail"], disclaimer=""))
    return workspace


@pytest.mark.usefixtures("tiny_copy_model")
def test_copy_command_json(shop: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "copy", str(shop.path), "--product", "TR-1", "--segment", "Weekend adventurers",
        "--channel", "google_rsa", "--n", "2", "--model", "tiny-llama", "--seed", "3",
        "--brand", "Outdoor", "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["passed"] and data["provenance"]["seed"] == 3
    assert BRIEF_REPLY in [c["text"] for c in data["fields"]["headline"]]
    assert all(c["text"].endswith("Terms apply.") for c in data["fields"]["description"])
    assert all(not any(c["checks"].values()) for c in data["fields"]["headline"])


@pytest.mark.usefixtures("tiny_copy_model")
def test_copy_command_reports_failure(shop: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "copy", str(shop.path), "--product", "TR-1", "--channel", "meta_feed",
        "--model", "tiny-llama", "--n", "1", "--brand", "Strict",
    )  # fmt: skip
    assert code == 1
    assert "No passing copy — headline: none of" in out
    assert "Closest headline (edit before use):" in out and "banned words: trail" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--product", "NOPE", "--channel", "sms"], "No product 'NOPE'"),
        (["--product", "TR-1", "--segment", "Nobody", "--channel", "sms"], "No segment 'Nobody'"),
        (["--product", "TR-1", "--channel", "fax"], "Unknown channel format 'fax'"),
        (["--product", "TR-1", "--channel", "sms", "--model", "nope"], "Unknown copy model"),
        (["--product", "TR-1", "--channel", "sms", "--brand", "Nope"], "No brand kit named 'Nope'"),
    ],
)
def test_copy_command_bad_input(
    shop: Workspace, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, "copy", str(shop.path), *args)
    assert code == 1 and message in err and "Traceback" not in err


@pytest.mark.usefixtures("tiny_copy_model")
def test_eval_copy_on_a_briefs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    briefs = json.loads(BRIEFS.read_text(encoding="utf-8"))
    briefs["briefs"] = [b for b in briefs["briefs"] if b["channel_format"] == "google_rsa"][:2]
    path = tmp_path / "briefs.json"
    path.write_text(json.dumps(briefs), encoding="utf-8")
    sheet = tmp_path / "review.html"
    code, out, _ = run(
        capsys, "eval", "copy", "--briefs", str(path), "--model", "tiny-llama", "--json",
        "--sheet", str(sheet),
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["briefs"] == 2 and report["model_id"] == "tiny-llama"
    assert report["considered"] > report["returned"] > 0
    assert not any(report["returned_failures"].values())  # every returned text re-checked
    assert set(report["rule_failure_rates"]) >= {"name", "spelling", "language", "length"}
    returned = [item for r in report["reports"] for item in r["returned"]]
    assert all(item["failed"] == {} and item["source"] for item in returned)
    page = sheet.read_text(encoding="utf-8")
    assert all(item["text"].replace("'", "&#x27;") in page for item in returned)
    # the sheet is the studio's own: a second run may replace it, a stranger's file not
    assert run(capsys, "eval", "copy", "--briefs", str(path), "--model", "tiny-llama",
               "--limit", "1", "--sheet", str(sheet))[0] == 0  # fmt: skip
    stranger = tmp_path / "notes.html"
    stranger.write_text("my notes", encoding="utf-8")
    code, _, err = run(capsys, "eval", "copy", "--briefs", str(path), "--sheet", str(stranger))
    assert code == 1 and "not a file Campaign Studio wrote" in err
    assert stranger.read_text(encoding="utf-8") == "my notes"


def test_bundled_briefs_are_varied_and_valid() -> None:
    from generators.copy.evaluate import load_briefs

    requests = [request for _, request in load_briefs(BRIEFS)]
    assert len(requests) >= 40
    assert {r.language for r in requests} >= {"en", "de", "fr"}
    assert len({r.channel_format for r in requests}) == 8
    assert len({r.product.category for r in requests}) >= 15
    hostile = [
        r for r in requests if "Ignore" in r.product.description or "<" in r.product.description
    ]
    assert len(hostile) >= 2
    heldout = [request for _, request in load_briefs(HELDOUT)]
    assert {r.language for r in heldout} == {"en", "de", "fr"}
    assert not {r.product.name for r in heldout} & {r.product.name for r in requests}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ nope", "not valid JSON"),
        ('{"briefs": []}', "no 'briefs' list"),
        ('{"briefs": [{"id": "x", "channel_format": "sms"}]}', "brief 1 (x): malformed"),
        ('{"briefs": [{"product": {"name": "A"}, "channel_format": "fax"}]}', "Unknown channel"),
    ],
)
def test_eval_copy_bad_briefs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "briefs.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "eval", "copy", "--briefs", str(path))
    assert code == 1 and message in err


def test_models_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "list", "--kind", "copy", "--json")
    from generators.copy.specs import DEFAULT_COPY_MODEL

    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[DEFAULT_COPY_MODEL]["available"] and rows[DEFAULT_COPY_MODEL]["default"]
    assert not rows["qwen2.5-0.5b-instruct"]["available"]

    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "model.safetensors").write_bytes(
        b"\x02\x00\x00\x00\x00\x00\x00\x00{}"
    )  # no tensors, valid header
    assert run(capsys, "models", "add", str(folder), "--kind", "copy", "--id", "mine")[0] == 0
    assert run(capsys, "models", "default", "copy", "mine")[0] == 0
    assert run(capsys, "models", "default", "copy")[1].strip() == "mine"
    code, out, _ = run(capsys, "models", "remove", "mine")
    assert code == 0 and "built-in one again" in out
    code, _, err = run(capsys, "models", "remove", "smollm2-135m-instruct")
    assert code == 1 and "ships with the app" in err
    code, _, err = run(capsys, "models", "default", "copy", "nope")
    assert code == 1 and "Unknown copy model 'nope'" in err


def test_models_download_offline_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "models", "download", "qwen2.5-0.5b-instruct")
    assert code == 1 and "Downloading 'qwen2.5-0.5b-instruct'" in err and "Traceback" not in err
