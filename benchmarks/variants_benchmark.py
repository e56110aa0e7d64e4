"""Seconds per 512 px variant: the GAN style path against a diffusion img2img variant.

Both run in the same process on the same machine, at the same resolution, on the same
512x512 visual:

* GAN: :func:`generators.variants.apply_style` with the shipped ``vintage-film`` style
  (CycleGAN ResNet, 9 blocks, the real weights), one image at a time and batched with
  :func:`generators.variants.styles.stylize`; plus the lighter separable generator that
  trained styles use (same code path, its weights do not change the arithmetic);
* diffusion: an SD-Turbo-shaped img2img pipeline (the real model's configs, random
  weights, from ``benchmarks/sd_turbo_shaped.py``), 2 steps at strength 0.5, no
  classifier-free guidance — the cheapest setting SD-Turbo img2img is used with.

It also measures brand-style training throughput (images/s) with the default settings.

    python benchmarks/variants_benchmark.py                 # everything
    python benchmarks/variants_benchmark.py --skip-diffusion --repeats 2

Prints a JSON report; ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIZE = 512


def scene(seed: int = 0) -> tuple[Image.Image, Image.Image]:
    """A 512x512 visual (backdrop with a product in the middle) and its product mask."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, SIZE)[None, :, None]
    y = np.linspace(0, 1, SIZE)[:, None, None]
    pixels = np.concatenate([80 + 120 * x + 0 * y, 120 + 80 * y + 0 * x, 200 - 90 * x * y], 2)
    pixels = pixels + rng.normal(0, 6, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    box = (176, 140, 336, 440)
    draw.rounded_rectangle(box, radius=24, fill=(170, 40, 40))
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=24, fill=255)
    return image, mask


def timed(run, repeats: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (all threads) of ``repeats`` runs after
    one warm-up run. On a shared machine wall time swings with the load; CPU time is the
    steadier measure of the work done."""
    run()
    walls, cpus = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return float(np.median(walls)), float(np.median(cpus))


def gan_figures(repeats: int, batch: int) -> dict[str, float]:
    import torch

    from generators.variants import apply_style
    from generators.variants.networks import FULL, LITE, build_generator
    from generators.variants.styles import stylize

    image, mask = scene()
    single, single_cpu = timed(
        lambda: apply_style(image, "vintage-film", protect_mask=mask), repeats
    )
    images = [scene(seed)[0] for seed in range(batch)]
    batched, _ = timed(lambda: stylize(images, "vintage-film", masks=[mask] * batch), repeats)
    full, lite = build_generator(FULL).eval(), build_generator(LITE).eval()
    tensor = torch.rand(1, 3, SIZE, SIZE) * 2 - 1

    def full_forward() -> None:
        with torch.inference_mode():
            full(tensor)

    def lite_forward() -> None:
        with torch.inference_mode():
            lite(tensor)

    lite_wall, lite_cpu = timed(lite_forward, repeats)
    return {
        "gan_s_per_variant": round(single, 3),
        "gan_cpu_s_per_variant": round(single_cpu, 3),
        f"gan_batched_{batch}_s_per_variant": round(batched / batch, 3),
        "full_generator_forward_s": round(timed(full_forward, repeats)[0], 3),
        "lite_generator_forward_s": round(lite_wall, 3),
        "lite_generator_forward_cpu_s": round(lite_cpu, 3),
    }


def diffusion_figure(repeats: int) -> dict[str, float]:
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sd_turbo_shaped import build_sd_turbo_pipeline

    pipe = build_sd_turbo_pipeline(img2img=True)
    image, _ = scene()
    generator = torch.Generator().manual_seed(0)

    def run() -> None:
        pipe(
            prompt="a product on a vintage film backdrop",
            image=image,
            num_inference_steps=2,
            strength=0.5,
            guidance_scale=0.0,
            generator=generator,
            output_type="pil",
        )

    wall, cpu = timed(run, repeats)
    return {
        "diffusion_img2img_s_per_variant": round(wall, 3),
        "diffusion_img2img_cpu_s_per_variant": round(cpu, 3),
    }


def training_figure(steps: int, size: int) -> dict[str, float]:
    """Images per second of brand-style training at the default settings."""
    from generators.variants.training import TrainingConfig, train_style

    with tempfile.TemporaryDirectory() as folder:
        os.environ["STUDIO_HOME"] = folder
        root = Path(folder)
        for side in ("brand", "content"):
            (root / side).mkdir()
            for index in range(4):
                scene(index + (10 if side == "brand" else 0))[0].save(root / side / f"{index}.png")
        content = sorted((root / "content").glob("*.png"))
        config = TrainingConfig(checkpoint_every=10**9, preview_every=10**9)
        train_style(
            root / "brand",
            out_name="warm-up",
            steps=1,
            size=size,
            content_images=content,
            config=config,
        )
        start = time.perf_counter()
        train_style(
            root / "brand",
            out_name="timed",
            steps=steps,
            size=size,
            content_images=content,
            config=config,
        )
        seconds = time.perf_counter() - start
    # each step passes one image of each domain through the CycleGAN
    return {
        f"training_{size}px_images_per_s": round(2 * steps * config.batch_size / seconds, 2),
        f"training_{size}px_s_per_step": round(seconds / steps, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--skip-diffusion", action="store_true")
    parser.add_argument("--diffusion-repeats", type=int, default=1)
    parser.add_argument("--train-steps", type=int, default=5)
    parser.add_argument("--train-size", type=int, default=128)
    args = parser.parse_args()

    import torch

    report: dict[str, object] = {
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}",
        "resolution": SIZE,
    }
    report.update(gan_figures(args.repeats, args.batch))
    if args.train_steps:
        report.update(training_figure(args.train_steps, args.train_size))
    if not args.skip_diffusion:
        report.update(diffusion_figure(args.diffusion_repeats))
        report["diffusion_over_gan"] = round(
            report["diffusion_img2img_s_per_variant"] / report["gan_s_per_variant"], 1
        )
        report["diffusion_over_gan_cpu"] = round(
            report["diffusion_img2img_cpu_s_per_variant"] / report["gan_cpu_s_per_variant"], 1
        )
        # trained styles run the lighter generator
        report["diffusion_over_lite_generator_cpu"] = round(
            report["diffusion_img2img_cpu_s_per_variant"] / report["lite_generator_forward_cpu_s"],
            1,
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
