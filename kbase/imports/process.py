"""An import run in a child process: the caller's threads (a GUI's event loop) keep the GIL to themselves."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from kbase.child import JOB_MODULES, ChildFailed, ChildProcess
from kbase.i18n import N_

__all__ = ["ImportProcess", "ImportFailed", "PROGRESS_INTERVAL"]

# The child sends progress at most this often: every message wakes the parent's waiting thread.
PROGRESS_INTERVAL = 0.1

ImportFailed = ChildFailed  # the import stopped: a message for the user, the child's traceback in `details`


def _import(location: str, paths: list[str], options: dict[str, Any], *,
            progress: Callable[[Any], None], cancel: threading.Event, inbox: Any) -> Any:
    """In the child: open the library, import, return the ImportReport."""
    from kbase.catalogue.records import Catalogue
    from kbase.imports.pipeline import import_paths
    from kbase.library.db import open_library

    last = [0.0]

    def tell(state: Any) -> None:
        now = time.monotonic()
        if state.phase == "importing" and state.files_done < state.files_total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        progress(state)

    lib = open_library(location, migrate=False)
    try:
        return import_paths(Catalogue(lib), paths, progress=tell, cancel=cancel, **options)
    finally:
        lib.close()


class ImportProcess(ChildProcess):
    """kbase.imports.pipeline.import_paths in a child process ('spawn': safe from a process with threads).

    The child runs at a lower priority (`nice`). run() blocks (call it from a worker thread): it starts
    the child, hands every ImportProgress to `progress`, forwards a cancel (`cancelled()` is polled) and
    returns the ImportReport; a failure in the child, or its death, raises ImportFailed with a message
    for the user.
    """

    def __init__(self, location: str, paths: Sequence[str | Path], *, nice: int = 10, **options: Any):
        super().__init__(_import, str(location), [str(p) for p in paths], options, name="kbase-import", nice=nice,
                         died=N_("the import process stopped unexpectedly (exit code {code}); "
                                 "files already imported are kept, run the import again for the rest"),
                         preload=JOB_MODULES)
