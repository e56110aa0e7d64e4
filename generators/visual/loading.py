"""Loading diffusion pipelines through the registry, and fitting them to the device.

A model is a diffusers folder (local, or downloaded from the hub into the model cache) or
a single ``.safetensors`` checkpoint. On a GPU the pipeline runs in fp16/bf16 with SDPA
attention and channels-last memory; attention slicing, VAE tiling and model CPU offload
are switched on when free memory is short. On CPU it runs in fp32, and the tiny
autoencoder (TAESD) decodes when it is installed: the full VAE decoder is most of the
CPU time of a 1-step image.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generators.device import DeviceChoice
from generators.registry import ModelSpec, get_spec, is_available, model_cache, resolve_path
from generators.visual.families import DECODER_FOR_LATENTS, Family, family
from generators.weight_files import library_reason, weights_revision
from studio.core.errors import ModelError

log = logging.getLogger(__name__)

GIB = 1 << 30


@dataclass
class LoadedPipeline:
    spec: ModelSpec
    family: Family
    pipe: Any  # a diffusers text-to-image pipeline
    device: DeviceChoice
    #: low-memory and speed options that were switched on, for provenance
    options: dict[str, Any] = field(default_factory=dict)
    _img2img: Any = None

    @property
    def img2img(self) -> Any:
        """The image-to-image pipeline sharing this pipeline's weights (no second copy)."""
        if self._img2img is None:
            from diffusers import AutoPipelineForImage2Image

            self._img2img = AutoPipelineForImage2Image.from_pipe(self.pipe)
            self._img2img.set_progress_bar_config(disable=True)
        return self._img2img

    #: the hub revision, or :func:`~generators.weight_files.weights_revision`
    revision: str | None = None
    #: a tiny decoder to use instead of the installed one (benchmarks, tests)
    tiny_decoder: Any = None


def load_pipeline(
    model_id: str, device: DeviceChoice, *, allow_pickle: bool = False
) -> LoadedPipeline:
    """The pipeline for a registered visual model, cached between jobs."""
    spec = get_spec(model_id, "visual")
    key = (spec.id, device.device, str(device.dtype), "visual")
    return model_cache.get(key, lambda: _load(spec, device, allow_pickle))


def _load(spec: ModelSpec, device: DeviceChoice, allow_pickle: bool) -> LoadedPipeline:
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    path = resolve_path(spec, allow_pickle=allow_pickle)
    fam = family(spec.family)
    # progress reaches the user through the sink; library bars would only clutter stderr
    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    try:
        if path.is_dir():
            pipe = _from_folder(path, spec, device)
        else:
            pipe = _from_single_file(path, spec, fam, device)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as error:
        raise ModelError(
            f"The visual model '{spec.id}' at {path} cannot be loaded: {library_reason(error)}.",
            hint="the files may be incomplete or corrupt; download or add it again",
        ) from error
    revision = spec.revision or weights_revision(path)
    return prepare_pipeline(spec, pipe, device, revision=revision)


def prepare_pipeline(
    spec: ModelSpec, pipe: Any, device: DeviceChoice, *, revision: str | None = None
) -> LoadedPipeline:
    """Wrap a constructed diffusers pipeline and fit it to the device (SDPA, dtype,
    channels-last and low-memory options on GPUs)."""
    pipe.set_progress_bar_config(disable=True)
    loaded = LoadedPipeline(spec, family(spec.family), pipe, device, revision=revision)
    _fit_to_device(loaded)
    return loaded


def _from_folder(path: Path, spec: ModelSpec, device: DeviceChoice) -> Any:
    from diffusers import AutoPipelineForText2Image

    if not (path / "model_index.json").is_file():
        raise ModelError(
            f"{path} is not a diffusers pipeline folder (no model_index.json).",
            hint="add the folder that holds model_index.json, or a single .safetensors file",
        )
    variant = spec.extra.get("variant")
    if variant and not any(path.glob(f"*/*.{variant}.safetensors")):
        variant = None
    return AutoPipelineForText2Image.from_pretrained(
        path,
        dtype=device.dtype,
        variant=variant,
        use_safetensors=True,
        local_files_only=True,
    )


