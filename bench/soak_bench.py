"""Soak test of a team library: 8 desktops on one PostgreSQL catalogue for --minutes (10 by default).

Usage: scripts/with-postgres.sh .venv/bin/python bench/soak_bench.py [--minutes 10] [--clients 8]
       (or --url postgresql+psycopg://user@host/db of a server where the user may CREATE DATABASE)

Five librarians (no confidential access) edit titles (compare-and-set on the version), add records,
import small RIS files (their authors shared between desktops), move records to the trash and restore
them, edit titles in plain SQL as psql would (logged by the server, migration 0011), and sync their
index; one admin does the same and also turns records confidential and back; two readers only sync.
Every desktop has its own local folder.
At the end each desktop syncs once more, then the catalogue is compared with what everyone saw:
lost updates (a saved title that is not the record's title while nobody saved after it), stale index
entries (`kbase check`'s drift between the desktop's index and the catalogue it may see), leaks
(confidential publications in a reader's or librarian's index), and the change log's checksum chain.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WEIGHTS = {"edit": 40, "add": 10, "import": 6, "trash": 10, "restore": 10, "psql": 4, "sync": 20}
RIS = """TY  - RPRT
AU  - Hilgert, Filip
AU  - {author}
TI  - {title}
PY  - 2023
AB  - Gold, tin and cobalt trade around {place}.
ER  -
"""
PASSWORD = "soak-pw"


def prepare(admin_url: str, work: Path) -> str:
    import psycopg

    from kbase.catalogue.records import Catalogue
    from kbase.library import models as m
    from kbase.library.db import open_library
    from kbase.team import roles

    name = f"kbase_soak_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    os.environ["KBASE_LOCAL_DIR"] = str(work / "setup")
    cat = Catalogue(open_library(url, create=True))
    for i in range(60):
        cat.add(m.Publication, title=f"Seed report {i} on gold and cobalt", type="report", year=2000 + i % 25,
                visibility="confidential" if i % 6 == 0 else "public")
    roles.setup(cat.library)
    roles.add_user(cat.library, "soak_librarian", "librarian", password=PASSWORD)
    roles.add_user(cat.library, "soak_admin", "admin", password=PASSWORD)
    roles.add_user(cat.library, "soak_reader", "reader", password=PASSWORD)
    cat.library.close()
    return url


def client(n: int, role: str, url: str, work: str, until: float, out: Any) -> None:
    """One desktop; a crash is reported (with its traceback) instead of leaving the run waiting."""
    try:
        desktop(n, role, url, work, until, out)
    except BaseException:
        out.put({"n": n, "role": role, "crashed": traceback.format_exc(), "counts": {}, "saved": [], "indexed": [],
                 "stale": [], "notes": []})


def desktop(n: int, role: str, url: str, work: str, until: float, out: Any) -> None:

    from kbase.catalogue import trash
    from kbase.catalogue.records import Catalogue
    from kbase.errors import ConflictError, KbaseError
    from kbase.imports.records import import_bibliography
    from kbase.integrity.check import index_problems
    from kbase.library import models as m
    from kbase.library.db import open_library
    from kbase.search.indexing import open_dir, sync

    os.environ["KBASE_LOCAL_DIR"] = str(Path(work) / f"desktop{n}")
    from sqlalchemy.engine import make_url

    login = make_url(url).set(username=f"soak_{role}", password=PASSWORD).render_as_string(hide_password=False)
    cat = Catalogue(open_library(login))
    rng = random.Random(n)
    counts: Counter[str] = Counter()
    saved: list[tuple[int, int, str]] = []  # (publication, version made, title)
    trashed: list[int] = []
    notes: list[str] = []
    sync(cat, notes)
    while time.time() < until:
        op = "sync" if role == "reader" else rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        try:
            if op == "sync":
                sync(cat, notes)
                if role == "reader":
                    time.sleep(0.5)
            elif op == "add":
                cat.add(m.Publication, title=f"Desktop {n} note {counts['add']} on tin", type="briefing", year=2024)
            elif op == "import":
                ris = Path(work) / f"desktop{n}" / f"import{counts['import']}.ris"
                ris.write_text("".join(RIS.format(author=f"Desk{n}, Author{i % 3}", place=f"site {i}",
                                                  title=f"Desktop {n} import {counts['import']} entry {i}")
                                       for i in range(2)), encoding="utf-8")
                import_bibliography(cat, ris)
            elif op == "psql":
                pid = rng.choice(ids_of(cat))
                title = f"Report {pid} as desktop {n} typed it in SQL ({counts['psql']})"
                version = sql_edit(login, pid, title)
                if version is not None:
                    saved.append((pid, version, title))
            else:
                ids = ids_of(cat)
                if op == "restore":
                    if not trashed:
                        continue
                    trash.restore_from_trash(cat, "publication", trashed.pop(0))
                elif op == "trash":
                    pid = rng.choice(ids)
                    trash.move_to_trash(cat, "publication", pid)
                    trashed.append(pid)
                else:
                    pid = rng.choice(ids)
                    pub = cat.get(m.Publication, pid)
                    values: dict[str, Any] = {"title": f"Report {pid} as desktop {n} saved it ({counts['edit']})"}
                    if role == "admin" and rng.random() < 0.3:
                        values["visibility"] = "public" if pub.visibility == "confidential" else "confidential"
                    done = cat.update(m.Publication, pid, expected_version=pub.version, **values)
                    saved.append((pid, done.version, values["title"]))
            counts[op] += 1
        except ConflictError:
            counts["conflicts"] += 1
        except KbaseError as exc:  # a record another desktop just trashed, a restore refused…
            counts["refused"] += 1
            counts["refused: " + str(exc).split(" ")[0]] += 0
    sync(cat, notes)
    problems = index_problems(cat)[0]
    ix = open_dir(cat.library.index_dir)
    with ix.searcher() as searcher:
        indexed = {int(f["pub"]) for f in searcher.reader().all_stored_fields() if f.get("kind") == "pub"}
    cat.library.close()
    out.put({"n": n, "role": role, "counts": dict(counts), "saved": saved, "indexed": sorted(indexed),
             "stale": [p.message for p in problems], "notes": notes})


def ids_of(cat: Any) -> list[int]:
    from sqlalchemy import select

    from kbase.library import models as m

    with cat.reading() as s:
        return [i for i in s.scalars(select(m.Publication.id)) if i is not None]


def sql_edit(login: str, pid: int, title: str) -> int | None:
    """A title typed in psql: the server logs it and gives it a version (checked at commit, made
    immediate here to read that version back); None when the record is gone or hidden."""
    import psycopg

    url = login.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, application_name="psql") as conn:
        done = conn.execute("UPDATE publication SET title = %s WHERE id = %s", (title, pid)).rowcount
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        row = conn.execute("SELECT version FROM publication WHERE id = %s", (pid,)).fetchone()
        conn.commit()
    return int(row[0]) if done and row else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--url", default=os.environ.get("KBASE_TEST_PG_URL"))
    args = ap.parse_args()
    if not args.url:
        print("needs a PostgreSQL server: run it through scripts/with-postgres.sh or give --url")
        return 2
    work = Path(tempfile.mkdtemp(prefix="kbase-soak-"))
    url = prepare(args.url, work)
    roles = ["admin"] + ["reader"] * 2 + ["librarian"] * max(0, args.clients - 3)
    until = time.time() + args.minutes * 60
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    started = time.time()
    procs = [ctx.Process(target=client, args=(n, role, url, str(work), until, out)) for n, role in enumerate(roles)]
    for p in procs:
        p.start()
    results = [out.get(timeout=args.minutes * 60 + 600) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.time() - started
    return report(url, results, elapsed)


def report(url: str, results: list[dict[str, Any]], elapsed: float) -> int:
    from kbase.catalogue import history
    from kbase.catalogue.records import Catalogue
    from kbase.library import models as m
    from kbase.library.db import open_library

    cat = Catalogue(open_library(url))  # the owner sees everything
    titles = {p.id: (p.title, p.version, p.visibility) for p in cat.all(m.Publication)}
    with cat.reading() as s:
        chain = history.verify(s)
    cat.library.close()
    last: dict[int, tuple[int, str]] = {}
    for r in results:
        for pid, version, title in r["saved"]:
            if pid not in last or version > last[pid][0]:
                last[pid] = (version, title)
    lost = [pid for pid, (version, title) in last.items() if pid in titles and titles[pid][0] != title]
    secret = {pid for pid, (_t, _v, vis) in titles.items() if vis == "confidential"}
    leaks = sum(len(secret & set(r["indexed"])) for r in results if r["role"] != "admin")
    stale = sum(len(r["stale"]) for r in results)
    total = Counter()
    for r in results:
        total.update(r["counts"])
    ops = sum(v for k, v in total.items() if k in WEIGHTS)
    print(f"{len(results)} desktops for {elapsed / 60:.1f} min: {ops} operations ({ops / elapsed:.1f}/s): "
          + ", ".join(f"{k} {total[k]}" for k in (*WEIGHTS, "conflicts", "refused")))
    print(f"change log: {chain.head} changes, checksum chain {'intact' if chain.ok else 'BROKEN: ' + chain.message()}")
    print(f"lost updates: {len(lost)}  stale index entries: {stale}  leaks: {leaks}")
    one, five, fifteen = os.getloadavg()  # the machine is shared: how busy it was during the run
    print(f"load average at the end: {one:.1f} (1 min), {five:.1f} (5 min), {fifteen:.1f} (15 min) "
          f"on {os.cpu_count()} CPUs")
    for r in results:
        for note in r["notes"]:
            print(f"desktop {r['n']}: {note}")
    crashed = [r for r in results if r.get("crashed")]
    for r in crashed:
        print(f"desktop {r['n']} ({r['role']}) crashed:\n{r['crashed']}")
    return 0 if not lost and not stale and not leaks and chain.ok and not crashed else 1


if __name__ == "__main__":
    sys.exit(main())
