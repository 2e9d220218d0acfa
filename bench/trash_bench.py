"""Trash benchmark: what moving a publication to the trash costs next to deleting it for good, what
restoring costs, and what the trash adds to opening a library.

Usage: .venv/bin/python bench/trash_bench.py [--library PATH-or-URL] [--records 40] [--pages 300]
Makes publications with two authors, a note, a collection and an attachment of --pages page texts
(about 2 kB each), then times, per publication: Catalogue.delete (for good), trash.move_to_trash,
trash.restore_from_trash; and trash.empty_expired on an open library with nothing expired. Prints
medians and the trash's ratio to a plain delete measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from kbase.catalogue import collections as coll  # noqa: E402
from kbase.catalogue import notes, trash  # noqa: E402
from kbase.catalogue.records import Catalogue  # noqa: E402
from kbase.library import models as m  # noqa: E402
from kbase.library.db import open_library  # noqa: E402

PAGE = ("Artisanal miners at the site sold their cassiterite through a comptoir in the territory capital; "
        "the survey counted workers, checkpoints and the taxes paid at each of them. ") * 12


def make(cat: Catalogue, n: int, pages: int) -> list[int]:
    box = coll.ensure_collection_path(cat, ["Bench"])
    people = [cat.add(m.Person, name=f"Researcher {i}").id for i in range(4)]
    ids = []
    for i in range(n):
        pub = cat.add(m.Publication, title=f"Field report {i}", type="report", year=2021).id
        cat.set_contributors(pub, [("author", "person", people[i % 4]), ("author", "person", people[(i + 1) % 4])])
        notes.add_note(cat, "publication", pub, f"Note on report {i}: check the **figures**")
        sha = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
        with cat.transaction() as s:
            s.add(m.StoredFile(sha256=sha, size=1))
            s.flush()
            att = m.Attachment(publication_id=pub, sha256=sha, filename=f"report-{i}.pdf", status="ok",
                               page_count=pages)
            s.add(att)
            s.flush()
            s.execute(insert(m.PageText.__table__), [  # type: ignore[attr-defined]
                {"attachment_id": att.id, "page": p + 1, "text": PAGE} for p in range(pages)])
        ids.append(pub)
    coll.put(cat, box, "publication", ids)
    return ids


def timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", help="an empty library folder or PostgreSQL URL (default: a temporary folder)")
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--pages", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cat = Catalogue(open_library(args.library or str(Path(tmp) / "lib"), create=True))
        ids = make(cat, args.records, args.pages)
        half = len(ids) // 2
        deleted = [timed(cat.delete, m.Publication, pid) for pid in ids[:half]]
        trashed = [timed(trash.move_to_trash, cat, "publication", pid) for pid in ids[half:]]
        restored = [timed(trash.restore_from_trash, cat, "publication", pid) for pid in ids[half:]]
        opened = [timed(trash.empty_expired, cat) for _ in range(50)]
        cat.library.close()
    d, t, r = (statistics.median(x) for x in (deleted, trashed, restored))
    print(f"{args.records} publications, {args.pages} pages of text each ({len(PAGE)} characters a page)")
    print(f"delete for good      median {d:8.1f} ms")
    print(f"move to the trash    median {t:8.1f} ms   ({t / d:.1f}x a delete)")
    print(f"restore from trash   median {r:8.1f} ms   ({r / d:.1f}x a delete)")
    print(f"empty_expired (open) median {statistics.median(opened):8.2f} ms   (nothing expired: one count)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
