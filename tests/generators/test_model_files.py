"""Weights files are judged by their headers: a damaged or empty GGUF or safetensors
file is refused when added and is never shown as ready."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from generators.registry import add_local_model, get_spec, is_available
from studio.core.errors import ModelError


def _safetensors(path: Path) -> Path:
    header = json.dumps({"__metadata__": {"format": "pt"}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("model.gguf", bytes(100), "is not a GGUF file"),
        ("model.gguf", b"GGUF" + struct.pack("<I", 2023934378) + bytes(92), "is not a GGUF"),
        ("model.safetensors", b"", "is not a safetensors file"),
        ("model.safetensors", bytes(range(100)), "is not a safetensors file"),
        ("model.safetensors", struct.pack("<Q", 8) + b"not json", "header is not JSON"),
    ],
)
def test_a_damaged_weights_file_is_refused_with_its_name(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ModelError, match=message) as raised:
        add_local_model(path, "copy", "llama", model_id="damaged")
    assert str(path) in str(raised.value)


def test_an_empty_safetensors_beside_a_pickle_does_not_pass_as_safe(tmp_path):
    folder = tmp_path / "trojan"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "notes.safetensors").write_bytes(b"")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(ModelError, match="is not a safetensors file"):
        add_local_model(folder, "copy", "llama", model_id="trojan")


def test_a_model_damaged_after_it_was_added_is_not_ready(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    weights = _safetensors(folder / "model.safetensors")
    add_local_model(folder, "copy", "llama", model_id="later-damaged")
    assert is_available(get_spec("later-damaged"))
    weights.write_bytes(b"\0" * 10)  # truncated by a failed copy
    assert not is_available(get_spec("later-damaged"))
