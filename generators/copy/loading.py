"""Load a copy model (GGUF file, safetensors file or Hugging Face folder) through the registry.

Any causal language model works, base or instruct: copy prompts are few-shot
completions, not chat. A GGUF file is de-quantised by ``transformers`` on first use,
which takes seconds to a minute; the result is kept as safetensors in the model cache
(``converted/<sha256>`` in the cache folder), so every later load takes about a second;
the installers ship the default model converted (:func:`studio.core.paths.prepared_models_dir`),
so an installed app never converts it.

Loaded models stay in :data:`generators.registry.model_cache` between jobs, keyed by
model id, device and dtype; ``model_cache.release(model_id)`` frees them.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.device import DeviceChoice, choose_device
from generators.registry import (
    ModelSpec,
    get_spec,
    model_cache,
    pickle_allowed,
    resolve_path,
)
from generators.weight_files import library_reason, weights_revision
from studio.core import paths
from studio.core.errors import ModelError
from studio.core.settings import load_settings

if TYPE_CHECKING:
    from generators.copy.decoding import TokenTable

log = logging.getLogger(__name__)

#: the dtype converted GGUF weights are kept in: half the disk of fp32, and far finer
#: than the 4-bit quantisation they come from
CONVERTED_DTYPE = "float16"


@dataclass
class LoadedCopyModel:
    spec: ModelSpec
    model: Any
    tokenizer: Any
    device: DeviceChoice
    #: the spec's revision, else the weights' sha256 (files) or a digest of names and sizes
    revision: str
    #: the model expects its start-of-text token before a prompt (Gemma does)
    needs_bos: bool = False
    #: per token id: does it decode to text with a line break (filled on first use)
    newline_mask: tuple[bool, ...] | None = None
    _table: TokenTable | None = None

    @property
    def table(self) -> TokenTable:
        """Every token's text, for constrained decoding (read once per loaded model)."""
        from generators.copy.decoding import token_table

        if self._table is None:
            self._table = token_table(self.tokenizer, end_token_ids(self))
        return self._table


def end_token_ids(lm: LoadedCopyModel) -> set[int]:
    ids = lm.model.generation_config.eos_token_id
    ends = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
    if lm.tokenizer.eos_token_id is not None:
        ends.add(lm.tokenizer.eos_token_id)
    return ends


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
    revision = _revision(spec, path)
    folder, options = _from_pretrained_args(spec, path, revision)
    # safetensors only: the library then never reaches torch.load
    weights = {} if pickle_allowed(spec, allow_pickle) else {"use_safetensors": True}
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, **options)
        model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=choice.dtype, **options, **weights
        )
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as error:
        raise ModelError(
            f"Could not load the copy model '{spec.id}' from {path}: {library_reason(error)}.",
            hint="check that it is a complete causal language model (config, tokenizer, weights)",
        ) from error
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"  # decoder-only models continue from the right edge
    model.to(choice.device).eval()
    bos = tokenizer.bos_token_id
    needs_bos = bos is not None and tokenizer("a")["input_ids"][:1] == [bos]
    return LoadedCopyModel(spec, model, tokenizer, choice, revision, needs_bos)


def warm_up(model_id: str | None = None) -> None:
    """Load now what the first copy request needs (the copy model, its token table and the
    embedding model), so a caller with other work to do first can overlap the two. Errors
    are left for the copy job itself to report."""
    from generators.scoring.embeddings import embed_texts

    try:
        embed_texts(["warm up"])  # first: segmenting and recommending need it too
        lm = load_copy_model(copy_model_id(model_id))
        lm.table  # noqa: B018 (read once per loaded model, a second or two)
    except Exception:  # the job that needs the model says what is wrong
        log.debug("warming up the copy model failed", exc_info=True)


def prepare_copy_model(model_id: str | None = None) -> Path | None:
    """Do now what the model needs before its first token, so no campaign waits for it:
    a GGUF file is converted once into the model cache (keyed by its sha256). Returns the
    converted folder, or None when the model needs no preparation."""
    spec = get_spec(copy_model_id(model_id), "copy")
    path = resolve_path(spec)
    if path.suffix.lower() != ".gguf":
        return None
    return converted_gguf(path, _revision(spec, path))


def _from_pretrained_args(
    spec: ModelSpec, path: Path, revision: str
) -> tuple[Path, dict[str, Any]]:
    options: dict[str, Any] = {"local_files_only": True}
    if path.is_dir():
        return path, options
    if path.suffix.lower() == ".gguf":
        return converted_gguf(path, revision), options
    if path.suffix.lower() == ".safetensors" and (path.parent / "config.json").exists():
        return path.parent, options
    raise ModelError(
        f"The model '{spec.id}' at {path} is a single weights file without config.json "
        "and tokenizer beside it.",
        hint="add the whole model folder, or a .gguf file (which carries both)",
    )


def converted_gguf(path: Path, revision: str) -> Path:
    """A transformers folder with the GGUF file's weights: the one an installer shipped
    prepared, else converted once into the model cache and kept."""
    key = revision.replace(":", "-")
    shipped = paths.prepared_models_dir() / "converted" / key
    if (shipped / "config.json").exists():
        return shipped
    target = paths.cache_dir() / "converted" / key
    if (target / "config.json").exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    options = {"gguf_file": path.name, "local_files_only": True}
    verbosity = transformers_logging.get_verbosity()
    # kept in fp16 on purpose (see CONVERTED_DTYPE): the library's advice to load the
    # packed weights in fp32 is about speed of this one-off conversion, so it is not shown
    transformers_logging.set_verbosity_error()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path.parent, **options)
        model = AutoModelForCausalLM.from_pretrained(
            path.parent, dtype=getattr(torch, CONVERTED_DTYPE), **options
        )
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as error:
        raise ModelError(
            f"Could not read the GGUF model {path}: {library_reason(error)}.",
            hint="check that the file is complete; a GGUF file of a supported architecture "
            "(Llama, Gemma, Qwen …) is needed",
        ) from error
    finally:
        transformers_logging.set_verbosity(verbosity)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
    try:
        # the GGUF loader leaves its quantiser attached, which save_pretrained refuses;
        # the weights are plain tensors by now
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        os.replace(staging, target)
    except OSError as error:
        raise ModelError(
            f"Could not keep the converted model in {target.parent}: {error.strerror}.",
            hint=f"free some disk space on the drive of {target.parent}",
        ) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _revision(spec: ModelSpec, path: Path) -> str:
    if spec.revision:
        return spec.revision
    revision = weights_revision(path)
    if spec.sha256 and path.is_file() and revision != f"sha256:{spec.sha256}":
        raise ModelError(
            f"The weights of '{spec.id}' at {path} are damaged ({revision[:19]}…, expected "
            f"sha256:{spec.sha256[:12]}…).",
            hint="reinstall the package or download the model again",
        )
    return revision
