"""Train a brand style: an unpaired CycleGAN from plain product visuals to brand images.

Domain A is the studio's plain product visuals, domain B the brand's past campaign images.
Two generators (A→B, B→A) and two PatchGAN critics train with the least-squares GAN loss,
the cycle-consistency loss and the identity loss of the CycleGAN paper. The A→B generator
is the style: it is written as ``<style>.safetensors`` with metadata (the images it was
trained on, steps, date, architecture) and registered as a ``variant`` model, so it shows
up next to the shipped styles. Everything needed to continue (both generators, both
critics, both optimisers) goes to ``training-state.safetensors``, so ``resume`` picks up
where a cancelled, crashed or finished run stopped.

Training samples are drawn from a generator seeded with (seed, step): a resumed run sees
exactly the crops an uninterrupted one would have seen.

One module because the losses, the schedule and the resumable state are the one
training loop of the paper; the networks live in :mod:`generators.variants.networks`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generators.base import utcnow_iso
from generators.registry import add_local_model, all_specs
from generators.variants.networks import (
    LITE,
    GeneratorConfig,
    build_discriminator,
    build_generator,
)
from generators.variants.styles import STYLE_FORMAT
from studio.core import settings
from studio.core.errors import Cancelled, GenerationError, ImportProblem, InputError
from studio.core.hashing import sha256_file
from studio.core.progress import CancelToken, ProgressSink

MIN_IMAGES = 4
MIN_SIZE = 32
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
STATE_FILE = "training-state.safetensors"
PREVIEW_FILE = "preview.png"
#: training crops come from images scaled so their short side is this much larger
_CROP_MARGIN = 1.125


@dataclass(frozen=True)
class TrainingConfig:
    generator: GeneratorConfig = LITE
    ndf: int = 32
    critic_layers: int = 3
    batch_size: int = 1
    learning_rate: float = 2e-4
    cycle_weight: float = 10.0
    identity_weight: float = 5.0
    checkpoint_every: int = 50
    preview_every: int = 25
    seed: int = 0


@dataclass
class _Domain:
    """The images of one side, decoded once and kept as uint8 tensors."""

    name: str
    files: list[dict[str, Any]] = field(default_factory=list)
    pixels: list[Any] = field(default_factory=list)


def style_id_for(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise InputError(f"'{name}' cannot be used as a style name.", hint="use letters or digits")
    return slug


def styles_dir() -> Path:
    folder = settings.models_dir() / "styles"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def train_style(
    brand_images_dir: Path,
    *,
    out_name: str,
    steps: int = 300,
    size: int = 128,
    sink: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    resume: bool = False,
    content_images: list[Path] | None = None,
    device: str | None = None,
    config: TrainingConfig | None = None,
) -> Path:
    """Train (or continue training) the style ``out_name``; returns its weights file.

    Cancel and out-of-memory stop the run after saving what was learnt so far (a usable,
    registered style, marked incomplete), then raise :class:`Cancelled` or
    :class:`GenerationError`.
    """
    import torch

    from generators.device import choose_device
    from studio.core.settings import load_settings

    sink = sink or ProgressSink()
    cancel = cancel or CancelToken()
    config = config or TrainingConfig()
    style_id = style_id_for(out_name)
    _check_arguments(style_id, steps, size, resume)
    folder = styles_dir() / style_id
    if not content_images:
        raise InputError(
            "Training a style needs the plain product visuals it learns to restyle.",
            hint="import products with photos into the workspace first",
        )
    brand = _load_domain("brand images", _images_in(Path(brand_images_dir)), size)
    content = _load_domain("product visuals", [Path(p) for p in content_images], size)

    choice = choose_device(device or load_settings().device)
    torch.manual_seed(config.seed)
    nets = _Networks(config, choice.device)
    done = 0
    if resume:
        done = nets.load_state(folder / STATE_FILE, size)
    elif (folder / STATE_FILE).exists():
        raise InputError(
            f"A style named '{style_id}' already exists in {folder}.",
            hint="continue it with --resume, or choose another --name",
        )
    folder.mkdir(parents=True, exist_ok=True)
    run = _Run(style_id, out_name, folder, size, steps, config, brand, content, nets, sink)
    sample = _center_crop(content.pixels[0], size)

    while done < steps:
        if cancel.cancelled:
            run.save(done, complete=False)
            raise Cancelled(
                f"Training of '{style_id}' cancelled at step {done}/{steps}; the style so far "
                f"is saved and usable. Continue it with --resume."
            )
        try:
            losses = nets.step(_batch(brand, content, size, config, done), config)
        except (torch.OutOfMemoryError, RuntimeError) as error:
            if not _is_out_of_memory(error):
                raise
            saved = run.save(done, complete=False) if done else None
            kept = f" The style after {done} steps is saved at {saved}." if saved else ""
            raise GenerationError(
                f"Training ran out of memory at step {done + 1} ({size} px, "
                f"batch {config.batch_size}).{kept}",
                hint="train with a smaller --size; --resume continues from the saved steps",
            ) from error
        done += 1
        run.losses = losses
        preview = None
        if done % config.preview_every == 0 or done == steps:
            preview = run.preview(sample)
        sink.update(
            f"Step {done}/{steps}: generator {losses['generator']:.3f}, "
            f"critic {losses['critic']:.3f}, cycle {losses['cycle']:.3f}",
            done / steps,
            preview=preview,
        )
        if done % config.checkpoint_every == 0 and done < steps:
            run.save(done, complete=False)
    path = run.save(done, complete=True)
    sink.update(f"Style '{style_id}' trained ({done} steps)", 1.0)
    return path


def _check_arguments(style_id: str, steps: int, size: int, resume: bool) -> None:
    if steps < 1:
        raise InputError(f"--steps must be at least 1 (got {steps}).")
    if size < MIN_SIZE or size % 4:
        raise InputError(f"--size must be a multiple of 4 and at least {MIN_SIZE} px (got {size}).")
    shipped = {s.id for s in all_specs("variant") if s.source == "package"}
    if style_id in shipped:
        raise InputError(
            f"'{style_id}' is the name of a style that ships with the studio.",
            hint="choose another --name",
        )
    if resume and not (styles_dir() / style_id / STATE_FILE).exists():
        raise InputError(
            f"There is no training of '{style_id}' to resume.",
            hint="start it without --resume",
        )


# --- data -------------------------------------------------------------------------------


def _images_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(f"The brand images folder {folder} does not exist.")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _load_domain(name: str, files: list[Path], size: int) -> _Domain:
    """Decode every image, refusing the set with one message listing all problems."""
    import numpy as np
    import torch
    from PIL import Image, UnidentifiedImageError

    domain = _Domain(name)
    problems: list[ImportProblem] = []
    short_side = round(size * _CROP_MARGIN)
    for path in files:
        try:
            with Image.open(path) as opened:
                image = opened.convert("RGB")
        except (UnidentifiedImageError, OSError, ValueError) as error:
            problems.append(ImportProblem(str(path), None, None, f"cannot be read ({error})"))
            continue
        if min(image.size) < size:
            problems.append(
                ImportProblem(
                    str(path),
                    None,
                    None,
                    f"is {image.width}x{image.height} px, smaller than the training size {size} px",
                )
            )
            continue
        scale = short_side / min(image.size)
        resized = image.resize(
            (max(size, round(image.width * scale)), max(size, round(image.height * scale))),
            Image.Resampling.LANCZOS,
        )
        domain.pixels.append(torch.from_numpy(np.asarray(resized).copy()).permute(2, 0, 1))
        domain.files.append(
            {"file": path.name, "sha256": sha256_file(path), "size": list(image.size)}
        )
    if problems:
        raise InputError(
            f"{len(problems)} of the {name} cannot be used for training.",
            problems=problems,
            hint="remove or replace them: " + "; ".join(str(p) for p in problems[:3]),
        )
    if len(domain.pixels) < MIN_IMAGES:
        raise InputError(
            f"Training a style needs at least {MIN_IMAGES} {name}; found {len(domain.pixels)}.",
            hint="add more images (10-50 work well)",
        )
    return domain


def _random_crop(pixels: Any, size: int, generator: Any) -> Any:
    import torch

    _, height, width = pixels.shape
    top = int(torch.randint(0, height - size + 1, (1,), generator=generator))
    left = int(torch.randint(0, width - size + 1, (1,), generator=generator))
    crop = pixels[:, top : top + size, left : left + size]
    if bool(torch.rand(1, generator=generator) < 0.5):
        crop = crop.flip(-1)
    return crop


def _center_crop(pixels: Any, size: int) -> Any:
    _, height, width = pixels.shape
    top, left = (height - size) // 2, (width - size) // 2
    return pixels[:, top : top + size, left : left + size]


def _batch(brand: _Domain, content: _Domain, size: int, config: TrainingConfig, step: int) -> Any:
    """(real_A, real_B) for ``step``, reproducible from the seed and the step alone."""
    import torch

    generator = torch.Generator().manual_seed(config.seed * 1_000_003 + step)

    def draw(domain: _Domain) -> Any:
        picks = torch.randint(0, len(domain.pixels), (config.batch_size,), generator=generator)
        crops = [_random_crop(domain.pixels[int(i)], size, generator) for i in picks]
        return torch.stack(crops).float() / 127.5 - 1.0

    return draw(content), draw(brand)


def _is_out_of_memory(error: BaseException) -> bool:
    import torch

    text = str(error).lower()
    return (
        isinstance(error, torch.OutOfMemoryError)
        or "out of memory" in text
        or ("can't allocate memory" in text)
    )


# --- networks and their state -----------------------------------------------------------


class _Networks:
    """The two generators, two critics and their optimisers."""

    def __init__(self, config: TrainingConfig, device: str) -> None:
        import torch

        self.device = device
        self.g_ab = build_generator(config.generator).to(device)
        self.g_ba = build_generator(config.generator).to(device)
        self.d_a = build_discriminator(config.ndf, config.critic_layers).to(device)
        self.d_b = build_discriminator(config.ndf, config.critic_layers).to(device)
        betas = (0.5, 0.999)
        self.opt_g = torch.optim.Adam(
            [*self.g_ab.parameters(), *self.g_ba.parameters()], config.learning_rate, betas=betas
        )
        self.opt_d = torch.optim.Adam(
            [*self.d_a.parameters(), *self.d_b.parameters()], config.learning_rate, betas=betas
        )

    def modules(self) -> dict[str, Any]:
        return {"g_ab": self.g_ab, "g_ba": self.g_ba, "d_a": self.d_a, "d_b": self.d_b}

    def step(self, batch: tuple[Any, Any], config: TrainingConfig) -> dict[str, float]:
        import torch
        import torch.nn.functional as F

        real_a, real_b = (t.to(self.device) for t in batch)
        for module in self.modules().values():
            module.train()

        def adversarial(critic: Any, images: Any, target: float) -> Any:
            scores = critic(images)
            return F.mse_loss(scores, torch.full_like(scores, target))

        # generators: fool both critics, survive the round trip, leave in-domain images be
        self.d_a.requires_grad_(False)
        self.d_b.requires_grad_(False)
        fake_b, fake_a = self.g_ab(real_a), self.g_ba(real_b)
        gan = adversarial(self.d_b, fake_b, 1.0) + adversarial(self.d_a, fake_a, 1.0)
        cycle = F.l1_loss(self.g_ba(fake_b), real_a) + F.l1_loss(self.g_ab(fake_a), real_b)
        identity = F.l1_loss(self.g_ab(real_b), real_b) + F.l1_loss(self.g_ba(real_a), real_a)
        loss_g = gan + config.cycle_weight * cycle + config.identity_weight * identity
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()

        # critics: real images score 1, generated ones 0
        self.d_a.requires_grad_(True)
        self.d_b.requires_grad_(True)
        loss_d = 0.5 * (
            adversarial(self.d_a, real_a, 1.0)
            + adversarial(self.d_a, fake_a.detach(), 0.0)
            + adversarial(self.d_b, real_b, 1.0)
            + adversarial(self.d_b, fake_b.detach(), 0.0)
        )
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        return {
            "generator": gan.item(),
            "cycle": cycle.item(),
            "identity": identity.item(),
            "critic": loss_d.item(),
        }

    def style_tensors(self) -> dict[str, Any]:
        return {k: v.detach().cpu().contiguous() for k, v in self.g_ab.state_dict().items()}

    def state_tensors(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Everything to resume, flattened to named tensors (safetensors holds no pickles)."""
        tensors: dict[str, Any] = {}
        for name, module in self.modules().items():
            for key, value in module.state_dict().items():
                tensors[f"{name}.{key}"] = value.detach().cpu().contiguous()
        groups: dict[str, str] = {}
        for name, optimizer in (("opt_g", self.opt_g), ("opt_d", self.opt_d)):
            state = optimizer.state_dict()
            for index, slots in state["state"].items():
                for slot, value in slots.items():
                    tensors[f"{name}.{index}.{slot}"] = value.detach().cpu().contiguous()
            groups[name] = json.dumps(state["param_groups"])
        return tensors, groups

    def load_state(self, path: Path, size: int) -> int:
        """Restore a training state; returns the number of steps it had done."""
        from safetensors import safe_open

        from studio.core.errors import ModelError

        try:
            with safe_open(str(path), framework="pt") as handle:
                meta = dict(handle.metadata() or {})
                tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
        except Exception as error:  # damaged or truncated file
            raise ModelError(f"The training checkpoint {path} cannot be read: {error}.") from error
        if int(meta.get("size", size)) != size:
            raise InputError(
                f"The checkpoint in {path.parent} was trained at {meta['size']} px, not {size} px.",
                hint=f"resume with --size {meta['size']}",
            )
        try:
            for name, module in self.modules().items():
                prefix = f"{name}."
                module.load_state_dict(
                    {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
                )
            for name, optimizer in (("opt_g", self.opt_g), ("opt_d", self.opt_d)):
                state: dict[int, dict[str, Any]] = {}
                for key, value in tensors.items():
                    owner, _, rest = key.partition(".")
                    index, _, slot = rest.partition(".")
                    if owner == name and index.isdigit():
                        state.setdefault(int(index), {})[slot] = value
                groups = json.loads(meta[f"{name}_groups"])
                optimizer.load_state_dict({"state": state, "param_groups": groups})
        except (RuntimeError, KeyError, ValueError) as error:
            raise ModelError(
                f"The checkpoint in {path.parent} does not match this training set-up: {error}.",
                hint="start over without --resume",
            ) from error
        return int(meta["steps"])


class _Run:
    """Writes checkpoints and previews for one training run."""

    def __init__(
        self,
        style_id: str,
        name: str,
        folder: Path,
        size: int,
        steps: int,
        config: TrainingConfig,
        brand: _Domain,
        content: _Domain,
        nets: _Networks,
        sink: ProgressSink,
    ) -> None:
        self.style_id = style_id
        self.name = name
        self.folder = folder
        self.size = size
        self.steps = steps
        self.config = config
        self.brand = brand
        self.content = content
        self.nets = nets
        self.sink = sink
        self.losses: dict[str, float] = {}

    @property
    def style_path(self) -> Path:
        return self.folder / f"{self.style_id}.safetensors"

    def metadata(self, done: int, complete: bool) -> dict[str, str]:
        return {
            "format": STYLE_FORMAT,
            "name": self.name,
            **self.config.generator.as_metadata(),
            "size": str(self.size),
            # inference runs at twice the crop size: whole images, at the training scale
            "process_size": str(self.size * 2),
            "steps": str(done),
            "target_steps": str(self.steps),
            "complete": str(complete).lower(),
            "trained_at": utcnow_iso(),
            "device": self.nets.device,
            "seed": str(self.config.seed),
            "brand_images": json.dumps(self.brand.files),
            "content_images": json.dumps(self.content.files),
            "losses": json.dumps(self.losses),
            "training": json.dumps(
                {k: v for k, v in asdict(self.config).items() if k != "generator"}
            ),
        }

    def save(self, done: int, *, complete: bool) -> Path:
        """Write the style and the training state atomically, and register the style."""
        from safetensors.torch import save_file

        meta = self.metadata(done, complete)
        state, groups = self.nets.state_tensors()
        state_meta = {**meta, **{f"{k}_groups": v for k, v in groups.items()}}
        try:
            _atomic(self.folder / STATE_FILE, lambda tmp: save_file(state, tmp, state_meta))
            _atomic(self.style_path, lambda tmp: save_file(self.nets.style_tensors(), tmp, meta))
        except OSError as error:
            raise GenerationError(
                f"Could not save the style '{self.style_id}' in {self.folder}: {error}.",
                hint="free some disk space; the previous checkpoint there is unchanged",
            ) from error
        add_local_model(
            self.style_path,
            "variant",
            "cyclegan-resnet",
            model_id=self.style_id,
            name=self.name,
            license="trained on your own images",
        )
        self.sink.update(f"Saved '{self.style_id}' after {done} steps", done / self.steps)
        return self.style_path

    def preview(self, sample: Any) -> Any:
        """The A→B generator on a fixed product visual, shown beside the original."""
        import torch
        from PIL import Image

        self.nets.g_ab.eval()
        with torch.inference_mode():
            source = (sample.float() / 127.5 - 1.0).unsqueeze(0).to(self.nets.device)
            styled = self.nets.g_ab(source)[0].cpu()
        pair = torch.cat([sample.float() / 127.5 - 1.0, styled], dim=2)
        pixels = ((pair + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
        image = Image.fromarray(pixels.permute(1, 2, 0).numpy())
        image.save(self.folder / PREVIEW_FILE)
        return image


def _atomic(target: Path, write: Callable[[str], None]) -> None:
    """Write to a temporary file beside ``target`` and rename: never a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".writing-", suffix=target.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
