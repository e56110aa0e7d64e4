"""Where the studio keeps its own files: settings, logs and the model cache.

Everything lives under platformdirs locations unless ``STUDIO_HOME`` names a folder, in
which case settings, logs and models all go below it (tests and portable installs use
this).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "CampaignStudio"
HOME_ENV = "STUDIO_HOME"
#: where files derived from installed models go (converted GGUF weights, joined parts);
#: deleting the folder costs only the time to derive them again
CACHE_ENV = "STUDIO_CACHE_DIR"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    home = _home_override()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME)))


def log_dir() -> Path:
    home = _home_override()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME)))


def default_models_dir() -> Path:
    """Where models go unless Settings names another folder
    (:func:`studio.core.settings.models_dir`)."""
    home = _home_override()
    return _ensure(
        home / "models" if home else Path(platformdirs.user_data_dir(APP_NAME)) / "models"
    )


def cache_dir() -> Path:
    """Derived model files: ``STUDIO_CACHE_DIR``, else the app's cache folder."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return _ensure(Path(chosen).expanduser())
    home = _home_override()
    return _ensure(home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME)))


def default_workspaces_dir() -> Path:
    home = _home_override()
    if home:
        return _ensure(home / "workspaces")
    return _ensure(Path(platformdirs.user_documents_dir()) / APP_NAME)


def prepared_models_dir() -> Path:
    """Model files an installer ships already prepared (a GGUF model converted at build
    time, ``converted/<revision>``), read-only; absent outside an installed app."""
    return resources_dir().parent / "prepared-models"


def resources_dir() -> Path:
    """Read-only data shipped with the app: formats, fonts, prompts, demo assets."""
    frozen_root = getattr(sys, "_MEIPASS", None)  # inside a PyInstaller bundle
    if frozen_root:
        return Path(frozen_root) / "resources"
    studio_package = Path(__file__).resolve().parents[1]
    installed = studio_package / "resources"  # a wheel ships them as studio.resources
    return installed if installed.is_dir() else studio_package.parent / "resources"
