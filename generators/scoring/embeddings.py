"""Sentence embeddings with all-MiniLM-L6-v2, fully offline.

Used by recommendations (content similarity of products) and by the copy ranker
(relevance of a candidate to its product and segment). Vectors are L2-normalised, so a
dot product is the cosine similarity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generators.registry import get_spec, model_cache, resolve_path

if TYPE_CHECKING:
    import numpy as np

DEFAULT_EMBEDDING_MODEL = "all-minilm-l6-v2"


def _load(model_id: str):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging

    logging.disable_progress_bar()  # a bar per load would reach the CLI's output

    weights = resolve_path(get_spec(model_id, "embedding"))
    # the package ships a full sentence-transformers folder around the weights file
    return SentenceTransformer(str(weights.parent), device="cpu", local_files_only=True)


def embed_texts(
    texts: list[str], model_id: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64
) -> np.ndarray:
    """Embed texts into an (n, 384) float32 array of unit vectors."""
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = model_cache.get((model_id, "cpu", "embedding"), lambda: _load(model_id))
    vectors = model.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        show_progress_bar=False,
        convert_to_numpy=True,
    )
    return vectors.astype(np.float32)
