"""Variant styles: load a GAN generator from the registry and restyle images with it.

Any size, one strategy (resize + detail transfer): the generator runs on a copy whose long
side is at most the style's processing size (512 px for the shipped style, twice the
training size for trained ones); the result is scaled back up and the original's fine
detail (the image minus its own blurred-by-resampling copy) is added back. The look
(colour, contrast, grain at the trained scale) comes from the generator, edges and small
type come from the original, and cost stays flat however large the creative is. Tiling was
rejected: instance normalisation makes each tile's colours drift, which shows as seams.

Product protection: the product mask is dilated a little and feathered outward, and the
original is blended back under it, so pixels inside the product are exactly the original.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.registry import ModelSpec, all_specs, get_spec, model_cache, resolve_path
from generators.variants.networks import GeneratorConfig, build_generator
from studio.core.campaign_settings import STYLE_STRENGTH
from studio.core.errors import InputError, ModelError

if TYPE_CHECKING:
    from PIL import Image

STYLE_FORMAT = "campaign-studio-style"
DEFAULT_PROCESS_SIZE = 512
#: the generator downsamples twice, so sides must be multiples of 4
_MULTIPLE = 4
DEFAULT_BATCH = 8
MIN_STRENGTH, MAX_STRENGTH = STYLE_STRENGTH


@dataclass(frozen=True)
class LoadedStyle:
    spec: ModelSpec
    network: Any  # torch.nn.Module, eval mode, on ``device``
    config: GeneratorConfig
    process_size: int
    device: str
    dtype: Any


def list_styles() -> list[ModelSpec]:
    """Every variant style: the shipped ones first, then the user's trained styles."""
    return sorted(all_specs("variant"), key=lambda s: (s.source != "package", s.id))


def read_style_metadata(path: Path) -> dict[str, str]:
    """The metadata header of a trained style file (safetensors)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except Exception as error:  # safetensors raises its own error types for damaged files
        raise ModelError(f"The style file {path} cannot be read: {error}.") from error


def load_style(style_id: str, device: str | None = None) -> LoadedStyle:
    """The style's generator, ready for inference, from the process-wide model cache.

    Without ``device`` the user's Settings choose (device and precision)."""
    spec = get_spec(style_id, kind="variant")
    path = resolve_path(spec)
    choice = inference_device(device)
    # the file's mtime in the key: retraining a style under the same name reloads it
    key = (spec.id, choice.device, str(choice.dtype), path.stat().st_mtime_ns)
    return model_cache.get(key, lambda: _load(spec, path, choice.device, choice.dtype))


def inference_device(device: str | None = None) -> Any:
    """The device and dtype styles run with; the CPU always computes in fp32 (exact and
    fastest there)."""
    import torch

    from generators.device import DeviceChoice, choose_device
    from studio.core.settings import load_settings

    settings = load_settings()
    choice = choose_device(device or settings.device, settings.precision)
    return DeviceChoice(choice.device, torch.float32) if choice.device == "cpu" else choice


def _load(spec: ModelSpec, path: Path, device: str, dtype: Any) -> LoadedStyle:
    import torch

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        meta = read_style_metadata(path)
        if meta.get("format") != STYLE_FORMAT:
            raise ModelError(f"{path} is not a Campaign Studio style file.")
        config = GeneratorConfig.from_metadata(meta)
        process_size = int(meta.get("process_size", DEFAULT_PROCESS_SIZE))
        state = load_file(str(path))
    else:
        config = GeneratorConfig.from_metadata(spec.extra)
        process_size = int(spec.extra.get("process_size", DEFAULT_PROCESS_SIZE))
        state = torch.load(path, map_location="cpu", weights_only=True)
    network = build_generator(config)
    try:
        network.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise ModelError(
            f"The weights in {path} do not fit the '{spec.id}' generator: {error}."
        ) from error
    network.eval().requires_grad_(False).to(device=device, dtype=dtype)
    return LoadedStyle(spec, network, config, process_size, device, dtype)


# --- applying a style -----------------------------------------------------------------


def apply_style(
    image: Image.Image,
    style_id: str,
    *,
    protect_mask: Image.Image | None = None,
    device: str | None = None,
) -> Image.Image:
    """Restyle one image at its own size; pixels under ``protect_mask`` stay the original."""
    return stylize([image], style_id, masks=[protect_mask], device=device)[0]


