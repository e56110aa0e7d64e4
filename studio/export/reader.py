"""Reading bundles that may come from anywhere: safety checks first, then verification.

A bundle is refused before anything is extracted or written when its zip holds an
absolute path, a ``..`` component, a link, more entries or more expanded bytes than the
limits, a suspicious compression ratio, a file the manifest does not list (or lists but
is missing), or a file whose sha256 or size differs from the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import ExportError, ImportProblem, InputError
from studio.export import labels
from studio.export.manifest import MANIFEST_NAME, SCHEMA, SCHEMA_VERSION

MAX_ENTRIES = 200_000
MAX_EXPANDED_BYTES = 16 << 30
MAX_MANIFEST_BYTES = 256 << 20
#: deflate reaches ~1000:1 at best; real images and text stay far below 100:1
MAX_RATIO = 200
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class VerifyReport:
    path: Path
    ok: bool
    campaign: str | None = None
    files_checked: int = 0
    creatives: int = 0
    labelled: int = 0
    c2pa_valid: int = 0
    c2pa_checked: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def _unsafe_name(name: str) -> str | None:
    """Why an entry name is unsafe to extract, or None."""
    if not name or "\x00" in name or any(ord(c) < 32 for c in name):
        return "has an empty name or control characters"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "is an absolute path"
    if "\\" in name:
        return "uses backslashes, which some systems read as folders"
    parts = name.split("/")
    if ".." in parts:
        return "climbs out of the bundle ('..')"
    if any(p in ("", ".") for p in parts):
        return "has an empty or '.' path component"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


class Bundle:
    """An opened bundle whose structure and manifest passed the safety checks."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
        self.path = path
        self.archive = archive
        self.manifest = manifest
        self.files: dict[str, dict[str, Any]] = {f["path"]: f for f in manifest["files"]}

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, path: str) -> bytes:
        """A listed file's bytes, refused when its sha256 or size differs from the manifest."""
        entry = self.files[path]
        info = self.archive.getinfo(path)
        digest, size, chunks = hashlib.sha256(), 0, []
        try:
            with self.archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    if size > entry["bytes"]:
                        break  # never expand past what the manifest promised
                    digest.update(chunk)
                    chunks.append(chunk)
        except UNREADABLE as error:
            raise _refuse(self.path, path, f"cannot be read ({error})") from None
        if size != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
            raise _refuse(self.path, path, "does not match the sha256 and size in manifest.json")
        return b"".join(chunks)

    def check_files(self) -> Iterator[tuple[str, bytes | None, str | None]]:
        """Each listed file with its bytes, or None and the problem."""
        for path in sorted(self.files):
            try:
                yield path, self.read(path), None
            except InputError as error:
                yield path, None, error.message


#: what reading a damaged zip entry raises (zlib: a corrupt deflate stream)
UNREADABLE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError)


def _refuse(bundle: Path, name: str, reason: str) -> InputError:
    return InputError(
        f"{bundle.name}: '{name}' {reason}.",
        problems=[ImportProblem(str(bundle), None, name, reason)],
    )


