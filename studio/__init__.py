"""Campaign Studio: local-first segments, recommendations and creative generation."""

import os
from importlib.metadata import PackageNotFoundError, version

# OpenMP threads (torch, BLAS, scikit-learn) spin while they wait for work by default; on a
# desktop with other programs running, spinning threads of a few processes took turns
# with each other and copy ran several times slower. Waiting threads sleep instead. Read
# when the OpenMP runtime starts, so it is set here, before any of those libraries load;
# a value the user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    __version__ = version("campaign-studio")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
