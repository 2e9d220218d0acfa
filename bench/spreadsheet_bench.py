"""Spreadsheet import speed on 5,000 rows: plan (dry run) and import into a library holding the demo catalogue,
against the csv module's and openpyxl's own reading of the same file in the same run (prints figures, asserts
nothing).

Run: .venv/bin/python bench/spreadsheet_bench.py [--rows N] [--pg URL] [--keep DIR]

The rows are made from the demo catalogue (resources/demo/catalogue.json): its 56 publications' titles, types,
years, authors (people written "Family, Given" or "Given Family", organisations by acronym), projects, regions
and subjects, varied row by row (a part number in the title, the year moved, authors drawn from the catalogue's
people). The first 56 rows are the demo's own publications, which the library holds (matched, or new where a
row differs); every later row is a new record naming people, projects and regions the library knows. The CSV is
what Excel saves in French (semicolons, UTF-8 with a BOM, French headers); the XLSX (written by openpyxl, inline
strings) has English headers under a title row. --pg puts each library in a new database on that PostgreSQL
server. Aim: plan + import ≤ 5 s for each file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FRENCH = ["Titre", "Type", "Année", "Mois", "Auteurs", "Série", "Numéro", "Projet", "Région", "Mots-clés", "Lien",
          "Résumé", "Éditeur", "Langue", "Remarques"]
ENGLISH = ["Title", "Type", "Year", "Month", "Authors", "Series", "Number", "Project", "Region", "Keywords", "Link",
           "Abstract", "Publisher", "Language", "Remarks"]
TYPES_FR = {"report": "Rapport", "briefing": "Note d'information", "article": "Article", "book": "Livre",
            "book chapter": "Chapitre", "webmap": "Carte interactive", "dashboard": "Tableau de bord",
            "static maps": "Carte", "video": "Vidéo", "case studies": "Étude de cas"}


def rows(n: int) -> list[list[str]]:
    """n rows of publications made from the demo catalogue, in FRENCH's column order (types in English)."""
    data = json.loads((ROOT / "resources" / "demo" / "catalogue.json").read_text(encoding="utf-8"))
    people = {p["key"]: p["name"] for p in data["people"]}
    orgs = {o["key"]: o.get("acronym") or o["name"] for o in data["organisations"]}
    projects = {p["key"]: p.get("short_name") or p["title"] for p in data["projects"]}
    names = list(people.values())
    pubs = data["publications"]
    rnd = random.Random(7)
    out = []
    for i in range(n):
        p = pubs[i % len(pubs)]
        part = i // len(pubs) + 1
        authors = []
        for a in p.get("authors") or []:
            if "person" in a:
                authors.append(people.get(a["person"], ""))
            elif "org" in a:
                authors.append(orgs.get(a["org"], ""))
        if part > 1:  # another study of the same series: others wrote it too
            authors += rnd.sample(names, rnd.randint(0, 2))
        written = []
        for name in dict.fromkeys(a for a in authors if a):
            words = name.split()
            if name in names and len(words) >= 2 and rnd.random() < 0.5:
                written.append(f"{words[-1]}, {' '.join(words[:-1])}")
            else:
                written.append(name)
        year = (p.get("year") or 2020) - (part - 1) % 12
        out.append([
            f"{p['title']} ({part})" if part > 1 else p["title"], p.get("type") or "report", str(year),
            str(p["month"]) if p.get("month") else "", "; ".join(written), p.get("series") or "",
            str(part) if p.get("series") else "", "; ".join(projects.get(k, k) for k in p.get("projects") or []),
            "; ".join(p.get("regions") or []), ", ".join(p.get("subjects") or []), p.get("url") or "",
            p.get("abstract") or "", orgs.get(p.get("publisher") or "", ""), p.get("language") or "",
            "à relire" if i % 9 == 0 else ""])
    return out


