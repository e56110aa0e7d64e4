"""Campaign bundles: the zip a campaign leaves the studio as, and its way back in.

Public API::

    export_bundle(ws, campaign_id, out, *, include_drafts=False, c2pa=None,
                  progress=None, cancel=None, formats=None) -> ExportReport
    verify_bundle(path) -> VerifyReport
    import_bundle(ws, path, progress=None) -> int   # the new campaign's id

``progress`` is called as ``progress(description, fraction)``; ``cancel`` is anything
with a ``cancelled`` flag (``studio.core.progress.CancelToken``).
"""

from studio.export.bundle_import import import_bundle
from studio.export.c2pa_signing import C2paSigner, load_or_create_identity
from studio.export.reader import VerifyReport, verify_bundle
from studio.export.writer import ExportReport, export_bundle

__all__ = [
    "C2paSigner",
    "ExportReport",
    "VerifyReport",
    "export_bundle",
    "import_bundle",
    "load_or_create_identity",
    "verify_bundle",
]
