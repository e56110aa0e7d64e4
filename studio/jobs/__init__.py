"""The persisted job queue and the one background worker that runs it (no Qt)."""

from studio.jobs.queue import Job, JobQueue
from studio.jobs.worker import Handler, JobContext, JobEvent, JobOutcome, Listener, Worker

__all__ = [
    "Handler", "Job", "JobContext", "JobEvent", "JobOutcome", "JobQueue", "Listener", "Worker",
]  # fmt: skip
