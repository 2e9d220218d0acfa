"""OCR benchmark: Kbase's OCR (kbase.ocr.engine.read_page, what the queue runs: PyMuPDF draws the page, the system's
Tesseract reads it) against the `ocrmypdf` command and against PyMuPDF's own OCR (Page.get_textpage_ocr, the
Tesseract built into MuPDF) on the same scanned pages in the same run: pages per minute, the ratios, and word
accuracy against the pages' known text.

Usage:  scripts/fetch-scan-corpus.sh && .venv/bin/python bench/ocr_bench.py [DIR] [--rounds 2]
        .venv/bin/python bench/ocr_bench.py --text-pdfs /usr/share/doc/texlive-doc [--limit 300]

--text-pdfs measures what the scan and blank checks cost an import of PDFs with a text layer: the worker's
extraction (kbase.imports.extract.extract_pdf) of the same files, in turns, with the check and with it taken
out, CPU seconds per page, and lists the files the check sends to OCR or refuses as blank.

DIR defaults to ~/.cache/kbase/corpus/scans (real scans, see the fetch script); the known texts are in
bench/ocr_truth/NAME.txt. Both engines get one thread (OMP_THREAD_LIMIT=1, ocrmypdf --jobs 1) and take turns
file by file, round after round, so a busy machine slows both alike. ocrmypdf runs as a user runs it on a scan
(--force-ocr, --output-type pdf, --optimize 0, --sidecar for its text): its time includes its start-up and
writing the new PDF, which is what it costs per document. Word accuracy is the share of the known text's words
that the OCR text holds, compared as bags of words (case and punctuation aside; a page's column order does not
count). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"  # before Tesseract is loaded: one thread each, as ocrmypdf --jobs 1
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TRUTH = Path(__file__).resolve().parent / "ocr_truth"
DEFAULT_DIR = Path(os.environ.get("KBASE_CORPUS", Path.home() / ".cache/kbase/corpus")) / "scans"
LANGUAGES = {"francais": "fra", "eurotext": "fra", "cavalerie": "fra"}  # the others are English
_SPACED_LETTERS = re.compile(r"(?<![^\W_])(?:[^\W_] ){2,}[^\W_](?![^\W_])")
_UNKNOWN = re.compile(r"[^\W_]*~+")


def words(text: str) -> Counter[str]:
    from kbase.textnorm import normalise_page_text

    # UNLV's ground truth writes a letter-spaced heading as spaced letters ("d a t e l i n e"), which OCR reads as
    # the word, and marks a character it could not encode with "~" ("Dabeli~~"): words, and unknown words left out
    text = _SPACED_LETTERS.sub(lambda found: found.group().replace(" ", ""), _UNKNOWN.sub(" ", text))
    # both sides as Kbase stores a page (NFKC, words hyphenated across lines joined): Tesseract joins "ex-" and
    # "plain" at a line's end, the known texts keep the printed line breaks
    text = normalise_page_text(text).casefold().replace("’", "'")
    return Counter(w for w in re.findall(r"[^\W_]+(?:['-][^\W_]+)*", text))


def accuracy(found: str, truth: str) -> tuple[float, int]:
    want = words(truth)
    got = words(found)
    return sum((want & got).values()) / max(1, sum(want.values())), sum(want.values())


def kbase_ocr(path: Path, code: str) -> tuple[str, int]:
    import pymupdf

    from kbase.ocr.engine import read_page

    with pymupdf.open(path) as doc:
        return "\n".join(read_page(page, code) for page in doc), doc.page_count


def pymupdf_ocr(path: Path, code: str) -> str:
    import pymupdf

    from kbase.ocr.engine import OCR_DPI

    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text(textpage=page.get_textpage_ocr(language=code, dpi=OCR_DPI, full=True))
                         for page in doc)


def ocrmypdf(path: Path, code: str, work: Path) -> str:
    sidecar = work / f"{path.stem}.txt"
    subprocess.run(["ocrmypdf", "--force-ocr", "--jobs", "1", "--optimize", "0", "--output-type", "pdf",
                    "--language", code, "--sidecar", str(sidecar), "--quiet", str(path), str(work / path.name)],
                   check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return sidecar.read_text(encoding="utf-8")


def found_by_search(files: list[Path]) -> None:
    """The scans imported into a fresh library, read by its OCR queue, then a rare word of each known text
    searched: is the scan found, on its page?"""
    from kbase.catalogue.records import Catalogue
    from kbase.imports.pipeline import import_paths
    from kbase.library import models as m
    from kbase.library.db import open_library
    from kbase.ocr.queue import run_queue
    from kbase.search.api import search

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KBASE_LOCAL_DIR"] = str(Path(tmp) / "local")
        cat = Catalogue(open_library(str(Path(tmp) / "library"), create=True))
        report = import_paths(cat, files, workers=1)
        by_name = {Path(f.path).stem: f for f in report.files}
        for stem in LANGUAGES:  # the catalogue says which scans are French
            if stem in by_name and by_name[stem].publication_id:
                cat.update(m.Publication, by_name[stem].publication_id, language="fr")
        started = time.perf_counter()
        ocr = run_queue(cat)
        print(f"\nimported and read by the queue: {ocr.pages} pages in {time.perf_counter() - started:.1f} s")
        for stem, result in by_name.items():
            truth = TRUTH / f"{stem}.txt"
            if not truth.exists():
                continue
            known = [w for w, n in words(truth.read_text(encoding="utf-8")).items() if n == 1 and len(w) >= 8]
            hits = 0
            for word in known[:10]:
                found = search(cat, word)
                hits += any(h.publication_id == result.publication_id and any(p.page == 1 for p in h.pages)
                            for h in found.hits)
            print(f"  {stem:<12} {result.status:<14} {hits} of {min(10, len(known))} of its rare words found on page 1")
        cat.library.close()


def text_pdfs(folder: Path, limit: int, rounds: int) -> int:
    from bench.import_bench import pdf_files
    from kbase.imports import extract

    files = pdf_files(folder, limit)
    checked = extract._blank

    def without_check(_doc: object, _number: int) -> bool:
        return True  # every page without text called blank: what extraction cost before the check

    cpu = {"with the check": 0.0, "without": 0.0}
    pages = 0
    flagged: dict[str, str] = {}
    for _round in range(rounds):
        for path in files:
            for name, blank in (("with the check", checked), ("without", without_check)):
                extract._blank = blank
                started = time.process_time()
                ex = extract.extract_pdf(path, want_thumbnail=False)
                cpu[name] += time.process_time() - started
                if name == "with the check":
                    pages += ex.page_count
                    if ex.scanned or ex.status == "empty":
                        flagged[str(path.relative_to(folder))] = ex.status + (" (OCR)" if ex.scanned else "")
    extract._blank = checked
    per_page = {k: 1000 * v / max(1, pages) for k, v in cpu.items()}
    print(f"{len(files)} PDFs, {pages // rounds} pages, {rounds} rounds: extraction CPU per page "
          + ", ".join(f"{k} {v:.3f} ms" for k, v in per_page.items())
          + f"; ratio {per_page['with the check'] / per_page['without']:.3f}")
    for name, status in sorted(flagged.items()):
        print(f"  {status:<22}{name}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--text-pdfs", type=Path, metavar="DIR", help="measure the checks' cost on PDFs with text")
    ap.add_argument("--limit", type=int, default=300)
    args = ap.parse_args()
    if args.text_pdfs:
        return text_pdfs(args.text_pdfs, args.limit, args.rounds)
    files = sorted(args.folder.glob("*.pdf"))
    if not files:
        print(f"no PDFs in {args.folder}: run scripts/fetch-scan-corpus.sh first", file=sys.stderr)
        return 2
    from kbase.ocr.engine import tessdata

    tessdata("eng+fra")
    version = subprocess.run(["ocrmypdf", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{len(files)} scans from {args.folder}; ocrmypdf {version}; {args.rounds} rounds, one thread each\n")
    engines = ("kbase", "ocrmypdf", "pymupdf")
    times = dict.fromkeys(engines, 0.0)
    pages = 0
    texts: dict[tuple[str, str], str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _round in range(args.rounds):
            for path in files:
                code = LANGUAGES.get(path.stem, "eng")
                started = time.perf_counter()
                texts[("kbase", path.stem)], n = kbase_ocr(path, code)
                times["kbase"] += time.perf_counter() - started
                started = time.perf_counter()
                texts[("ocrmypdf", path.stem)] = ocrmypdf(path, code, Path(tmp))
                times["ocrmypdf"] += time.perf_counter() - started
                started = time.perf_counter()
                texts[("pymupdf", path.stem)] = pymupdf_ocr(path, code)
                times["pymupdf"] += time.perf_counter() - started
                pages += n
    print("word accuracy against the known text")
    print(f"{'scan':<14}{'words':>7}" + "".join(f"{name:>11}" for name in engines))
    for path in files:
        truth = TRUTH / f"{path.stem}.txt"
        if not truth.exists():
            print(f"{path.stem:<14}{'':>7}  (no known text: speed only)")
            continue
        known = truth.read_text(encoding="utf-8")
        scores = [accuracy(texts[(name, path.stem)], known) for name in engines]
        print(f"{path.stem:<14}{scores[0][1]:>7}" + "".join(f"{score:>11.1%}" for score, _n in scores))
    rate = {k: 60 * pages / v for k, v in times.items()}
    print(f"\npages per minute over {pages} pages: " + ", ".join(f"{k} {v:.1f}" for k, v in rate.items()))
    print(f"ratio kbase/ocrmypdf {rate['kbase'] / rate['ocrmypdf']:.2f}x, "
          f"kbase/pymupdf {rate['kbase'] / rate['pymupdf']:.2f}x")
    found_by_search(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
