"""Text for the status bar: the device in use and the models loaded (no Qt here)."""

from __future__ import annotations


def detect_device(preference: str, precision: str) -> str:
    """'CPU, float32' or 'GPU (name), bfloat16' (imports torch: call off the GUI thread)."""
    from generators.device import choose_device

    return choose_device(preference, precision).label


def loaded_models_text() -> str:
    from generators.registry import model_cache

    keys = model_cache.loaded(blocking=False)  # the GUI never waits for a model load
    if keys is None:
        return "loading…"
    loaded = sorted({str(key[0]) for key in keys})
    return ", ".join(loaded) if loaded else "none loaded"
