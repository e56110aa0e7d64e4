"""Campaign Studio: local-first segments, recommendations and creative generation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("campaign-studio")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
