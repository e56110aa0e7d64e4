"""Fixtures for generator tests: tiny copy models trained locally on these tests' briefs."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators.copy import BrandVoice, CopyRequest, ProductFacts, SegmentBrief

#: what the generator tests' model answers: grounded in :func:`trail_runner`'s facts
BRIEF_REPLY = "Trail Runner GTX in green."


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
    """The prompts the copy generator builds for the test requests, one per field, each
    ending where the model's answer starts (after the previous fields' answers)."""
    from generators.copy.facts import fact_sheet
    from generators.copy.gate import field_kind
    from generators.copy.plans import plan_fields
    from generators.copy.prompts import ad_prompt, field_opening
    from studio.core.channels import get_channel_format

    prompts = []
    for format_id in ("google_rsa", "sms", "meta_feed"):
        request = copy_request(channel_format=format_id)
        plans = plan_fields(request, get_channel_format(format_id))
        fields = [(p.field.name, field_kind(p.field.name, p.field.max_chars)) for p in plans]
        prompt = ad_prompt(fact_sheet(request, "en"), fields)
        for name, _ in fields:
            prompt += field_opening("en", name)
            prompts.append(prompt)
            prompt += " " + BRIEF_REPLY
    return prompts


class TinyModels:
    """Tiny copy models per family, trained once per test session on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folders: dict[str, Path] = {}

    def folder(self, family: str = "llama") -> Path:
        from tiny_copy import build_tiny_lm

        if family not in self.folders:
            folder = self.root / family
            build_tiny_lm(folder, training_prompts(), BRIEF_REPLY, family=family)
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
