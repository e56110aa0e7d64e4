"""The job queue, its worker and their events, as the app and the CLI drive them, with
the studio's job handlers (:func:`studio.services.generation.default_handlers`)."""

from __future__ import annotations

from studio.jobs import JobEvent, JobQueue, Worker
from studio.services.generation import default_handlers

__all__ = ["JobEvent", "JobQueue", "Worker", "default_handlers"]
