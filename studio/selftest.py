"""``studio --self-test``: proves an install works, for installers and support.

It runs the real services on a tiny demo workspace in a temporary folder, with a
temporary app home so the user's settings, downloaded models and recent workspaces are
neither used nor touched: what passes is what a fresh install does with the embedded
models. Each step is timed; the first failing step ends the run and is named.

The main window is built first, so ``first_window_s`` (process start to the window shown)
measures what a user waits for when the app starts, before the heavy libraries that only
generation needs are loaded.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.core import paths
from studio.core.campaign_settings import CampaignSettings

#: heavy libraries the app needs somewhere; c2pa is optional (content credentials)
HEAVY_MODULES = (
    "torch",
    "transformers",
    "diffusers",
    "sentence_transformers",
    "sklearn",
    "PySide6.QtWidgets",
)
OPTIONAL_MODULES = ("c2pa",)
DEMO_CUSTOMERS = 300
#: one copy field set and one image: the cheapest channel format that still has both
CHANNEL_FORMAT = "instagram_story"


@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str


@dataclass
class SelfTestReport:
    steps: list[Step] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def failed_step(self) -> str | None:
        return next((step.name for step in self.steps if not step.ok), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failed_step": self.failed_step,
            "steps": [asdict(step) for step in self.steps],
            "timings": self.timings,
        }


class StepFailed(Exception):
    """A check inside a step did not hold; the message says what."""


@dataclass
class _State:
    """What the steps hand on to each other."""

    root: Path
    workspace: Path | None = None
    campaign_id: int | None = None
    bundle: Path | None = None
    results: dict[str, Any] = field(default_factory=dict)


def process_started_at() -> float:
    """When this process started (epoch seconds), as the operating system records it."""
    import psutil

    return psutil.Process(os.getpid()).create_time()


# --- the steps --------------------------------------------------------------------------


def step_main_window(state: _State, report: SelfTestReport) -> str:
    from studio.ui.startup_check import show_main_window_offscreen

    shown_at, summary = show_main_window_offscreen()
    report.timings["first_window_s"] = round(shown_at - process_started_at(), 2)
    return summary


def step_imports(state: _State, report: SelfTestReport) -> str:
    versions = []
    for name in HEAVY_MODULES:
        importlib.import_module(name)
        package = sys.modules[name.partition(".")[0]]
        versions.append(f"{package.__name__} {getattr(package, '__version__', '?')}")
    for name in OPTIONAL_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            versions.append(name)
    return ", ".join(versions)


def step_embedded_models(state: _State, report: SelfTestReport) -> str:
    """The weights shipped with the app are there and are the files they should be
    (package models the user installs when they want them are not part of the app)."""
    from generators import registry
    from studio.core.hashing import sha256_file

    found = []
    for spec in registry.all_specs():
        if spec.source != "package" or spec.optional:
            continue
        path = registry.resolve_path(spec)
        if spec.sha256 and path.is_file() and sha256_file(path) != spec.sha256:
            raise StepFailed(f"{path} does not match the sha256 of '{spec.id}'")
        found.append(spec.id)
    if not found:
        raise StepFailed("no embedded model is installed")
    return ", ".join(found)


def step_workspace(state: _State, report: SelfTestReport) -> str:
    from studio.data.demo import create_demo_workspace
    from studio.services.audience import find_segments
    from studio.storage import migrations
    from studio.storage.workspace import Workspace

    state.workspace = state.root / "workspace"
    create_demo_workspace(state.workspace, n_customers=DEMO_CUSTOMERS).close()
    ws = Workspace.open(state.workspace)  # reopening checks the schema and migrates
    try:
        applied = len(list(migrations.migrations.applied(ws.db)))
        run_id = find_segments(ws, seed=0)
        segments = ws.scalar("SELECT count(*) FROM segments WHERE run_id = ?", (run_id,))
    finally:
        ws.close()
    return f"{DEMO_CUSTOMERS} customers, {applied} migrations applied, {segments} segments"


def step_generate(state: _State, report: SelfTestReport) -> str:
    """One segment × one product × one channel format through the real job queue."""
    from studio.data.recommend import top_products
    from studio.services import campaigns
    from studio.services.audience import top_segments
    from studio.services.foreground import run_campaign
    from studio.storage import campaigns as store
    from studio.storage.workspace import Workspace

    assert state.workspace is not None
    ws = Workspace.open(state.workspace)
    try:
        segment = top_segments(ws, 1)[0]
        product = top_products(ws, segment["id"], 1)[0]
        state.campaign_id = campaigns.create_campaign(
            ws,
            "Self-test",
            pairs=[(segment["id"], product["product_id"])],
            channel_formats=[CHANNEL_FORMAT],
            brief="Self-test campaign.",
            settings=CampaignSettings(copy_candidates=1),
        )
        summary = run_campaign(ws, state.campaign_id)
        if summary["failed"]:
            raise StepFailed("; ".join(f"{f['kind']} job: {f['error']}" for f in summary["failed"]))
        for kind, seconds in _job_seconds(ws, state.campaign_id).items():
            report.timings[f"{kind}_job_s"] = seconds
        state.results["assets"] = store.current_assets(ws, state.campaign_id)
    finally:
        ws.close()
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["assets"].items()))
    return f"'{segment['name']}' × '{product['name']}' × {CHANNEL_FORMAT}: {counts}"


def step_copy(state: _State, report: SelfTestReport) -> str:
    copies = [a for a in state.results.get("assets", []) if a.kind == "copy"]
    if not copies:
        raise StepFailed("no copy was generated")
    fields = copies[0].content.get("fields", {})
    texts = [text for values in fields.values() for text in values if text.strip()]
    if not texts:
        raise StepFailed(f"the copy has no text: {copies[0].content}")
    model = copies[0].model_id
    return f"{model}: {texts[0][:80]!r}"


def step_creative(state: _State, report: SelfTestReport) -> str:
    from studio.storage.workspace import Workspace

    creatives = [a for a in state.results.get("assets", []) if a.kind == "creative"]
    if not creatives:
        raise StepFailed("no creative was rendered")
    assert state.workspace is not None
    ws = Workspace.open(state.workspace)
    try:
        from studio.services.generation.common import open_image

        image = open_image(ws, creatives[0])
    finally:
        ws.close()
    return f"{creatives[0].format} {image.width}×{image.height} by {creatives[0].generator}"


def step_bundle(state: _State, report: SelfTestReport) -> str:
    from studio.export import export_bundle
    from studio.services import campaigns
    from studio.storage.workspace import Workspace

    assert state.workspace is not None and state.campaign_id is not None
    ws = Workspace.open(state.workspace)
    try:
        campaigns.approve_all(ws, state.campaign_id)
        exported = export_bundle(ws, state.campaign_id, state.root / "self-test-bundle.zip")
    finally:
        ws.close()
    state.bundle = exported.path
    return f"{exported.files} files, {exported.creatives} creatives, {exported.bytes:,} bytes"


def step_verify(state: _State, report: SelfTestReport) -> str:
    from studio.export import verify_bundle

    assert state.bundle is not None
    verified = verify_bundle(state.bundle)
    if not verified.ok:
        raise StepFailed("; ".join(verified.problems) or "the bundle did not verify")
    if verified.creatives < 1:
        raise StepFailed("the bundle holds no creative")
    return f"{verified.files_checked} files checked, {verified.creatives} creatives"


STEPS: tuple[tuple[str, Callable[[_State, SelfTestReport], str]], ...] = (
    ("main window", step_main_window),
    ("imports", step_imports),
    ("embedded models", step_embedded_models),
    ("workspace", step_workspace),
    ("generate", step_generate),
    ("copy", step_copy),
    ("creative", step_creative),
    ("bundle", step_bundle),
    ("verify", step_verify),
)


def _job_seconds(ws: Any, campaign_id: int) -> dict[str, float]:
    from datetime import datetime

    seconds: dict[str, float] = {}
    rows = ws.query(
        "SELECT kind, started_at, finished_at FROM jobs WHERE campaign_id = ?"
        " AND started_at IS NOT NULL AND finished_at IS NOT NULL",
        (campaign_id,),
    )
    for row in rows:
        span = datetime.fromisoformat(row["finished_at"]) - datetime.fromisoformat(
            row["started_at"]
        )
        seconds[row["kind"]] = round(seconds.get(row["kind"], 0.0) + span.total_seconds(), 2)
    return seconds


# --- running ----------------------------------------------------------------------------


@contextmanager
def _isolated_home(root: Path):
    """A fresh app home for the run: settings, logs and the model folder start empty."""
    previous = os.environ.get(paths.HOME_ENV)
    os.environ[paths.HOME_ENV] = str(root / "home")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(paths.HOME_ENV, None)
        else:
            os.environ[paths.HOME_ENV] = previous


def run_self_test(on_step: Callable[[Step], None] | None = None) -> SelfTestReport:
    """Run every step in order until one fails; nothing is left behind on disk."""
    report = SelfTestReport()
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="studio-self-test-"))
    try:
        with _isolated_home(root):
            state = _State(root=root)
            for name, run_step in STEPS:
                step_started = time.perf_counter()
                try:
                    detail, ok = run_step(state, report), True
                except Exception as error:  # the report names the step and the error
                    detail, ok = f"{type(error).__name__}: {error}", False
                step = Step(name, ok, round(time.perf_counter() - step_started, 2), detail)
                report.steps.append(step)
                if on_step is not None:
                    on_step(step)
                if not ok:
                    break
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report.timings["total_s"] = round(time.perf_counter() - started, 2)
    return report
