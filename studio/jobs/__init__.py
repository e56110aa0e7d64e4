"""The persisted job queue and the one background worker that runs it (no Qt)."""

from studio.jobs.queue import Job, JobQueue
from studio.jobs.worker import Handler, JobContext, JobEvent, Listener, Worker

__all__ = ["Handler", "Job", "JobContext", "JobEvent", "JobQueue", "Listener", "Worker"]
