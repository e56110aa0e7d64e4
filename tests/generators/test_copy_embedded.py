"""The embedded copy models, loaded from their packages through the registry, on a few
real briefs: what they return passes every check, and most fields are covered."""

from __future__ import annotations

import pytest
from copy_fixtures import one_torch_thread  # noqa: F401 (fixture)

from generators.copy import CopyGenerator
from generators.copy.evaluate import evaluate, load_briefs
from generators.copy.specs import GEMMA3_270M, SMOLLM2_135M
from studio.core.channels import get_channel_format
from studio.core.errors import Cancelled
from studio.core.paths import resources_dir
from studio.core.progress import CancelToken, ProgressSink

pytestmark = [pytest.mark.model, pytest.mark.usefixtures("one_torch_thread")]

BRIEFS = resources_dir() / "copy" / "briefs" / "bundled.json"
#: one brief per language, short formats: real models on 2 cores take seconds per field
PICKED = ("trail-meta_feed-02", "hafer-meta_feed-de", "gourde-meta_feed-fr")


def picked_briefs():
    briefs = dict(load_briefs(BRIEFS))
    return [(brief_id, briefs[brief_id]) for brief_id in PICKED]


@pytest.mark.parametrize("model", [GEMMA3_270M.id, SMOLLM2_135M.id])
def test_embedded_model_returns_only_gated_copy(model: str) -> None:
    evaluation = evaluate(picked_briefs(), model_id=model, generator=CopyGenerator(max_rounds=1))
    assert evaluation.model_id == model
    assert not any(evaluation.returned_failures.values()), evaluation.returned_failures
    assert evaluation.fields_covered == evaluation.fields  # templates stand in at worst
    for report in evaluation.reports:
        channel = get_channel_format(report.channel_format)
        for item in report.returned:
            assert len(item["text"]) <= channel.field(item["field"]).max_chars
    written = {r.language: {i["source"] for i in r.returned} for r in evaluation.reports}
    assert "model" in written["en"]  # the model writes some English copy itself
    assert "model" not in written["de"] | written["fr"]  # not in languages it lacks


def test_embedded_model_streams_and_cancels() -> None:
    cancel = CancelToken()
    streamed: list[str] = []

    def on_event(event) -> None:
        if event.text:
            streamed.append(event.text)
            cancel.cancel()

    _, request = picked_briefs()[0]
    with pytest.raises(Cancelled):
        CopyGenerator(max_rounds=1).generate(request, ProgressSink(on_event), cancel)
    assert 1 <= len(streamed) <= 2


def test_prepare_converts_the_default_copy_model_once() -> None:
    """What set-up runs: the GGUF conversion lands in the model cache, and a load after it
    converts nothing."""
    from click.testing import CliRunner

    from generators.copy.loading import prepare_copy_model
    from studio.cli import cli

    result = CliRunner().invoke(cli, ["models", "prepare"])
    assert result.exit_code == 0, result.output
    folder = prepare_copy_model()
    assert folder is not None and (folder / "config.json").is_file()
    assert f"Ready: {folder}" in result.output


def test_a_model_an_installer_shipped_converted_is_never_converted_again(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installers ship the default model converted: an installed app loads it from
    there, and nothing is converted into the user's cache."""
    from generators.copy.loading import prepare_copy_model
    from studio.core import paths

    converted = prepare_copy_model()  # what the installer build runs
    assert converted is not None
    shipped = tmp_path / "prepared-models" / "converted"
    shipped.mkdir(parents=True)
    (shipped / converted.name).symlink_to(converted, target_is_directory=True)
    monkeypatch.setattr(paths, "prepared_models_dir", lambda: tmp_path / "prepared-models")
    user_cache = tmp_path / "user-cache"
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(user_cache))
    assert prepare_copy_model() == shipped / converted.name
    assert not (user_cache / "converted").exists()


def test_the_default_model_writes_for_the_segment_and_the_brief() -> None:
    """Gemma 3 270M on a shop product: with the brief "Christmas gifts for our regulars"
    the occasion leads the ad, no offer appears and the model writes lines itself; for
    lapsed customers without the brief the same product gets another ad."""
    import re
    from dataclasses import replace

    from generators.copy.request import SegmentBrief

    shop = dict(load_briefs(resources_dir() / "copy" / "briefs" / "shop.json"))
    regulars = shop["regency-cakestand-3-meta_feed"]
    assert regulars.brief == "Christmas gifts for our regulars"
    result = CopyGenerator().generate(regulars, ProgressSink(), CancelToken())
    texts = result.texts()
    assert result.passed, result.problems
    assert "Christmas" in texts["headline"][0] and "Christmas" in texts["primary_text"][0]
    offer = re.compile(r"%|\bfree\b|\bdiscount|\bsale\b|\boff\b|\bsave\b", re.IGNORECASE)
    assert not [t for lines in texts.values() for t in lines if offer.search(t)]
    assert any(lines[0].source == "model" for lines in result.fields.values())

    lapsed = SegmentBrief("Lapsed light buyers", "No order in 210 days.", approach="win_back")
    request = replace(regulars, segment=lapsed, brief="", occasion="")
    other = CopyGenerator().generate(request, ProgressSink(), CancelToken()).texts()
    assert other["primary_text"][0] != texts["primary_text"][0]
    assert not any("Christmas" in t for lines in other.values() for t in lines)
