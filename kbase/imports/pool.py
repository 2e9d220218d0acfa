"""Extraction worker processes: one file at a time each; a crash, hang or memory blow-up costs one file."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Iterator

from kbase.child import main_hidden
from kbase.files.blobs import TMP_DIR, Syncing, commit_temp, copy_hashing, write_atomic
from kbase.i18n import N_
from kbase.imports.early import PRELOAD
from kbase.imports.extract import IMPORTED_STATUSES, extract_file, sniff

__all__ = ["Task", "Outcome", "ExtractionPool", "process_file"]

# the workers keep the importer's priority (the desktop's import process is niced, and they
# inherit it). Niced below it all along, they lost the processor to any other busy program (an
# import of 8,254 pages beside one took 33 s instead of 25); they are niced only near the end
# (ExtractionPool.yield_to_index)
LATE_NICE = 5


def _renice(pid: int | None, step: int) -> None:
    if pid is None:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + step)
    except OSError:  # gone already, or not ours to change
        pass


@dataclass
class Task:
    index: int
    path: str
    filename: str
    password: str | None
    tmp_name: str  # partial copy under files/tmp/, known to the pool so it can clean up


@dataclass
class Outcome:
    index: int
    status: str  # an attachment status, or "duplicate"
    message: str = ""
    sha256: str | None = None
    size: int = 0
    stored: bool = False  # the file is now in the store under its hash
    pages: list[str] = field(default_factory=list)
    page_count: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    has_thumbnail: bool = False  # its first page can be drawn (see process_file)
    scanned: list[int] = field(default_factory=list)  # pages for OCR
    mime: str = "application/pdf"


def process_file(task: Task, files_dir: Path, thumbs_dir: Path, known: frozenset[str],
                 syncing: Syncing | None = None) -> Outcome:
    """Copy into the store while hashing, extract from the copy, keep it only if importable.
    syncing: the worker's fsync thread (else one is started)."""
    try:
        verdict = sniff(Path(task.path), task.filename)
    except OSError as exc:
        return Outcome(task.index, "damaged", N_("cannot read the file: {reason}; not imported").format(
            reason=exc.strerror or exc))
    if verdict is not None:
        return Outcome(task.index, verdict.status, verdict.message)
    try:
        sha, size, tmp = copy_hashing(Path(task.path), files_dir, task.tmp_name, sync=False)
    except OSError as exc:
        return _not_copied(task, exc)
    syncing = syncing or Syncing()
    syncing.start(tmp)  # the copy goes to disk while it is read
    try:
        if sha in known:
            return Outcome(task.index, "duplicate", sha256=sha, size=size)
        # the first-page picture is drawn the first time it is shown (kbase.files.store.ensure_thumbnail),
        # not here: about 5 ms a file, a tenth of the import's work on a corpus of short PDFs. Only
        # a file opened with a password gets it now, while the password is known
        ex = extract_file(tmp, task.password, task.filename, want_thumbnail=bool(task.password))
        out = Outcome(task.index, ex.status, ex.message, sha, size, pages=ex.pages,
                      page_count=ex.page_count, metadata=ex.metadata, scanned=ex.scanned, mime=ex.mime)
        if ex.status in IMPORTED_STATUSES:
            try:
                syncing.wait()
            except OSError as exc:
                return _not_copied(task, exc)
            if ex.thumbnail:
                write_atomic(thumbs_dir / f"{sha}.png", ex.thumbnail)
            out.has_thumbnail = bool(ex.thumbnail) or (ex.status in ("ok", "no text layer", "repaired")
                                                       and ex.mime == "application/pdf")
            commit_temp(files_dir, tmp, sha)
            out.stored = True
        return out
    finally:
        try:
            syncing.wait()  # before the copy goes
        except OSError:
            pass  # said already, or the copy was not wanted
        tmp.unlink(missing_ok=True)


def _not_copied(task: Task, exc: OSError) -> Outcome:
    return Outcome(task.index, "damaged", N_("cannot copy the file into the library: {reason}; not imported").format(
        reason=exc.strerror or exc))


