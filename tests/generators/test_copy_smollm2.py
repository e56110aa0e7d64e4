"""The embedded SmolLM2-135M model, loaded from its package GGUF through the registry."""

from __future__ import annotations

import pytest
from copy_fixtures import one_torch_thread  # noqa: F401 (fixture)

from generators.base import CancelToken, ProgressSink
from generators.copy import BrandVoice, CopyGenerator, CopyRequest, ProductFacts, SegmentBrief
from generators.copy.constraints import check, grounding_text
from generators.copy.generator import plan_fields
from generators.copy.specs import SMOLLM2_135M
from studio.core.channels import get_channel_format
from studio.core.errors import Cancelled

# one thread: as fast on an idle CI runner's cores, many times faster on a busy machine
pytestmark = [pytest.mark.smollm2, pytest.mark.usefixtures("one_torch_thread")]

REQUEST = CopyRequest(
    product=ProductFacts(
        name="Nordic Mug",
        category="Kitchen",
        description="Stoneware mug, dishwasher safe, holds 350 ml.",
        price=18.0,
        currency="EUR",
    ),
    channel_format="sms",
    segment=SegmentBrief("Cosy homebodies", "Customers who like to spend time at home."),
    brand=BrandVoice(banned_words=("cheap",)),
    n=1,
    seed=3,
)


def test_embedded_model_writes_checked_copy() -> None:
    result = CopyGenerator(oversample=4, max_rounds=1).generate(
        REQUEST, ProgressSink(), CancelToken()
    )
    assert result.provenance.model_id == SMOLLM2_135M.id
    assert result.provenance.model_revision == f"sha256:{SMOLLM2_135M.sha256}"
    plans = {p.field.name: p for p in plan_fields(REQUEST, get_channel_format("sms"))}
    facts = grounding_text(REQUEST.product, REQUEST.brand)
    returned = [c for candidates in result.fields.values() for c in candidates]
    for candidate in returned:  # whatever passes really passes, checked again here
        assert check(candidate.text, plans[candidate.field].rules, facts) == []
        assert candidate.text.endswith("Reply STOP to opt out.")
    if not result.passed:
        assert result.problems and result.closest
    assert result.stats["new_tokens"] > 0


def test_embedded_model_streams_and_cancels() -> None:
    cancel = CancelToken()
    streamed: list[str] = []

    def on_event(event) -> None:
        if event.text:
            streamed.append(event.text)
            cancel.cancel()

    with pytest.raises(Cancelled):
        CopyGenerator(max_rounds=1).generate(REQUEST, ProgressSink(on_event), cancel)
    assert 1 <= len(streamed) <= 2
