"""What can change in the open workspace, as one set of names: a screen watches the
topics it shows (``Screen.watches``) and whoever changed something emits its topic through
``Session.data_changed`` once the service call that changed it has returned."""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    CUSTOMERS = "customers"
    SEGMENTS = "segments"
    PRODUCTS = "products"
    BRAND = "brand"
    CAMPAIGNS = "campaigns"
    ASSETS = "assets"
    JOBS = "jobs"
    RESULTS = "results"
    MODELS = "models"
    #: everything may have changed (an import, another workspace's data)
    ALL = "all"
