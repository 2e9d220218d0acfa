"""A rebuild split over several processes (`kbase reindex --procs N`), each with Kbase's own writer.

Each process reads its share of the publications from the catalogue and writes whole segments
(FastSegmentWriter, under the same memory cap as one process) without Whoosh's lock; the parent,
which holds the locks, then writes the one table of contents that lists them all. Nothing is
merged: merging would redo the whole job in one process. Whoosh's own multi-process writer
(MpWriter) feeds documents through pickled files to Whoosh's slower writer: on two cores it took
longer than Kbase's writer in one process.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from kbase.search.whoosh.segwriter import FastSegmentWriter

if TYPE_CHECKING:
    from kbase.search.indexing import Indexer

__all__ = ["rebuild_in_parts", "shares"]


def shares(pub_ids: list[int], parts: int, batch: int) -> list[list[int]]:
    """pub_ids in `parts` shares, dealt in turn in batches of at most `batch`, and small enough
    that each share gets sixteen or more: publications differ in size (texlive's manuals from 1
    to 400 pages), and many small batches even the shares out."""
    batch = max(1, min(batch, len(pub_ids) // (parts * 16)))
    batches = [pub_ids[i:i + batch] for i in range(0, len(pub_ids), batch)]
    return [[p for b in batches[k::parts] for p in b] for k in range(parts)]


def rebuild_in_parts(ix: Indexer, pub_ids: list[int], seq: int) -> None:
    """Index pub_ids into ix's fresh, empty index with ix.procs processes; ix.added counts the pages."""
    from kbase.search.indexing import REBUILD_BATCH

    parts = [p for p in shares(pub_ids, ix.procs, REBUILD_BATCH) if p]
    # forkserver: the parent may hold database connections and threads that a fork would copy
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=multiprocessing.get_context("forkserver")) as pool:
        # the index folder goes as it is: a PostgreSQL library's is local, and a fork server
        # started earlier may hold another environment
        n = len(parts)
        results = list(pool.map(_part, [ix.lib.location] * n, [str(ix.lib.index_dir)] * n, parts, [seq] * n))
    writer = FastSegmentWriter(ix._ix, timeout=ix.lock_timeout)  # the table of contents, under Whoosh's lock
    try:
        writer._close_segment()  # its own segment stays empty (Whoosh's multi-process writer does the same)
        writer._commit_toc([segment for segments, _pages in results for segment in segments])
    finally:
        writer._finish()
    ix.added += sum(pages for _segments, pages in results)


def _part(location: str, index_dir: str, pub_ids: list[int], seq: int) -> tuple[list[Any], int]:
    """One process's share: its segments (Whoosh Segment objects) and the pages they hold."""
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library
    from kbase.search.indexing import REBUILD_BATCH, SEGMENT_PAGES, Indexer, open_dir

    cat = Catalogue(open_library(location))
    try:
        part = Indexer(cat)
        part._ix = open_dir(index_dir)
        part._fresh = True  # nothing to delete
        part.whoosh_lock = False  # the parent holds it
        segments: list[Any] = []
        since = 0
        for i in range(0, len(pub_ids), REBUILD_BATCH):
            before = part.added
            part._refresh_pubs(pub_ids[i:i + REBUILD_BATCH], seq)
            since += part.added - before
            if since >= SEGMENT_PAGES or i + REBUILD_BATCH >= len(pub_ids):
                writer, part._writer = part._writer, None
                part._pending.clear()
                if writer is not None:
                    segments.append(writer._finalize_segment())  # no table of contents: the parent writes it
                since = 0
        return segments, part.added
    finally:
        cat.library.close()
