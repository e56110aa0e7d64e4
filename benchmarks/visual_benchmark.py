"""Visual speed on this machine, as ratios measured in one run.

1. Scene generation with an SD-Turbo-shaped pipeline (the real SD-Turbo configs, random
   weights; see ``sd_turbo_shaped.py``), 1 step at 512×512 on the CPU:

   * baseline A — the plain diffusers pipeline with default settings:
     ``pipe(prompt, num_inference_steps=1)`` (classifier-free guidance 7.5, full VAE
     decode);
   * baseline B — the plain pipeline as SD-Turbo's model card runs it
     (``guidance_scale=0.0``, full VAE decode);
   * ours — ``VisualGenerator.generate_on`` end to end: the turbo family's settings
     (no guidance), SDPA attention, the latents decoded by the tiny autoencoder (TAESD
     architecture), plus cutting out and placing the product photo.

2. The compositor: milliseconds per finished creative (designed background, product,
   text fitting, contrast checks, JPEG within the size limit), over all 11 formats.

Run from the repository root::

    .venv/bin/python benchmarks/visual_benchmark.py            # 512 px, about 5 minutes
    .venv/bin/python benchmarks/visual_benchmark.py --size 256 # quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _timed(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_scene(size: int, repeats: int) -> dict:
    import torch
    from sd_turbo_shaped import build_sd_turbo_pipeline, build_taesd

    from generators.device import choose_device
    from generators.registry import ModelSpec
    from generators.visual import ProductFacts, VisualGenerator, VisualRequest
    from generators.visual.loading import prepare_pipeline
    from studio.core.progress import CancelToken, ProgressSink
    from studio.data.packshots import draw_packshot
    from studio.render import demo_brand_kit

    start = time.perf_counter()
    pipe = build_sd_turbo_pipeline()
    taesd = build_taesd()
    build_s = time.perf_counter() - start
    photo = draw_packshot("bottle", "forest", ["FERNHILL", "Trail Bottle"])
    prompt = "an empty product display on a marble table, soft natural light"

    def baseline(guidance: float | None, side: int) -> None:
        kwargs = {} if guidance is None else {"guidance_scale": guidance}
        pipe(prompt, num_inference_steps=1, height=side, width=side, **kwargs).images[0]

    cpu = choose_device("cpu")
    spec = ModelSpec(
        id="sd-turbo-shaped", kind="visual", family="sd-turbo", source="local",
        location="(random weights)",
    )  # fmt: skip
    loaded = prepare_pipeline(spec, pipe, cpu)
    loaded.tiny_decoder = taesd
    generator = VisualGenerator(cpu)

    def ours(side: int) -> None:
        request = VisualRequest(
            product_image=photo,
            product=ProductFacts("Trail Bottle", "Outdoor"),
            brand=demo_brand_kit(),
            prompt=prompt,
            size=(side, side),
            seed=0,
        )
        generator.generate_on(loaded, request, ProgressSink(), CancelToken())

    with torch.inference_mode():
        baseline(None, 64)  # warm-up: first calls allocate and pick kernels
        ours(64)
        default_s = _timed(lambda: baseline(None, size), repeats)
        card_s = _timed(lambda: baseline(0.0, size), repeats)
        ours_s = _timed(lambda: ours(size), repeats)
    return {
        "size": size,
        "steps": 1,
        "build_s": round(build_s, 1),
        "baseline_default_s": round(default_s, 2),
        "baseline_model_card_s": round(card_s, 2),
        "ours_s": round(ours_s, 2),
        "speedup_vs_default": round(default_s / ours_s, 2),
        "speedup_vs_model_card": round(card_s / ours_s, 2),
    }


def bench_compositor(rounds: int) -> dict:
    from studio.data.packshots import draw_packshot
    from studio.render import compose_creative, demo_brand_kit, image_formats

    photo = draw_packshot("mug", "ocean", ["FERNHILL", "Morning Mug"])
    brand = demo_brand_kit()
    copy = {
        "headline": "Mornings, made slower",
        "subline": "Stoneware that keeps coffee hot for longer.",
        "cta": "Shop now",
    }
    times = []
    for round_index in range(rounds):
        for format_id in image_formats():
            start = time.perf_counter()
            compose_creative(
                image_format=format_id,
                brand=brand,
                copy=copy,
                product_image=photo,
                seed=round_index,
            )
            times.append(time.perf_counter() - start)
    return {
        "creatives": len(times),
        "ms_per_creative_mean": round(1000 * statistics.mean(times), 1),
        "ms_per_creative_median": round(1000 * statistics.median(times), 1),
        "ms_per_creative_max": round(1000 * max(times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2, help="compositor rounds")
    parser.add_argument("--skip-scene", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the results as JSON")
    args = parser.parse_args()

    import torch

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads",
        "compositor": bench_compositor(args.rounds),
    }
    if not args.skip_scene:
        results["scene"] = bench_scene(args.size, args.repeats)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
