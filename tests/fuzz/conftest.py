"""Hypothesis profiles: ``ci`` (the default run, bounded) and ``long`` (for a search of
an hour or so: ``HYPOTHESIS_PROFILE=long pytest tests/fuzz``)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # a workspace per example: timing says nothing here
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": True,  # CI runs the same examples every time
    "database": None,
}
settings.register_profile("ci", max_examples=60, **_COMMON)
settings.register_profile("long", max_examples=5_000, **{**_COMMON, "derandomize": False})
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list) -> None:
    """The long search runs thousands of examples per test: more than the default run's
    per-test timeout allows."""
    import pytest

    if os.environ.get("HYPOTHESIS_PROFILE") == "long":
        for item in items:
            item.add_marker(pytest.mark.timeout(3 * 3600))
