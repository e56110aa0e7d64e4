"""Load a copy model (GGUF file, safetensors file or Hugging Face folder) through the registry.

Loaded models stay in :data:`generators.registry.model_cache` between jobs, keyed by
model id, device and dtype; ``model_cache.release(model_id)`` frees them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generators.device import DeviceChoice, choose_device
from generators.registry import ModelSpec, get_spec, model_cache, resolve_path, sha256_file
from studio.core.errors import ModelError
from studio.core.settings import load_settings


@dataclass
class LoadedCopyModel:
    spec: ModelSpec
    model: Any
    tokenizer: Any
    device: DeviceChoice
    #: the spec's revision, else the weights' sha256 (files) or a digest of names and sizes
    revision: str
    #: per token id: does it decode to text with a line break (filled on first use)
    newline_mask: tuple[bool, ...] | None = None


def copy_model_id(requested: str | None) -> str:
    """The model a job uses: the request's, else the user's default, else the embedded one."""
    from generators.copy.specs import DEFAULT_COPY_MODEL

    return requested or load_settings().default_models.get("copy") or DEFAULT_COPY_MODEL


def load_copy_model(
    model_id: str, *, device: str | None = None, precision: str | None = None
) -> LoadedCopyModel:
    settings = load_settings()
    spec = get_spec(model_id, "copy")
    choice = choose_device(device or settings.device, precision or settings.precision)
    key = (spec.id, choice.device, str(choice.dtype), "copy")
    return model_cache.get(
        key, lambda: _load(spec, choice, allow_pickle=settings.allow_pickle_checkpoints)
    )


def _load(spec: ModelSpec, choice: DeviceChoice, *, allow_pickle: bool) -> LoadedCopyModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_path(spec, allow_pickle=allow_pickle)
    folder, options = _from_pretrained_args(spec, path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, **options)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=choice.dtype, **options)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as error:
        raise ModelError(
            f"Could not load the copy model '{spec.id}' from {path}: {error}",
            hint="check that it is a complete causal language model (config, tokenizer, weights)",
        ) from error
    if not getattr(tokenizer, "chat_template", None):
        raise ModelError(
            f"The model '{spec.id}' has no chat template, so it cannot follow copy briefs.",
            hint="use an instruct (chat) model, e.g. one ending in -Instruct",
        )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"  # decoder-only models continue from the right edge
    model.to(choice.device).eval()
    return LoadedCopyModel(spec, model, tokenizer, choice, _revision(spec, path))


def _from_pretrained_args(spec: ModelSpec, path: Path) -> tuple[Path, dict[str, Any]]:
    options: dict[str, Any] = {"local_files_only": True}
    if path.is_dir():
        return path, options
    if path.suffix.lower() == ".gguf":
        return path.parent, {**options, "gguf_file": path.name}
    if path.suffix.lower() == ".safetensors" and (path.parent / "config.json").exists():
        return path.parent, options
    raise ModelError(
        f"The model '{spec.id}' at {path} is a single weights file without config.json "
        "and tokenizer beside it.",
        hint="add the whole model folder, or a .gguf file (which carries both)",
    )


def _revision(spec: ModelSpec, path: Path) -> str:
    if spec.revision:
        return spec.revision
    if path.is_file():
        stat = path.stat()
        return f"sha256:{_file_digest(str(path), stat.st_size, stat.st_mtime_ns)}"
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(path)}:{item.stat().st_size};".encode())
    return f"files:{digest.hexdigest()[:16]}"


@cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a weights file, once per process and file version (size and mtime)."""
    return sha256_file(Path(path))
