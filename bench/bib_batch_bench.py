"""Plan, import and undo of a real library export, cut to 500 and 7,000 entries (prints figures, asserts nothing).

Run: scripts/fetch-bib-corpus.sh, then
     .venv/bin/python bench/bib_batch_bench.py [--file BIB] [--sizes 500 7000] [--library URL]
The default file is a real Mendeley library of 9,057 entries (a Better BibTeX test file, fetched by the script).
Baseline in the same run: bibtexparser 2 parsing the same text with its default middleware.
Aims: 7,000 entries planned in 3 s, imported in 6 s, undone in 3 s; 500 entries imported in 1 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bibtex_bench import Clock  # noqa: E402  (bench/ is the script's own folder on sys.path)

CORPUS = Path(os.environ.get("KBASE_CORPUS", Path.home() / ".cache" / "kbase" / "corpus")) / "bib"
DEFAULT = CORPUS / "mendeley-bbt720-large-library.bib"


def first_entries(text: str, n: int) -> str:
    """The text up to the start of entry n+1 (macros and comments before it kept)."""
    import bibtexparser
    from bibtexparser import model as bm

    starts = [b.start_line for b in bibtexparser.parse_string(text).blocks if isinstance(b, bm.Entry)]
    if len(starts) <= n:
        return text
    return "\n".join(text.splitlines()[:starts[n]]) + "\n"


def run(text: str, where: Path, library: str | None) -> None:
    import bibtexparser

    from kbase.catalogue.records import Catalogue
    from kbase.imports.batches import undo_batch
    from kbase.imports.records import import_bib
    from kbase.library.db import open_library

    bib = where / "library.bib"
    bib.write_text(text, encoding="utf-8")
    with Clock() as base:
        parsed = bibtexparser.parse_string(text)
    n = len(parsed.entries)
    print(f"\n{n} entries ({len(text) / 1e6:.2f} MB)")
    print(f"  baseline bibtexparser parse  {base}")
    cat = Catalogue(open_library(library or str(where / "lib"), create=True))
    try:
        with Clock() as c:
            plan = import_bib(cat, bib, dry_run=True)
        d = plan.as_dict()
        print(f"  plan (dry run)               {c}  ({c.wall / base.wall:.1f}× baseline)  "
              f"{d['created']} new, {d['matched']} matches, {d['refused']} refused")
        with Clock() as c:
            done = import_bib(cat, bib)
        d = done.as_dict()
        print(f"  import                       {c}  ({c.wall / base.wall:.1f}× baseline)  "
              f"{d['created']} created, {d['matched']} matched, {d['refused']} refused, {len(d['notes'])} notes")
        with Clock() as c:
            undone = undo_batch(cat, done.batch or 0)
        print(f"  undo                         {c}  ({c.wall / base.wall:.1f}× baseline)  {undone.summary()}")
    finally:
        cat.library.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 7000])
    ap.add_argument("--library", help="an empty PostgreSQL URL to use instead of new SQLite libraries (one size only)")
    args = ap.parse_args()
    if not args.file.is_file():
        sys.exit(f"{args.file}: not found; run scripts/fetch-bib-corpus.sh first")
    from kbase.formats.encoding import read_bib

    text = read_bib(args.file).text
    print(f"{args.file.name}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for size in args.sizes:
        run(first_entries(text, size), Path(tempfile.mkdtemp(prefix=f"kbase-bib{size}-")), args.library)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
