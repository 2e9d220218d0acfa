"""Search benchmark: Whoosh (kbase.search.api) beside SQLite FTS5 on the same synthetic pages."""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import random
import re
import resource
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library

SOURCES = ["/usr/share/doc/**/*.pdf", "/work/shared/seeds/*.txt"]
KINDS = ("terms", "phrases", "boolean", "prefix", "fuzzy")


def source_text(max_pdfs: int = 60, max_pages: int = 40) -> str:
    """Real prose to learn word sequences from: a fixed sample of PDFs under /usr/share/doc and the seed texts."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pdfs = sorted(glob.glob(SOURCES[0], recursive=True))
    step = max(1, len(pdfs) // max_pdfs)
    paths = pdfs[::step][:max_pdfs] + sorted(glob.glob(SOURCES[1]))
    parts: list[str] = []
    for path in paths:
        try:
            if path.endswith(".pdf"):
                with pymupdf.open(path) as doc:
                    parts.extend(doc[i].get_text() for i in range(min(max_pages, doc.page_count)))
            else:
                parts.append(Path(path).read_text(encoding="utf-8", errors="replace"))
        except Exception as exc:  # a broken sample file is skipped, not fatal
            print(f"skipping {path}: {exc}", file=sys.stderr)
    return "\n".join(parts)


class PageMaker:
    """A word-bigram chain over real text, plus rare tokens so the vocabulary grows like a real one."""

    def __init__(self, text: str, seed: int = 7):
        self.rng = random.Random(seed)
        words = re.findall(r"[^\W\d_][\w'’-]*|\d+", text)
        self.words = words
        self.next: dict[str, list[str]] = defaultdict(list)
        for a, b in pairwise(words):
            self.next[a].append(b)
        self.vocab = sorted(set(w.lower() for w in words if len(w) > 3 and w.isalpha()))
        self.rare = [w + s for w in self.vocab for s in ("", "ing", "ed", "er", "ions", "ité", "é")]

    def page(self, n_words: int) -> str:
        rng = self.rng
        w = rng.choice(self.words)
        out = []
        for i in range(n_words):
            out.append(w)
            if rng.random() < 0.03:
                out.append(rng.choice(self.rare) + (str(rng.randint(1, 999)) if rng.random() < 0.3 else ""))
            follow = self.next.get(w)
            w = rng.choice(follow) if follow and rng.random() > 0.05 else rng.choice(self.words)
            if i % 14 == 13:
                out.append(".\n" if rng.random() < 0.3 else ",")
        return " ".join(out)


# -- phase 1: a library with publications, links and page texts -----------------------------
def fill(folder: Path, n_pages: int, pages_per_pub: int = 20, words: int = 300) -> dict:
    started = time.perf_counter()
    maker = PageMaker(source_text())
    lib = open_library(str(folder), create=True)
    cat = Catalogue(lib)
    rng = random.Random(11)
    drc = cat.add(m.Region, name="Democratic Republic of the Congo", level="country")
    provinces = [cat.add(m.Region, name=n, level="province", parent_id=drc.id)
                 for n in ("South Kivu", "North Kivu", "Ituri", "Haut-Katanga")]
    territories = [cat.add(m.Region, name=f"Territory {i}", level="territory", parent_id=rng.choice(provinces).id)
                   for i in range(12)]
    programmes = [cat.add(m.Programme, name=n)
                  for n in ("Natural Resources", "Conflict Mapping", "Arms Trade & Security")]
    projects = [cat.add(m.Project, title=f"Project {i}", short_name=f"P{i}", programme_id=rng.choice(programmes).id)
                for i in range(15)]
    series = [cat.add(m.Series, name=n) for n in ("Briefing", "Bulletin", "Insights", "Voix du Congo")]
    subjects = [cat.add(m.Subject, name=n)
                for n in ("cobalt", "gold", "3T", "diamonds", "child labour", "due diligence")]
    orgs = [cat.add(m.Organisation, name=f"Organisation {i}") for i in range(20)]
    n_pubs = max(1, n_pages // pages_per_pub)
    page_rows, remaining = [], n_pages
    conn = lib.engine.raw_connection()
    cur = conn.cursor()
    for i in range(n_pubs):
        title = " ".join(maker.page(8).split()[:8]).strip(" ,.\n")
        cur.execute("INSERT INTO publication (title, title_norm, type, year, month, series_id, language, visibility,"
                    " version, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'public', 1, datetime('now'), datetime('now'))",
                    (title, title.lower(), rng.choice(m.PUBLICATION_TYPES[:6]), rng.randint(2005, 2024),
                     rng.randint(1, 12), rng.choice(series).id, rng.choice(["en", "en", "fr"])))
        pub_id = cur.lastrowid
        cur.execute("INSERT INTO publication_project VALUES (?, ?)", (pub_id, rng.choice(projects).id))
        cur.execute("INSERT INTO publication_region VALUES (?, ?)", (pub_id, rng.choice(territories).id))
        cur.execute("INSERT INTO publication_subject VALUES (?, ?)", (pub_id, rng.choice(subjects).id))
        cur.execute("INSERT INTO contributor (publication_id, position, role, organisation_id)"
                    " VALUES (?, 0, 'author', ?)", (pub_id, rng.choice(orgs).id))
        sha = hashlib.sha256(str(i).encode()).hexdigest()
        count = pages_per_pub if i < n_pubs - 1 else remaining
        remaining -= count
        cur.execute("INSERT INTO stored_file (sha256, size) VALUES (?, 0)", (sha,))
        cur.execute("INSERT INTO attachment (publication_id, sha256, filename, mime, status, page_count, has_thumbnail,"
                    " version, created, updated)"
                    " VALUES (?, ?, ?, 'application/pdf', 'ok', ?, 0, 1, datetime('now'), datetime('now'))",
                    (pub_id, sha, f"doc{i}.pdf", count))
        att_id = cur.lastrowid
        for page in range(1, count + 1):
            page_rows.append((att_id, page, maker.page(rng.randint(words // 2, words * 3 // 2))))
        if len(page_rows) >= 5000:
            cur.executemany("INSERT INTO page_text (attachment_id, page, text) VALUES (?, ?, ?)", page_rows)
            page_rows.clear()
    cur.executemany("INSERT INTO page_text (attachment_id, page, text) VALUES (?, ?, ?)", page_rows)
    conn.commit()
    conn.close()
    lib.close()
    return {"fill_s": round(time.perf_counter() - started, 1), "pubs": n_pubs, "pages": n_pages}


# -- phase 2: the Whoosh index (kbase reindex) and the FTS5 baseline --------------------------
def build_index(folder: Path, procs: int = 1) -> dict:
    from kbase.search.indexing import rebuild

    lib = open_library(str(folder))
    started, cpu = time.perf_counter(), time.process_time()
    pages = rebuild(Catalogue(lib), procs=procs)
    took = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    size = sum(p.stat().st_size for p in lib.index_dir.iterdir() if p.is_file())
    return {"index_s": round(took, 1), "indexed_pages": pages, "pages_per_s": round(pages / took),
            "cpu_s": round(time.process_time() - cpu + children.ru_utime + children.ru_stime, 1), "procs": procs,
            "index_mb": round(size / 2**20, 1), "peak_mb": peak_mb(),
            "worker_peak_mb": round(children.ru_maxrss / 1024, 1) if procs > 1 else None}


def build_fts(folder: Path) -> dict:
    started = time.perf_counter()
    fts = sqlite3.connect(folder / "fts5.sqlite")
    fts.execute("DROP TABLE IF EXISTS pages")
    fts.execute("CREATE VIRTUAL TABLE pages USING fts5(text, pub UNINDEXED, page UNINDEXED,"
                " tokenize='porter unicode61 remove_diacritics 2')")
    fts.execute(f"ATTACH DATABASE '{folder / 'catalogue.sqlite'}' AS cat")
    fts.execute("INSERT INTO pages (text, pub, page) SELECT p.text, a.publication_id, p.page"
                " FROM cat.page_text p JOIN cat.attachment a ON a.id = p.attachment_id")
    fts.commit()
    fts.close()
    return {"fts_s": round(time.perf_counter() - started, 1),
            "fts_mb": round((folder / "fts5.sqlite").stat().st_size / 2**20, 1)}


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / 1024 if sys.platform != "darwin" else rss / 2**20, 1)


# -- phase 3: queries --------------------------------------------------------------------------
def make_queries(n: int, seed: int = 3) -> dict[str, list[tuple[str, str]]]:
    """(kbase query, FTS5 query) pairs of each kind, drawn from the same text the pages came from."""
    from kbase.search.analysis import STOP

    maker = PageMaker(source_text(), seed=seed)
    rng = random.Random(seed)
    content = [w.lower() for w in maker.words if len(w) > 3 and w.isalpha() and w.lower() not in STOP["en"]]
    pick = lambda: rng.choice(content)  # noqa: E731  frequent words come up as often as in the text
    out: dict[str, list[tuple[str, str]]] = {k: [] for k in KINDS}
    for _ in range(n):
        a, b, c, d = pick(), pick(), pick(), pick()
        out["terms"].append((f"{a} {b}", f'"{a}" "{b}"'))
        while True:  # a phrase with at least one word that is not a stop word
            words = [w for w in re.findall(r"[^\W\d_]+", maker.page(12)) if len(w) > 1][:rng.randint(2, 3)]
            if len(words) >= 2 and any(w.lower() not in STOP["en"] for w in words):
                break
        phrase = " ".join(words)
        out["phrases"].append((f'"{phrase}"', f'"{phrase}"'))
        out["boolean"].append((f"{a} AND ({b} OR {c}) NOT {d}", f'"{a}" AND ("{b}" OR "{c}") NOT "{d}"'))
        stem = a[:rng.randint(3, 5)]
        out["prefix"].append((f"{stem}*", f'"{stem}"*'))
        out["fuzzy"].append((f"{b}~1", ""))
    return out


def run_queries(folder: Path, n: int, limit: int = 20) -> dict:
    from kbase.errors import QueryError
    from kbase.search.api import search

    lib = open_library(str(folder))
    cat = Catalogue(lib)
    queries = make_queries(n)
    cold = time.perf_counter()
    search(cat, "cobalt", limit=limit)
    cold_ms = (time.perf_counter() - cold) * 1000
    fts = sqlite3.connect(folder / "fts5.sqlite")
    rows: dict[str, dict] = {}
    for kind, pairs in queries.items():
        whoosh_ms, whoosh_cpu, fts_ms, totals, errors = [], [], [], [], 0
        for mine, theirs in pairs:
            t, c = time.perf_counter(), time.process_time()
            try:
                res = search(cat, mine, limit=limit, snippets=True)
                totals.append(res.total)
            except QueryError:
                errors += 1
            whoosh_ms.append((time.perf_counter() - t) * 1000)
            whoosh_cpu.append((time.process_time() - c) * 1000)
            if theirs:
                t = time.perf_counter()
                fts.execute("SELECT pub, page, snippet(pages, 0, '<b>', '</b>', '…', 28) FROM pages"
                            " WHERE pages MATCH ? ORDER BY rank LIMIT ?", (theirs, limit * 3)).fetchall()
                fts_ms.append((time.perf_counter() - t) * 1000)
        rows[kind] = {"whoosh_p50": pct(whoosh_ms, 50), "whoosh_p95": pct(whoosh_ms, 95),
                      "whoosh_cpu_p50": pct(whoosh_cpu, 50), "whoosh_cpu_p95": pct(whoosh_cpu, 95), "errors": errors,
                      "fts5_p50": pct(fts_ms, 50) if fts_ms else None, "fts5_p95": pct(fts_ms, 95) if fts_ms else None,
                      "median_hits": statistics.median(totals) if totals else 0, "n": len(pairs)}
    return {"cold_first_query_ms": round(cold_ms, 1), "kinds": rows, "peak_mb": peak_mb()}


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)


# -- driver: each phase in its own process so each peak memory is its own ----------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=50, help="queries of each kind")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kbase-search-bench"))
    ap.add_argument("--procs", type=int, default=1, help="processes for the index build (kbase reindex --procs)")
    ap.add_argument("--phase", choices=["fill", "index", "fts", "query"], help=argparse.SUPPRESS)
    ap.add_argument("--reuse", action="store_true", help="keep the phases already done in --dir; run the queries again")
    args = ap.parse_args()
    if args.phase:
        folder = args.dir
        result = {"fill": lambda: fill(folder, args.pages[0]), "index": lambda: build_index(folder, args.procs),
                  "fts": lambda: build_fts(folder), "query": lambda: run_queries(folder, args.queries)}[args.phase]()
        print(json.dumps(result))
        (folder / f"phase-{args.phase}.json").write_text(json.dumps(result))
        return
    import subprocess

    report = {}
    for n in args.pages:
        folder = args.dir / f"lib-{n}"
        phases = ["fill", "index", "fts", "query"]
        if not args.reuse and folder.exists():
            import shutil

            shutil.rmtree(folder)
        report[n] = {}
        for phase in phases:
            done = folder / f"phase-{phase}.json"
            if args.reuse and phase != "query" and done.exists():
                report[n][phase] = json.loads(done.read_text())
                continue
            out = subprocess.run([sys.executable, __file__, "--phase", phase, "--pages", str(n), "--dir", str(folder),
                                  "--queries", str(args.queries), "--procs", str(args.procs)],
                                 capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"phase {phase} at {n} pages failed:\n{out.stderr}")
            report[n][phase] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{n} pages, {phase}: {report[n][phase]}", file=sys.stderr, flush=True)
    print_table(report)


def print_table(report: dict) -> None:
    print("| pages | kind | Whoosh p50 ms | Whoosh p95 ms | (CPU p95 ms) | FTS5 p50 ms | FTS5 p95 ms "
          "| median pubs found |")
    print("|---|---|---|---|---|---|---|---|")
    for n, phases in report.items():
        for kind, r in phases["query"]["kinds"].items():
            f50 = "–" if r["fts5_p50"] is None else r["fts5_p50"]
            f95 = "–" if r["fts5_p95"] is None else r["fts5_p95"]
            print(f"| {n:,} | {kind} | {r['whoosh_p50']} | {r['whoosh_p95']} | {r['whoosh_cpu_p95']} | {f50} | {f95} "
                  f"| {r['median_hits']} |")
    print()
    for n, phases in report.items():
        idx, q = phases.get("index", {}), phases["query"]
        print(f"{n:,} pages: index {idx.get('index_mb')} MB built in {idx.get('index_s')} s "
              f"({idx.get('pages_per_s')} pages/s, peak {idx.get('peak_mb')} MB); "
              f"FTS5 {phases.get('fts', {}).get('fts_mb')} MB; "
              f"first query (opens the searcher) {q['cold_first_query_ms']} ms; query process peak {q['peak_mb']} MB")


if __name__ == "__main__":
    main()
