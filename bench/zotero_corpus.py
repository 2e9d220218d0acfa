"""Zotero libraries: what each zotero.sqlite holds against what `kbase import` brings in, and how long it takes
(prints, asserts nothing).

Run: .venv/bin/python bench/zotero_corpus.py [DB…] [--items N] [--json] [--timeout S]

Libraries read:
- every DB named, and ${KBASE_CORPUS:-~/.cache/kbase/corpus}/zotero/**/zotero.sqlite. A real one written by
  Zotero (userdata schema 121) ships in papis-zotero's source distribution on PyPI:
      .venv/bin/python -m pip download papis-zotero==0.4.0 --no-deps --no-binary :all: -d /tmp/pz
      mkdir -p ~/.cache/kbase/corpus/zotero && tar xzf /tmp/pz/papis_zotero-0.4.0.tar.gz -C ~/.cache/kbase/corpus/zotero
- two made here with Zotero's own schema (tests/data/zotero, layouts 107 and 124) through tests/zotero_db.py:
  N items (--items, default 2,000) of mixed types with creators, tags, Extra lines, child notes, nested
  collections, related pairs, a trash, and a PDF for one item in twenty (made with PyMuPDF).

For each: (a) what the file holds, counted with plain SQL (regular items, notes, attachments, collections, tag
names, in the trash); the reader alone, timed (the baseline); (b) `kbase import DB --json` into a fresh library,
in a subprocess with a timeout; from its JSON the accounting of files[0].zotero; (c) the file's SHA-256 before
and after. A non-zero exit with "internal error" or a traceback, or a timeout, is a crash. "balanced" says
whether, for every kind of thing, what was read equals the sum of what became of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bib_corpus import crash_tail, first_json, is_crash, run  # noqa: E402  (the same subprocess handling)

DEFAULT_DIR = Path(os.environ.get("KBASE_CORPUS") or Path.home() / ".cache" / "kbase" / "corpus") / "zotero"
KBASE = ROOT / ".venv" / "bin" / "kbase"
TYPES = ["journalArticle", "report", "book", "bookSection", "webpage", "thesis", "conferencePaper", "film",
         "newspaperArticle", "document", "presentation", "map"]
WORDS = ("gold cobalt tin tantalum diamonds artisanal mining conflict roadblocks taxation due diligence supply "
         "chain traceability Kivu Ituri Maniema Katanga cooperatives traders refiners women child labour").split()
NAMES = [("Ken", "Matthysen"), ("Filip", "Hilgert"), ("Aline", "Mwamba"), ("Jean", "de La Fontaine"),
         ("Peer", "Schouten"), ("Lotte", "Hoex"), ("Joseph", "Kabila"), ("Anna", "Smith")]


def counts(path: Path) -> dict[str, int]:
    """What the file holds, by plain SQL (read-only)."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    types = "itemTypesCombined" if "itemTypesCombined" in tables and \
        con.execute("SELECT COUNT(*) FROM itemTypesCombined").fetchone()[0] else "itemTypes"

    def one(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0])

    kind = f"(SELECT typeName FROM {types} t WHERE t.itemTypeID = i.itemTypeID)"
    out = {"items": one(f"SELECT COUNT(*) FROM items i WHERE {kind} NOT IN ('note', 'attachment', 'annotation')"),
           "notes": one(f"SELECT COUNT(*) FROM items i WHERE {kind} = 'note'"),
           "attachments": one(f"SELECT COUNT(*) FROM items i WHERE {kind} = 'attachment'"),
           "collections": one("SELECT COUNT(*) FROM collections"),
           "tags": one("SELECT COUNT(DISTINCT tagID) FROM itemTags"),
           "trash": one("SELECT COUNT(*) FROM deletedItems")}
    con.close()
    return out


def generate(folder: Path, layout: str, n: int, seed: int = 13) -> Path:
    from tests.zotero_db import ZoteroDB

    rnd = random.Random(seed)
    zdb = ZoteroDB(folder, layout)
    cols = [zdb.collection(f"Programme {i}") for i in range(8)]
    cols += [zdb.collection(f"Project {i}", rnd.choice(cols)) for i in range(24)]
    ids: list[int] = []
    for i in range(n):
        kind = TYPES[i % len(TYPES)]
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 9))).capitalize() + f" ({i})"
        year = rnd.randint(1995, 2024)
        fields = {"title": title, "date": f"{year}-{rnd.randint(0, 12):02d}-00 {year}", "language": "en"}
        if i % 3 == 0:
            fields["extra"] = f"PMID: {100000 + i}\nCitation Key: item{i}"
        if kind == "journalArticle":
            fields.update(publicationTitle="Resources Policy", volume=str(rnd.randint(1, 80)), DOI=f"10.5555/z.{i}")
        creators = [("author", *rnd.choice(NAMES)) for _ in range(rnd.randint(1, 4))]
        if i % 7 == 0:
            creators.append(("author", "IPIS"))
        if kind in ("film", "presentation", "map"):
            primary = {"film": "director", "presentation": "presenter", "map": "cartographer"}[kind]
            creators = [(primary, "Aline", "Mwamba")]
        creators = list(dict.fromkeys(creators))
        tags = rnd.sample(WORDS, rnd.randint(0, 3))
        item = zdb.item(kind, fields, creators, tags, trashed=(i % 50 == 49))
        ids.append(item)
        if i % 4 == 0:
            zdb.note(f"<p>Read for the <strong>{rnd.choice(WORDS)}</strong> study; "
                     f"see page {rnd.randint(1, 90)}.</p>", item)
        if i % 20 == 0:
            zdb.stored_pdf(item, f"doc{i}.pdf", [f"{title} page one", f"{title} page two"])
        if i % 10 == 0:
            zdb.linked_url(item, f"https://example.org/item/{i}")
        zdb.file(rnd.choice(cols), item)
    for a, b in zip(ids[::11], ids[5::11], strict=False):
        zdb.relate(a, b)
    return zdb.close()


