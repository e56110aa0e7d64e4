"""What differs between diffusion families: default steps and guidance, latent colours,
and what a model of each looks like on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generators.weight_files import PICKLE_SUFFIXES
from studio.core.errors import InputError, ModelError


@dataclass(frozen=True)
class Family:
    name: str
    steps: int
    guidance: float
    size: int
    #: "sd" (SD 1.x/2.x latents) or "sdxl"; picks the tiny decoder and preview colours
    latents: str
    #: distilled for 1–4 steps: image-to-image runs ceil(1 / strength) steps so that at
    #: least one is denoised
    turbo: bool = False


FAMILIES = {
    "sd15": Family("sd15", steps=25, guidance=7.5, size=512, latents="sd"),
    "sd2": Family("sd2", steps=25, guidance=7.5, size=768, latents="sd"),
    # distilled models are trained for no classifier-free guidance (model cards)
    "sd-turbo": Family("sd-turbo", steps=1, guidance=0.0, size=512, latents="sd", turbo=True),
    "sdxl": Family("sdxl", steps=30, guidance=6.0, size=1024, latents="sdxl"),
    "sdxl-turbo": Family("sdxl-turbo", steps=1, guidance=0.0, size=512, latents="sdxl", turbo=True),
}

DECODER_FOR_LATENTS = {"sd": "taesd", "sdxl": "taesdxl"}

#: linear latent → RGB approximations, one row per latent channel (the widely used
#: "latent2rgb" factors; ComfyUI and A1111 use the same) and a bias
LATENT_RGB = {
    "sd": (
        ((0.298, 0.207, 0.208), (0.187, 0.286, 0.173), (-0.158, 0.189, 0.264),
         (-0.184, -0.271, -0.473)),
        (0.0, 0.0, 0.0),
    ),
    "sdxl": (
        ((0.3651, 0.4232, 0.4341), (-0.2533, -0.0042, 0.1068), (0.1076, 0.1111, -0.0362),
         (-0.3165, -0.2492, -0.2188)),
        (0.1084, -0.0175, -0.0011),
    ),
}  # fmt: skip


def check_visual_source(path: Path, kind: str, family_name: str) -> None:
    """Refuse, before it is added, a path that cannot be a ``kind`` model of that family."""
    decoders = sorted(set(DECODER_FOR_LATENTS.values()))
    families = decoders if kind == "decoder" else list(FAMILIES)
    if family_name not in families:
        raise InputError(
            f"A {kind} model needs its family, and '{family_name}' is not one.",
            hint=f"pass --family with one of {', '.join(families)}",
        )
    marker = "config.json" if kind == "decoder" else "model_index.json"
    if path.is_dir() and not (path / marker).is_file():
        raise InputError(f"{path} is not a diffusers model folder (no {marker}).")
    if path.is_file() and path.suffix.lower() not in (".safetensors", *PICKLE_SUFFIXES):
        raise InputError(
            f"{path} is not a model file.", hint="add a .safetensors checkpoint or a folder"
        )


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise ModelError(
            f"Unknown diffusion family '{name}'.", hint=f"use one of {', '.join(FAMILIES)}"
        )
    return FAMILIES[name]
