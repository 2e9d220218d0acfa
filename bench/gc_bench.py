"""CPU of a full index rebuild with Python's default collector settings against kbase.gcmode.bulk_work.

Usage:  .venv/bin/python bench/gc_bench.py LIBRARY [--rounds 3]

LIBRARY is a library with imported PDFs (e.g. `kbase --library /tmp/kb import DIR` first). Each
round rebuilds the index twice in fresh processes, once each way, in alternating order so that a
busy machine weighs on both; the CPU seconds of each rebuild and their ratio are printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from kbase import gcmode
from kbase.catalogue import Catalogue
from kbase.library.db import open_library
from kbase.search import indexing
if {default}:
    gcmode.THRESHOLD = 0  # bulk_work then keeps the default threshold: only its freeze remains
    gcmode.gc.freeze = gcmode.gc.unfreeze = lambda: None
cat = Catalogue(open_library({library!r}))
started = time.process_time()
pages = indexing.rebuild(cat)
print(pages, time.process_time() - started)
"""


def rebuild_cpu(library: str, default: bool) -> tuple[int, float]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), library=library, default=default)],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    default: list[float] = []
    bulk: list[float] = []
    pages = 0
    for n in range(args.rounds):
        for use_default in ((True, False) if n % 2 == 0 else (False, True)):
            pages, cpu = rebuild_cpu(args.library, use_default)
            (default if use_default else bulk).append(cpu)
            print(f"round {n + 1}: {'default' if use_default else 'bulk_work'} {cpu:.2f} CPU-s", flush=True)
    d, b = statistics.median(default), statistics.median(bulk)
    print(f"{pages} pages: default collector {d:.2f} CPU-s, bulk_work {b:.2f} CPU-s (median of {args.rounds}); "
          f"{(d - b) / d:.0%} less")


if __name__ == "__main__":
    main()
