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
from typing import Any, Callable

from kbase.search.whoosh.segwriter import FastSegmentWriter

__all__ = ["rebuild_in_parts", "shares"]


def shares(pub_ids: list[int], parts: int, batch: int) -> list[list[int]]:
    """pub_ids in `parts` shares, dealt in turn in batches of at most `batch`, and small enough
    that each share gets sixteen or more: publications differ in size (texlive's manuals from 1
    to 400 pages), and many small batches even the shares out."""
    batch = max(1, min(batch, len(pub_ids) // (parts * 16)))
    batches = [pub_ids[i:i + batch] for i in range(0, len(pub_ids), batch)]
    return [[p for b in batches[k::parts] for p in b] for k in range(parts)]


def rebuild_in_parts(ix: Any, pub_ids: list[int], seq: int, batch: int,
                     part: Callable[[str, str, list[int], int], tuple[list[Any], int]]) -> None:
    """Index pub_ids into the fresh, empty index of ix (a kbase.search.indexing.Indexer) with
    ix.procs processes, each running part(location, index folder, its publications, seq), which
    returns its segments and pages; ix.added counts the pages."""
    parts = [p for p in shares(pub_ids, ix.procs, batch) if p]
    # forkserver: the parent may hold database connections and threads that a fork would copy
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=multiprocessing.get_context("forkserver")) as pool:
        # the index folder goes as it is: a PostgreSQL library's is local, and a fork server
        # started earlier may hold another environment
        n = len(parts)
        results = list(pool.map(part, [ix.lib.location] * n, [str(ix.lib.index_dir)] * n, parts, [seq] * n))
    writer = FastSegmentWriter(ix._ix, timeout=ix.lock_timeout)  # the table of contents, under Whoosh's lock
    try:
        writer._close_segment()  # its own segment stays empty (Whoosh's multi-process writer does the same)
        writer._commit_toc([segment for segments, _pages in results for segment in segments])
    finally:
        writer._finish()
    ix.added += sum(pages for _segments, pages in results)
