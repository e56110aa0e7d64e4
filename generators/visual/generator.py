"""The visual generator: a scene for a product, by diffusion when a model is installed.

The product is never drawn by the model. A scene is generated from a prompt built from the
product, segment and brand kit (or designed from the brand palette when no diffusion model
is installed), the product photo is cut out and placed on it with a soft contact shadow,
and an optional low-strength image-to-image pass harmonises light and colour around the
product while a mask keeps the product's own pixels exactly as photographed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from generators.base import GeneratorResult, Provenance
from generators.device import DeviceChoice, choose_device
from generators.registry import all_specs, is_available
from generators.visual.loading import LoadedPipeline, load_pipeline, load_tiny_decoder
from generators.visual.previews import latents_to_preview
from generators.visual.prompts import ProductFacts, SegmentFacts, build_prompt
from studio.core.errors import Cancelled, InputError, ModelError
from studio.core.progress import CancelToken, ProgressSink
from studio.core.settings import load_settings
from studio.render.background import design_background
from studio.render.brand import BrandKit
from studio.render.product import Box, Cutout, cut_out, place_product

#: where the product stands in a square scene (fractions of width and height)
SCENE_PRODUCT_SLOT = (0.2, 0.2, 0.8, 0.9)
DESIGNED_SIZE = (768, 768)


@dataclass
class VisualRequest:
    product_image: Image.Image
    product: ProductFacts
    brand: BrandKit
    segment: SegmentFacts | None = None
    #: a visual model id; None uses the default from Settings, then any installed model,
    #: then a background designed from the palette (no diffusion)
    model_id: str | None = None
    #: the user's own prompt replaces the built one
    prompt: str | None = None
    negative_prompt: str | None = None
    seed: int = 0
    size: tuple[int, int] | None = None
    steps: int | None = None
    guidance: float | None = None
    #: "auto" (tiny decoder on CPU when installed), "tiny" or "full"
    decoder: str = "auto"
    #: strength of the masked image-to-image harmonisation; 0 switches it off
    harmonise: float = 0.0
    previews: bool = True
    background_style: str = "auto"


@dataclass
class VisualResult(GeneratorResult):
    image: Image.Image  # the scene with the product placed
    scene: Image.Image  # the scene alone
    product_box: Box
    product_mask: Image.Image
    extra: dict[str, Any] = field(default_factory=dict)


class VisualGenerator:
    """Makes product scenes; honours cancel within one denoising step."""

    name = "visual"

    def __init__(self, device: DeviceChoice | None = None, *, allow_pickle: bool | None = None):
        settings = load_settings()
        self._device = device
        self._allow_pickle = (
            settings.allow_pickle_checkpoints if allow_pickle is None else allow_pickle
        )

    @property
    def device(self) -> DeviceChoice:
        if self._device is None:
            settings = load_settings()
            self._device = choose_device(settings.device, settings.precision)
        return self._device

    def generate(
        self, request: VisualRequest, sink: ProgressSink, cancel: CancelToken
    ) -> VisualResult:
        cancel.raise_if_cancelled()
        model_id = self._model_for(request)
        if model_id is None:
            return self._designed(request, cut_out(request.product_image), sink)
        cutout = cut_out(request.product_image)  # a bad photo is refused before a model loads
        sink.update(f"Loading {model_id}", 0.02)
        loaded = load_pipeline(model_id, self.device, allow_pickle=self._allow_pickle)
        return self.generate_on(loaded, request, sink, cancel, cutout=cutout)

    # --- choosing -----------------------------------------------------------------------

    def _model_for(self, request: VisualRequest) -> str | None:
        if request.model_id:
            return request.model_id
        default = load_settings().default_models.get("visual")
        if default:
            return default
        installed = [s for s in all_specs("visual") if is_available(s)]
        installed.sort(key=lambda s: not s.recommended)
        return installed[0].id if installed else None

    # --- no diffusion model ------------------------------------------------------------

    def _designed(self, request: VisualRequest, cutout: Cutout, sink: ProgressSink) -> VisualResult:
        size = request.size or DESIGNED_SIZE
        sink.update("Designing a background from the brand palette", 0.2)
        style = request.background_style
        if style == "auto":
            style = request.brand.style.get("background_style", "auto")
        scene = design_background(request.brand, size, request.seed, style)
        image = scene.copy()
        box, mask = place_product(image, cutout, _scene_slot(size))
        sink.update("Background ready", 1.0, preview=image)
        provenance = Provenance(
            generator="visual.designed",
            seed=request.seed,
            parameters={
                "diffusion": False,
                "note": "no diffusion model was used; the background was designed from the "
                "brand palette",
                "background_style": style,
                "size": list(size),
                "cutout": cutout.method,
                "brand_kit": request.brand.name,
            },
        )
        return VisualResult(provenance, image, scene, box, mask)

    # --- diffusion ---------------------------------------------------------------------

    def generate_on(
        self,
        loaded: LoadedPipeline,
        request: VisualRequest,
        sink: ProgressSink,
        cancel: CancelToken,
        *,
        cutout: Cutout | None = None,
    ) -> VisualResult:
        """Generate with an already loaded pipeline (warm caches, benchmarks)."""
        import torch

        cancel.raise_if_cancelled()
        cutout = cutout or cut_out(request.product_image)
        fam = loaded.family
        decoder = self._decoder(request, loaded)
        built_prompt, built_negative = build_prompt(request.product, request.brand, request.segment)
        prompt = request.prompt or built_prompt
        negative = request.negative_prompt or built_negative
        steps = request.steps or fam.steps
        guidance = fam.guidance if request.guidance is None else request.guidance
        width, height = request.size or (fam.size, fam.size)
        if width % 8 or height % 8 or width < 8 or height < 8:
            raise InputError(f"Scene size {width}×{height} must be a multiple of 8 pixels.")
        if steps < 1 or not 0 <= request.harmonise <= 1:
            raise InputError(
                f"Steps must be at least 1 (got {steps}) and harmonise strength within 0–1 "
                f"(got {request.harmonise})."
            )

        generator = torch.Generator("cpu").manual_seed(request.seed)
        callback = _StepCallback(sink.scaled(0.05, 0.8), cancel, steps, fam.latents, decoder,
                                 request.previews)  # fmt: skip
        with torch.inference_mode():
            output = loaded.pipe(
                prompt=prompt,
                negative_prompt=negative if guidance > 1.0 else None,
                num_inference_steps=steps,
                guidance_scale=guidance,
                width=width,
                height=height,
                generator=generator,
                output_type="latent" if decoder is not None else "pil",
                callback_on_step_end=callback,
                callback_on_step_end_tensor_inputs=["latents"],
            )
        if cancel.cancelled:
            raise Cancelled()
        sink.update("Decoding", 0.82)
        scene = _decode(loaded, decoder, output.images)

        image = scene.copy()
        box, mask = place_product(image, cutout, _scene_slot(scene.size))
        parameters: dict[str, Any] = {
            "diffusion": True,
            "family": fam.name,
            "negative_prompt": negative if guidance > 1.0 else None,
            "steps": steps,
            "guidance_scale": guidance,
            "size": [width, height],
            "decoder": "taesd" if decoder is not None else "vae",
            "device": self.device.label,
            "options": dict(loaded.options),
            "cutout": cutout.method,
            "brand_kit": request.brand.name,
        }
        if request.harmonise > 0:
            sink.update("Harmonising light around the product", 0.85)
            image = _harmonise(loaded, decoder, image, mask, request, prompt, guidance, cancel)
            parameters["harmonise_strength"] = request.harmonise
        sink.update("Scene ready", 1.0, preview=image)
        provenance = Provenance(
            generator="visual.diffusion",
            model_id=loaded.spec.id,
            model_revision=loaded.revision,
            seed=request.seed,
            prompt=prompt,
            parameters=parameters,
        )
        return VisualResult(provenance, image, scene, box, mask)

    def _decoder(self, request: VisualRequest, loaded: LoadedPipeline) -> Any | None:
        if request.decoder == "full":
            return None
        if request.decoder == "auto" and self.device.device != "cpu":
            return None  # on a GPU the full VAE is cheap and a little sharper
        tiny = loaded.tiny_decoder or load_tiny_decoder(loaded.family, self.device)
        if tiny is None and request.decoder == "tiny":
            raise ModelError(
                "The tiny decoder was asked for, but it is not installed.",
                hint="download it with: studio models download taesd",
            )
        return tiny


class _StepCallback:
    """diffusers' ``callback_on_step_end``: progress, previews, and cancel within a step."""

    def __init__(
        self,
        sink: ProgressSink,
        cancel: CancelToken,
        steps: int,
        latent_kind: str,
        decoder: Any | None,
        previews: bool,
    ) -> None:
        self.sink, self.cancel, self.steps = sink, cancel, steps
        self.latent_kind, self.decoder, self.previews = latent_kind, decoder, previews

    def __call__(self, pipe: Any, step: int, timestep: Any, kwargs: dict[str, Any]) -> dict:
        if self.cancel.cancelled:
            pipe._interrupt = True  # diffusers' documented way to stop the denoising loop
            return kwargs
        preview = None
        # the last step's picture follows at once, decoded properly: no preview for it
        if self.previews and step + 1 < self.steps:
            preview = latents_to_preview(kwargs["latents"], self.latent_kind, self.decoder)
        self.sink.update(f"Step {step + 1} of {self.steps}", (step + 1) / self.steps,
                         preview=preview)  # fmt: skip
        return kwargs


