"""Cataloguing benchmark: picker suggestions, an editor save with undo, and batch edits on a large catalogue.

Usage: .venv/bin/python bench/cataloguing_bench.py [--repeat 20] [--batch 10000]
Builds the synthetic catalogue of bench/catalogue_bench.py (50,000 publications, 20,000 people,
5,000 organisations) in a temporary folder and prints figures; asserts nothing.
Baselines in the same run: a substring (LIKE '%x%') alias search for the pickers, and one
Catalogue.update per record for the batch edit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select  # noqa: E402

from kbase.catalogue.records import Catalogue  # noqa: E402
from kbase.library import models as m  # noqa: E402
from kbase.library.db import open_library  # noqa: E402
from kbase.text import fold_words  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--batch", type=int, default=10000)
    args = parser.parse_args()

    from catalogue_bench import build

    from kbase.catalogue.batch import apply_batch, revert_batch
    from kbase.catalogue.editing import read_state, write_state
    from ui.editors.pickers import suggest

    folder = Path(tempfile.mkdtemp(prefix="kbase-catbench-"))
    lib = open_library(str(folder / "library"), create=True)
    t0 = time.perf_counter()
    build(lib)
    cat = Catalogue(lib)
    print(f"built {cat.count(m.Publication)} publications, {cat.count(m.Person)} people, "
          f"{cat.count(m.Organisation)} organisations in {time.perf_counter() - t0:.1f} s")

    with cat.reading() as s:
        names = list(s.scalars(select(m.PersonAlias.alias).limit(200)))
    prefixes = [n.split()[-1][:3] for n in names[:args.repeat]]
    it = iter(prefixes * 3)
    med, p95 = timed(lambda: suggest(cat, "person", next(it)), args.repeat)
    print(f"picker suggestions (person, 3-letter prefix): median {med:.2f} ms, p95 {p95:.2f} ms")

    it2 = iter(prefixes * 3)

    def substring() -> None:
        norm = fold_words(next(it2))
        with cat.reading() as s:
            list(s.scalars(select(m.PersonAlias.person_id).where(m.PersonAlias.norm.contains(norm)).limit(45)))

    bmed, bp95 = timed(substring, args.repeat)
    print(f"baseline substring alias search: median {bmed:.2f} ms, p95 {bp95:.2f} ms "
          f"(picker/baseline median ratio {med / bmed:.2f})")

    pid = cat.all(m.Publication)[0].id if cat.count(m.Publication) < 1000 else 25000
    before = read_state(cat, "publication", pid)
    after = before.copy()
    after.fields["title"] = "A retitled publication"

    def save_and_undo() -> None:
        write_state(cat, "publication", pid, after)
        write_state(cat, "publication", pid, before)

    med, p95 = timed(save_and_undo, args.repeat)
    print(f"editor save + undo of one publication (fields and links): median {med:.1f} ms, p95 {p95:.1f} ms")

    ids = list(range(1, args.batch + 1))
    project = cat.all(m.Project)[0].id
    start = time.perf_counter()
    old, added, removed = apply_batch(cat, ids, {"visibility": "internal"}, {"project": [project]}, {})
    batch_s = time.perf_counter() - start
    start = time.perf_counter()
    revert_batch(cat, old, added, removed)
    revert_s = time.perf_counter() - start
    print(f"batch edit of {len(ids)} publications (visibility + project): {batch_s:.2f} s, undo {revert_s:.2f} s "
          f"({batch_s / len(ids) * 1000:.3f} ms per record)")

    sample = ids[:1000]
    start = time.perf_counter()
    with cat.transaction():
        for i in sample:
            cat.update(m.Publication, i, visibility="internal")
    per_record = (time.perf_counter() - start) / len(sample) * 1000
    print(f"baseline: one Catalogue.update per record: {per_record:.3f} ms per record "
          f"(batch is {per_record / (batch_s / len(ids) * 1000):.1f}x faster per record, with a link added too)")
    lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
