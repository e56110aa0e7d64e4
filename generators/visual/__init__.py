"""Visuals: product scenes by diffusion (or designed from the palette), product kept true.

Public API: :class:`VisualGenerator`, :class:`VisualRequest`, :class:`VisualResult`,
:class:`ProductFacts`, :class:`SegmentFacts`, :func:`build_prompt`.
"""

from generators.visual.generator import VisualGenerator, VisualRequest, VisualResult
from generators.visual.prompts import ProductFacts, SegmentFacts, build_prompt

__all__ = [
    "ProductFacts",
    "SegmentFacts",
    "VisualGenerator",
    "VisualRequest",
    "VisualResult",
    "build_prompt",
]
