"""Weights files are judged by their headers: a damaged or empty GGUF or safetensors
file is refused when added and is never shown as ready."""

from __future__ import annotations

import dataclasses
import json
import shutil
import struct
from pathlib import Path

import pytest

from generators.registry import add_local_model, get_spec, is_available
from studio.core.errors import ModelError, UnsafeModelFile


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


def test_a_safetensors_file_the_loader_never_reads_does_not_vouch_for_a_pickle(tmp_path):
    folder = tmp_path / "trojan"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    _safetensors(folder / "notes.safetensors")  # valid, but not a name the loader reads
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(UnsafeModelFile, match=r"pytorch_model\.bin is a pickle checkpoint"):
        add_local_model(folder, "copy", "llama", model_id="trojan")
    _safetensors(folder / "model.safetensors")  # what from_pretrained reads first
    assert add_local_model(folder, "copy", "llama", model_id="safe").extra == {}


def _pickle_copy_model(source: Path, target: Path) -> Path:
    import torch
    from transformers import AutoModelForCausalLM

    shutil.copytree(source, target)
    model = AutoModelForCausalLM.from_pretrained(source)
    (target / "model.safetensors").unlink()
    torch.save(model.state_dict(), target / "pytorch_model.bin")
    return target


@pytest.fixture
def pickled_model(tmp_path, tmp_path_factory) -> Path:
    from tiny_copy import tiny_copy_model_dir

    return _pickle_copy_model(tiny_copy_model_dir(tmp_path_factory), tmp_path / "pickled")


def test_allow_pickle_is_remembered_per_model_and_loads_it(pickled_model):
    from generators.copy.loading import load_copy_model

    folder = pickled_model
    with pytest.raises(UnsafeModelFile):
        add_local_model(folder, "copy", "llama", model_id="pickled")
    spec = add_local_model(folder, "copy", "llama", model_id="pickled", allow_pickle=True)
    assert spec.extra == {"allow_pickle": True}
    assert is_available(get_spec("pickled"))
    loaded = load_copy_model("pickled")
    assert loaded.model.num_parameters() > 0


def test_a_pickle_model_is_not_ready_once_its_permission_is_gone(pickled_model):
    from generators.weight_files import check_weights

    folder = pickled_model
    spec = add_local_model(folder, "copy", "llama", model_id="pickled", allow_pickle=True)
    assert is_available(spec)
    without = dataclasses.replace(spec, extra={})
    assert not is_available(without)  # Settings do not allow pickles either
    with pytest.raises(UnsafeModelFile):
        check_weights(folder)


def test_one_load_per_model_and_different_models_load_side_by_side() -> None:
    """A second thread asking for a model being loaded waits for that load; a thread
    asking for another model does not wait for it."""
    import threading
    import time

    from generators.registry import ModelCache

    cache = ModelCache()
    started, release = threading.Event(), threading.Event()
    loads: list[str] = []

    def slow() -> str:
        loads.append("slow")
        started.set()
        release.wait(10)
        return "big model"

    first = threading.Thread(target=lambda: cache.get(("big",), slow))
    second = threading.Thread(target=lambda: cache.get(("big",), slow))
    first.start()
    assert started.wait(10)
    second.start()
    assert cache.loaded(blocking=False) is None  # a load is under way
    began = time.perf_counter()
    assert cache.get(("small",), lambda: "embedder") == "embedder"  # no waiting
    assert time.perf_counter() - began < 5
    release.set()
    first.join(10)
    second.join(10)
    assert loads == ["slow"] and sorted(cache.loaded() or []) == [("big",), ("small",)]
