"""Cheap preview images of latents during denoising."""

from __future__ import annotations

from typing import Any

from PIL import Image

from generators.visual.families import LATENT_RGB

PREVIEW_SIZE = 256


def latents_to_preview(latents: Any, latent_kind: str, decoder: Any | None = None) -> Image.Image:
    """An RGB preview of the first latent in a batch.

    With a tiny decoder (TAESD) the preview is a real, if soft, decode; without one it is
    the linear latent→RGB approximation, which costs next to nothing.
    """
    import torch

    with torch.inference_mode():
        sample = latents[:1].float()
        if decoder is not None:
            decoded = decoder.decode(sample.to(decoder.dtype)).sample[0].float()
            rgb = (decoded / 2 + 0.5).clamp(0, 1)
        else:
            factors, bias = LATENT_RGB[latent_kind]
            matrix = torch.tensor(factors, dtype=torch.float32)
            rgb = torch.einsum("chw,cr->rhw", sample[0].cpu(), matrix)
            rgb = (rgb + torch.tensor(bias).view(3, 1, 1) + 1) / 2
            rgb = rgb.clamp(0, 1)
        array = (rgb.permute(1, 2, 0).cpu().numpy() * 255).round().astype("uint8")
    image = Image.fromarray(array, "RGB")
    scale = PREVIEW_SIZE / max(image.size)
    if scale > 1:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return image