def open_bundle(path: Path) -> Bundle:
    """Open ``path`` and run every check that does not need the file contents."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No bundle at {path}.")
    try:
        archive = zipfile.ZipFile(path)
    except UNREADABLE as error:  # a damaged header can claim a zip version never made
        raise InputError(f"{path} is not a readable zip file: {error}.") from error
    try:
        manifest = _check_structure(path, archive)
    except BaseException:
        archive.close()
        raise
    return Bundle(path, archive, manifest)


def _check_structure(path: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _refuse(path, "(archive)", f"has {len(infos)} entries, more than {MAX_ENTRIES}")
    seen: set[str] = set()
    expanded = 0
    for info in infos:
        reason = _unsafe_name(info.filename)
        if reason is None and _is_link(info):
            reason = "is a symbolic link"
        if reason is None and info.flag_bits & 0x1:
            reason = "is encrypted"
        if reason is None and info.filename in seen:
            reason = "appears twice in the archive"
        if reason is None and info.file_size > MAX_RATIO * max(info.compress_size, 1) + _CHUNK:
            reason = (
                f"expands {info.compress_size} bytes to {info.file_size}"
                " (a zip bomb's compression ratio)"
            )
        if reason:
            raise _refuse(path, info.filename, reason)
        seen.add(info.filename)
        expanded += info.file_size
        if expanded > MAX_EXPANDED_BYTES:
            raise _refuse(path, "(archive)", f"expands to more than {MAX_EXPANDED_BYTES >> 30} GiB")
    if MANIFEST_NAME not in seen:
        raise InputError(
            f"{path.name} has no {MANIFEST_NAME}: it is not a Campaign Studio bundle.",
        )
    manifest = _read_manifest(path, archive)
    listed = set()
    for entry in manifest["files"]:
        name = entry["path"]
        reason = _unsafe_name(name) if isinstance(name, str) else "is not a file name"
        if reason:
            raise _refuse(path, str(name), f"(listed in {MANIFEST_NAME}) {reason}")
        if name in listed:
            raise _refuse(path, name, f"is listed twice in {MANIFEST_NAME}")
        if name not in seen:
            raise _refuse(path, name, f"is listed in {MANIFEST_NAME} but missing from the zip")
        listed.add(name)
    for name in sorted(seen - listed - {MANIFEST_NAME}):
        raise _refuse(path, name, f"is not listed in {MANIFEST_NAME}")
    return manifest


def _read_manifest(path: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    info = archive.getinfo(MANIFEST_NAME)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _refuse(path, MANIFEST_NAME, "is larger than any real manifest")
    try:
        with archive.open(info) as handle:
            manifest = json.loads(handle.read(MAX_MANIFEST_BYTES + 1))
    except RecursionError as error:
        raise _refuse(path, MANIFEST_NAME, "nests deeper than any real manifest") from error
    except (ValueError, *UNREADABLE) as error:
        raise _refuse(path, MANIFEST_NAME, f"cannot be read as JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise _refuse(path, MANIFEST_NAME, "is not a Campaign Studio bundle manifest")
    version = manifest.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _refuse(
            path, MANIFEST_NAME, f"has a schema_version that is not a version number ({version!r})"
        )
    if version > SCHEMA_VERSION:
        raise InputError(
            f"{path.name} was written by a newer Campaign Studio (bundle schema {version}).",
            hint="update Campaign Studio to read it",
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict)
        and isinstance(f.get("sha256"), str)
        and isinstance(f.get("bytes"), int)
        and "path" in f
        for f in files
    ):
        raise _refuse(path, MANIFEST_NAME, "has a malformed 'files' list")
    if not isinstance(manifest.get("campaign", {}), dict):
        raise _refuse(path, MANIFEST_NAME, "has a malformed 'campaign' (not an object)")
    return manifest


def image_problem(data: bytes, entry: dict[str, Any]) -> str | None:
    """Why a creative's bytes are not the image the manifest describes, or None."""
    from PIL import Image, UnidentifiedImageError

    expected = {"image/png": "PNG", "image/jpeg": "JPEG"}.get(entry.get("media_type") or "")
    if expected is None:
        return f"has media type {entry.get('media_type')!r}; bundles hold PNG and JPEG images"
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            found, size = image.format, image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        return f"is not a readable image ({error})"
    if found != expected:
        return f"is a {found} file, not the {expected} image the manifest lists"
    if size != (entry.get("width"), entry.get("height")):
        listed = f"{entry.get('width')}×{entry.get('height')}"
        return f"is {size[0]}×{size[1]} pixels, the manifest says {listed}"
    return None


def verify_bundle(path: Path) -> VerifyReport:
    """Check every file against the manifest, and every creative's AI label and C2PA."""
    report = VerifyReport(path=Path(path), ok=False)
    try:
        bundle = open_bundle(path)
    except InputError as error:
        report.problems.append(str(error))
        return report
    with bundle:
        report.campaign = (bundle.manifest.get("campaign") or {}).get("name")
        for name, data, problem in bundle.check_files():
            report.files_checked += 1
            if problem:
                report.problems.append(problem)
                continue
            entry = bundle.files[name]
            if entry.get("role") == "creative" and data is not None:
                _check_creative(report, name, entry, data)
    report.ok = not report.problems
    return report


def _check_creative(report: VerifyReport, name: str, entry: dict[str, Any], data: bytes) -> None:
    report.creatives += 1
    media_type = entry.get("media_type") or ""
    problem = image_problem(data, entry)
    if problem:
        report.problems.append(f"{name}: {problem}")
        return
    try:
        found = labels.read_source_type(data, media_type)
    except Exception as error:  # a corrupt image is a finding, not a crash
        report.problems.append(f"{name}: cannot read the image's metadata ({error})")
        return
    if found and found == entry.get("ai_label"):
        report.labelled += 1
    else:
        report.problems.append(
            f"{name}: AI label is {found or 'missing'}, manifest says {entry.get('ai_label')}"
        )
    if entry.get("c2pa"):
        from studio.export.c2pa_signing import read_credentials

        report.c2pa_checked += 1
        try:
            credentials = read_credentials(data, media_type)
        except ExportError as error:  # c2pa-python is not installed
            report.problems.append(f"{name}: cannot check C2PA credentials: {error}")
            return
        state = credentials.get("validation_state") if credentials else None
        if state in ("Valid", "Trusted"):
            report.c2pa_valid += 1
        else:
            report.problems.append(f"{name}: C2PA Content Credentials are {state or 'missing'}")
