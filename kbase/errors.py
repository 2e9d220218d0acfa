"""The one exception tree of Kbase: every error a user may see derives from KbaseError."""

from __future__ import annotations

from typing import Any

__all__ = [
    "KbaseError",
    "LibraryError",
    "NotFound",
    "InvalidInput",
    "ConflictError",
    "QueryError",
    "ImportProblem",
    "user_message",
]


class KbaseError(Exception):
    """Base of all errors that carry a message fit for a user."""


class LibraryError(KbaseError):
    """The library cannot be opened or written: missing folder, read-only, server down."""


class NotFound(KbaseError):
    """A record, file or name that does not exist."""


class InvalidInput(KbaseError):
    """A value that does not fit: bad year, unknown type, malformed field."""


class ConflictError(KbaseError):
    """Someone else saved the record since it was read (optimistic locking)."""

    def __init__(self, message: str, mine: dict[str, Any] | None = None, theirs: dict[str, Any] | None = None):
        super().__init__(message)
        self.mine = mine or {}
        self.theirs = theirs or {}


class QueryError(KbaseError):
    """A search query that cannot be parsed."""


class ImportProblem(KbaseError):
    """A file or entry that cannot be imported; the batch carries on."""


def user_message(exc: BaseException) -> str:
    """A message fit for a dialog: our own errors speak for themselves, others get their class name."""
    if isinstance(exc, KbaseError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f" ({exc.filename})" if exc.filename else "")
    return f"unexpected problem: {exc.__class__.__name__}: {exc}"
