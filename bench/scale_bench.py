"""Past one desktop: the search index's size, build time and peak memory at 100k and 300k pages, and
PostgreSQL's own full-text search over the same page texts beside Kbase's search (prints figures).

Run (PostgreSQL from the throw-away server; without KBASE_TEST_PG_URL the PostgreSQL part is skipped):
    scripts/with-postgres.sh .venv/bin/python bench/scale_bench.py [--pages 100000 300000] [--pg-pages 100000]

Pages are generated (bench/search_bench.py's word chain over real prose) and written straight into a
library's catalogue; the index is built by Kbase's own path (kbase.search.indexing.rebuild, what
`kbase reindex` runs), each phase in its own process so each peak memory is its own. On the --pg-pages
library the same page texts go into one PostgreSQL table (a stored tsvector column and a GIN index), and
the same queries run in turn through kbase.search.api.search (20 publications, page snippets) and one SQL
statement (pages matching, best page of each publication, 20 publications, ts_headline snippets).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# publications whose pages match, each by its best page (ts_rank), the 20 best, with a snippet of that page
PG_QUERY = """
WITH q AS (SELECT {make}('english', %s) AS q),
hits AS (SELECT p.pub, p.page, ts_rank(p.tsv, q.q) AS r FROM pages p, q WHERE p.tsv @@ q.q),
best AS (SELECT DISTINCT ON (pub) pub, page, r FROM hits ORDER BY pub, r DESC),
top AS (SELECT pub, page, r FROM best ORDER BY r DESC, pub LIMIT 20)
SELECT top.pub, top.page, top.r,
       ts_headline('english', p.text, q.q, 'MaxWords=28, MinWords=12, MaxFragments=1'),
       (SELECT count(*) FROM best)
