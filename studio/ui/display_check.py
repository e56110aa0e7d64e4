"""Before the window opens on Linux: the X11 libraries Qt's xcb platform loads.

Without one of them Qt aborts with "could not load the Qt platform plugin xcb", which
does not say what to install. The studio names the missing libraries and their Debian
and Ubuntu packages instead.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

from studio.core.errors import StudioError

#: libraries the xcb platform plugin links (find_library name → Debian/Ubuntu package)
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-shape": "libxcb-shape0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
}


def missing_display_packages() -> list[str]:
    """The packages to install before the window can open here (none off Linux, or when
    another Qt platform than xcb is chosen)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "xcb")
    if not sys.platform.startswith("linux") or not platform.startswith("xcb"):
        return []
    return [
        package for name, package in XCB_LIBRARIES.items() if not ctypes.util.find_library(name)
    ]


def require_display_libraries() -> None:
    missing = missing_display_packages()
    if missing:
        raise StudioError(
            "The window cannot open: this system lacks libraries Qt needs to draw on X11 "
            f"({', '.join(missing)}).",
            hint=f"install them (Debian/Ubuntu: sudo apt install {' '.join(missing)}), or "
            "run without a window: studio quickstart, or QT_QPA_PLATFORM=offscreen",
        )
