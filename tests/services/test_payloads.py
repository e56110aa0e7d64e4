"""Job payloads are typed records: what each job kind carries, read by attribute."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from studio.core.errors import StudioError
from studio.services.generation.payloads import (
    CopyPayload,
    CreativePayload,
    VariantsPayload,
    VisualPayload,
    payload_units,
)

ROOT = Path(__file__).resolve().parents[2]


def test_a_payload_stores_what_is_set_and_reads_back_the_same():
    payload = CopyPayload(candidates=2, angle="gift")
    assert payload.as_dict() == {"candidates": 2, "angle": "gift"}
    assert CopyPayload.read({**payload.as_dict(), "after": [3]}) == payload  # the queue's key
    challengers = VariantsPayload(parent_id=7, cells=({"colourway": 1},), round=2)
    stored = json.loads(json.dumps(challengers.as_dict()))  # as the queue keeps it
    assert VariantsPayload.read(stored) == challengers


def test_jobs_queued_by_an_earlier_version_still_read():
    # visuals named their segment and product, regenerated creatives a seed nobody read
    assert VisualPayload.read({"segment_id": 1, "product_id": 2}) == VisualPayload()
    assert CreativePayload.read({"supersedes": 5, "seed": 9}) == CreativePayload(supersedes=5)


def test_a_key_no_version_wrote_fails_the_job_by_name():
    with pytest.raises(StudioError, match="does not know: tempo"):
        CopyPayload.read({"tempo": "fast"})
    assert payload_units("copy", {"tempo": "fast"}, 2) == 1  # shown, and failed when run


@pytest.mark.parametrize(
    ("kind", "payload", "images", "units"),
    [
        ("copy", {}, 2, 1),
        ("creative", {}, 6, 6),
        ("creative", {"rerender": [4, 5]}, 6, 2),
        ("variants", {"count": 3}, 2, 6),
        ("variants", {"parent_id": 1, "cells": [{"a": 1}, {"b": 2}]}, 2, 2),
        ("cleanup", {}, 2, 1),
    ],
)
def test_units_are_the_planners(kind, payload, images, units):
    assert payload_units(kind, payload, images) == units


def test_no_handler_or_planner_reads_a_payload_key_by_string():
    readers = [*(ROOT / "studio" / "services" / "generation").glob("*.py"),
               ROOT / "studio" / "services" / "planning.py"]  # fmt: skip
    loose = [
        f"{path.name}: {match}"
        for path in readers
        if path.name != "payloads.py"
        for match in re.findall(r"payload(?:\.get\(|\[)[^)\]]*", path.read_text())
    ]
    assert not loose, loose
