"""Opening the window on a Linux without Qt's X11 libraries says what to install."""

from __future__ import annotations

import ctypes.util

import pytest

from studio.core.errors import StudioError
from studio.ui import display_check


def test_missing_x11_libraries_are_named_with_their_packages(monkeypatch):
    monkeypatch.setattr(display_check.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    real = ctypes.util.find_library
    monkeypatch.setattr(
        display_check.ctypes.util, "find_library",
        lambda name: None if name in ("xcb-cursor", "xcb-icccm") else real(name) or "found",
    )  # fmt: skip
    with pytest.raises(StudioError) as raised:
        display_check.require_display_libraries()
    assert "libxcb-cursor0" in str(raised.value) and "libxcb-icccm4" in str(raised.value)
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in str(raised.value)


def test_offscreen_and_other_systems_need_none(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_check.missing_display_packages() == []
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setattr(display_check.sys, "platform", "darwin")
    assert display_check.missing_display_packages() == []
