"""A big index sync (a rebuild, or a long backlog of changes) in a child process, off the caller's GIL.

A desktop app that rebuilds a 50,000-publication index in one of its threads stutters for minutes:
indexing is Python work that holds the interpreter lock. Small syncs stay in the caller's thread
(starting a process costs about half a second); big ones go to a child at a lower priority.
"""

from __future__ import annotations

from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.child import JOB_MODULES, ChildFailed, ChildProcess
from kbase.errors import LibraryError
from kbase.i18n import N_

__all__ = ["BACKLOG", "pending_changes", "sync_in_child", "needs_child"]

BACKLOG = 2000  # changes not yet in the index above which a sync is worth a child process


def pending_changes(cat: Catalogue) -> int | None:
    """Changes the local index has not applied yet, or None when it must be built from scratch."""
    from kbase.search import indexing

    return indexing.changes_behind(cat)


def needs_child(cat: Catalogue) -> bool:
    pending = pending_changes(cat)
    return pending is None or pending > BACKLOG


def _sync(location: str, *, progress: Any, cancel: Any, inbox: Any) -> tuple[int, list[str]]:
    """In the child: kbase.search.indexing.sync on the library at location; (changes applied, notes)."""
    from kbase.library.db import open_library
    from kbase.search import indexing

    lib = open_library(location)
    notes: list[str] = []
    try:
        return indexing.sync(Catalogue(lib), notes), notes
    finally:
        lib.close()


def sync_in_child(location: str, nice: int = 10, notes: list[str] | None = None) -> int:
    """kbase.search.indexing.sync in a child process; blocks until it is done and returns the changes applied.

    notes receives what the sync has to say (an altered change log, so a rebuild). Raises LibraryError
    with a message for the user when the child fails or dies."""
    job = ChildProcess(_sync, str(location), name="kbase-index-sync", nice=nice,
                       died=N_("the index process stopped unexpectedly (exit code {code})"), preload=JOB_MODULES)
    try:
        applied, said = job.run()
    except ChildFailed as exc:
        raise LibraryError(N_("the search index could not be brought up to date: {reason}").format(reason=exc)) from exc
    if notes is not None:
        notes.extend(said)
    return int(applied)
