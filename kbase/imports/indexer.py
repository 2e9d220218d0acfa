"""Indexes imported attachments while extraction goes on in worker processes.

The one Whoosh writer runs in a thread of the importer, or for a big import in a child process
of its own: indexing is the longest stage and Python work, and in a thread it shares one
interpreter lock with the threads that feed the workers and write the catalogue.
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from typing import Any, Callable

from kbase.i18n import N_
from kbase.library.db import Library

__all__ = ["BackgroundIndexer", "CHILD_FILES"]


BATCH = 50  # attachments indexed together when several are waiting
GATHER_PAGES, GATHER_SECONDS = 150, 0.2  # a batch of fewer pages waits up to this long for more
MIN_SEGMENT = 400  # pages: no earlier commit for a segment smaller than this (see _Loop.run)
CHILD_FILES = 20  # an import of this many files or more indexes in a child process (starting one: 0.4 s of CPU)
STOPPED = "indexing was stopped: the index catches up at the next search (or `kbase reindex`)"


class _Abandoned(Exception):
    """Raised inside the Indexer block to leave it without committing."""


class _Loop:
    """Takes (attachment, pages) from a queue and writes them through one kbase.search.indexing.Indexer.

    Every segment_pages pages or renew_every seconds (so search sees progress) the Indexer is
    left, which commits its segment; the last one also applies the change log, skipping what
    the import indexed (edits made meanwhile still get in). A commit writes the segment's
    postings all at once: committing every few thousand pages spreads that work over the
    import, while the workers go on extracting, instead of one long write after the last file.
    """

    def __init__(self, library: Library, renew_every: float, segment_pages: int, done: Callable[[int], None],
                 abandoned: threading.Event | None = None):
        self.library = library
        self.renew_every = renew_every
        self.segment_pages = segment_pages
        self.done = done  # told the pages of every file indexed or dropped
        self.queue: queue.Queue[tuple[int, int] | None] = queue.Queue()
        self.abandoned = abandoned or threading.Event()  # set: stop at the next file, commit nothing more
        self.pages_left = float("inf")  # the importer's guess of the pages still to come
        self.waiting = 0  # pages queued here and not indexed yet
        self._waiting_lock = threading.Lock()  # put() and the loop run in different threads
        self.message: str | None = None
        self.indexed = 0  # pages
        self.cpu_seconds = 0.0
        self._seen_end = False

    def put(self, attachment_id: int, pages: int, pages_left: float) -> None:
        self.pages_left = pages_left
        with self._waiting_lock:
            self.waiting += pages
        self.queue.put((attachment_id, pages))

    def end(self) -> None:
        self.queue.put(None)

    def _finished(self, items: list[tuple[int, int]]) -> None:
        pages = sum(n for _, n in items)
        with self._waiting_lock:
            self.waiting -= pages
        self.done(pages)

    def _take(self) -> tuple[list[tuple[int, int]], bool]:
        """The next files to index (attachment, pages), and whether the end mark came with them.

        Whatever is waiting joins the first, up to BATCH: one round of queries for several files.
        A batch under GATHER_PAGES waits up to GATHER_SECONDS for more; the end mark stops the wait."""
        first = self.queue.get()
        if first is None:
            return [], True
        items = [first]
        pages = first[1]
        until = time.monotonic() + GATHER_SECONDS
        while len(items) < BATCH:
            # a small batch waits a moment for more: each round of queries costs ~8 ms
            wait = until - time.monotonic() if pages < GATHER_PAGES else 0
            try:
                item = self.queue.get(timeout=wait) if wait > 0 else self.queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return items, True
            items.append(item)
            pages += item[1]
        return items, False

    def run(self) -> None:
        from kbase.catalogue.records import Catalogue
        from kbase.search.indexing import Indexer

        cat = Catalogue(self.library)  # its own: a Catalogue's session is not shared between threads
        started = time.thread_time()
        done: dict[tuple[str, int], int] = {}  # what this import indexed, so the change log skips it
        # a library without an index gets one built from the catalogue when the first Indexer
        # opens, with the files the import committed by then: the queue brings those again
        rebuilt: set[int] = set()
        try:
            while not self._seen_end:
                # a fresh Indexer every renew_every seconds: leaving one commits and lets Whoosh
                # drop the readers and caches that otherwise grow with the index
                with Indexer(cat, done=done) as ix:
                    rebuilt |= ix.rebuilt_attachments
                    ix.apply_log_on_exit = False  # until the end: see Indexer.apply_log_on_exit
                    opened, pages = time.monotonic(), 0
                    while time.monotonic() - opened < self.renew_every and pages < self.segment_pages:
                        items, end = self._take()
                        if self.abandoned.is_set():
                            self._seen_end = end
                            self._finished(items)
                            raise _Abandoned()  # leaving the Indexer with an error discards its writer
                        try:
                            todo = [att for att, _ in items if att not in rebuilt]
                            added = ix.add_attachments(todo) if todo else 0
                            self.indexed += added + sum(n for att, n in items if att in rebuilt)
                            pages += added
                        finally:
                            self._finished(items)
                        if end:
                            self._seen_end = ix.apply_log_on_exit = True
                            break
                        # near the end of the import, a segment bigger than the work still to come
                        # is written now, while the workers run, so the write after the last file is small
                        if pages >= MIN_SEGMENT and pages > self.waiting + self.pages_left:
                            break
                        if ix.nearly_full():  # a segment now costs less than spilling postings to disk
                            break
                gc.collect()
        except _Abandoned:
            self.message = STOPPED
        except Exception as exc:  # the catalogue holds the truth; the index can be brought up to date later
            self.message = (N_("the search index could not be updated ({error}: {reason}); run `kbase reindex`").format(
                error=exc.__class__.__name__, reason=exc))
        finally:
            while not self._seen_end:  # the rest is left to the next sync; let the importer go on
                item = self.queue.get()
                self._seen_end = item is None
                if item is not None:
                    self._finished([item])
            self.cpu_seconds = time.thread_time() - started


class BackgroundIndexer:
    """The import's side of the writer: hands over each attachment once its transaction has
    committed, and holds the import back while too many pages wait to be indexed.

    in_child: the writer runs in a child process (see the module's docstring), else in a thread.
    """

    def __init__(self, library: Library, renew_every: float = 30.0, max_backlog: int = 3000,
                 segment_pages: int = 8000, in_child: bool = False):
        # pages handed over but not indexed yet: above max_backlog, add() waits, which holds the
        # extraction back and leaves the processor to the indexer; otherwise the index lags
        # behind and finishes alone on one core after extraction is over
        self.max_backlog = max_backlog
        self.backlog = 0
        self._below = threading.Condition()
        self.message: str | None = None
        self.indexed = 0  # pages
        self.cpu_seconds = 0.0  # CPU time of the indexing thread or process
        self.peak_mb = 0.0  # the child process's peak memory
        self.in_child = in_child
        self.pid: int | None = None  # the child process, when there is one
        self._stopped = threading.Event()  # the writer has finished (or never started)
        self._abandon = threading.Event()
        self._loop: _Loop | None = None
        self._child: Any = None  # kbase.child.ChildProcess
        if in_child:
            self._start_child(library, renew_every, segment_pages)
        else:
            self._loop = _Loop(library, renew_every, segment_pages, self._done_with)
            threading.Thread(target=self._run_thread, name="kbase-index", daemon=True).start()

    def _run_thread(self) -> None:
        assert self._loop is not None
        try:
            self._loop.run()
        finally:
            loop = self._loop
            self.message, self.indexed, self.cpu_seconds = loop.message, loop.indexed, loop.cpu_seconds
            self._stop()

    def _start_child(self, library: Library, renew_every: float, segment_pages: int) -> None:
        from kbase.child import ChildProcess
        from kbase.imports.early import index_preload

        self._child = ChildProcess(_index_job, library.location, renew_every, segment_pages, name="kbase-index",
                                   nice=0, died=N_("the index process stopped unexpectedly (exit code {code})"),
                                   preload=index_preload())
        self._child.start()
        self.pid = self._child.pid
        threading.Thread(target=self._wait_child, name="kbase-index-wait", daemon=True).start()

    def _wait_child(self) -> None:
        """The child's progress is the pages it is done with; its result, how it all went."""
        from kbase.child import ChildFailed

        try:
            self.message, self.indexed, self.cpu_seconds, self.peak_mb = self._child.run(
                progress=self._done_with, cancelled=self._abandon.is_set)
        except ChildFailed as exc:
            self.message = N_("the search index could not be updated: {reason}; run `kbase reindex`").format(reason=exc)
        finally:
            self._stop()

    def _stop(self) -> None:
        self._stopped.set()
        with self._below:
            self._below.notify_all()

    def add(self, attachment_id: int, pages: int = 0, cancel: threading.Event | None = None,
            pages_left: float = float("inf")) -> None:
        """Index this attachment; pages_left is the importer's guess of the pages still to come."""
        if self._stopped.is_set():
            return
        with self._below:
            self.backlog += pages
        if self._loop is not None:
            self._loop.put(attachment_id, pages, pages_left)
        else:
            self._child.send(("add", attachment_id, pages, pages_left))
        with self._below:
            # no waiting once indexing has stopped or the import is cancelled
            while (self.backlog > self.max_backlog and not self._stopped.is_set()
                   and not self._abandon.is_set() and not (cancel is not None and cancel.is_set())):
                self._below.wait(0.1)

    def _done_with(self, pages: int) -> None:
        with self._below:
            self.backlog -= pages
            self._below.notify_all()

    def abandon(self) -> None:
        """Stop indexing at the next file; leave the rest to the next sync."""
        self._abandon.set()  # a child hears it as a cancel
        if self._loop is not None:
            self._loop.abandoned.set()

    def finish(self, cancel: threading.Event | None = None) -> None:
        """Index what is left, commit, and stop; once cancel is set, stop without indexing the rest.

        What is left out is still in the change log: the next sync (every search starts
        with one) or `kbase reindex` brings the index up to date.
        """
        if self._stopped.is_set():
            return
        if self._loop is not None:
            self._loop.end()
        else:
            self._child.send(("end",))
        while not self._stopped.wait(0.1):
            if cancel is not None and cancel.is_set() and not self._abandon.is_set():
                self.abandon()


def _index_job(location: str, renew_every: float, segment_pages: int, *, progress: Callable[[int], None],
               cancel: threading.Event, inbox: queue.Queue[Any]) -> tuple[str | None, int, float, float]:
    """In the child (kbase.child): attachments come through inbox, pages done go out as progress;
    a cancel, or the importer going away, abandons the rest. Returns message, pages, CPU, peak MB."""
    import os
    import resource

    from kbase.gcmode import bulk_work
    from kbase.library.db import open_library

    lib = open_library(location, migrate=False)
    try:
        loop = _Loop(lib, renew_every, segment_pages, progress, abandoned=cancel)

        def feed() -> None:
            while True:
                message = inbox.get()
                if message is None:  # the importer is gone (cancel is set too)
                    loop.end()
                    return
                if message[0] == "add":
                    loop.put(*message[1:])
                elif message[0] == "end":
                    loop.end()

        threading.Thread(target=feed, name="kbase-index-feed", daemon=True).start()
        with bulk_work():
            loop.run()
    finally:
        lib.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return loop.message, loop.indexed, sum(os.times()[:2]), peak