def _worker_main(tasks: Connection, results: Connection, files_dir: str, thumbs_dir: str,
                 known: frozenset[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    syncing = Syncing()
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            out = process_file(task, Path(files_dir), Path(thumbs_dir), known, syncing)
        except Exception as exc:  # an unexpected failure is that file's problem, not the batch's
            out = Outcome(task.index, "damaged", N_("extraction failed: {error}: {reason}; not imported").format(
                error=exc.__class__.__name__, reason=exc))
        results.send(out)


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """Resident (VmRSS) or peak (VmHWM) memory of a process in MB, 0 where /proc is absent."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used (0 where /proc is absent)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class _Worker:
    def __init__(self, ctx: Any, args: tuple[Any, ...]):
        task_r, self.task_w = ctx.Pipe(duplex=False)
        self.result_r, result_w = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_worker_main, args=(task_r, result_w, *args), daemon=True)
        with main_hidden():
            self.process.start()
        task_r.close()
        result_w.close()
        self.inflight: deque[Task] = deque()
        self.head_started = time.monotonic()
        self.peak_mb = 0.0

    def send(self, task: Task) -> None:
        if not self.inflight:
            self.head_started = time.monotonic()
        self.inflight.append(task)
        self.task_w.send(task)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.task_w.send(None)
            except OSError:
                pass
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        for conn in (self.task_w, self.result_r):
            conn.close()


_DONE = object()


class ExtractionPool:
    """Runs tasks in worker processes from a feeder thread; outcomes() yields them as they finish.

    At most max_ready outcomes wait for the consumer, so a slow consumer holds the
    workers back instead of letting page texts pile up in memory.
    """

    def __init__(self, tasks: list[Task], files_dir: Path, thumbs_dir: Path, known: frozenset[str],
                 workers: int = 2, timeout: float = 300.0, memory_limit_mb: float = 1024.0,
                 prefetch: int = 2, max_ready: int = 4):
        self.tasks = deque(tasks)
        self.files_dir, self.thumbs_dir = files_dir, thumbs_dir
        self.known = known
        self.n_workers = max(1, workers)
        self.timeout = timeout
        self.memory_limit_mb = memory_limit_mb
        self.prefetch = prefetch
        self.ready: queue.Queue[Any] = queue.Queue(maxsize=max_ready)
        self.stopping = threading.Event()
        self.draining = threading.Event()  # take no new task, finish the ones under way
        self.worker_peaks_mb: list[float] = []  # peak RSS of every worker that ran
        self.worker_cpu_s = 0.0  # CPU time of the workers that finished normally
        self.feeder_cpu_s = 0.0  # CPU time of the thread that talks to them (unpickling results)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kbase-extract", daemon=True)
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        self._ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            # workers fork from a server that already has PyMuPDF loaded: a replacement after a crash starts at once
            self._ctx.set_forkserver_preload(PRELOAD)
        self._workers: list[_Worker] = []
        self._late = False  # see yield_to_index

    def start(self) -> "ExtractionPool":
        self._thread.start()
        return self

    def outcomes(self, cancel: threading.Event | None = None) -> Iterator[Outcome]:
        """Outcomes as they finish; returns early once cancel is set."""
        while True:
            if cancel is not None and cancel.is_set():
                return
            try:
                item = self.ready.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is _DONE:
                if self.error is not None:
                    raise self.error
                return
            yield item

    def close(self, drain: bool = True) -> list[Outcome]:
        """Stop; returns the outcomes nobody took, so the caller can take their files back out.

        drain=True lets the files being read finish (so every stored file is accounted
        for); drain=False kills the workers at once (partial copies are still removed).
        """
        self.draining.set()
        if not drain:
            self.stopping.set()
        left: list[Outcome] = []

        def take_ready() -> None:
            while True:
                try:
                    item = self.ready.get(timeout=0.05)
                except queue.Empty:
                    return
                if isinstance(item, Outcome):
                    left.append(item)

        while self._thread.is_alive():
            take_ready()
        self._thread.join()
        take_ready()
        return left

    def yield_to_index(self) -> None:
        """From now on the workers run at a lower priority (LATE_NICE): near an import's end the
        index process has more left to do than they have, and its backlog is then what the
        import waits for. Only ever lowered: a process may not raise its priority again."""
        if not self._late:
            self._late = True
            for w in list(self._workers):
                _renice(w.process.pid, LATE_NICE)

    # -- feeder thread ----------------------------------------------------------------
    def _spawn(self) -> _Worker:
        w = _Worker(self._ctx, (str(self.files_dir), str(self.thumbs_dir), self.known))
        if self._late:
            _renice(w.process.pid, LATE_NICE)
        return w

    def _put(self, item: Any) -> None:
        blocked_from = time.monotonic()
        while not self.stopping.is_set():
            try:
                self.ready.put(item, timeout=0.2)
                break
            except queue.Full:
                continue
        waited = time.monotonic() - blocked_from
        for w in self._workers:  # time spent waiting on the consumer is not the file's fault
            w.head_started += waited

    def _cleanup(self, task: Task) -> None:
        (self.files_dir / TMP_DIR / task.tmp_name).unlink(missing_ok=True)

    def _replace(self, w: _Worker, message: str) -> None:
        """A worker died or was killed: its current file failed, the others go back in line."""
        w.stop(kill=True)
        self.worker_peaks_mb.append(w.peak_mb)
        failed = w.inflight.popleft()
        self._cleanup(failed)
        self.tasks.extendleft(reversed(w.inflight))
        self._workers[self._workers.index(w)] = self._spawn()
        self._put(Outcome(failed.index, "damaged", message))

    @staticmethod
    def _crash_message(w: _Worker) -> str:
        w.process.join(1)
        code = w.process.exitcode
        how = (N_("it stopped") if code is None else N_("signal {n}").format(n=-code) if code < 0
               else N_("exit code {n}").format(n=code))
        return N_("damaged PDF: reading it crashed the extractor ({how}); not imported").format(how=how)

    def _run(self) -> None:
        cpu_started = time.thread_time()
        try:
            self._workers = [self._spawn() for _ in range(self.n_workers)]
            while not self.stopping.is_set():
                if self.draining.is_set():
                    self.tasks.clear()
                for w in self._workers:
                    while self.tasks and len(w.inflight) < self.prefetch:
                        w.send(self.tasks.popleft())
                busy = [w for w in self._workers if w.inflight]
                if not busy:
                    break
                wait([w.result_r for w in busy] + [w.process.sentinel for w in busy], timeout=0.5)
                now = time.monotonic()
                for w in busy:
                    w.peak_mb = max(w.peak_mb, rss_mb(w.process.pid, "VmHWM"))
                    if w.result_r.poll():
                        try:
                            out = w.result_r.recv()
                        except (EOFError, OSError):
                            self._replace(w, self._crash_message(w))
                            continue
                        w.inflight.popleft()
                        w.head_started = now
                        self._put(out)
                    elif not w.process.is_alive():
                        self._replace(w, self._crash_message(w))
                    elif now - w.head_started > self.timeout:
                        self._replace(w, N_("damaged PDF: still unreadable after {seconds} s; not imported").format(
                            seconds=format(self.timeout, '.0f')))
                    elif rss_mb(w.process.pid) > self.memory_limit_mb:
                        self._replace(w, N_("damaged PDF: reading it needed more than {limit} MB of memory; not "
                                            "imported").format(limit=format(self.memory_limit_mb, '.0f')))
        except BaseException as exc:  # reported to the consumer, never lost in a thread
            self.error = exc
        finally:
            self.feeder_cpu_s = time.thread_time() - cpu_started
            stopping = self.stopping.is_set()
            for w in self._workers:
                w.peak_mb = max(w.peak_mb, rss_mb(w.process.pid, "VmHWM"))
                self.worker_cpu_s += cpu_seconds(w.process.pid)
                self.worker_peaks_mb.append(w.peak_mb)
                w.stop(kill=stopping)
                for task in w.inflight:
                    self._cleanup(task)
            if not stopping:
                self.ready.put(_DONE)
            else:
                try:
                    self.ready.put_nowait(_DONE)
                except queue.Full:
                    pass


def worker_count(requested: int | None) -> int:
    return max(1, requested if requested else min(2, os.cpu_count() or 1))
