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

__all__ = ["PRELOAD", "start_extraction_server"]


def start_extraction_server() -> None:
    """Start the fork server now (Linux); the pool's workers then fork from it."""
    if not sys.platform.startswith("linux"):
        return
    import multiprocessing
    from multiprocessing import forkserver

    from kbase.child import main_hidden

    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    try:
        with main_hidden():  # the server must not run the `kbase` script again
            forkserver.ensure_running()
    except OSError:
        pass  # the pool tries again when it starts its workers, and reports what stops it
