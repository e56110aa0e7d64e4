"""Model files at the edges: a pipe, a truncated safetensors file, a folder without
weights, and loading errors that would send the user to a model hub."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest

from generators.weight_files import check_weights, library_reason, weights_problem
from studio.core.errors import ModelError


def _safetensors(path: Path, data_bytes: int, written_bytes: int) -> Path:
    header = json.dumps(
        {"w": {"dtype": "F32", "shape": [data_bytes // 4], "data_offsets": [0, data_bytes]}}
    ).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * written_bytes)
    return path


def test_a_pipe_is_not_a_model(tmp_path):
    fifo = tmp_path / "fifo.gguf"
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match="not a file or a folder"):
        check_weights(fifo)


def test_a_truncated_safetensors_file_is_not_ready(tmp_path):
    whole = _safetensors(tmp_path / "model.safetensors", 4096, 4096)
    assert weights_problem(whole) is None
    (tmp_path / "cut").mkdir()
    cut = _safetensors(tmp_path / "cut" / "model.safetensors", 4096, 100)
    assert "truncated" in weights_problem(cut)
    with pytest.raises(ModelError, match="truncated"):
        check_weights(cut.parent)


def test_a_folder_without_weights_is_refused(tmp_path):
    folder = tmp_path / "empty-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="holds no weights file"):
        check_weights(folder)


def test_loading_errors_never_send_the_user_to_a_hub():
    error = OSError(
        "Error no file named model.safetensors found in directory /m. Checkout "
        "'https://huggingface.co/m' for available files."
    )
    assert library_reason(error) == "Error no file named model.safetensors found in directory /m"
    only_hub = OSError("We couldn't connect to 'https://huggingface.co' to load this file.")
    assert "huggingface" not in library_reason(only_hub)
