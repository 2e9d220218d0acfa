"""Indexes imported attachments from a thread while extraction goes on in worker processes."""

from __future__ import annotations

import gc
import importlib.util
import queue
import threading
import time

from kbase.db import Library

__all__ = ["BackgroundIndexer"]


BATCH = 50  # attachments indexed together when several are waiting
MIN_SEGMENT = 1500  # pages: no earlier commit for a segment smaller than this (see _run)


class _Abandoned(Exception):
    """Raised inside the Indexer block to leave it without committing."""


class BackgroundIndexer:
    """Holds the one Whoosh writer (kbase.indexing.Indexer) for the whole import.

    The importer hands over each attachment once its transaction has committed. Every
    segment_pages pages or renew_every seconds (so search sees progress) the Indexer is left,
    which commits its segment; the last one also applies the change log, skipping what the
    import indexed (edits made meanwhile still get in).

    A commit writes the segment's postings all at once, on this thread. Committing every few
    thousand pages spreads that work over the import, while the workers go on extracting,
    instead of leaving one long write alone on one core after the last file.
    """

    def __init__(self, library: Library, renew_every: float = 30.0, max_backlog: int = 3000,
                 segment_pages: int = 8000):
        self.library = library
        # pages handed over but not indexed yet: above max_backlog, add() waits, which holds the
        # extraction back and leaves the processor to the indexer; otherwise the index lags
        # behind and finishes alone on one core after extraction is over
        self.max_backlog = max_backlog
        self.backlog = 0
        self._below = threading.Condition()
        self.renew_every = renew_every
        self.segment_pages = segment_pages
        self.pages_left = float("inf")
        self.message: str | None = None
        self.indexed = 0  # pages
        self.cpu_seconds = 0.0  # CPU time of the indexing thread
        self._queue: queue.Queue[tuple[int, int] | None] = queue.Queue()
        self._abandon = threading.Event()
        self._seen_end = False
        self._thread: threading.Thread | None = None
        if importlib.util.find_spec("kbase.indexing") is None:  # the index half; absent in some builds
            self.message = "the search index was not updated: this version of Kbase has no index (kbase.indexing)"
            return
        self._thread = threading.Thread(target=self._run, name="kbase-index", daemon=True)
        self._thread.start()

    def add(self, attachment_id: int, pages: int = 0, cancel: threading.Event | None = None,
            pages_left: float = float("inf")) -> None:
        """Index this attachment; pages_left is the importer's guess of the pages still to come."""
        if self._thread is None:
            return
        self.pages_left = pages_left
        with self._below:
            self.backlog += pages
        self._queue.put((attachment_id, pages))
        with self._below:
            # no waiting once indexing has stopped (a message says why) or the import is cancelled
            while (self.backlog > self.max_backlog and self.message is None and self._thread.is_alive()
                   and not self._abandon.is_set() and not (cancel is not None and cancel.is_set())):
                self._below.wait(0.1)

    def _done_with(self, pages: int) -> None:
        with self._below:
            self.backlog -= pages
            self._below.notify_all()

    def abandon(self) -> None:
        """Stop indexing at the next file; leave the rest to the next sync."""
        self._abandon.set()

    def finish(self, cancel: threading.Event | None = None) -> None:
        """Index what is left, commit, and stop; once cancel is set, stop without indexing the rest.

        What is left out is still in the change log: the next sync (every search starts
        with one) or `kbase reindex` brings the index up to date.
        """
        if self._thread is None:
            return
        self._queue.put(None)
        while self._thread.is_alive():
            if cancel is not None and cancel.is_set() and not self._abandon.is_set():
                self._abandon.set()
            self._thread.join(0.1)

    def _take(self) -> tuple[list[tuple[int, int]], bool]:
        """The next files to index (attachment, pages), and whether the end mark came with them.

        Whatever is waiting joins the first, up to BATCH: one round of queries for several files."""
        items = [self._queue.get()]
        while len(items) < BATCH and items[-1] is not None:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        end = items[-1] is None
        if end:
            items.pop()
        return items, end  # type: ignore[return-value]

    def _run(self) -> None:
        from kbase.catalogue import Catalogue
        from kbase.indexing import Indexer

        cat = Catalogue(self.library)  # its own: a Catalogue's session is not shared between threads
        started = time.thread_time()
        done: dict[tuple[str, int], int] = {}  # what this import indexed, so the change log skips it
        try:
            while not self._seen_end:
                # a fresh Indexer every renew_every seconds: leaving one commits and lets Whoosh
                # drop the readers and caches that otherwise grow with the index
                with Indexer(cat, done=done) as ix:
                    ix.apply_log_on_exit = False  # until the end: see Indexer.apply_log_on_exit
                    opened, pages = time.monotonic(), 0
                    while time.monotonic() - opened < self.renew_every and pages < self.segment_pages:
                        items, end = self._take()
                        if self._abandon.is_set():
                            self._seen_end = end
                            self._done_with(sum(n for _, n in items))
                            raise _Abandoned()  # leaving the Indexer with an error discards its writer
                        try:
                            added = ix.add_attachments([att for att, _ in items]) if items else 0
                            self.indexed += added
                            pages += added
                        finally:
                            self._done_with(sum(n for _, n in items))
                        if end:
                            self._seen_end = ix.apply_log_on_exit = True
                            break
                        # near the end of the import, a segment bigger than the work still to come
                        # is written now, while the workers run, so the write after the last file is small
                        if pages >= MIN_SEGMENT and pages > self.backlog + self.pages_left:
                            break
                gc.collect()
        except _Abandoned:
            self.message = "indexing was stopped: the index catches up at the next search (or `kbase reindex`)"
        except Exception as exc:  # the catalogue holds the truth; the index can be brought up to date later
            self.message = (f"the search index could not be updated ({exc.__class__.__name__}: {exc}); "
                            "run `kbase reindex`")
        finally:
            while not self._seen_end:  # let finish() return
                self._seen_end = self._queue.get() is None
            self.cpu_seconds = time.thread_time() - started
