"""Built-in visual models: diffusion pipelines to download, and tiny decoders (TAESD).

Nothing here ships with the app: without a downloaded or added model, visuals use
backgrounds designed from the brand palette (and say so in their provenance). Sizes are
those of the files the download fetches (fp16 weights, configs and tokenizer).
"""

from generators.registry import ModelSpec

#: fetch configs, tokenizer and half-precision weights only (they load as fp32 on CPU)
FP16_PATTERNS = ["*.json", "*.txt", "tokenizer*/*", "*/*.fp16.safetensors"]

SD_TURBO = ModelSpec(
    id="sd-turbo",
    name="SD-Turbo",
    kind="visual",
    family="sd-turbo",
    source="hub",
    location="stabilityai/sd-turbo",
    license="Stability AI Non-Commercial Research Community License (sai-nc-community)",
    size_bytes=2_600_000_000,
    description="Fast text-to-image (1–4 steps) at 512 px, distilled from SD 2.1. "
    "Recommended for visuals on CPU and GPU. Non-commercial licence; for commercial use "
    "see https://stability.ai/license.",
    recommended=True,
    extra={"allow_patterns": FP16_PATTERNS, "variant": "fp16"},
)

SD15 = ModelSpec(
    id="sd-1.5",
    name="Stable Diffusion 1.5",
    kind="visual",
    family="sd15",
    source="hub",
    location="stable-diffusion-v1-5/stable-diffusion-v1-5",
    license="CreativeML OpenRAIL-M",
    size_bytes=2_750_000_000,
    description="The classic 512 px model with a large ecosystem of fine-tunes; 20–30 steps.",
    extra={"allow_patterns": FP16_PATTERNS, "variant": "fp16"},
)

SDXL_TURBO = ModelSpec(
    id="sdxl-turbo",
    name="SDXL-Turbo",
    kind="visual",
    family="sdxl-turbo",
    source="hub",
    location="stabilityai/sdxl-turbo",
    license="Stability AI Non-Commercial Research Community License (sai-nc-community)",
    size_bytes=6_940_000_000,
    description="Higher-quality fast model (1–4 steps at 512 px); needs a GPU with 8 GB or "
    "more. Non-commercial licence; for commercial use see https://stability.ai/license.",
    extra={"allow_patterns": FP16_PATTERNS, "variant": "fp16"},
)

TAESD = ModelSpec(
    id="taesd",
    name="TAESD (tiny autoencoder for SD 1.x/2.x)",
    kind="decoder",
    family="taesd",
    source="hub",
    location="madebyollin/taesd",
    license="MIT",
    size_bytes=9_800_000,
    description="Decodes SD 1.x/2.x latents about 100× cheaper than the full VAE; used on "
    "CPU and for live previews.",
    extra={"allow_patterns": ["config.json", "diffusion_pytorch_model.safetensors"]},
)

TAESDXL = ModelSpec(
    id="taesdxl",
    name="TAESDXL (tiny autoencoder for SDXL)",
    kind="decoder",
    family="taesdxl",
    source="hub",
    location="madebyollin/taesdxl",
    license="MIT",
    size_bytes=9_800_000,
    description="The tiny autoencoder for SDXL latents.",
    extra={"allow_patterns": ["config.json", "diffusion_pytorch_model.safetensors"]},
)

SPECS = [SD_TURBO, SD15, SDXL_TURBO, TAESD, TAESDXL]
