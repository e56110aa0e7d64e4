"""Training a brand style: checkpoints, resume, cancel, out-of-memory and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.registry import get_spec
from generators.variants.networks import GeneratorConfig
from generators.variants.styles import apply_style, list_styles, read_style_metadata
from generators.variants.training import STATE_FILE, TrainingConfig, train_style
from studio.core.errors import Cancelled, GenerationError, InputError
from studio.core.progress import CancelToken, ProgressSink

SIZE = 32
#: a tiny network: the code paths are the real ones, the arithmetic is small
TINY = TrainingConfig(
    generator=GeneratorConfig(ngf=4, n_blocks=1, separable=True),
    ndf=4,
    checkpoint_every=1,
    preview_every=1,
)


def _images(folder: Path, count: int, tint: tuple[int, int, int], seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        noise = rng.integers(-40, 40, size=(40, 48, 3))
        pixels = np.clip(np.array(tint) + noise, 0, 255).astype(np.uint8)
        path = folder / f"image-{index}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, list[Path]]:
    brand = tmp_path / "brand"
    _images(brand, 4, (200, 120, 60), seed=1)
    content = _images(tmp_path / "content", 4, (128, 128, 128), seed=2)
    return brand, content


def test_two_steps_write_a_checkpoint_that_reloads_as_a_style(data, tmp_path: Path) -> None:
    brand, content = data
    events = []
    path = train_style(
        brand,
        out_name="Summer Look",
        steps=2,
        size=SIZE,
        sink=ProgressSink(events.append),
        cancel=CancelToken(),
        resume=False,
        content_images=content,
        config=TINY,
    )
    meta = read_style_metadata(path)
    assert meta["steps"] == "2" and meta["complete"] == "true"
    assert [f["file"] for f in __import__("json").loads(meta["brand_images"])] == [
        f"image-{i}.png" for i in range(4)
    ]
    assert meta["trained_at"].startswith("20")
    assert (path.parent / STATE_FILE).exists()

    losses = [e.status for e in events if e.status.startswith("Step ")]
    assert losses[0].startswith("Step 1/2: generator ")
    previews = [e.preview for e in events if e.preview is not None]
    assert previews and previews[0].size == (2 * SIZE, SIZE)

    spec = get_spec("summer-look", kind="variant")
    assert spec in list_styles()
    styled = apply_style(Image.open(content[0]), "summer-look")
    assert styled.size == (48, 40)


def test_resume_continues_exactly_where_training_stopped(data) -> None:
    from safetensors.torch import load_file

    brand, content = data
    straight = train_style(
        brand, out_name="straight", steps=3, size=SIZE, content_images=content, config=TINY
    )
    train_style(brand, out_name="resumed", steps=2, size=SIZE, content_images=content, config=TINY)
    resumed = train_style(
        brand,
        out_name="resumed",
        steps=3,
        size=SIZE,
        resume=True,
        content_images=content,
        config=TINY,
    )
    a, b = load_file(straight), load_file(resumed)
    assert read_style_metadata(resumed)["steps"] == "3"
    for key in a:
        assert np.allclose(a[key].numpy(), b[key].numpy(), atol=1e-5), key


def test_cancel_during_training_keeps_a_usable_partial_style(data) -> None:
    brand, content = data
    cancel = CancelToken()

    def cancel_after_first_step(event) -> None:
        if event.status.startswith("Step 1/"):
            cancel.cancel()

    with pytest.raises(Cancelled, match="--resume"):
        train_style(
            brand,
            out_name="halfway",
            steps=50,
            size=SIZE,
            sink=ProgressSink(cancel_after_first_step),
            cancel=cancel,
            content_images=content,
            config=TINY,
        )
    meta = read_style_metadata(Path(get_spec("halfway").location))
    assert meta["steps"] == "1" and meta["complete"] == "false"
    assert apply_style(Image.open(content[0]), "halfway").size == (48, 40)


def test_out_of_memory_saves_the_steps_done_and_says_what_to_do(data, monkeypatch) -> None:
    import torch

    from generators.variants import training

    brand, content = data
    real_step = training._Networks.step
    calls = {"n": 0}

    def step_then_run_out(self, batch, config):
        calls["n"] += 1
        if calls["n"] == 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_step(self, batch, config)

    monkeypatch.setattr(training._Networks, "step", step_then_run_out)
    with pytest.raises(GenerationError, match="out of memory at step 2") as caught:
        train_style(brand, out_name="big", steps=5, size=SIZE, content_images=content, config=TINY)
    assert "--size" in str(caught.value)
    assert read_style_metadata(Path(get_spec("big").location))["steps"] == "1"


def test_too_few_unreadable_and_too_small_images_are_refused(tmp_path: Path, data) -> None:
    brand, content = data
    few = tmp_path / "few"
    _images(few, 2, (10, 10, 10), seed=3)
    with pytest.raises(InputError, match="at least 4 brand images; found 2"):
        train_style(few, out_name="x", steps=1, size=SIZE, content_images=content, config=TINY)

    broken = tmp_path / "broken"
    _images(broken, 4, (10, 10, 10), seed=4)
    (broken / "damaged.jpg").write_bytes(b"not an image")
    Image.new("RGB", (20, 20)).save(broken / "tiny.png")
    with pytest.raises(InputError) as caught:
        train_style(broken, out_name="x", steps=1, size=SIZE, content_images=content, config=TINY)
    reasons = [str(p) for p in caught.value.problems]
    assert any("damaged.jpg" in r and "cannot be read" in r for r in reasons)
    assert any("tiny.png" in r and "smaller than the training size 32 px" in r for r in reasons)

    with pytest.raises(InputError, match="product visuals"):
        train_style(brand, out_name="x", steps=1, size=SIZE, content_images=[], config=TINY)
    with pytest.raises(InputError, match="ships with the studio"):
        train_style(
            brand, out_name="Vintage film", steps=1, size=SIZE, content_images=content, config=TINY
        )


def test_resume_refuses_a_different_size_and_a_missing_run(data) -> None:
    brand, content = data
    train_style(brand, out_name="sized", steps=1, size=SIZE, content_images=content, config=TINY)
    with pytest.raises(InputError, match="trained at 32 px"):
        train_style(
            brand,
            out_name="sized",
            steps=2,
            size=36,
            resume=True,
            content_images=content,
            config=TINY,
        )
    with pytest.raises(InputError, match="already exists"):
        train_style(
            brand, out_name="sized", steps=2, size=SIZE, content_images=content, config=TINY
        )
    with pytest.raises(InputError, match="no training of 'never' to resume"):
        train_style(
            brand,
            out_name="never",
            steps=2,
            size=SIZE,
            resume=True,
            content_images=content,
            config=TINY,
        )