def import_db(path: Path, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kbase-zotero-") as tmp:
        lib, state = Path(tmp) / "lib", Path(tmp) / "state"
        env = {k: v for k, v in os.environ.items() if k != "KBASE_LIBRARY"}
        env.update(XDG_STATE_HOME=str(state), XDG_DATA_HOME=str(Path(tmp) / "data"),
                   XDG_CONFIG_HOME=str(Path(tmp) / "config"), QT_QPA_PLATFORM="offscreen")
        subprocess.run([str(KBASE), "init", "--library", str(lib)], env=env, check=True, capture_output=True)
        out: dict[str, Any] = {"crashed": False}
        for dry in (True, False):
            start = time.perf_counter()
            try:
                done = run([str(KBASE), "import", "--library", str(lib), "--json", "--no-index"]
                           + (["--dry-run"] if dry else []) + [str(path)], env, timeout)
            except subprocess.TimeoutExpired:
                return {**out, "crashed": True, "error": f"timeout after {timeout:.0f} s"}
            out["plan_seconds" if dry else "seconds"] = time.perf_counter() - start
            if done.returncode != 0 and is_crash(done.stderr):
                return {**out, "crashed": True, "error": done.stderr[-400:] + crash_tail(state)}
            try:
                report = first_json(done.stdout)
            except ValueError:
                return {**out, "crashed": True, "error": done.stderr[-400:]}
            if not dry:
                f = report["files"][0]
                out.update(status=f["status"], zotero=f.get("zotero", {}), created=report["created"],
                           matched=report["matched"], refused=report["refused"], problems=len(report["problems"]))
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dbs", nargs="*", type=Path)
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from kbase.formats.zotero import read_zotero

    dbs = list(args.dbs) + sorted(DEFAULT_DIR.rglob("zotero.sqlite")) if DEFAULT_DIR.exists() else list(args.dbs)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kbase-zotero-gen-") as gen:
        for layout in ("107", "124"):
            start = time.perf_counter()
            dbs.append(generate(Path(gen) / f"made-{layout}", layout, args.items))
            print(f"made a {args.items}-item library (schema {layout}) in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr)
        for db in dbs:
            before = hashlib.sha256(db.read_bytes()).hexdigest()
            held = counts(db)
            start = time.perf_counter()
            read_zotero(db)
            reader = time.perf_counter() - start
            result = import_db(db, args.timeout)
            z = result.get("zotero", {})
            balanced = all(c.get("read", 0) == sum(v for k, v in c.items() if k != "read") for c in z.values())
            rows.append({"db": str(db), "held": held, "reader_seconds": round(reader, 3), **result,
                         "balanced": balanced and not result["crashed"],
                         "unchanged": hashlib.sha256(db.read_bytes()).hexdigest() == before})
    if args.json:
        json.dump(rows, sys.stdout, indent=2, default=str)
        return
    for r in rows:
        z = r.get("zotero", {})
        name = Path(r["db"]).parent.name + "/" + Path(r["db"]).name
        print(f"\n{name}: holds {r['held']}")
        if r["crashed"]:
            print(f"  CRASHED: {r.get('error', '')}")
            continue
        print(f"  items created {r['created']}, matched {r['matched']}, refused {r['refused']} "
              f"(problems listed: {r['problems']}); balanced: {r['balanced']}; file unchanged: {r['unchanged']}")
        for what in ("items", "notes", "attachments", "collections", "collection links", "related", "web links",
                     "tags"):
            if what in z:
                print(f"  {what}: {z[what]}")
        ratio = r["seconds"] / r["reader_seconds"] if r["reader_seconds"] else float("nan")
        print(f"  reader alone {r['reader_seconds']:.2f} s (baseline); plan (--dry-run) {r['plan_seconds']:.1f} s; "
              f"import {r['seconds']:.1f} s = {ratio:.0f}× the reader")


if __name__ == "__main__":
    main()
