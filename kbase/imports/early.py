"""The extraction workers' fork server, started before the importer loads the rest of Kbase.

An import's workers fork from a server that has PyMuPDF loaded (kbase.imports.pool). Started
when `kbase import` begins, the server loads it on the second core while this process loads the
catalogue's modules (0.7 s), instead of after them.
"""

from __future__ import annotations

import sys

# what the server loads: the worker's code and PyMuPDF (not the catalogue's modules, which would
# count in every worker's memory)
PRELOAD = ["kbase.imports.pool", "pymupdf"]
# and for the import's index process, which forks from the same server: loaded there while
# this process loads the same modules, the index process starts at once instead of spending
# 0.5 s of CPU importing them when the workers need the processors
INDEX_PRELOAD = [*PRELOAD, "kbase.child", "kbase.imports.indexer", "kbase.search.indexing", "kbase.library.db"]

__all__ = ["PRELOAD", "INDEX_PRELOAD", "start_extraction_server", "index_preload"]

_started = False  # this process started the server early, with INDEX_PRELOAD


def start_extraction_server() -> None:
    """Start the fork server now (Linux); the pool's workers then fork from it."""
    if not sys.platform.startswith("linux"):
        return
    import multiprocessing
    from multiprocessing import forkserver

    from kbase.child import main_hidden

    multiprocessing.get_context("forkserver").set_forkserver_preload(INDEX_PRELOAD)
    global _started
    try:
        with main_hidden():  # the server must not run the `kbase` script again
            forkserver.ensure_running()
        _started = True
    except OSError:
        pass  # the pool tries again when it starts its workers, and reports what stops it


def index_preload() -> list[str]:
    """The modules the import's index process forks with: INDEX_PRELOAD when the server was
    started early (it has them loaded by now), else none, and the index process starts as a fresh
    interpreter: a server started on the spot makes the first child wait while it loads them
    (0.7 s with one core idle), where a fresh interpreter loads them beside the workers."""
    return INDEX_PRELOAD if _started else []
