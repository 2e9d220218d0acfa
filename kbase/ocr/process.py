"""The OCR queue run in a child process: Tesseract's work and the catalogue writes keep off a GUI's GIL."""

from __future__ import annotations

import threading
from typing import Any, Callable

from kbase.child import JOB_MODULES, ChildProcess
from kbase.i18n import N_

__all__ = ["OcrProcess"]


def _ocr(location: str, *, progress: Callable[[Any], None], cancel: threading.Event, inbox: Any) -> Any:
    """In the child: open the library, read the queue, return the OcrReport."""
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library
    from kbase.ocr.queue import run_queue

    lib = open_library(location, migrate=False)
    try:
        return run_queue(Catalogue(lib), progress=progress, cancel=cancel)
    finally:
        lib.close()


class OcrProcess(ChildProcess):
    """kbase.ocr.queue.run_queue in a child process at low priority; run() blocks (call it from a worker thread),
    hands each OcrProgress to `progress`, forwards a cancel (stops after the page being read) and returns the
    OcrReport."""

    def __init__(self, location: str, *, nice: int = 10):
        super().__init__(_ocr, str(location), name="kbase-ocr", nice=nice,
                         died=N_("OCR stopped unexpectedly (exit code {code}); the pages read are kept, and the "
                                 "next run goes on from there"), preload=JOB_MODULES)
