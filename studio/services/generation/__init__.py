"""The generation job kinds, as one table: what runs each kind, what it makes, and how
long a unit of it takes until this machine has measured its own.

``copy``      the copy generator → one ``copy`` asset per target
``visual``    a diffusion scene, else a brand-designed background → one ``visual`` asset
              per (segment, product)
``creative``  the compositor, for every image format of the target's channel format
              → ``creative`` assets (and new versions of creatives after an edit)
``variants``  the variant engine → ``variant`` assets linked to their creative

Every handler computes outside any write and hands back a store step that the worker
runs in the transaction that marks the job done.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.jobs.worker import Handler
from studio.services.generation.copy import run_copy
from studio.services.generation.creative import run_creative
from studio.services.generation.variants import run_variants
from studio.services.generation.visual import run_visual


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    #: the asset kind its jobs make
    asset_kind: str
    #: seconds per unit of work on a 2-core CPU before this machine measured any (a unit:
    #: one copy target, one visual, one rendered image format, one variant), as the
    #: quickstart benchmark measured them with the embedded models (docs/quickstart.md)
    seconds_per_unit: float


JOB_KINDS = {
    kind.name: kind
    for kind in (
        JobKind("copy", run_copy, "copy", 15.0),
        JobKind("visual", run_visual, "visual", 0.5),
        JobKind("creative", run_creative, "creative", 0.5),
        JobKind("variants", run_variants, "variant", 1.0),
    )
}
#: the job kind that makes a new version of each asset kind
REGENERATES = {kind.asset_kind: kind.name for kind in JOB_KINDS.values()}


def default_handlers() -> dict[str, Handler]:
    return {name: kind.handler for name, kind in JOB_KINDS.items()}
