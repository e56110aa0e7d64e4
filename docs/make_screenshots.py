"""Screenshots of every screen of the real app, into ``docs/screenshots/``.

    .venv/bin/python docs/make_screenshots.py              # offscreen (default)
    QT_QPA_PLATFORM=xcb xvfb-run .venv/bin/python docs/make_screenshots.py

Builds a demo workspace in a temporary home (nothing of yours is touched), segments it,
generates a small campaign with the default models through the real job worker, approves
part of it, exports it, and grabs each screen at 1440 × 900, then the Start screen, the
Campaign builder and the Review board in the dark theme, and the screens with the most
columns (Campaign builder, Queue, Review board) at the smallest supported size,
1024 × 700. Takes a few minutes on a 2-core CPU, mostly the copy model.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZE = (1440, 900)
SMALL = (1024, 700)


def wait(app, condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def settle(app, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def grab(app, window, name: str) -> Path:
    settle(app)
    path = OUT / f"{name}.png"
    if not window.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for generation")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["STUDIO_HOME"] = tempfile.mkdtemp(prefix="studio-shots-")
    sys.path.insert(0, str(ROOT))

    from studio.data.demo import create_demo_workspace
    from studio.ui.application import application
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    app = application()
    apply_theme(app, "light")
    home = Path(os.environ["STUDIO_HOME"])
    demo = home / "workspaces" / "Demo workspace"
    create_demo_workspace(demo, n_customers=args.customers).close()

    window = MainWindow()
    window.ask_to_stop = lambda busy: True
    window.resize(*SIZE)
    window.show()
    start = window.screens["Start"]
    start.open_workspace(demo)

    audience = window.show_screen("Audience")
    task = audience.resegment(k=5, seed=0)
    wait(app, lambda: not task.running, 600, "segmentation")
    wait(app, lambda: len(audience.card_widgets) >= 5, 30, "segment cards")
    audience.select_segment(next(iter(audience.card_widgets)))

    # screens that need no generated campaign come first
    for title, name in (
        ("Start", "start"),
        ("Audience", "audience"),
        ("Products", "products"),
        ("Brand kit", "brand-kit"),
        ("Models", "models"),
        ("Settings", "settings"),
    ):
        screen = window.show_screen(title)
        if title == "Brand kit":
            wait(app, lambda s=screen: s.preview_image is not None, 60, "the brand preview")
            wait(app, lambda: not window.session.tasks.active(), 60, "the brand preview")
        if title == "Start":
            wait(app, lambda: start.summary is not None, 60, "the workspace counts")
        grab(app, window, name)

    builder = window.show_screen("Campaign builder")
    builder.name.setText("Autumn coffee")
    builder.brief.setPlainText("New-season coffees for our most loyal customers; free shipping.")
    builder.tone.setText("cosy, seasonal")
    segments = list(audience.card_widgets)[:2]
    builder.select_segments(segments)
    builder.top.setValue(1)
    builder.select_formats(["meta_feed", "google_display"])
    grab(app, window, "campaign-builder")
    # one target keeps the copy model's work to a few minutes on a CPU
    builder.select_segments(segments[:1])
    builder.select_formats(["instagram_caption"])
    builder.generate()
    queue = window.current_screen
    wait(app, lambda: any(j["status"] == "running" for j in queue.model.jobs), 120, "a job")
    settle(app, 3)
    grab(app, window, "queue")
    ws = window.session.workspace
    wait(
        app,
        lambda: ws.scalar("SELECT count(*) FROM jobs WHERE status IN ('queued','running')") == 0,
        args.timeout,
        "generation",
    )

    review = window.show_screen("Review board")
    review.tree.setCurrentItem(review.tree.topLevelItem(0).child(0))
    review.set_status("approved")
    settle(app)
    review.tree.setCurrentItem(review.tree.topLevelItem(0).child(0))
    grab(app, window, "review-board")
    apply_theme(app, "dark")
    grab(app, window, "review-board-dark")
    for title, name in (("Start", "start-dark"), ("Campaign builder", "campaign-builder-dark")):
        window.show_screen(title)
        grab(app, window, name)
    apply_theme(app, "light")

    window.resize(*SMALL)
    for title, name in (
        ("Campaign builder", "campaign-builder-1024x700"),
        ("Queue", "queue-1024x700"),
        ("Review board", "review-board-1024x700"),
    ):
        screen = window.show_screen(title)
        if title == "Review board":
            settle(app)
            screen.tree.setCurrentItem(screen.tree.topLevelItem(0).child(0))
        grab(app, window, name)
    window.resize(*SIZE)

    export = window.show_screen("Export")
    export.include_drafts.setChecked(True)
    task = export.export()
    wait(app, lambda: not task.running, 300, "export")
    grab(app, window, "export")

    window.close()


if __name__ == "__main__":
    main()
