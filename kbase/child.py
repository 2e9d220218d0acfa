"""Core work in a child process: the caller's threads (a GUI's event loop) keep the GIL to themselves.

    result = ChildProcess(job, arg1, arg2, name="kbase-import").run(progress=..., cancelled=...)

job is a module-level function called in the child as job(*args, progress=send, cancel=event,
inbox=queue): send(value) hands a progress value to the parent, event is set once the parent asks
to cancel (or goes away), and the queue holds what the parent sent with ChildProcess.send (None
once the parent is gone). Its return value comes back from run(); a failure, or the child's death,
raises ChildFailed with a message for the user (the child's traceback is kept in `details`).

A child is a fresh interpreter ('spawn'), or with `preload` (on Linux) a fork of a server that
has those modules loaded already: the desktop's second import or sync then starts at once instead
of importing SQLAlchemy and the rest again (~1 s of CPU each). A forked child takes the caller's
environment, working folder and language as they are when it starts, as a spawned one would.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from kbase.errors import KbaseError, user_message
from kbase.i18n import N_

__all__ = ["ChildProcess", "ChildFailed", "main_hidden", "JOB_MODULES"]

# what the desktop's background jobs (import, OCR, index sync) load: their children fork from a server that has them
JOB_MODULES = ("kbase.imports.pipeline", "kbase.search.indexing", "kbase.ocr.queue")


class ChildFailed(KbaseError):
    """The child's work stopped: the message is for the user (its traceback is kept in `details`)."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


def _take_callers_state(env: dict[str, str] | None, cwd: str | None) -> None:
    """A forked child starts with its server's environment and folder: take the caller's instead."""
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
        from kbase.i18n import language_from_environment, set_language

        set_language(language_from_environment())
    if cwd is not None:
        try:
            os.chdir(cwd)
        except OSError:
            pass


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # the folder was deleted under us
        return None


def _main(job: Callable[..., Any], args: tuple[Any, ...], conn: Any, nice: int,
          env: dict[str, str] | None = None, cwd: str | None = None) -> None:
    _take_callers_state(env, cwd)
    if nice and hasattr(os, "nice"):
        try:  # background work: on a busy machine the user's window gets the processor first
            os.nice(nice)  # processes the job starts inherit it
        except OSError:
            pass
    cancel = threading.Event()
    inbox: queue.Queue[Any] = queue.Queue()
    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with send_lock:
            try:
                conn.send(message)
            except (OSError, EOFError):  # the parent is gone: stop as if cancelled
                cancel.set()

    def listen() -> None:
        while True:
            try:
                what = conn.recv()
            except (OSError, EOFError):  # the parent closed its end or died
                cancel.set()
                inbox.put(None)
                return
            if what == "cancel":
                cancel.set()
            else:
                inbox.put(what[1])  # ("message", value) from ChildProcess.send

    threading.Thread(target=listen, name="kbase-child-listen", daemon=True).start()
    try:
        result = job(*args, progress=lambda value: send(("progress", value)), cancel=cancel, inbox=inbox)
    except BaseException as exc:  # every failure reaches the parent as a message
        send(("error", user_message(exc), traceback.format_exc()))
    else:
        send(("done", result))
        _quick_exit(conn)
    finally:
        try:
            conn.close()
        except OSError:
            pass


def _quick_exit(conn: Any) -> None:
    """The job is done and said so: leave without tearing the interpreter down. The parent waits
    for the child to end, and freeing an index writer's millions of objects one by one took
    0.2 s after an import's last segment, on one core while the other had nothing to do."""
    try:
        conn.close()
    except OSError:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


@contextmanager
def main_hidden() -> Iterator[None]:
    """Start a child without re-running the caller's main script in it.

    multiprocessing re-imports __main__ in a forkserver/spawn child; a script that calls
    import_paths without an `if __name__ == "__main__"` guard would then import again in
    every child. The children need nothing from __main__, so it is hidden while they start.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        for key in saved:
            setattr(main, key, None) if key == "__spec__" else delattr(main, key)
        yield
    finally:
        for key, value in saved.items():
            setattr(main, key, value)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """A child started meanwhile ignores Ctrl-C from its first instruction (Python keeps an ignored
    SIGINT ignored): a terminal sends it to the whole group, and the parent handles it."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: there is no terminal's Ctrl-C to keep away
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


class ChildProcess:
    """One job in a child process at a lower priority (`nice`); run() blocks, so call it from a worker thread."""

    def __init__(self, job: Callable[..., Any], *args: Any, name: str = "kbase-child", nice: int = 10,
                 died: str = N_("the background process stopped unexpectedly (exit code {code})"),
                 preload: Sequence[str] = ()):
        self.job, self.args, self.name = job, args, name
        # forked from a server with these modules loaded (Linux); else a fresh interpreter
        self.preload = list(preload) if preload and sys.platform.startswith("linux") else []
        self.nice = nice  # added to the child's niceness (lower priority); 0 keeps the caller's
        self.died = died  # the message when the child dies without a word; {code} is its exit code
        self.exitcode: int | None = None
        self.pid: int | None = None  # the child, once started
        self._process: Any = None
        self._conn: Any = None
        self._send_lock = threading.Lock()  # send() and run()'s "cancel" may come from different threads

    def start(self) -> None:
        """Start the child; run() then waits for it (run() alone does both)."""
        ctx: Any = multiprocessing.get_context("forkserver" if self.preload else "spawn")
        state: tuple[Any, ...] = ()
        if self.preload:
            # the server starts once per process, with the first list it is given
            ctx.set_forkserver_preload(["kbase.child", *self.preload])
            state = (dict(os.environ), _cwd())
        self._conn, child = ctx.Pipe(duplex=True)
        # not a daemon: a job may start processes of its own (the import's extraction workers)
        self._process = ctx.Process(target=_main, args=(self.job, self.args, child, self.nice, *state),
                                    name=self.name, daemon=False)
        with main_hidden(), _sigint_ignored():
            self._process.start()
        self.pid = self._process.pid
        child.close()  # only the child holds its end now: a dead child means EOF here

    def send(self, value: Any) -> None:
        """Hand value to the job's inbox; a child that is gone is reported by run()."""
        with self._send_lock:
            try:
                self._conn.send(("message", value))
            except (OSError, ValueError):
                pass

    def run(self, progress: Callable[[Any], None] | None = None,
            cancelled: Callable[[], bool] | None = None, poll: float = 0.05) -> Any:
        if self._process is None:
            self.start()
        parent, process = self._conn, self._process
        asked_to_cancel = False
        try:
            while True:
                if not asked_to_cancel and cancelled is not None and cancelled():
                    asked_to_cancel = True
                    with self._send_lock:
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
                    raise ChildFailed(message[1], message[2])
        finally:
            with self._send_lock:
                parent.close()
            process.join(30)
            if process.is_alive():  # it should have stopped with its last message; never leave it behind
                process.terminate()
                process.join(5)
            self.exitcode = process.exitcode
        raise ChildFailed(self.died.format(code=process.exitcode))