FROM top JOIN pages p ON p.pub = top.pub AND p.page = top.page, q ORDER BY top.r DESC, top.pub
"""


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def dir_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


# -- phases, each in its own process ------------------------------------------------------------
def phase_fill(folder: Path, pages: int) -> dict[str, Any]:
    import search_bench

    result = search_bench.fill(folder, pages)
    result["catalogue_mb"] = round((folder / "catalogue.sqlite").stat().st_size / 2**20, 1)
    return result


def phase_index(folder: Path, procs: int) -> dict[str, Any]:
    import search_bench

    started = time.perf_counter()
    result = search_bench.build_index(folder, procs)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    result["load"] = load()
    return result


def phase_pg(folder: Path, url: str) -> dict[str, Any]:
    """The page texts into PostgreSQL: one row a page, a stored tsvector and a GIN index over it."""
    import psycopg

    started = time.perf_counter()
    src = sqlite3.connect(folder / "catalogue.sqlite")
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("DROP TABLE IF EXISTS pages")
        pg.execute("CREATE TABLE pages (pub integer NOT NULL, page integer NOT NULL, text text NOT NULL,"
                   " PRIMARY KEY (pub, page))")
        with pg.cursor().copy("COPY pages (pub, page, text) FROM STDIN") as copy:
            for row in src.execute("SELECT a.publication_id, p.page, p.text FROM page_text p"
                                   " JOIN attachment a ON a.id = p.attachment_id"):
                copy.write_row(row)
        copied = time.perf_counter()
        pg.execute("ALTER TABLE pages ADD COLUMN tsv tsvector"
                   " GENERATED ALWAYS AS (to_tsvector('english', text)) STORED")
        vectors = time.perf_counter()
        pg.execute("CREATE INDEX pages_tsv ON pages USING gin (tsv)")
        pg.execute("VACUUM ANALYZE pages")
        done = time.perf_counter()
        table_mb = pg.execute("SELECT pg_table_size('pages') / 1048576.0").fetchone()[0]  # type: ignore[index]
        gin_mb = pg.execute("SELECT pg_relation_size('pages_tsv') / 1048576.0").fetchone()[0]  # type: ignore[index]
        rows = pg.execute("SELECT count(*) FROM pages").fetchone()[0]  # type: ignore[index]
    src.close()
    return {"rows": rows, "copy_s": round(copied - started, 1), "tsvector_s": round(vectors - copied, 1),
            "gin_s": round(done - vectors, 1), "total_s": round(done - started, 1),
            "table_mb": round(float(table_mb), 1), "gin_mb": round(float(gin_mb), 1), "load": load()}


def pg_form(kind: str, text: str) -> tuple[str, str] | None:
    """A Kbase query of the bench as (tsquery maker, its argument); fuzzy has no PostgreSQL twin."""
    if kind == "terms":
        return "plainto_tsquery", text
    if kind == "phrases":
        return "phraseto_tsquery", text.strip('"')
    if kind == "boolean":  # a AND (b OR c) NOT d
        return "to_tsquery", text.replace(" AND ", " & ").replace(" OR ", " | ").replace(" NOT ", " & !")
    if kind == "prefix":
        return "to_tsquery", text.rstrip("*") + ":*"
    return None


def phase_query(folder: Path, url: str | None, n: int) -> dict[str, Any]:
    import statistics

    import search_bench

    from kbase.catalogue.records import Catalogue
    from kbase.errors import QueryError
    from kbase.library.db import open_library
    from kbase.search.api import search

    cat = Catalogue(open_library(str(folder)))
    started = time.perf_counter()
    search(cat, "cobalt", limit=20)
    first_ms = (time.perf_counter() - started) * 1000
    pg: Any = None
    if url:
        import psycopg

        pg = psycopg.connect(url, autocommit=True)
        pg.execute(PG_QUERY.format(make="plainto_tsquery"), ("cobalt",)).fetchall()  # its first query too
    queries = search_bench.make_queries(n)
    kinds: dict[str, Any] = {}
    for kind, pairs in queries.items():
        mine_ms: list[float] = []
        theirs_ms: list[float] = []
        mine_total: list[int] = []
        theirs_total: list[int] = []
        for mine, _fts in pairs:
            t = time.perf_counter()
            try:
                res = search(cat, mine, limit=20, snippets=True)
                mine_total.append(res.total)
            except QueryError:
                pass
            mine_ms.append((time.perf_counter() - t) * 1000)
            form = pg_form(kind, mine) if pg is not None else None
            if form is not None:
                t = time.perf_counter()
                rows = pg.execute(PG_QUERY.format(make=form[0]), (form[1],)).fetchall()
                theirs_ms.append((time.perf_counter() - t) * 1000)
                theirs_total.append(rows[0][4] if rows else 0)
        kinds[kind] = {"n": len(pairs),
                       "kbase_p50": search_bench.pct(mine_ms, 50), "kbase_p95": search_bench.pct(mine_ms, 95),
                       "kbase_median_pubs": statistics.median(mine_total) if mine_total else 0,
                       "pg_p50": search_bench.pct(theirs_ms, 50) if theirs_ms else None,
                       "pg_p95": search_bench.pct(theirs_ms, 95) if theirs_ms else None,
                       "pg_median_pubs": statistics.median(theirs_total) if theirs_total else None}
    if pg is not None:
        pg.close()
    cat.library.close()
    return {"first_query_ms": round(first_ms), "kinds": kinds, "peak_mb": peak_mb(), "load": load()}


# -- driver -------------------------------------------------------------------------------------
def run_phase(args: argparse.Namespace, phase: str, folder: Path, pages: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--dir", str(folder), "--pages", str(pages),
           "--procs", str(args.procs), "--queries", str(args.queries)]
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{phase} at {pages:,} pages failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{pages:,} pages, {phase} ({time.perf_counter() - started:.0f} s, load {load()}): {result}",
          file=sys.stderr, flush=True)
    return result


def project(sizes: dict[int, dict[str, Any]], key: str, target: int) -> float:
    """Straight line through the two measured sizes (index size and build time grow about linearly)."""
    (a, ra), (b, rb) = sorted(sizes.items())[:2]
    va, vb = float(ra["index"][key]), float(rb["index"][key])
    return va + (vb - va) * (target - a) / (b - a)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    ap.add_argument("--pages", type=int, nargs="+", default=[100_000, 300_000])
    ap.add_argument("--pg-pages", type=int, default=100_000, help="the library whose pages PostgreSQL also gets")
    ap.add_argument("--queries", type=int, default=20, help="queries of each kind")
    ap.add_argument("--procs", type=int, default=1, help="processes for the index build (kbase reindex --procs)")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kbase-scale-bench"))
    ap.add_argument("--keep", action="store_true", help="keep the libraries (several GB at 300k pages)")
    ap.add_argument("--phase", choices=["fill", "index", "pg", "query"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    url = os.environ.get("KBASE_TEST_PG_URL", "").replace("postgresql+psycopg://", "postgresql://") or None
    if args.phase:
        folder, n = args.dir, args.pages[0]
        phases = {"fill": lambda: phase_fill(folder, n), "index": lambda: phase_index(folder, args.procs),
                  "pg": lambda: phase_pg(folder, url or ""), "query": lambda: phase_query(folder, url, args.queries)}
        result = phases[args.phase]()
        print(json.dumps(result))
        return 0

    started = time.perf_counter()
    print(f"start: load {load()} on {os.cpu_count()} CPUs", file=sys.stderr, flush=True)
    sizes: dict[int, dict[str, Any]] = {}
    for n in args.pages:
        folder = args.dir / f"lib-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        sizes[n] = {"fill": run_phase(args, "fill", folder, n), "index": run_phase(args, "index", folder, n)}
        if n == args.pg_pages:
            if url:
                sizes[n]["pg"] = run_phase(args, "pg", folder, n)
            sizes[n]["query"] = run_phase(args, "query", folder, n)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print("| pages | catalogue MB | index MB | build s (CPU s) | pages/s | build peak MB | load at end |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n, r in sizes.items():
        ix = r["index"]
        print(f"| {n:,} | {r['fill']['catalogue_mb']:,} | {ix['index_mb']:,} | {ix['index_s']:,} ({ix['cpu_s']:,}) | "
              f"{ix['pages_per_s']:,} | {ix['peak_mb']} | {ix['load']} |")
    if len(sizes) >= 2:
        for target in (1_000_000, 3_000_000):
            print(f"| {target:,} (projected) | | {project(sizes, 'index_mb', target):,.0f} | "
                  f"{project(sizes, 'index_s', target):,.0f} | | | |")
    for n, r in sizes.items():
        if "query" not in r:
            continue
        q = r["query"]
        if "pg" in r:
            pg = r["pg"]
            print(f"\nPostgreSQL at {n:,} pages: {pg['rows']:,} rows; copy {pg['copy_s']} s, tsvector column "
                  f"{pg['tsvector_s']} s, GIN index {pg['gin_s']} s (in all {pg['total_s']} s); "
                  f"table {pg['table_mb']} MB, GIN {pg['gin_mb']} MB; load {pg['load']}")
        print(f"\nQueries at {n:,} pages (20 publications with page snippets; Kbase's first query, which opens the "
              f"searcher, {q['first_query_ms']} ms; query process peak {q['peak_mb']} MB; load {q['load']}):")
        print("| kind | queries | Kbase p50 / p95 ms | PostgreSQL p50 / p95 ms | median publications Kbase / PG |")
        print("|---|---:|---:|---:|---:|")
        for kind, k in q["kinds"].items():
            theirs = f"{k['pg_p50']} / {k['pg_p95']}" if k["pg_p50"] is not None else "–"
            print(f"| {kind} | {k['n']} | {k['kbase_p50']} / {k['kbase_p95']} | {theirs} | "
                  f"{k['kbase_median_pubs']} / {k['pg_median_pubs'] if k['pg_median_pubs'] is not None else '–'} |")
    print(f"\nwhole run {time.perf_counter() - started:.0f} s; load at the end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
