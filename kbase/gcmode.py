"""Fewer garbage collections during bulk work (an import, an index build).

Indexing makes a tuple or list for every word of every page, and an import an ORM object for
every row: with Python's default young-generation threshold (700 allocations) the collector
runs thousands of times and walks the same long-lived objects each time: a rebuild of 8,254
pages took 12.7 CPU-s with the defaults and 11.4 inside bulk_work (bench/gc_bench.py). What is
alive when the work starts is frozen (never walked again), and the young generation waits for
THRESHOLD allocations.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

THRESHOLD = 10_000

__all__ = ["bulk_work", "THRESHOLD"]

_depth = 0  # blocks open (an import's thread may index inside the import's own block)


@contextmanager
def bulk_work() -> Iterator[None]:
    """Collect less often inside the block; the collector's settings are restored after the outermost."""
    global _depth
    before = gc.get_threshold()
    if _depth == 0:
        gc.freeze()
        gc.set_threshold(max(THRESHOLD, before[0]), before[1], before[2])
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.set_threshold(*before)
            gc.unfreeze()
