"""An import run in a child process: the caller's threads (a GUI's event loop) keep the GIL to themselves."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from kbase.errors import KbaseError

__all__ = ["ImportProcess", "ImportFailed", "PROGRESS_INTERVAL"]

# The child sends progress at most this often: every message wakes the parent's waiting thread.
PROGRESS_INTERVAL = 0.1


class ImportFailed(KbaseError):
    """The import stopped: the message is for the user (the child's traceback is kept in `details`)."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


@dataclass
class _Request:
    location: str
    paths: list[str]
    options: dict[str, Any]


def _message(exc: BaseException) -> str:
    """A message fit for a dialog: our own errors speak for themselves, others get their class name."""
    if isinstance(exc, KbaseError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f" ({exc.filename})" if exc.filename else "")
    return f"unexpected problem: {exc.__class__.__name__}: {exc}"


def _child(request: _Request, conn: Any, nice: int) -> None:
    """The child process: open the library, import, send progress and the report back through conn."""
    if nice and hasattr(os, "nice"):
        try:  # background work: on a busy machine the user's window gets the processor first
            os.nice(nice)  # the extraction workers started below inherit it
        except OSError:
            pass
    cancel = threading.Event()
    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> bool:
        with send_lock:
            try:
                conn.send(message)
                return True
            except (OSError, EOFError):  # the parent is gone: stop as if cancelled
                cancel.set()
                return False

    def listen() -> None:
        while True:
            try:
                what = conn.recv()
            except (OSError, EOFError):  # the parent closed its end or died
                cancel.set()
                return
            if what == "cancel":
                cancel.set()

    threading.Thread(target=listen, name="kbase-import-listen", daemon=True).start()
    last = [0.0]

    def progress(state: Any) -> None:
        now = time.monotonic()
        if state.phase == "importing" and state.files_done < state.files_total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        send(("progress", state))

    lib = None
    try:
        from kbase.catalogue import Catalogue
        from kbase.db import open_library
        from kbase.importer import import_paths

        lib = open_library(request.location, migrate=False)
        report = import_paths(Catalogue(lib), request.paths, progress=progress, cancel=cancel, **request.options)
    except BaseException as exc:  # every failure reaches the parent as a message
        send(("error", _message(exc), traceback.format_exc()))
    else:
        send(("done", report))
    finally:
        if lib is not None:
            lib.close()
        try:
            conn.close()
        except OSError:
            pass


class ImportProcess:
    """kbase.importer.import_paths in a child process ('spawn': safe from a process with threads).

    The child runs at a lower priority (`nice`). run() blocks (call it from a worker thread): it starts
    the child, hands every ImportProgress to `progress`, forwards a cancel (`cancelled()` is polled) and
    returns the ImportReport; a failure in the child, or its death, raises ImportFailed with a message
    for the user.
    """

    def __init__(self, location: str, paths: Sequence[str | Path], *, nice: int = 10, **options: Any):
        self.request = _Request(str(location), [str(p) for p in paths], options)
        self.nice = nice  # added to the child's niceness (lower priority); 0 keeps the caller's
        self.exitcode: int | None = None
        self.pid: int | None = None  # the child, once started

    def run(self, progress: Callable[[Any], None] | None = None,
            cancelled: Callable[[], bool] | None = None, poll: float = 0.05) -> Any:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_child, args=(self.request, child, self.nice), name="kbase-import", daemon=False)
        process.start()
        self.pid = process.pid
        child.close()  # only the child holds its end now: a dead child means EOF here
        asked_to_cancel = False
        try:
            while True:
                if not asked_to_cancel and cancelled is not None and cancelled():
                    asked_to_cancel = True
                    try:
                        parent.send("cancel")
                    except OSError:
                        pass
                if not parent.poll(poll):
                    if not process.is_alive() and not parent.poll(0):
                        break
                    continue
                try:
                    message = parent.recv()
                except (EOFError, OSError):
                    break
                kind = message[0]
                if kind == "progress":
                    if progress is not None:
                        progress(message[1])
                elif kind == "done":
                    return message[1]
                elif kind == "error":
                    raise ImportFailed(message[1], message[2])
        finally:
            parent.close()
            process.join(30)
            if process.is_alive():  # it should have stopped with its last message; never leave it behind
                process.terminate()
                process.join(5)
            self.exitcode = process.exitcode
        raise ImportFailed(f"the import process stopped unexpectedly (exit code {process.exitcode}); "
                           "files already imported are kept, run the import again for the rest")
