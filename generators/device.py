"""Device and dtype selection: CUDA, then Apple MPS, then CPU, unless the user says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.core.errors import ModelError


@dataclass(frozen=True)
class DeviceChoice:
    device: str  # "cuda", "mps" or "cpu"
    dtype: Any  # a torch.dtype

    @property
    def label(self) -> str:
        import torch

        name = self.device
        if self.device == "cuda":
            name = f"GPU ({torch.cuda.get_device_name(0)})"
        elif self.device == "cpu":
            name = "CPU"
        return f"{name}, {str(self.dtype).removeprefix('torch.')}"


def available_devices() -> list[str]:
    import torch

    found = ["cpu"]
    if torch.cuda.is_available():
        found.insert(0, "cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        found.insert(0, "mps")
    return found


def choose_device(preference: str = "auto", precision: str = "auto") -> DeviceChoice:
    """Pick a device and dtype; half precision on GPUs, fp32 on CPU (fast and exact there)."""
    import torch

    devices = available_devices()
    if preference == "auto":
        device = devices[0]
    elif preference in devices:
        device = preference
    else:
        raise ModelError(
            f"The device '{preference}' is not available on this machine.",
            hint=f"available: {', '.join(devices)}; choose 'auto' in Settings",
        )
    dtypes = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    if precision != "auto":
        if precision not in dtypes:
            raise ModelError(f"Unknown precision '{precision}'.", hint="use fp32, fp16 or bf16")
        return DeviceChoice(device, dtypes[precision])
    if device == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    elif device == "mps":
        dtype = torch.float16
    else:
        dtype = torch.float32
    return DeviceChoice(device, dtype)
