"""Import benchmark: raw PyMuPDF extraction with two processes (the ceiling) against `kbase import` end to end.

Usage:  .venv/bin/python bench/import_bench.py DIR [--limit N] [--workers 2] [--search]

--search then runs bench/search_bench.py (p50/p95 per query kind at about 10k and 100k pages,
beside SQLite FTS5 on the same pages) in the same run, after the import.

DIR is a folder of real PDFs. A corpus of about 3,000: on Debian, as root,
    apt-get install texlive-latex-extra-doc      # PDFs under /usr/share/doc/texlive-doc
Both runs read the same files in the same order after a warm-up read, in the same process
tree; the figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXLIVE_DOC = Path("/usr/share/doc/texlive-doc")


def pdf_files(folder: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
    if limit and len(files) > limit:
        step = len(files) / limit  # spread over the corpus instead of its first folders
        files = [files[int(i * step)] for i in range(limit)]
    return files


def raw_pages(path: str) -> int:
    """What a minimal extractor does: open, get_text page by page, nothing else.

    MuPDF's store of fonts and resources is left to grow, as a minimal extractor leaves it; it
    used to be emptied after each file, as kbase then did, which made both a quarter slower."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        with pymupdf.open(path) as doc:
            if doc.needs_pass:
                return 0
            n = 0
            for page in doc:
                page.get_text()
                n += 1
            return n
    except Exception:
        return 0


def hwm_mb(pid: int) -> float:
    from kbase.imports.pool import rss_mb

    return rss_mb(pid, "VmHWM")


def run_raw(files: list[Path], workers: int) -> tuple[int, float, list[float], float]:
    from kbase.imports.pool import cpu_seconds

    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pages = sum(pool.map(raw_pages, [str(f) for f in files], chunksize=4))
        elapsed = time.perf_counter() - started
        pids = list(pool._processes)  # type: ignore[attr-defined]
        peaks = [hwm_mb(pid) for pid in pids]
        cpu = sum(cpu_seconds(pid) for pid in pids)
    return pages, elapsed, peaks, cpu


def run_kbase(files: list[Path], workers: int, folder: Path) -> tuple[object, float, float]:
    from kbase.catalogue.records import Catalogue
    from kbase.imports.pipeline import import_paths
    from kbase.library.db import open_library

    lib = open_library(str(folder), create=True)
    cat = Catalogue(lib)
    started = time.perf_counter()
    last = [0.0]

    def progress(p: object) -> None:
        now = time.perf_counter()
        if now - last[0] > 5:
            last[0] = now
            print(f"  … {p.files_done}/{p.files_total} files, {p.pages_done} pages, "  # type: ignore[attr-defined]
                  f"{p.pages_per_second:.0f} pages/s", file=sys.stderr)  # type: ignore[attr-defined]

    report = import_paths(cat, files, workers=workers, progress=progress)
    elapsed = time.perf_counter() - started
    lib.close()
    return report, elapsed, hwm_mb(os.getpid())


