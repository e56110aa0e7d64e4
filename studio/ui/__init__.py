"""The desktop studio: the only package that imports PySide6.

Widgets bind to the session and to view-models and call services; they never run SQL
that writes, nor inference. Work goes to background runners whose results come back as
queued signals (see :mod:`studio.ui.tasks` and :mod:`studio.ui.jobs_bridge`).
"""
