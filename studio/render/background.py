"""Backgrounds designed from the brand palette, for when no diffusion model is installed.

Three looks, all deterministic for a seed: a soft ``gradient``, bold ``shapes``, and a
photo-style ``studio`` backdrop (lit wall, floor and horizon, vignette, fine grain).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from studio.core.errors import InputError
from studio.render.brand import BrandKit
from studio.render.colour import RGB, mix

Style = Literal["auto", "gradient", "shapes", "studio"]
STYLES: tuple[str, ...] = ("gradient", "shapes", "studio")


def design_background(
    brand: BrandKit, size: tuple[int, int], seed: int = 0, style: str = "auto"
) -> Image.Image:
    """An RGB background of ``size`` in the brand's colours."""
    if style == "auto":
        style = brand.style.get("background_style", "auto")
    if style == "auto":
        style = STYLES[seed % len(STYLES)]
    if style not in STYLES:
        raise InputError(f"Unknown background style '{style}'.", hint=f"use {', '.join(STYLES)}")
    rng = np.random.default_rng(seed)
    width, height = size
    if style == "gradient":
        return _gradient(brand, width, height, rng)
    if style == "shapes":
        return _shapes(brand, width, height, rng)
    return _studio(brand, width, height, rng)


def _grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates normalised to [0, 1]."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs / max(width - 1, 1), ys / max(height - 1, 1)


def _blend(a: RGB, b: RGB, t: np.ndarray) -> np.ndarray:
    ca, cb = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return ca + (cb - ca) * t[..., None]


def _to_image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8), "RGB")


def _gradient(brand: BrandKit, width: int, height: int, rng: np.random.Generator) -> Image.Image:
    x, y = _grid(width, height)
    angle = rng.uniform(0, np.pi)
    t = (x * np.cos(angle) + y * np.sin(angle) + 1.0) / 2.0
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    light = brand.colour("background")
    tint = mix(brand.colour("secondary"), brand.colour("primary"), 0.18)
    pixels = _blend(light, tint, t)
    cx, cy = rng.uniform(0.2, 0.8), rng.uniform(0.1, 0.5)
    glow = np.exp(
        -(((x - cx) * width) ** 2 + ((y - cy) * height) ** 2) / (0.5 * max(width, height)) ** 2
    )
    pixels += glow[..., None] * 18.0
    return _to_image(pixels)


def _shapes(brand: BrandKit, width: int, height: int, rng: np.random.Generator) -> Image.Image:
    base = Image.new("RGB", (width, height), brand.colour("background"))
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    colours = [brand.colour("secondary"), brand.colour("primary"), brand.colour("accent")]
    scale = max(width, height)
    for index in range(5):
        radius = scale * rng.uniform(0.18, 0.45)
        cx, cy = rng.uniform(-0.1, 1.1) * width, rng.uniform(-0.1, 1.1) * height
        alpha = 200 if index == 0 else int(rng.uniform(30, 70))
        colour = colours[index % len(colours)]
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*colour, alpha))
    band = rng.uniform(0.55, 0.8) * height
    draw.polygon(
        [(0, band), (width, band - 0.25 * height), (width, height), (0, height)],
        fill=(*brand.colour("secondary"), 150),
    )
    layer = layer.filter(ImageFilter.GaussianBlur(max(1.0, scale / 300)))
    base.paste(layer, (0, 0), layer)
    return base


def _studio(brand: BrandKit, width: int, height: int, rng: np.random.Generator) -> Image.Image:
    x, y = _grid(width, height)
    wall = mix(brand.colour("background"), brand.colour("secondary"), 0.55)
    floor = mix(brand.colour("secondary"), brand.colour("primary"), 0.12)
    horizon = rng.uniform(0.6, 0.72)
    # a soft, curved sweep between wall and floor, as a paper backdrop makes
    softness = 0.06
    t = np.clip((y - horizon) / softness + 0.5, 0.0, 1.0)
    t = t * t * (3 - 2 * t)
    pixels = _blend(wall, floor, t)
    light_x = rng.uniform(0.35, 0.65)
    aspect = width / height
    dist = np.sqrt(((x - light_x) * aspect) ** 2 + ((y - 0.3) * 1.0) ** 2)
    pixels += (np.exp(-(dist**2) / 0.18) * 26.0)[..., None]
    vignette = np.sqrt(((x - 0.5) * aspect) ** 2 + (y - 0.5) ** 2)
    pixels *= (1.0 - 0.22 * np.clip(vignette / max(aspect, 1.0), 0, 1) ** 2)[..., None]
    pixels += rng.normal(0.0, 1.6, size=(height, width, 1)).astype(np.float32)
    return _to_image(pixels)