def stylize(
    images: Sequence[Image.Image],
    style_id: str,
    *,
    masks: Sequence[Image.Image | None] | None = None,
    device: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    strength: float = 1.0,
) -> list[Image.Image]:
    """Restyle many images, batching those that share a processing size.

    ``strength`` scales the change the style makes: 1 is the generator's own output,
    less keeps more of the original, more pushes further in the style's direction
    (up to :data:`MAX_STRENGTH`)."""
    if masks is not None and len(masks) != len(images):
        raise ValueError("give one mask (or None) per image")
    if not MIN_STRENGTH <= strength <= MAX_STRENGTH:
        raise InputError(
            f"Style strength {strength} is out of range.",
            hint=f"use {MIN_STRENGTH} to {MAX_STRENGTH} (1 is the style as trained)",
        )
    style = load_style(style_id, device)
    sources = [image.convert("RGB") for image in images]
    small = [_fit(image, style.process_size) for image in sources]
    styled: list[Image.Image | None] = [None] * len(images)
    by_size: dict[tuple[int, int], list[int]] = {}
    for index, image in enumerate(small):
        by_size.setdefault(image.size, []).append(index)
    for indices in by_size.values():
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            for index, result in zip(
                chunk, run_generator(style, [small[i] for i in chunk]), strict=True
            ):
                styled[index] = result
    results = []
    for index, source in enumerate(sources):
        result = _scaled(source, _restore_detail(source, small[index], styled[index]), strength)
        mask = masks[index] if masks is not None else None
        results.append(protect(source, result, mask) if mask is not None else result)
    return results


def run_generator(style: LoadedStyle, images: Sequence[Image.Image]) -> list[Image.Image]:
    """One forward pass over same-size RGB images (padded to a multiple of 4)."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    width, height = images[0].size
    batch = torch.from_numpy(np.stack([np.asarray(image) for image in images]))
    batch = batch.permute(0, 3, 1, 2).to(device=style.device, dtype=torch.float32)
    batch = batch / 127.5 - 1.0
    pad_w, pad_h = -width % _MULTIPLE, -height % _MULTIPLE
    if pad_w or pad_h:
        batch = F.pad(batch, (0, pad_w, 0, pad_h), mode="reflect")
    with torch.inference_mode():
        output = style.network(batch.to(style.dtype)).float()
    output = output[:, :, :height, :width]
    pixels = ((output + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
    from PIL import Image

    return [Image.fromarray(array) for array in pixels.permute(0, 2, 3, 1).cpu().numpy()]


def _fit(image: Image.Image, process_size: int) -> Image.Image:
    from PIL import Image

    longest = max(image.size)
    if longest <= process_size:
        return image
    scale = process_size / longest
    size = (max(_MULTIPLE, round(image.width * scale)), max(_MULTIPLE, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _scaled(source: Image.Image, styled: Image.Image, strength: float) -> Image.Image:
    """The source moved ``strength`` times the style's change towards (or past) it."""
    import numpy as np
    from PIL import Image

    if strength == 1.0:
        return styled
    original = np.asarray(source, dtype=np.float32)
    change = np.asarray(styled, dtype=np.float32) - original
    return Image.fromarray(np.clip(original + strength * change, 0, 255).round().astype(np.uint8))


def _restore_detail(
    source: Image.Image, small: Image.Image, styled: Image.Image | None
) -> Image.Image:
    """Scale the styled image back to the source size, adding the detail resizing lost."""
    import numpy as np
    from PIL import Image

    assert styled is not None
    if small.size == source.size:
        return styled
    up = np.asarray(styled.resize(source.size, Image.Resampling.BICUBIC), dtype=np.float32)
    original = np.asarray(source, dtype=np.float32)
    blurred = np.asarray(small.resize(source.size, Image.Resampling.BICUBIC), dtype=np.float32)
    combined = np.clip(up + (original - blurred), 0, 255).round().astype(np.uint8)
    return Image.fromarray(combined)


def protect(original: Image.Image, styled: Image.Image, mask: Image.Image) -> Image.Image:
    """Blend ``original`` back where ``mask`` is set; the seam is feathered outside it."""
    from PIL import Image, ImageFilter

    mask = mask.convert("L")
    if mask.size != original.size:
        mask = mask.resize(original.size, Image.Resampling.NEAREST)
    mask = mask.point(lambda v: 255 if v >= 128 else 0)
    radius = max(1, min(original.size) // 100)
    # grow first, then blur: the blur's falloff lands outside the product, not on it
    grown = mask.filter(ImageFilter.MaxFilter(2 * radius + 1))
    feathered = Image.fromarray(_maximum(grown.filter(ImageFilter.GaussianBlur(radius)), mask))
    return Image.composite(original.convert("RGB"), styled.convert("RGB"), feathered)


def _maximum(first: Image.Image, second: Image.Image) -> Any:
    import numpy as np

    return np.maximum(np.asarray(first), np.asarray(second))


def box_mask(size: tuple[int, int], box: Sequence[float] | None) -> Image.Image | None:
    """A mask covering ``box`` ([x0, y0, x1, y1] in pixels) on an image of ``size``."""
    from PIL import Image, ImageDraw

    if not box:
        return None
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rectangle([round(v) for v in box], fill=255)
    return mask
