"""The visual generator with tiny diffusion models built from configs.

The models are saved with ``save_pretrained`` and registered as local models, so they load
through the registry exactly as a downloaded SD-Turbo does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tiny_visual import save_tiny_models

from generators.device import choose_device
from generators.registry import add_local_model, model_cache
from generators.visual import ProductFacts, SegmentFacts, VisualGenerator, VisualRequest
from studio.core.errors import Cancelled, InputError, ModelError, UnknownModelError, UnsafeModelFile
from studio.core.progress import CancelToken, ProgressSink
from studio.data.packshots import draw_packshot
from studio.render import demo_brand_kit

SIZE = (32, 32)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny models are dominated by thread start-up; on a shared CPU one thread is faster."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return save_tiny_models(tmp_path_factory.mktemp("tiny-visual"))


@pytest.fixture
def tiny(tiny_models) -> str:
    """The tiny pipeline and tiny TAESD registered in this test's model folder."""
    pipeline_dir, decoder_dir = tiny_models
    add_local_model(pipeline_dir, "visual", "sd-turbo", model_id="tiny-sd")
    add_local_model(decoder_dir, "decoder", "taesd", model_id="taesd")
    yield "tiny-sd"
    model_cache.release()


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return draw_packshot("mug", "ocean", ["FERNHILL", "Morning Mug"])


def _request(photo, model_id: str | None, **changes) -> VisualRequest:
    fields = {
        "product_image": photo,
        "product": ProductFacts("Morning Mug", "Homeware", "A stoneware mug."),
        "segment": SegmentFacts("Weekend bakers"),
        "brand": demo_brand_kit(),
        "model_id": model_id,
        "size": SIZE,
        "steps": 2,
    }
    fields.update(changes)
    return VisualRequest(**fields)


def _generator() -> VisualGenerator:
    return VisualGenerator(choose_device("cpu"))


