"""Use cases: what the command line and the desktop app ask the studio to do.

Adapters (``studio.cli``, ``studio.ui``) call these; these call the layers below them
(jobs, data, export, generators, render, storage). Generators and the compositor only
compute; the services here are the only code that writes a job's results to a workspace.
"""
