"""RIS and CSL-JSON import speed on 5,000 records: plan (dry run) and import into a fresh library, against
rispy's and json's own parse of the same file in the same run (prints figures, asserts nothing).

Run: .venv/bin/python bench/ris_csl_bench.py [--records N] [--corpus DIR] [--pg URL] [--keep DIR]

The files are made from the real corpus (scripts/fetch-ris-csl-corpus.sh): RIS from every RIS export there
(not the two hand-made edge cases),
repeated with " (copy N)" added to the titles and the DOIs made unique, so all N records are new; CSL-JSON from
citation.js's CSL-JSON of a real Mendeley library (9,057 items), its first N items. --pg puts the fresh library
in a new database on that PostgreSQL server (a server URL such as postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
Aim: plan + import ≤ 5 s for each file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the corpus's hand-made edge cases (one record with 7,456 authors, empty values) are no export: left out here
HAND_MADE = {"many-authors.ris", "empty-values.ris"}
DEFAULT_CORPUS = Path(os.environ.get("KBASE_CORPUS") or Path.home() / ".cache" / "kbase" / "corpus")


def ris_records(folder: Path) -> list[str]:
    """Every record of the corpus's RIS files as text, TY to ER."""
    out = []
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() not in (".ris", ".txt") or path.name in HAND_MADE:
            continue
        text = path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        for block in re.split(r"(?m)^(?=TY  -)", text):
            if block.startswith("TY  -") and re.search(r"(?m)^(TI|T1)  - \S", block):
                out.append(block.split("\nER  -")[0].rstrip() + "\nER  - \n")
    return out


def make_ris(folder: Path, n: int, target: Path) -> int:
    base = ris_records(folder)
    if not base:
        raise SystemExit(f"no RIS records in {folder}: run scripts/fetch-ris-csl-corpus.sh first")
    parts = []
    for i in range(n):
        rec, copy = base[i % len(base)], i // len(base)
        if copy:
            rec = re.sub(r"(?m)^(TI|T1)  - (.*)$", rf"\1  - \2 (copy {copy})", rec)
            rec = re.sub(r"(?m)^(DO  - .*)$", rf"\1.c{copy}", rec)
            rec = re.sub(r"(?m)^(ID|SN|AN)  - .*\n", "", rec)  # no shared ISBN or key across copies
        parts.append(rec)
    target.write_text("\n".join(parts), encoding="utf-8")
    return n


def make_csl(folder: Path, n: int, target: Path) -> int:
    src = folder / "citationjs-mendeley-large-library.json"
    if not src.exists():
        raise SystemExit(f"{src} is missing: run scripts/fetch-ris-csl-corpus.sh first")
    items = json.loads(src.read_text(encoding="utf-8"))
    out = []
    for i in range(n):
        item = dict(items[i % len(items)])
        if i >= len(items):
            item["title"] = f"{item.get('title', '')} (copy {i // len(items)})"
            item["id"] = f"{item.get('id', 'x')}-{i}"
        out.append(item)
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return n


def fresh_library(tmp: Path, pg: str | None) -> str:
    if not pg:
        return str(tmp / f"lib-{uuid.uuid4().hex[:6]}")
    import psycopg

    name = f"kbase_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg.rsplit("/", 1)[0] + "/" + name


def bench(path: Path, fmt: str, tmp: Path, pg: str | None) -> dict[str, float | int | str]:
    from kbase.catalogue.records import Catalogue
    from kbase.imports.pipeline import import_paths
    from kbase.library.db import open_library

    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    if fmt == "ris":
        import rispy

        baseline_n = len(rispy.loads(text))
        baseline_name = "rispy.loads"
    else:
        baseline_n = len(json.loads(text))
        baseline_name = "json.loads"
    baseline_s = time.perf_counter() - start

    from kbase.formats.csljson import read_csl_json
    from kbase.formats.ris import read_ris

    start = time.perf_counter()
    read = read_ris(text) if fmt == "ris" else read_csl_json(text)
    reader_s = time.perf_counter() - start

    cat = Catalogue(open_library(fresh_library(tmp, pg), create=True))
    try:
        start, cpu = time.perf_counter(), time.process_time()
        plan = import_paths(cat, [path], dry_run=True)
        plan_s, plan_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        done = import_paths(cat, [path], index=False)
        import_s, import_cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        cat.library.close()
    return {"file": path.name, "records": baseline_n, "baseline": baseline_name, "baseline_s": baseline_s,
            "reader_s": reader_s, "read": len(read.records), "plan_s": plan_s,
            "planned_new": plan.totals()["created"], "import_s": import_s, "cpu_s": plan_cpu + import_cpu,
            "created": done.totals()["created"],
            "matched": done.totals()["matched"], "refused": done.totals()["refused"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--pg", help="PostgreSQL server URL: the fresh libraries are new databases there")
    ap.add_argument("--keep", type=Path, help="write the generated files here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbase-ris-csl-bench-") as tmpname:
        tmp = Path(tmpname)
        where = args.keep or tmp
        where.mkdir(parents=True, exist_ok=True)
        ris, csl = where / f"bench-{args.records}.ris", where / f"bench-{args.records}.json"
        make_ris(args.corpus / "ris", args.records, ris)
        make_csl(args.corpus / "csl", args.records, csl)
        rows = [bench(ris, "ris", tmp, args.pg), bench(csl, "csl-json", tmp, args.pg)]
    backend = "PostgreSQL" if args.pg else "SQLite"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"{args.records} records, fresh {backend} library each; seconds (wall clock; cpu: this process's "
          f"CPU time for plan+import); load average {load:.1f} on {os.cpu_count()} CPUs")
    head = f"{'file':<18} {'records':>7} {'baseline parse':>22} {'our reader':>10} {'plan':>6} {'import':>7} " \
           f"{'plan+import':>11} {'cpu':>6} {'created':>8} {'matched':>8} {'refused':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['file']:<18} {r['records']:>7} {r['baseline'] + ' ' + format(r['baseline_s'], '.3f'):>22} "
              f"{r['reader_s']:>10.3f} {r['plan_s']:>6.2f} {r['import_s']:>7.2f} {r['plan_s'] + r['import_s']:>11.2f} "
              f"{r['cpu_s']:>6.2f} "
              f"{r['created']:>8} {r['matched']:>8} {r['refused']:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
