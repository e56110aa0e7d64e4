"""The studio's error hierarchy.

Every error a user can cause or meet derives from :class:`StudioError` and carries a
message that says what happened and where; ``hint`` says what to do about it. The CLI
prints ``str(error)`` on one line and the GUI shows it in a dialog, so messages are
written for people, not for developers.
"""

from __future__ import annotations


class StudioError(Exception):
    """Base class for errors that are reported to the user as a message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class Cancelled(StudioError):
    """The user cancelled an operation. Not a failure: callers report it quietly."""

    def __init__(self, message: str = "Cancelled by the user.") -> None:
        super().__init__(message)


# --- workspace and storage -------------------------------------------------------------


class WorkspaceError(StudioError):
    """A workspace folder or database cannot be used."""


class WorkspaceNotFound(WorkspaceError):
    pass


class WorkspaceTooNew(WorkspaceError):
    """The workspace was written by a newer version of the studio."""


class AssetStoreError(WorkspaceError):
    """A file in the content-addressed asset store is missing or does not match its hash."""


class StorageFull(WorkspaceError):
    """The disk ran out of space; what was already saved is untouched."""


class WorkspaceBusy(WorkspaceError):
    """Another process or job holds the workspace's write lock for too long."""


class OutputRefused(StudioError):
    """A destination file would destroy something (a workspace's own files, a file the
    studio did not make): nothing was written."""


class NotFound(StudioError):
    """A named thing (campaign, segment, product, model …) does not exist."""


# --- input data -------------------------------------------------------------------------


class ImportProblem:
    """One rejected row or value in an input file: file, line, column and reason."""

    __slots__ = ("column", "file", "line", "reason")

    def __init__(self, file: str, line: int | None, column: str | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


class InputError(StudioError):
    """Input data (CSV, images, briefs, bundles …) is malformed; nothing was written."""

    def __init__(
        self,
        message: str,
        *,
        problems: list[ImportProblem] | None = None,
        problem_count: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems or []
        #: every problem found; ``problems`` may hold only the first ones
        self.problem_count = len(self.problems) if problem_count is None else problem_count


class NotEnoughData(StudioError):
    """The workspace holds too little data for an analysis (e.g. too few customers)."""


# --- models and generation --------------------------------------------------------------


class ModelError(StudioError):
    """A model cannot be found, loaded or run."""


class UnknownModelError(ModelError):
    pass


class UnsafeModelFile(ModelError):
    """A pickle-based checkpoint was refused because the user did not allow pickles."""


class GenerationError(StudioError):
    """A generator ran but could not produce a usable result."""


class ExportError(StudioError):
    """A bundle could not be written, read or verified."""
