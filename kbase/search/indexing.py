"""The local Whoosh index: schema, the one writer, sync from the change log, rebuild.

The catalogue is the source of truth; the index (``lib.index_dir``) is a cache built only from
the database (page texts included), never from a PDF.

- ``sync(cat) -> int`` applies the ``Change`` rows newer than the last one the index has seen
  (kept in ``index_dir/kbase-state.json``) and returns how many it applied. Idempotent.
- ``rebuild(cat)`` indexes everything again from the database.
- ``Indexer(cat)`` lets an importer index while it extracts::

      with Indexer(cat) as ix:          # takes the writer lock
          ix.add_attachment(att_id)     # after the attachment's pages are committed
          ix.commit()                   # optional: make what was added searchable now
      # leaving the block commits and applies the rest of the change log (like sync)

Only one writer at a time: a lock file (``writer.lock``) serialises processes, Whoosh's own
lock guards the segments. The writer's memory is capped (``WRITER_MB``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import portalocker
from sqlalchemy import func, select
from sqlmodel import col
from whoosh import index as windex
from whoosh.fields import ID, KEYWORD, STORED, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from kbase.catalogue import history
from kbase.catalogue.records import Catalogue
from kbase.errors import LibraryError
from kbase.gcmode import bulk_work
from kbase.i18n import N_
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.search.analysis import KeyText, fold_analyzer, language_analyzer
from kbase.search.documents import FACETS, affected_publications, load_pubs, pages_of
from kbase.search.parallel import rebuild_in_parts
from kbase.search.whoosh.segwriter import FastSegmentWriter

# 4: KeyText fields (same postings, faster to write); 5: page only stored, no visibility field;
# 6: stems from PyStemmer (a newer Snowball: 41 of 123,000 English words stem differently)
# 7: the analysers moved to kbase.search.analysis (pickled in the schema)
SCHEMA_VERSION = 8  # 8: segments keep their common terms' positions as keys too (search/whoosh/keys.py)
STATE_FILE = "kbase-state.json"
LOCK_FILE = "writer.lock"
WRITER_MB = 64  # Whoosh's in-memory posting pool; keeps a big rebuild well under 300 MB
LOCK_TIMEOUT = 60.0
REBUILD_BATCH = 200  # publications read from the database at a time
FULL = 0.8  # of the writer's cap: an import's index process ends its segment there (Indexer.nearly_full)
SEGMENT_PAGES = 25_000  # a rebuild writes segments of this size: bounded memory, few segments to search
# said after why the change log cannot be trusted (see Indexer.apply_changes)
REBUILT = N_("the search index was rebuilt from the catalogue")
REL_KINDS = ("project", "person", "organisation", "series", "subject", "programme", "region")


def make_schema() -> Schema:
    en, fr, folded = language_analyzer("en"), language_analyzer("fr"), fold_analyzer()
    facet_fields = {name: KEYWORD(lowercase=False, scorable=False) for name in FACETS}
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        pub=ID(stored=True),
        att=ID(stored=True),
        page=STORED,  # shown, never searched: a numeric field cost 8 postings a page
        text_en=KeyText(analyzer=en, phrase=True),
        text_fr=KeyText(analyzer=fr, phrase=False),  # phrases use text_en
        title=KeyText(analyzer=folded, phrase=True),
        author=KeyText(analyzer=folded, phrase=True),
        abstract=KeyText(analyzer=folded, phrase=True),
        info=STORED,
        sig=STORED,
        **facet_fields,
    )


# -- state and locking ------------------------------------------------------------------
def _state_path(lib: Any) -> Path:
    return Path(lib.index_dir) / STATE_FILE


def read_state(lib: Any) -> dict[str, Any]:
    try:
        state = json.loads(_state_path(lib).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"schema": None, "last_seq": -1}
    return state if isinstance(state, dict) else {"schema": None, "last_seq": -1}


def write_state(lib: Any, last_seq: int, **extra: Any) -> None:
    path = _state_path(lib)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "last_seq": last_seq, **extra}), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash leaves the old state or the new one


_THREAD_LOCK = threading.RLock()


@contextmanager
def writer_lock(lib: Any, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """The one-writer rule across processes (file lock) and threads (RLock)."""
    folder = Path(lib.index_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / LOCK_FILE, "a+b")
    except OSError as exc:
        raise LibraryError(N_("cannot write the index in {folder}: {reason}").format(
            folder=folder, reason=exc.strerror)) from exc
    with _THREAD_LOCK:
        try:
            deadline = time.monotonic() + timeout
            while not _try_lock(fh):
                if time.monotonic() > deadline:
                    raise LibraryError(N_("the index in {folder} is busy (another kbase is writing it); try "
                                          "again").format(folder=folder))
                time.sleep(0.05)
            yield
        finally:
            _unlock(fh)
            fh.close()


def _try_lock(fh: Any) -> bool:
    """Take the exclusive lock on the open lock file without waiting; False if another holds it."""
    try:
        portalocker.lock(fh, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        return True
    except portalocker.LockException:  # AlreadyLocked, or the file system refused
        return False


def _unlock(fh: Any) -> None:
    try:
        portalocker.unlock(fh)
    except portalocker.LockException:
        pass  # closing the file releases it anyway


# -- opening ----------------------------------------------------------------------------
def index_ready(lib: Any) -> bool:
    """True when the folder holds an index of the current schema."""
    folder = Path(lib.index_dir)
    state = read_state(lib)
    return (state.get("schema") == SCHEMA_VERSION and not state.get("rebuilding")
            and int(state.get("last_seq", -1)) >= 0 and folder.is_dir() and windex.exists_in(str(folder)))


def open_index(lib: Any) -> windex.Index:
    """The library's index, for reading; raises LibraryError if there is none yet."""
    if not index_ready(lib):
        raise LibraryError(N_("the library has no search index yet; run `kbase reindex`"))
    return open_dir(lib.index_dir)


