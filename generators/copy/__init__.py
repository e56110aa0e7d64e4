"""Marketing copy from a local transformer LM, checked against hard constraints.

Public API::

    from generators.copy import CopyRequest, ProductFacts, SegmentBrief, BrandVoice
    from generators.copy import generate_copy
    result = generate_copy(CopyRequest(product=ProductFacts(name="Trail Runner"),
                                       channel_format="meta_feed"))
    result.fields["headline"][0].text

Heavy libraries (torch, transformers) load on first use, not on import.
"""

from generators.copy.angles import ANGLES, available_angles
from generators.copy.generator import CopyGenerator, generate_copy
from generators.copy.request import (
    BrandVoice,
    CopyCandidate,
    CopyRequest,
    CopyResult,
    ProductFacts,
    SegmentBrief,
    facts_from_product_row,
    segment_from_row,
    voice_of,
)
from generators.copy.sampling import SamplingParameters

__all__ = [
    "ANGLES",
    "BrandVoice",
    "CopyCandidate",
    "CopyGenerator",
    "CopyRequest",
    "CopyResult",
    "ProductFacts",
    "SamplingParameters",
    "SegmentBrief",
    "available_angles",
    "facts_from_product_row",
    "generate_copy",
    "segment_from_row",
    "voice_of",
]
