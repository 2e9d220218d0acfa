"""Real documents of every format besides PDF, imported into a fresh library: each file's status, sections, words
and title, and whether a word of its text is then found by search on the right section (issue 18).

Usage:  scripts/fetch-document-corpus.sh && .venv/bin/python bench/document_corpus.py [DIR]

DIR defaults to ~/.cache/kbase/corpus/documents. Each file is imported by name (`kbase import FILE` does the
same); the word looked for is the longest word of the file's longest section. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DIR = Path(os.environ.get("KBASE_CORPUS", Path.home() / ".cache/kbase/corpus")) / "documents"


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".tsv") if folder.is_dir() else []
    if not files:
        print(f"no documents in {folder}: run scripts/fetch-document-corpus.sh first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KBASE_LOCAL_DIR"] = str(Path(tmp) / "local")
        from kbase.catalogue.records import Catalogue
        from kbase.imports.pipeline import import_paths
        from kbase.library import models as m
        from kbase.library.db import open_library
        from kbase.ocr.queue import attachment_texts
        from kbase.search.api import search

        cat = Catalogue(open_library(str(Path(tmp) / "library"), create=True))
        started = time.perf_counter()
        report = import_paths(cat, files, workers=2)
        seconds = time.perf_counter() - started
        found = with_text = kept = 0
        print(f"{'file':<34}{'status':<10}{'sections':>9}{'words':>8}  {'search':<30}title or message")
        for result in report.files:
            name = Path(result.path).name
            if not result.imported:
                print(f"{name:<34}{result.status:<10}{'':>9}{'':>8}  {'':<30}{result.message}")
                continue
            pages = attachment_texts(cat, result.attachment_id)["pages"]
            if not any(p["text"].strip() for p in pages):  # kept without text: a password, a scan waiting for OCR
                print(f"{name:<34}{result.status:<10}{len(pages):>9}{0:>8}  {'':<30}{result.message}")
                kept += 1
                continue
            with_text += 1
            words = sum(len(p["text"].split()) for p in pages)
            longest = max(pages, key=lambda p: len(p["text"]))
            # the longest word of letters; a fixture of a few cells has only short words or names like Sheet1
            tokens = set(re.findall(r"\w+", longest["text"]))
            candidates = (sorted((w for w in tokens if re.fullmatch(r"[^\W\d_]{3,}", w)), key=len, reverse=True)
                          or sorted((w for w in tokens if len(w) >= 3), key=len, reverse=True))
            word, where = (candidates[0], longest["page"]) if candidates else ("", 0)
            hits = search(cat, word) if word else None
            pub_hits = [h for h in hits.hits if h.publication_id == result.publication_id] if hits else []
            ok = bool(pub_hits) and any(p.page == where for p in pub_hits[0].pages)
            found += ok
            shown = f"{word[:14]} p.{where} {'found' if ok else 'MISSED'}" if word else "(no word)"
            title = cat.get(m.Publication, result.publication_id).title
            print(f"{name:<34}{result.status:<10}{len(pages):>9}{words:>8}  {shown:<30}{title or result.message}")
        print(f"\n{len(files)} files in {seconds:.1f} s: {with_text} imported with text ({found} found by search on "
              f"the right section), {kept} kept without text, {len(files) - with_text - kept} not imported; "
              f"statuses: {', '.join(f'{k} {v}' for k, v in report.counts.items())}")
        cat.library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