def make_csv(path: Path, table: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(FRENCH)
    for r in table:
        writer.writerow([TYPES_FR.get(r[1], r[1]) if j == 1 else v for j, v in enumerate(r)])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def make_xlsx(path: Path, table: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()  # not write_only: that mode leaves out the sheet's <dimension>, which Excel always writes
    ws = wb.active
    ws.title = "Publications"
    ws.append(["Publication list (made for the bench)"])
    ws.append([])
    ws.append(ENGLISH)
    for r in table:
        ws.append([int(v) if j in (2, 3, 6) and v.isdigit() else v for j, v in enumerate(r)])
    wb.save(path)


def fresh_library(tmp: Path, pg: str | None) -> str:
    if not pg:
        return str(tmp / f"lib-{uuid.uuid4().hex[:6]}")
    import psycopg

    name = f"kbase_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg.rsplit("/", 1)[0] + "/" + name


def baseline(path: Path) -> tuple[str, float, int]:
    """The plain library's read of the file: every row as a list of cells."""
    start = time.perf_counter()
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        n = sum(1 for _ in csv.reader(io.StringIO(text, newline=""), delimiter=";")) - 1
        return "csv.reader", time.perf_counter() - start, n
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)) - 3
    wb.close()
    return "openpyxl read-only", time.perf_counter() - start, n


def bench(path: Path, tmp: Path, pg: str | None) -> dict[str, float | int | str]:
    from kbase.catalogue.demo import load_demo
    from kbase.catalogue.records import Catalogue
    from kbase.formats.spreadsheet import read_spreadsheet
    from kbase.imports.pipeline import import_paths
    from kbase.library.db import open_library

    base_name, base_s, base_n = baseline(path)
    start = time.perf_counter()
    _table, _columns, result = read_spreadsheet(path)
    reader_s = time.perf_counter() - start

    cat = Catalogue(open_library(fresh_library(tmp, pg), create=True))
    try:
        load_demo(cat)
        start, cpu = time.perf_counter(), time.process_time()
        plan = import_paths(cat, [path], dry_run=True)
        plan_s, plan_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        done = import_paths(cat, [path], index=False)
        import_s, import_cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        cat.library.close()
    new = {k: len(v) for k, v in done.files[0].new_names.items()}
    return {"file": path.name, "rows": base_n, "baseline": base_name, "baseline_s": base_s, "reader_s": reader_s,
            "read": len(result.records), "plan_s": plan_s, "planned_new": plan.totals()["created"],
            "import_s": import_s, "cpu_s": plan_cpu + import_cpu, "created": done.totals()["created"],
            "matched": done.totals()["matched"], "refused": done.totals()["refused"], "new": new}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--pg", help="PostgreSQL server URL: the libraries are new databases there")
    ap.add_argument("--keep", type=Path, help="write the generated files here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbase-sheet-bench-") as tmpname:
        tmp = Path(tmpname)
        where = args.keep or tmp
        where.mkdir(parents=True, exist_ok=True)
        table = rows(args.rows)
        sheet_csv, sheet_xlsx = where / f"bench-{args.rows}.csv", where / f"bench-{args.rows}.xlsx"
        make_csv(sheet_csv, table)
        make_xlsx(sheet_xlsx, table)
        results = [bench(sheet_csv, tmp, args.pg), bench(sheet_xlsx, tmp, args.pg)]
    backend = "PostgreSQL" if args.pg else "SQLite"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"{args.rows} rows, a fresh {backend} library with the demo catalogue each; seconds (wall clock; cpu: "
          f"this process's CPU time for plan+import); load average {load:.1f} on {os.cpu_count()} CPUs")
    head = f"{'file':<16} {'rows':>5} {'baseline read':>26} {'our reader':>10} {'plan':>6} {'import':>7} " \
           f"{'plan+import':>11} {'cpu':>6} {'created':>8} {'matched':>8} {'refused':>8}  new records"
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['file']:<16} {r['rows']:>5} {r['baseline'] + ' ' + format(r['baseline_s'], '.3f'):>26} "
              f"{r['reader_s']:>10.3f} {r['plan_s']:>6.2f} {r['import_s']:>7.2f} "
              f"{r['plan_s'] + r['import_s']:>11.2f} {r['cpu_s']:>6.2f} {r['created']:>8} {r['matched']:>8} "
              f"{r['refused']:>8}  {r['new']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
