"""Weights files judged by what they are, before any loader reads them.

Pickle checkpoints can run code when loaded, so they are refused unless allowed; a
folder is judged by the files its loader would read, not by any safe-looking file in it.
A GGUF or safetensors file is checked by its header (cheap, at every listing), so a
damaged or truncated file is never shown as ready.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from studio.core.errors import ModelError, UnsafeModelFile
from studio.core.hashing import sha256_file

PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"}
SAFE_SUFFIXES = {".safetensors", ".gguf"}
#: the names transformers and diffusers read weights from (``model.safetensors``,
#: ``model-00001-of-00002.safetensors``, ``unet/diffusion_pytorch_model.safetensors`` …);
#: a safetensors file with another name is never loaded, so it cannot vouch for a folder
LOADED_WEIGHT_NAMES = ("model", "diffusion_pytorch_model", "adapter_model")


def weights_revision(path: Path) -> str:
    """What names local weights in provenance and caches, for every kind of model: a
    single file's sha256 (hashed once per process and file version), or, for a folder, a
    sha256 over each file's relative name and size and each weights file's first MiB
    (hashing gigabytes on every load would cost seconds)."""
    if path.is_file():
        stat = path.stat()
        return f"sha256:{_file_digest(str(path), stat.st_size, stat.st_mtime_ns)}"
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(path)}:{item.stat().st_size};".encode())
        if item.suffix.lower() in SAFE_SUFFIXES | PICKLE_SUFFIXES:
            with open(item, "rb") as handle:
                digest.update(handle.read(1 << 20))
    return f"files:{digest.hexdigest()[:16]}"


@cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))


def _loaded_safe_weights(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".gguf":
        return True
    return suffix == ".safetensors" and path.stem.lower().startswith(LOADED_WEIGHT_NAMES)


def check_weights(path: Path, *, allow_pickle: bool = False, trusted: bool = False) -> None:
    """Refuse pickle checkpoints (arbitrary code on load) unless explicitly allowed.

    A folder is judged by the files its loader reads: each folder of it that holds a
    pickle must also hold safe weights under a name the loader reads instead
    (:data:`LOADED_WEIGHT_NAMES`); otherwise it is refused like a single pickle file.
    """
    if trusted:  # the studio's own packages, checked by sha256 instead
        return
    if path.exists() and not path.is_file() and not path.is_dir():
        raise ModelError(
            f"{path} is not a file or a folder (a pipe or a device).",
            hint="add the model's weights file or its folder",
        )
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    if path.is_dir() and not any(
        p.suffix.lower() in SAFE_SUFFIXES | PICKLE_SUFFIXES for p in files
    ):
        raise ModelError(
            f"{path} holds no weights file (.safetensors, .gguf or a checkpoint).",
            hint="add the folder the model's files were downloaded to, or its weights file",
        )
    for file in files:
        problem = weights_problem(file)
        if problem:
            raise ModelError(
                f"{file} {problem}.",
                hint="the file is damaged or incomplete: copy or download it again",
            )
    if allow_pickle:
        return
    safe_folders = {p.parent for p in files if _loaded_safe_weights(p)}
    pickles = [
        p for p in files if p.suffix.lower() in PICKLE_SUFFIXES and p.parent not in safe_folders
    ]
    if pickles:
        raise UnsafeModelFile(
            f"{pickles[0]} is a pickle checkpoint, which can run arbitrary code when loaded.",
            hint="convert it to .safetensors, or, if you trust its source, add it with "
            "--allow-pickle (or allow pickle checkpoints in Settings)",
        )


_HUB_WORDS = ("huggingface.co", "hf.co", "hugging face hub", "checkout ", "model hub",
              "local_files_only", "hf_hub")  # fmt: skip


def library_reason(error: BaseException) -> str:
    """A loading library's error as one sentence a user can act on: its first line, with
    advice about downloading from a model hub left out (the studio never downloads
    while loading, so that advice would only mislead)."""
    sentences = re.split(r"(?<=[.!?])\s+|\n+", str(error).strip())
    kept = [s for s in sentences if s and not any(w in s.lower() for w in _HUB_WORDS)]
    text = kept[0].strip().rstrip(".") if kept else ""
    return text[:300] or "its files are missing or incomplete"


def weights_problem(path: Path) -> str | None:
    """Why a GGUF or safetensors file cannot be real weights (from its header), or None."""
    suffix = path.suffix.lower()
    if suffix not in (".gguf", ".safetensors"):
        return None
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(24)
            if suffix == ".gguf":
                version = int.from_bytes(head[4:8], "little")
                if head[:4] != b"GGUF" or version not in (2, 3) or size < 24:
                    return "is not a GGUF file (no GGUF v2/v3 header)"
                tensors = int.from_bytes(head[8:16], "little")
                entries = int.from_bytes(head[16:24], "little")
                # each tensor and metadata entry takes at least 8 bytes of header
                if not 0 < tensors <= size // 8 or entries > size // 8:
                    return f"is not a GGUF file (damaged header: {tensors} tensors in {size} bytes)"
                return None
            length = int.from_bytes(head[:8], "little")
            if size < 10 or not 2 <= length <= size - 8:
                return f"is not a safetensors file ({size} bytes, no valid header)"
            handle.seek(8)
            header = json.loads(handle.read(length))
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    except ValueError:
        return "is not a safetensors file (its header is not JSON)"
    if not isinstance(header, dict):
        return "is not a safetensors file (bad header)"
    ends = [
        info["data_offsets"][1]
        for name, info in header.items()
        if name != "__metadata__" and isinstance(info, dict)
        and isinstance(info.get("data_offsets"), list) and len(info["data_offsets"]) == 2
        and isinstance(info["data_offsets"][1], int)
    ]  # fmt: skip
    expected = 8 + length + max(ends, default=0)
    if size < expected:
        return f"is truncated ({size:,} of its {expected:,} bytes)"
    return None
