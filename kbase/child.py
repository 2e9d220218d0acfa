"""Core work in a 'spawn' child process: the caller's threads (a GUI's event loop) keep the GIL to themselves.

    result = ChildProcess(job, arg1, arg2, name="kbase-import").run(progress=..., cancelled=...)

job is a module-level function called in the child as job(*args, progress=send, cancel=event):
send(value) hands a progress value to the parent, event is set once the parent asks to cancel
(or goes away). Its return value comes back from run(); a failure, or the child's death, raises
ChildFailed with a message for the user (the child's traceback is kept in `details`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from typing import Any, Callable

from kbase.errors import KbaseError, user_message

__all__ = ["ChildProcess", "ChildFailed"]


class ChildFailed(KbaseError):
    """The child's work stopped: the message is for the user (its traceback is kept in `details`)."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


def _main(job: Callable[..., Any], args: tuple[Any, ...], conn: Any, nice: int) -> None:
    if nice and hasattr(os, "nice"):
        try:  # background work: on a busy machine the user's window gets the processor first
            os.nice(nice)  # processes the job starts inherit it
        except OSError:
            pass
    cancel = threading.Event()
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
                return
            if what == "cancel":
                cancel.set()

    threading.Thread(target=listen, name="kbase-child-listen", daemon=True).start()
    try:
        result = job(*args, progress=lambda value: send(("progress", value)), cancel=cancel)
    except BaseException as exc:  # every failure reaches the parent as a message
        send(("error", user_message(exc), traceback.format_exc()))
    else:
        send(("done", result))
    finally:
        try:
            conn.close()
        except OSError:
            pass


class ChildProcess:
    """One job in a child process at a lower priority (`nice`); run() blocks, so call it from a worker thread."""

    def __init__(self, job: Callable[..., Any], *args: Any, name: str = "kbase-child", nice: int = 10,
                 died: str = "the background process stopped unexpectedly (exit code {code})"):
        self.job, self.args, self.name = job, args, name
        self.nice = nice  # added to the child's niceness (lower priority); 0 keeps the caller's
        self.died = died  # the message when the child dies without a word; {code} is its exit code
        self.exitcode: int | None = None
        self.pid: int | None = None  # the child, once started

    def run(self, progress: Callable[[Any], None] | None = None,
            cancelled: Callable[[], bool] | None = None, poll: float = 0.05) -> Any:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        # not a daemon: a job may start processes of its own (the import's extraction workers)
        process = ctx.Process(target=_main, args=(self.job, self.args, child, self.nice), name=self.name, daemon=False)
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
                    raise ChildFailed(message[1], message[2])
        finally:
            parent.close()
            process.join(30)
            if process.is_alive():  # it should have stopped with its last message; never leave it behind
                process.terminate()
                process.join(5)
            self.exitcode = process.exitcode
        raise ChildFailed(self.died.format(code=process.exitcode))
