"""A big index sync (a rebuild, or a long backlog of changes) in a child process, off the caller's GIL.

A desktop app that rebuilds a 50,000-publication index in one of its threads stutters for minutes:
indexing is Python work that holds the interpreter lock. Small syncs stay in the caller's thread
(starting a process costs about half a second); big ones go to a child at a lower priority.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from kbase.catalogue import Catalogue
from kbase.errors import KbaseError, LibraryError

__all__ = ["BACKLOG", "pending_changes", "sync_in_child", "needs_child"]

BACKLOG = 2000  # changes not yet in the index above which a sync is worth a child process


def pending_changes(cat: Catalogue) -> int | None:
    """Changes the local index has not applied yet, or None when it must be built from scratch."""
    from kbase import indexing

    if not indexing.index_ready(cat.library):
        return None
    return max(0, indexing._max_seq(cat) - int(indexing.read_state(cat.library).get("last_seq", -1)))


def needs_child(cat: Catalogue) -> bool:
    pending = pending_changes(cat)
    return pending is None or pending > BACKLOG


def _child(location: str, conn: Any, nice: int) -> None:
    if nice and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:
            pass
    from kbase import indexing
    from kbase.db import open_library

    try:
        lib = open_library(location)
        try:
            conn.send(("done", indexing.sync(Catalogue(lib))))
        finally:
            lib.close()
    except KbaseError as exc:
        conn.send(("error", str(exc)))
    except BaseException as exc:  # the parent says it in one line; nothing is half-written (the state file is last)
        conn.send(("error", f"unexpected problem: {exc.__class__.__name__}: {exc}"))
    finally:
        conn.close()


def sync_in_child(location: str, nice: int = 10) -> int:
    """kbase.indexing.sync in a 'spawn' child; blocks until it is done and returns the changes applied.

    Raises LibraryError with a message for the user when the child fails or dies."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(str(location), child, nice), name="kbase-index-sync", daemon=True)
    process.start()
    child.close()  # only the child holds its end now: its death means EOF here
    try:
        kind, value = parent.recv()  # waits without holding the GIL
    except (EOFError, OSError):
        kind, value = "died", None
    finally:
        parent.close()
        process.join(30)
        if process.is_alive():
            process.terminate()
            process.join(5)
    if kind == "died":
        kind, value = "error", f"the index process stopped unexpectedly (exit code {process.exitcode})"
    if kind == "error":
        raise LibraryError(f"the search index could not be brought up to date: {value}")
    return int(value)