def du_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=str(TEXLIVE_DOC), help=f"folder of PDFs (default {TEXLIVE_DOC})")
    ap.add_argument("--limit", type=int, help="use N files spread over the corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", help="keep the benchmark library in this folder")
    ap.add_argument("--search", action="store_true", help="then run the search benchmark (bench/search_bench.py)")
    args = ap.parse_args()
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"no folder {folder}. Get a corpus of real PDFs with (Debian, as root):\n"
              "    apt-get install texlive-latex-extra-doc\n"
              f"then run: .venv/bin/python bench/import_bench.py {TEXLIVE_DOC} --limit 500", file=sys.stderr)
        return 2
    files = pdf_files(folder, args.limit)
    if not files:
        print(f"no PDF under {folder}", file=sys.stderr)
        return 2
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    for f in files:  # warm-up: both runs read from the page cache
        f.read_bytes()
    print(f"corpus: {len(files)} PDFs, {total_mb:.0f} MB under {folder}; {args.workers} processes; "
          f"{os.cpu_count()} cores")

    load = os.getloadavg()[0]
    raw_n, raw_s, raw_peaks, raw_cpu = run_raw(files, args.workers)
    raw_rate = raw_n / raw_s
    print(f"raw PyMuPDF extraction ({args.workers} processes): {raw_n} pages in {raw_s:.1f} s = {raw_rate:.0f} pages/s "
          f"(the ceiling); {raw_cpu:.1f} CPU s = {1000 * raw_cpu / max(raw_n, 1):.2f} ms CPU/page; "
          f"worker peak RSS {', '.join(f'{p:.0f}' for p in raw_peaks)} MB")

    lib_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kbase-bench-"))
    if args.keep and lib_dir.exists():
        shutil.rmtree(lib_dir)
    try:
        report, kb_s, main_peak = run_kbase(files, args.workers, lib_dir)
        kb_pages = report.pages  # type: ignore[attr-defined]
        kb_rate = kb_pages / kb_s
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts.items()))  # type: ignore[attr-defined]
        print(f"kbase import end to end (extract + store + catalogue + index): {kb_pages} pages in {kb_s:.1f} s "
              f"= {kb_rate:.0f} pages/s; files: {counts}")
        if report.index_message:  # type: ignore[attr-defined]
            print(f"  note: {report.index_message}")  # type: ignore[attr-defined]
        print(f"ratio kbase/raw: {kb_rate / raw_rate:.2f}")
        cpu = report.cpu_seconds  # type: ignore[attr-defined]
        main_cpu = sum(v for k, v in cpu.items() if k.endswith("thread"))  # one process, one GIL
        total_cpu = sum(cpu.values())
        print("kbase CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
              + f"; total {1000 * total_cpu / max(kb_pages, 1):.2f} ms CPU/page")
        # on an otherwise idle machine the pipeline is bound by all CPU spread over the cores,
        # or by one process (the main one's threads share a GIL), whichever is slower
        cores = min(args.workers, os.cpu_count() or 1)
        bound = max(total_cpu / cores, main_cpu, cpu.get("index process", 0.0))
        raw_bound = raw_cpu / cores
        print(f"CPU-bound projection on {cores} idle cores: raw {raw_n / raw_bound:.0f} pages/s, "
              f"kbase {kb_pages / bound:.0f} pages/s, ratio {raw_bound / bound * kb_pages / max(raw_n, 1):.2f} "
              f"(load average was {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")
        catalogue_mb = du_mb(lib_dir) - du_mb(lib_dir / 'index') - du_mb(lib_dir / 'files') - du_mb(lib_dir / 'thumbs')
        print(f"index size: {du_mb(lib_dir / 'index'):.1f} MB; catalogue {catalogue_mb:.1f} MB; "
              f"store {du_mb(lib_dir / 'files'):.0f} MB; thumbnails {du_mb(lib_dir / 'thumbs'):.1f} MB")
        peaks = report.worker_peaks_mb  # type: ignore[attr-defined]
        index_peak = report.index_peak_mb  # type: ignore[attr-defined]
        print(f"peak RSS: kbase main process {main_peak:.0f} MB; "
              + (f"index process {index_peak:.0f} MB; " if index_peak else "") + "extraction workers "
              f"{', '.join(f'{p:.0f}' for p in peaks)} MB (max {max(peaks, default=0):.0f} MB)")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  (bench process ru_maxrss {own:.0f} MB includes the kbase main process)")
    finally:
        if not args.keep:
            shutil.rmtree(lib_dir, ignore_errors=True)
    if args.search:
        import subprocess

        print("\nsearch (bench/search_bench.py --pages 10000 100000 --queries 50):", flush=True)
        script = Path(__file__).with_name("search_bench.py")
        return subprocess.call([sys.executable, str(script), "--pages", "10000", "100000", "--queries", "50"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