def _scene_slot(size: tuple[int, int]) -> Box:
    x0, y0, x1, y1 = SCENE_PRODUCT_SLOT
    w, h = size
    return round(w * x0), round(h * y0), round(w * x1), round(h * y1)


def _decode(loaded: LoadedPipeline, decoder: Any | None, images: Any) -> Image.Image:
    """PIL image from the pipeline output (already decoded, or latents for the tiny decoder)."""
    if decoder is None:
        return images[0].convert("RGB")
    import torch

    with torch.inference_mode():
        latents = images.to(decoder.device, decoder.dtype)
        decoded = decoder.decode(latents / decoder.config.scaling_factor).sample
    return loaded.pipe.image_processor.postprocess(decoded.float(), output_type="pil")[0]


def _harmonise(
    loaded: LoadedPipeline,
    decoder: Any | None,
    image: Image.Image,
    mask: Image.Image,
    request: VisualRequest,
    prompt: str,
    guidance: float,
    cancel: CancelToken,
) -> Image.Image:
    """A low-strength image-to-image pass over the composite; the product's pixels are then
    put back under its mask, so only the scene around it changes."""
    import torch

    strength = min(max(request.harmonise, 0.05), 0.6)
    steps = math.ceil(1 / strength) if loaded.family.turbo else loaded.family.steps
    generator = torch.Generator("cpu").manual_seed(request.seed + 1)

    def stop(pipe: Any, step: int, timestep: Any, kwargs: dict[str, Any]) -> dict:
        if cancel.cancelled:
            pipe._interrupt = True
        return kwargs

    with torch.inference_mode():
        output = loaded.img2img(
            prompt=prompt,
            image=image,
            strength=strength,
            num_inference_steps=steps,
            guidance_scale=guidance,
            generator=generator,
            output_type="latent" if decoder is not None else "pil",
            callback_on_step_end=stop,
        )
    if cancel.cancelled:
        raise Cancelled()
    harmonised = _decode(loaded, decoder, output.images).resize(image.size)
    return Image.composite(image, harmonised, mask)
