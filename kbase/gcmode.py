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
import threading
from contextlib import contextmanager
from typing import Iterator

THRESHOLD = 10_000

__all__ = ["bulk_work", "THRESHOLD"]

_lock = threading.Lock()
_depth = 0  # blocks open, in any thread (an import's thread may index inside the import's own block)
_saved: tuple[int, int, int] = (0, 0, 0)  # the settings before the first block opened


@contextmanager
def bulk_work() -> Iterator[None]:
    """Collect less often inside the block; the settings from before the first block come back
    when the last one closes, in whatever order threads leave them."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(THRESHOLD, _saved[0]), _saved[1], _saved[2])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