def open_dir(folder: Any) -> windex.Index:
    """The index in folder, read through file handles: mapping a 400 MB segment into memory
    would count it all against the process (and the 300 MB budget) once touched."""
    return FileStorage(str(folder), supports_mmap=False).open_index()


def _max_seq(cat: Catalogue) -> int:
    with cat.reading() as s:
        return int(s.scalar(select(func.max(m.Change.seq))) or 0)


def changes_behind(cat: Catalogue) -> int | None:
    """Catalogue changes the local index has not applied yet; None when it must be built anew."""
    if not index_ready(cat.library):
        return None
    return max(0, _max_seq(cat) - int(read_state(cat.library).get("last_seq", -1)))


# -- writing ----------------------------------------------------------------------------
class Indexer:
    """The one writer: add or refresh documents, then commit (see the module docstring)."""

    def __init__(self, cat: Catalogue, lock_timeout: float = LOCK_TIMEOUT, procs: int = 1,
                 done: dict[tuple[str, int], int] | None = None):
        self.cat = cat
        self.lib = cat.library
        self.lock_timeout = lock_timeout
        self.procs = procs  # processes for a rebuild (kbase.search.parallel), each with its own memory cap
        self.whoosh_lock = True  # a writer takes Whoosh's lock (a rebuild's parts leave it to their parent)
        self._fresh = False  # writing a brand-new index: nothing to delete first
        # the attachments a rebuild on entering indexed: an import's queue may bring them again
        self.rebuilt_attachments: set[int] = set()
        self._lock_cm: Any = None
        self._writer: SegmentWriter | None = None
        self._ix: windex.Index | None = None
        # (kind, id) → change seq already covered; an import shares one across its writers
        self._done: dict[tuple[str, int], int] = {} if done is None else done
        # leaving applies the change log; an import's intermediate writers only commit their segment
        # (the log then still holds files queued but not yet indexed, which would be indexed twice)
        self.apply_log_on_exit = True
        self._pending: set[int] = set()  # publications added by the open writer
        self.added = 0
        self.notes: list[str] = []  # what the user must be told (an altered change log)
        self._rebuilt = False

    # lifecycle
    def __enter__(self) -> "Indexer":
        self._lock_cm = writer_lock(self.lib, self.lock_timeout)
        self._lock_cm.__enter__()
        try:
            if not index_ready(self.lib):
                self._rebuild()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None and self.apply_log_on_exit:
                self.apply_changes()
            elif exc_type is None:
                self._commit_segment()
            elif self._writer is not None:
                self._writer.cancel()
                self._writer = None
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock_cm is not None:
            cm, self._lock_cm = self._lock_cm, None
            cm.__exit__(None, None, None)

    def writer(self) -> SegmentWriter:
        if self._writer is None:
            if self._ix is None:
                self._ix = open_dir(self.lib.index_dir)
            self._writer = FastSegmentWriter(self._ix, limitmb=WRITER_MB, timeout=self.lock_timeout,
                                             _lk=self.whoosh_lock)
        return self._writer

    def nearly_full(self) -> bool:
        """The open writer's postings are close to its memory cap: committing now writes them as
        they are, where adding more would first spill them to disk and merge them back."""
        pool = getattr(self._writer, "pool", None)
        return pool is not None and pool.currentsize >= FULL * pool.limit

    def commit(self, optimize: bool = False) -> None:
        if self._writer is not None:
            self._writer.commit(optimize=optimize)
            self._writer = None
        self._pending.clear()

    # documents
    def add_attachment(self, attachment_id: int) -> int:
        """(Re)index one attachment's pages and its publication's metadata; returns pages added."""
        return self.add_attachments([attachment_id])

    def add_attachments(self, attachment_ids: list[int]) -> int:
        """add_attachment for several at once (one round of queries); returns pages added."""
        seq = _max_seq(self.cat)
        with self.cat.reading() as s:
            A = m.Attachment
            pubs = {att: pub for att, pub in s.execute(
                select(col(A.id), col(A.publication_id)).where(col(A.id).in_(attachment_ids))) if att is not None}
        for att_id in attachment_ids:
            if pubs.get(att_id) is None:  # deleted, or not attached to a publication
                self.writer().delete_by_term("att", str(att_id))
            self._done[("attachment", att_id)] = seq
        pub_ids = sorted({pub for pub in pubs.values() if pub is not None})
        return self._refresh_pubs(pub_ids, seq) if pub_ids else 0

    def refresh_publication(self, pub_id: int, seq: int | None = None) -> int:
        """Replace every document of a publication (metadata and pages) with the database's."""
        seq = _max_seq(self.cat) if seq is None else seq
        return self._refresh_pubs([pub_id], seq)

    def _refresh_pubs(self, pub_ids: list[int], seq: int) -> int:
        if self._pending.intersection(pub_ids):
            self.commit()  # a delete only sees committed documents
        w = self.writer()
        self._pending.update(pub_ids)
        added = 0
        with self.cat.reading() as s:
            infos = load_pubs(s, pub_ids)
            A = m.Attachment
            atts = {att: pub for att, pub in s.execute(
                select(col(A.id), col(A.publication_id)).where(col(A.publication_id).in_(list(infos)))
            ) if att is not None and pub is not None} if infos else {}
            for pub_id in pub_ids:
                if not self._fresh:
                    w.delete_by_term("pub", str(pub_id))
                self._done[("publication", pub_id)] = seq
            if self._fresh:
                self.rebuilt_attachments.update(atts)
            for info in infos.values():
                w.add_document(**info.meta_document())
            for att_id, page, text in pages_of(s, list(atts)):
                w.add_document(**infos[atts[att_id]].page_document(att_id, page, text))
                added += 1
        self.added += added
        return added

    def _commit_segment(self) -> None:
        if self._writer is not None:
            self._writer.commit(merge=False)
            self._writer = None
        self._pending.clear()

    def remove_attachment(self, attachment_id: int) -> None:
        self.writer().delete_by_term("att", str(attachment_id))

    # the change log
    def apply_changes(self, batch: int = 2000) -> int:
        """Apply the change log since the last seq, commit, and record the new seq."""
        state = read_state(self.lib)
        last = int(state.get("last_seq", -1))
        # a change log with a row missing or rewritten, or its newest rows gone, cannot be trusted
        # to name what changed: the index is rebuilt from the catalogue, and notes says why
        chain = history.check_chain(self.cat, applied=last)
        if not chain.ok:
            if not self._rebuilt:
                if self._writer is not None:  # an import's documents: the rebuild reads them from the catalogue
                    self._writer.cancel()
                    self._writer = None
                    self._pending.clear()
                self._rebuild()
                last = int(read_state(self.lib).get("last_seq", -1))
            self.notes.append(f"{chain.message()}; {REBUILT}")
        # up to the newest change verified now: with other desktops writing all the time, chasing
        # the tail of the log would keep one sync going (a commit per round) for many seconds
        upto = history.accept_chain(self.cat, chain)
        applied = 0
        while last < upto:
            with self.cat.reading() as s:
                C = m.Change
                rows = list(s.execute(select(col(C.seq), col(C.kind), col(C.record_id), col(C.op))
                                      .where(col(C.seq) > last, col(C.seq) <= upto)
                                      .order_by(col(C.seq)).limit(batch)))
            if not rows:
                break
            self._apply(rows)
            applied += len(rows)
            last = rows[-1][0]
            self.commit()
            write_state(self.lib, last)
        if self._writer is not None:
            self.commit()
            write_state(self.lib, max(last, 0))
        elif state.get("last_seq", -1) < 0 and last < 0:
            write_state(self.lib, 0)
        return applied

    def _apply(self, rows: list[Any]) -> None:
        pubs: dict[int, int] = {}
        atts: dict[int, int] = {}
        with self.cat.reading() as s:
            for seq, kind, rid, op in rows:
                if seq <= self._done.get((kind, rid), -1):
                    continue  # already indexed from a fresher read of the database
                if kind == "publication":
                    pubs[rid] = seq
                elif kind in ("attachment", "page_text"):
                    atts[rid] = seq
                elif kind in REL_KINDS and op != "insert":  # a new record is in no publication yet: a
                    # link made to it logs the publication (an import's new people: 274 queries less)
                    for pid in affected_publications(s, kind, rid):
                        if seq > self._done.get(("publication", pid), -1):  # not already read fresher
                            pubs.setdefault(pid, seq)
            if self._pending:
                self.commit()  # a delete only sees committed documents
            A = m.Attachment
            att_pubs = dict(s.execute(select(col(A.id), col(A.publication_id))
                                      .where(col(A.id).in_(list(atts)))).all()) if atts else {}
        w = self.writer()
        for att_id in atts:
            w.delete_by_term("att", str(att_id))  # moved, deleted or re-extracted
            pub_id = att_pubs.get(att_id)
            if pub_id is not None:
                pubs.setdefault(pub_id, atts[att_id])
        if pubs:
            self._refresh_pubs(sorted(pubs), max(pubs.values()))

    def _rebuild(self) -> None:
        """Index everything from the database into a fresh index (writer lock held)."""
        folder = Path(self.lib.index_dir)
        folder.mkdir(parents=True, exist_ok=True)
        write_state(self.lib, -1, rebuilding=True)  # a crash now leaves an index marked unusable
        seq = _max_seq(self.cat)
        self._ix = FileStorage(str(folder), supports_mmap=False).create_index(make_schema())
        with self.cat.reading() as s:
            P = m.Publication
            pub_ids = [i for i in s.scalars(select(col(P.id)).order_by(col(P.id))) if i is not None]
        self._fresh = True
        try:
            if self.procs > 1 and len(pub_ids) > 1:
                rebuild_in_parts(self, pub_ids, seq, REBUILD_BATCH, _rebuild_part)
            else:
                self._add_in_segments(pub_ids, seq, self._commit_segment)
        finally:
            self._fresh = False
        write_state(self.lib, seq)
        self._done.clear()
        self._rebuilt = True


    def _add_in_segments(self, pub_ids: list[int], seq: int, end_segment: Callable[[], None]) -> None:
        """Index pub_ids a batch at a time, calling end_segment every SEGMENT_PAGES pages and at the
        end: segments of a bounded size, never merged (merging would redo the whole job, and a big
        segment's term table is what costs memory when it is written)."""
        since = 0
        for i in range(0, len(pub_ids), REBUILD_BATCH):
            before = self.added
            self._refresh_pubs(pub_ids[i:i + REBUILD_BATCH], seq)
            since += self.added - before
            if since >= SEGMENT_PAGES:
                end_segment()
                since = 0
        end_segment()


