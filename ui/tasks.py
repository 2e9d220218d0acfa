"""Background work off the GUI thread: a Task runs a plain function and reports back through signals."""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from kbase.errors import user_message  # re-exported: the dialogs take it from here

# Progress reports closer together than this are dropped so a fast job cannot flood the GUI thread.
PROGRESS_INTERVAL = 0.05


class _Bridge(QObject):
    """Lives in the GUI thread; the worker emits on it, so delivery is queued to the GUI thread."""

    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(str, str)


class Task(QObject):
    """A running job. Connect to result/error/progress/finished; call cancel() to ask it to stop.

    The function must not touch Qt. If `pass_control` is true it is called with two extra keyword
    arguments: `progress(done, total, message="")` and `cancel()` (returns True once cancel was asked).
    """

    progress = Signal(int, int, str)  # done, total, message
    result = Signal(object)
    error = Signal(str)  # a message for the user; the traceback is kept in `details`
    finished = Signal()  # after result or error, always

    def __init__(self, fn: Callable[..., Any], *args: Any, pass_control: bool = False,
                 parent: QObject | None = None, **kwargs: Any):
        super().__init__(parent)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.pass_control = pass_control
        self.details = ""
        self.running = False
        self.done = False
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)

    # -- called from the worker thread ----------------------------------------------------
    def report(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        self._bridge.progress.emit(int(done), int(total), str(message))

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def cancel_event(self) -> threading.Event:
        """The same cancel flag as a threading.Event, for core functions that take one (import_paths)."""
        return self._cancel

    def _work(self) -> None:
        kwargs = dict(self.kwargs)
        if self.pass_control:
            kwargs.update(progress=self.report, cancel=self.cancelled)
        try:
            value = self.fn(*self.args, **kwargs)
        except BaseException as exc:  # every failure reaches the user as a message, never a crash
            self._emit(self._bridge.failed, user_message(exc), traceback.format_exc())
        else:
            self._emit(self._bridge.done, value)

    def _emit(self, signal: Any, *values: Any) -> None:
        try:
            signal.emit(*values)
        except RuntimeError:  # the window that owned the task is gone; nobody is listening
            pass

    # -- GUI thread -------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if not self.done:
            self.progress.emit(done, total, message)

    @Slot(object)
    def _on_done(self, value: Any) -> None:
        self.running, self.done = False, True
        self.result.emit(value)
        self.finished.emit()
        _forget(self)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self.running, self.done = False, True
        self.details = details
        self.error.emit(message)
        self.finished.emit()
        _forget(self)


class _Runner(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._work()


# Tasks without a Qt parent are kept alive here until they finish.
_live: set[Task] = set()


def _forget(task: Task) -> None:
    _live.discard(task)


def start(task: Task, pool: QThreadPool | None = None) -> Task:
    """Queue the task on the (global) thread pool and return it."""
    task.running = True
    _live.add(task)
    (pool or QThreadPool.globalInstance()).start(_Runner(task))
    return task


def run(fn: Callable[..., Any], *args: Any, on_result: Callable[[Any], Any] | None = None,
        on_error: Callable[[str], Any] | None = None, on_progress: Callable[[int, int, str], Any] | None = None,
        pass_control: bool = False, parent: QObject | None = None, **kwargs: Any) -> Task:
    """Shortcut: make a Task for fn(*args, **kwargs), connect the callbacks, start it."""
    task = Task(fn, *args, pass_control=pass_control or on_progress is not None, parent=parent, **kwargs)
    if on_result:
        task.result.connect(on_result)
    if on_error:
        task.error.connect(on_error)
    if on_progress:
        task.progress.connect(on_progress)
    if _window_closed(parent):
        task.done = True  # never started: a closed window's timers must not open its library again
        return task
    return start(task)


def _window_closed(parent: QObject | None) -> bool:
    window = parent.window() if isinstance(parent, QWidget) else None
    return bool(getattr(window, "has_closed", False))  # set by MainWindow.closeEvent


def wait_all(timeout_ms: int = 30000) -> bool:
    """Ask every running task to stop and wait for the pool (at exit and in tests)."""
    for task in list(_live):
        task.cancel()
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


__all__ = ["Task", "start", "run", "wait_all", "user_message"]