def test_scene_through_the_registry_with_step_previews(tiny, photo) -> None:
    events = []
    result = _generator().generate(
        _request(photo, tiny), ProgressSink(events.append), CancelToken()
    )
    assert result.image.size == SIZE and result.scene.size == SIZE
    steps = [e for e in events if e.status.startswith("Step")]
    assert len(steps) == 2
    # a preview for every step but the last, whose real picture follows at once
    assert isinstance(steps[0].preview, Image.Image) and steps[-1].preview is None
    assert isinstance(events[-1].preview, Image.Image)
    fractions = [e.fraction for e in events if e.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    made = result.provenance
    assert made.generator == "visual.diffusion" and made.model_id == "tiny-sd"
    assert made.model_revision.startswith("files:")
    assert made.parameters["diffusion"] is True and made.parameters["decoder"] == "taesd"
    assert made.parameters["options"]["attention"] == "sdpa"
    assert "Morning Mug" in made.prompt and made.seed == 0


def test_previews_without_a_tiny_decoder_use_the_latent_approximation(tiny, photo) -> None:
    events = []
    request = _request(photo, tiny, decoder="full", steps=3)
    result = _generator().generate(request, ProgressSink(events.append), CancelToken())
    previews = [e.preview for e in events if e.status.startswith("Step") and e.preview]
    assert len(previews) == 2 and all(p.size == (256, 256) for p in previews)
    assert result.provenance.parameters["decoder"] == "vae"


def test_fixed_seed_is_deterministic(tiny, photo) -> None:
    def scene(seed: int) -> bytes:
        request = _request(photo, tiny, seed=seed)
        return _generator().generate(request, ProgressSink(), CancelToken()).scene.tobytes()

    assert scene(11) == scene(11)
    assert scene(11) != scene(12)


def test_cancel_stops_within_one_step(tiny, photo) -> None:
    cancel = CancelToken()
    steps = []

    def on_event(event) -> None:
        if event.status.startswith("Step"):
            steps.append(event)
            cancel.cancel()

    with pytest.raises(Cancelled):
        _generator().generate(_request(photo, tiny, steps=5), ProgressSink(on_event), cancel)
    assert len(steps) == 1


def test_cancel_before_start(tiny, photo) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        _generator().generate(_request(photo, tiny), ProgressSink(), cancel)


def test_harmonisation_keeps_every_product_pixel(tiny, photo) -> None:
    plain = _generator().generate(_request(photo, tiny), ProgressSink(), CancelToken())
    blended = _generator().generate(
        _request(photo, tiny, harmonise=0.5), ProgressSink(), CancelToken()
    )
    mask = np.asarray(blended.product_mask) == 255
    before, after = np.asarray(plain.image), np.asarray(blended.image)
    assert mask.any()
    assert np.array_equal(before[mask], after[mask])
    assert not np.array_equal(before[~mask], after[~mask])
    assert blended.provenance.parameters["harmonise_strength"] == 0.5


def test_without_a_model_the_background_is_designed_and_provenance_says_so(photo) -> None:
    result = _generator().generate(_request(photo, None), ProgressSink(), CancelToken())
    made = result.provenance
    assert made.generator == "visual.designed" and made.model_id is None
    assert made.parameters["diffusion"] is False
    assert "no diffusion model" in made.parameters["note"]
    assert result.image.size == SIZE


def test_pickle_checkpoints_are_refused(tmp_path) -> None:
    checkpoint = tmp_path / "model.ckpt"
    checkpoint.write_bytes(b"pickle")
    with pytest.raises(UnsafeModelFile, match="pickle"):
        add_local_model(checkpoint, "visual", "sd15")
    folder = tmp_path / "pickled"
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    (folder / "unet" / "diffusion_pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(UnsafeModelFile):
        add_local_model(folder, "visual", "sd15")


def test_unknown_missing_and_corrupt_models_give_clear_errors(tiny_models, tmp_path, photo):
    with pytest.raises(UnknownModelError, match="no-such-model"):
        _generator().generate(_request(photo, "no-such-model"), ProgressSink(), CancelToken())

    moved = tmp_path / "moved"
    shutil.copytree(tiny_models[0], moved)
    add_local_model(moved, "visual", "sd-turbo", model_id="moved")
    shutil.rmtree(moved)
    with pytest.raises(ModelError, match="no longer exists"):
        _generator().generate(_request(photo, "moved"), ProgressSink(), CancelToken())

    corrupt = tmp_path / "corrupt"
    shutil.copytree(tiny_models[0], corrupt)
    weights = next((corrupt / "unet").glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])  # truncated: refused when added
    with pytest.raises(ModelError, match="is not a safetensors file"):
        add_local_model(corrupt, "visual", "sd-turbo", model_id="corrupt")

    not_a_pipeline = tmp_path / "loose"
    not_a_pipeline.mkdir()
    (not_a_pipeline / "weights.safetensors").write_bytes(
        b"\x02\x00\x00\x00\x00\x00\x00\x00{}"
    )  # no tensors, valid header
    add_local_model(not_a_pipeline, "visual", "sd15", model_id="loose")
    with pytest.raises(ModelError, match="not a diffusers pipeline folder"):
        _generator().generate(_request(photo, "loose"), ProgressSink(), CancelToken())
    model_cache.release()


def test_single_file_must_be_safetensors(tmp_path, photo) -> None:
    checkpoint = tmp_path / "model.safetensors"
    checkpoint.write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")  # valid, no tensors
    add_local_model(checkpoint, "visual", "sd15", model_id="single")
    with pytest.raises(ModelError, match="single"):
        _generator().generate(_request(photo, "single"), ProgressSink(), CancelToken())


def test_unreadable_product_photo_is_refused_before_any_model_loads(tiny) -> None:
    tiny_photo = Image.new("RGB", (4, 4), (10, 10, 10))
    with pytest.raises(InputError, match="too small"):
        _generator().generate(_request(tiny_photo, tiny), ProgressSink(), CancelToken())