def _rebuild_part(location: str, index_dir: str, pub_ids: list[int], seq: int) -> tuple[list[Any], int]:
    """One process's share of a rebuild (kbase.search.parallel): its segments, written without a
    table of contents or Whoosh's lock (the parent holds both), and the pages they hold."""
    cat = Catalogue(open_library(location))
    try:
        part = Indexer(cat)
        part._ix, part._fresh, part.whoosh_lock = open_dir(index_dir), True, False
        segments: list[Any] = []

        def end_segment() -> None:  # its files only: the parent lists every part's segments at once
            writer, part._writer = part._writer, None
            part._pending.clear()
            if writer is not None:
                segments.append(writer._finalize_segment())

        part._add_in_segments(pub_ids, seq, end_segment)
        return segments, part.added
    finally:
        cat.library.close()


def sync(cat: Catalogue, notes: list[str] | None = None) -> int:
    """Bring the local index up to date from the change log; returns the changes applied.

    A change log with a row missing or rewritten (its checksum chain broken) cannot be trusted
    to name what changed: the index is rebuilt, and notes says why."""
    if cat.library.read_only:
        return 0
    with Indexer(cat) as ix:
        applied = ix.apply_changes()  # checks the log's chain first (see apply_changes)
        if notes is not None:
            notes.extend(ix.notes)
        return applied


def rebuild(cat: Catalogue, procs: int = 1) -> int:
    """Drop the index and index every publication and page again; returns pages indexed.

    procs > 1 splits the work over that many processes (each under the writer memory cap)."""
    if cat.library.read_only:
        raise LibraryError(N_("library {folder} is read-only").format(folder=cat.library.folder))
    ix = Indexer(cat, procs=max(1, procs))
    ix._lock_cm = writer_lock(cat.library, ix.lock_timeout)
    ix._lock_cm.__enter__()
    try:
        with bulk_work():
            ix._rebuild()
        ix.apply_changes()
        history.accept_chain(cat, history.audit(cat))  # the index now holds what the catalogue does
    finally:
        ix._release()
    return ix.added


__all__ = ["sync", "rebuild", "changes_behind", "Indexer", "make_schema", "open_index", "open_dir", "index_ready",
           "read_state", "writer_lock"]
