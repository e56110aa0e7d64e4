"""Fixtures for generator tests: tiny copy models trained locally and registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators.copy import BrandVoice, CopyRequest, ProductFacts, SegmentBrief


def trail_runner() -> ProductFacts:
    return ProductFacts(
        name="Trail Runner GTX",
        category="Running shoes",
        description="Lightweight trail shoe with a grippy outsole.",
        attributes={"colour": "forest green"},
        price=129.0,
        currency="EUR",
        sku="TR-1",
    )


def copy_request(**overrides) -> CopyRequest:
    values = dict(
        product=trail_runner(),
        channel_format="google_rsa",
        segment=SegmentBrief("Weekend adventurers", "Hike and run on weekends"),
        brand=BrandVoice(tone_words=("energetic",)),
        n=2,
        model_id="tiny-llama",
    )
    values.update(overrides)
    return CopyRequest(**values)


def training_prompts() -> list[str]:
    """The chat prompts the copy generator builds for the test requests."""
    from copy_tiny_lm import build_tokenizer

    from generators.copy.generator import plan_fields
    from generators.copy.prompts import field_prompt
    from studio.core.channels import get_channel_format

    template = build_tokenizer(["x"])
    prompts = []
    for format_id in ("google_rsa", "sms", "meta_feed"):
        request = copy_request(channel_format=format_id)
        channel = get_channel_format(format_id)
        for plan in plan_fields(request, channel):
            target = min(plan.room, plan.field.recommended_chars or plan.room)
            messages = field_prompt(request, plan.field.name, target, channel.label).messages
            prompts.append(
                template.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            )
    return prompts


class TinyModels:
    """Tiny copy models per family, trained once per test session on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folders: dict[str, Path] = {}

    def folder(self, family: str = "llama") -> Path:
        from copy_tiny_lm import build_tiny_model

        if family not in self.folders:
            folder = self.root / family
            build_tiny_model(folder, training_prompts(), family=family)
            self.folders[family] = folder
        return self.folders[family]


@pytest.fixture
def one_torch_thread():
    """Tiny models gain nothing from threads, and on a busy machine spinning threads
    slow them down many times over."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session", name="tiny_models")
def tiny_models_fixture(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    return TinyModels(tmp_path_factory.mktemp("tiny-copy-models"))


@pytest.fixture
def tiny_copy_model(tiny_models: TinyModels, one_torch_thread: None):
    """Registers the tiny Llama as the local copy model 'tiny-llama' (per test home)."""
    from generators.registry import add_local_model, model_cache

    add_local_model(tiny_models.folder("llama"), "copy", "llama", model_id="tiny-llama")
    yield "tiny-llama"
    model_cache.release("tiny-llama")
