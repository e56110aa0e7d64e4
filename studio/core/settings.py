"""User settings, stored as JSON in the config folder.

Settings are read once and written atomically (temp file + rename) so a crash while
saving never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal

from studio.core import paths

DevicePreference = Literal["auto", "cuda", "mps", "cpu"]
Precision = Literal["auto", "fp32", "fp16", "bf16"]
Theme = Literal["system", "light", "dark"]

SETTINGS_FILE = "settings.json"
MAX_RECENT = 10


@dataclass
class Settings:
    device: DevicePreference = "auto"
    precision: Precision = "auto"
    #: default model id per generator kind ("copy", "visual", "variant")
    default_models: dict[str, str] = field(default_factory=dict)
    recent_workspaces: list[str] = field(default_factory=list)
    allow_pickle_checkpoints: bool = False
    models_dir: str | None = None
    workspaces_dir: str | None = None
    first_run_done: bool = False
    #: the desktop app's colours; "system" follows the platform's light/dark setting
    theme: Theme = "system"
    #: a Ray cluster to generate on ("auto": one on this machine; "HOST:PORT" or
    #: "ray://HOST:PORT"); None: the app's own worker
    cluster_address: str | None = None
    #: cluster workers to start (None: one per GPU, else one per CPU)
    cluster_workers: int | None = None

    def remember_workspace(self, path: Path) -> None:
        entry = str(Path(path).resolve())
        self.recent_workspaces = [entry] + [p for p in self.recent_workspaces if p != entry]
        del self.recent_workspaces[MAX_RECENT:]


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE


def load_settings() -> Settings:
    """Read settings; a missing file gives defaults, unknown keys are ignored."""
    path = settings_path()
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        # A damaged settings file must not lock the user out of the app; it is kept
        # beside the new one so nothing is lost.
        path.replace(path.with_suffix(".damaged.json"))
        return Settings()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in raw.items() if k in known})


def save_settings(settings: Settings) -> None:
    path = settings_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(settings), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def models_dir() -> Path:
    """The model cache: downloaded and user-added models (the folder chosen in Settings,
    else the app's data folder)."""
    chosen = load_settings().models_dir
    if chosen:
        path = Path(chosen).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return path
    return paths.default_models_dir()
