"""What differs between diffusion families: default steps and guidance, latent colours."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import ModelError


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


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise ModelError(
            f"Unknown diffusion family '{name}'.", hint=f"use one of {', '.join(FAMILIES)}"
        )
    return FAMILIES[name]
