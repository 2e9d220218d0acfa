"""Give Recoll the page texts of a Kbase library, so `recollq` can be timed beside `kbase search` on the same words.

Writes one plain-text file per publication (its attachments' pages in order, pages separated by a form feed,
which Recoll counts as a page break, so `recollq -p` gives page numbers), a private Recoll configuration
(topdirs = that folder; no monitor: recollindex runs once) and runs `recollindex -c CONF -z` (a full index),
timing it. Page texts are read through Kbase (kbase.search.documents.pages_of, what the search index reads).
Prints one JSON line of figures; asserts nothing.

    .venv/bin/python bench/recoll_pages.py --library LIB --out DIR [--no-index]

Then: bench/cli_search_bench.py --library LIB --recoll-config DIR/conf
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402  (after the path: the bench runs from a checkout)
from sqlmodel import col  # noqa: E402

from kbase.catalogue.records import Catalogue  # noqa: E402
from kbase.library import models as m  # noqa: E402
from kbase.library.db import open_library  # noqa: E402
from kbase.search.documents import pages_of  # noqa: E402


def write_pages(library: str, folder: Path) -> dict[str, float]:
    """One file per publication, pub-<id>.txt, its pages joined by form feeds; returns counts and time."""
    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    lib = open_library(library, migrate=False)
    files = pages = 0
    try:
        with Catalogue(lib).reading() as s:
            A = m.Attachment
            pub_of = {att: pub for att, pub in s.execute(select(col(A.id), col(A.publication_id))
                                                         .where(col(A.publication_id).is_not(None)))}
            # pages_of streams by attachment id; a publication's pages are gathered, then written once
            texts: dict[int, list[str]] = {}
            for att_id, _page, text in pages_of(s, sorted(pub_of)):
                texts.setdefault(pub_of[att_id], []).append(text.replace("\f", " "))
                pages += 1
            for pub_id, page_texts in texts.items():
                (folder / f"pub-{pub_id}.txt").write_text("\f".join(page_texts), encoding="utf-8")
                files += 1
    finally:
        lib.close()
    return {"files": files, "pages": pages, "write_s": round(time.perf_counter() - started, 1)}


def write_config(conf: Path, pages: Path) -> None:
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "recoll.conf").write_text(f"topdirs = {pages}\nfollowLinks = 0\naspellLanguage = en\n"
                                      "indexstemminglanguages = english\n", encoding="utf-8")


def run_index(conf: Path) -> dict[str, float]:
    recollindex = shutil.which("recollindex")
    if recollindex is None:
        sys.exit("recollindex not found (apt-get install recoll)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([recollindex, "-c", str(conf), "-z"], capture_output=True, text=True)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"recollindex failed ({done.returncode}):\n{done.stderr[-2000:]}")
    db = conf / "xapiandb"
    size = sum(p.stat().st_size for p in db.rglob("*") if p.is_file()) if db.is_dir() else 0
    return {"index_s": round(took, 1),
            "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
            "peak_mb": round(after.ru_maxrss / 1024, 1), "xapiandb_mb": round(size / 2**20, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", required=True)
    ap.add_argument("--out", type=Path, required=True, help="folder for pages/ and conf/ (pages/ is replaced)")
    ap.add_argument("--no-index", action="store_true", help="write the files and the configuration only")
    args = ap.parse_args()
    out = args.out.resolve()
    written = write_pages(args.library, out / "pages")
    figures: dict[str, float | str] = {**written}
    write_config(out / "conf", out / "pages")
    if not args.no_index:
        index = run_index(out / "conf")
        figures.update(index, pages_per_s=round(written["pages"] / max(index["index_s"], 0.1)))
    figures["load"] = round(os.getloadavg()[0], 1)
    figures["recoll_config"] = str(out / "conf")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
