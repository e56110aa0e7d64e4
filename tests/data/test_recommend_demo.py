"""Recommendations on the demo retailer: they must clearly beat popularity.

The full-size check of the figures in docs/segments.md is slow: run it with -m slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.data.demo import create_demo_workspace
from studio.data.evaluate import evaluate_recommendations
from studio.data.segmentation import list_segments, run_segmentation


def _evaluate(path: Path, n_customers: int) -> dict:
    with create_demo_workspace(path, seed=7, n_customers=n_customers) as ws:
        run_segmentation(ws, seed=0)
        names = [s["name"] for s in list_segments(ws)]
        assert len(set(names)) == len(names)
        return evaluate_recommendations(ws, holdout_days=60, k=10, seed=0)


def test_small_demo_beats_popularity(tmp_path: Path) -> None:
    result = _evaluate(tmp_path / "demo", 1000)
    assert result["segments"]["ndcg"] > 1.3 * result["popularity"]["ndcg"]
    assert result["segments"]["hit_rate"] > result["popularity"]["hit_rate"]
    assert result["popularity"]["ndcg"] > result["random"]["ndcg"]


@pytest.mark.slow
def test_full_demo_figures_in_the_guide(tmp_path: Path) -> None:
    """The figures docs/segments.md reports (5,000 customers, seed 7)."""
    result = _evaluate(tmp_path / "demo", 5000)
    assert result["customers_evaluated"] == 2431
    assert result["segments"] == {"hit_rate": 0.8601, "ndcg": 0.4687, "precision": 0.2122}
    assert result["popularity"]["ndcg"] == 0.261