def _from_single_file(path: Path, spec: ModelSpec, fam: Family, device: DeviceChoice) -> Any:
    """A single checkpoint; its pipeline config comes from ``extra['config']`` (a local
    diffusers folder or a hub id, fetched once when online) or diffusers' own detection."""
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    if path.suffix.lower() != ".safetensors":
        raise ModelError(
            f"{path} is not a .safetensors checkpoint.",
            hint="single-file models must be .safetensors (pickle checkpoints can run code)",
        )
    pipeline_class = StableDiffusionXLPipeline if fam.latents == "sdxl" else StableDiffusionPipeline
    kwargs: dict[str, Any] = {"dtype": device.dtype}
    if spec.extra.get("config"):
        kwargs["config"] = spec.extra["config"]
    try:
        return pipeline_class.from_single_file(str(path), **kwargs)
    except OSError as error:
        raise ModelError(
            f"The checkpoint {path} was read, but the configuration of its model family "
            f"could not be found: {library_reason(error)}.",
            hint="connect once to the internet so it can be fetched, or set the model's "
            "'config' to a local diffusers folder of the same family",
        ) from error


def _fit_to_device(loaded: LoadedPipeline) -> None:
    import torch
    from diffusers.models.attention_processor import AttnProcessor2_0

    pipe, device = loaded.pipe, loaded.device
    options = loaded.options
    # SDPA: fused attention kernels (flash / memory-efficient on GPU, fused on CPU)
    pipe.unet.set_attn_processor(AttnProcessor2_0())
    options["attention"] = "sdpa"
    if device.device == "cpu":
        options["dtype"] = "fp32"
        return
    pipe.unet.to(memory_format=torch.channels_last)
    pipe.vae.to(memory_format=torch.channels_last)
    options["channels_last"] = True
    options["dtype"] = str(device.dtype).removeprefix("torch.")
    need = sum(p.numel() * p.element_size() for p in _modules_parameters(pipe))
    free = _free_accelerator_bytes(device.device)
    if free is not None and free < need + 2 * GIB:
        pipe.enable_model_cpu_offload(device=device.device)
        options["model_cpu_offload"] = True
    else:
        pipe.to(device.device)
    if free is not None and free < need + 4 * GIB:
        pipe.enable_attention_slicing()
        pipe.vae.enable_tiling()
        options["attention_slicing"] = True
        options["vae_tiling"] = True
    log.info("visual model %s on %s with %s", loaded.spec.id, device.device, options)


def _modules_parameters(pipe: Any):
    import torch

    for component in pipe.components.values():
        if isinstance(component, torch.nn.Module):
            yield from component.parameters()


def _free_accelerator_bytes(device: str) -> int | None:
    import torch

    if device == "cuda":
        free, _total = torch.cuda.mem_get_info()
        return int(free)
    return None


# --- the tiny decoder ------------------------------------------------------------------


def load_tiny_decoder(fam: Family, device: DeviceChoice) -> Any | None:
    """TAESD/TAESDXL for the family's latents when installed, else None."""
    decoder_id = DECODER_FOR_LATENTS[fam.latents]
    try:
        spec = get_spec(decoder_id, "decoder")
    except ModelError:
        return None
    if not is_available(spec):
        return None
    key = (spec.id, device.device, str(device.dtype), "decoder")
    return model_cache.get(key, lambda: _load_decoder(spec, device))


def _load_decoder(spec: ModelSpec, device: DeviceChoice) -> Any:
    from diffusers import AutoencoderTiny

    path = resolve_path(spec)
    folder = path if path.is_dir() else path.parent
    try:
        decoder = AutoencoderTiny.from_pretrained(
            folder, dtype=device.dtype, use_safetensors=True, local_files_only=True
        )
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelError(
            f"The tiny decoder '{spec.id}' at {folder} cannot be loaded: {library_reason(error)}."
        ) from error
    return decoder.to(device.device).eval()
