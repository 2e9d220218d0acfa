"""Team benchmark: N desktop processes on one PostgreSQL catalogue doing mixed work at once.

Usage: scripts/with-postgres.sh .venv/bin/python bench/team_bench.py [--clients 8] [--seconds 60]
       (or --url postgresql+psycopg://user@host/db of a server where the user may CREATE DATABASE)
Makes a new database with the demo catalogue plus generated PDFs, then runs a one-client
baseline and the N-client run. Each client has its own local folder (index, file cache),
searches, reads records, edits (compare-and-set on the version, reload on refusal), imports
small PDFs (half of them files the other clients import too) and syncs its index every 5 s.
Prints throughput, p50/p95 per operation kind (wall time, and the client's own CPU time: the
rest is waiting for a CPU, the server or a lock), conflicts detected, lost updates (must be 0)
and files stored twice (must be 0). --profile DIR writes a cProfile per operation kind of the
first client of the N-client run (DIR/<kind>.prof; read them with `python -m pstats`).
--answers FILE: before the runs, the answers to a fixed set of queries (hits, pages, order,
snippets, facets) are written to FILE, or compared with it when it exists (the catalogue is the
same in every run; this run's answers go to FILE.new.json beside it, for a diff): run it once on
the code before a change and once after.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing as mp
import os
import queue
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("gold cobalt diamonds mining artisanal conflict supply chain diligence militia checkpoint "
         "taxation roadblock rights grievance monitoring incident tin tantalum tungsten cassiterite "
         "coltan province territory cooperative trader export smuggling security stockpile Kivu Ituri "
         "Kamituga Walikale Bukavu Goma Mongbwalu Kolwezi Katanga Tanzania Geita Shinyanga").split()
HOT = 4  # publications every client edits: few on purpose, so edits collide
WEIGHTS = {"search": 40, "read": 35, "edit": 20, "import": 5}
SYNC_EVERY = 5.0


def make_pdf(path: Path, rng: random.Random, tag: str) -> Path:
    import pymupdf

    doc = pymupdf.open()
    for page in range(rng.randint(1, 3)):
        p = doc.new_page()
        line = " ".join(rng.choice(WORDS) for _ in range(12))
        p.insert_text((72, 72), f"{tag} page {page + 1}", fontsize=12)
        p.insert_text((72, 100), line, fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    doc.close()
    return path


def prepare(admin_url: str, work: Path) -> tuple[str, list[int], dict[int, int]]:
    """A new database holding the demo catalogue and 30 imported PDFs; the hot publications."""
    import psycopg

    from kbase.catalogue.demo import load_demo
    from kbase.catalogue.records import Catalogue
    from kbase.imports.pipeline import import_paths
    from kbase.library import models as m
    from kbase.library.db import open_library

    name = f"kbase_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    os.environ["KBASE_LOCAL_DIR"] = str(work / "setup")
    cat = Catalogue(open_library(url, create=True))
    load_demo(cat)
    rng = random.Random(1)
    pdfs = [make_pdf(work / "seed" / f"seed{i}.pdf", rng, f"seed{i}") for i in range(30)]
    import_paths(cat, pdfs, workers=1, index=False)  # one worker: the same IDs in every run (--answers)
    ids = [p.id for p in cat.all(m.Publication)]
    hot = ids[:HOT]
    versions = {pid: cat.get(m.Publication, pid).version for pid in hot}
    for i in range(40):  # the files every client may import: the same bytes on every desktop
        make_pdf(work / "shared" / f"shared{i}.pdf", random.Random(1000 + i), f"shared{i}")
    cat.library.close()
    return url, hot, versions


QUERIES = [*WORDS[:24], "gold cobalt", "gold OR tin", "mining NOT gold", '"supply chain"', "min*", "cobalt~",
           "seed1", "title:seed* gold", "Kivu AND (gold OR tin)"]


def answers(url: str, work: Path) -> list[dict[str, Any]]:
    """The search's answers on a fresh index of the catalogue: what a change must not alter."""
    os.environ["KBASE_LOCAL_DIR"] = str(work / "answers")
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library
    from kbase.search.api import search
    from kbase.search.indexing import sync

    cat = Catalogue(open_library(url))
    sync(cat)
    out = []
    for q in QUERIES:
        for sort, internal in (("relevance", True), ("date", False)):
            found = search(cat, q, limit=20, sort=sort, include_internal=internal).as_dict()
            out.append({"sort": sort, "internal": internal, **found})
    cat.library.close()
    return out


def compare_answers(path: Path, got: list[dict[str, Any]]) -> str:
    if not path.exists():
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False))
        return f"answers to {len(got)} queries written to {path}"
    expected = json.loads(path.read_text())
    path.with_suffix(".new.json").write_text(json.dumps(got, indent=1, ensure_ascii=False))
    differ = [f"{a['query']!r} ({a['sort']})" for a, b in zip(expected, got, strict=False) if a != b]
    if len(expected) != len(got) or differ:
        return f"ANSWERS DIFFER from {path}: {', '.join(differ) or 'not the same queries'}"
    return f"answers to {len(got)} queries: the same as in {path}"


def client(idx: int, url: str, work: str, tag: str, seconds: float, go: Any, hot: list[int], out: Any,
           guarded: bool = True, mix: dict[str, int] = WEIGHTS, sync_every: float = SYNC_EVERY,
           profile: str = "") -> None:
    """One desktop: its own local folder and connection pool, working until the deadline."""
    local = Path(work) / tag / f"client{idx}"
    os.environ["KBASE_LOCAL_DIR"] = str(local)
    from kbase.catalogue import views
    from kbase.catalogue.records import Catalogue
    from kbase.errors import ConflictError, KbaseError
    from kbase.imports.pipeline import import_paths
    from kbase.library import models as m
    from kbase.library.db import open_library
    from kbase.search.api import search
    from kbase.search.indexing import sync

    rng = random.Random(idx * 7919 + len(tag))
    cat = Catalogue(open_library(url))
    t0 = time.perf_counter()
    sync(cat)
    lat: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    lat["first sync"].append(time.perf_counter() - t0)
    profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile) if profile and idx == 0 else {}
    with cat.reading() as s:
        from sqlalchemy import select
        ids = list(s.scalars(select(m.Publication.id)))
    conflicts = errors = 0
    applied: list[int] = []
    markers: list[tuple[int, str]] = []
    kinds, weights = list(mix), list(mix.values())
    shared = sorted((Path(work) / "shared").glob("*.pdf"))
    out.put(("ready", idx))
    go.wait()  # every desktop has its index before anyone starts the clock
    deadline = time.time() + seconds
    next_sync = time.time() + sync_every if sync_every > 0 else float("inf")
    n = 0
    while time.time() < deadline:
        kind = "sync" if time.time() >= next_sync else rng.choices(kinds, weights)[0]
        if profile and idx == 0:
            profiles[kind].enable()
        t, c = time.perf_counter(), time.process_time()
        try:
            if kind == "sync":
                applied.append(sync(cat))
                next_sync = time.time() + sync_every if sync_every > 0 else float("inf")
            elif kind == "search":
                search(cat, rng.choice(WORDS), limit=20)
            elif kind == "read":
                views.describe(cat, "publication", rng.choice(ids))
            elif kind == "edit":
                pid = rng.choice(hot)
                marker = f"[c{idx}.{n}]"
                for _attempt in range(20):  # what the app does on "reload": read again, apply, save
                    rec = cat.get(m.Publication, pid)
                    try:
                        cat.update(m.Publication, pid, expected_version=rec.version if guarded else None,
                                   abstract=(rec.abstract or "") + marker)
                        markers.append((pid, marker))
                        break
                    except ConflictError:
                        conflicts += 1
            elif kind == "import":
                if rng.random() < 0.5:
                    pdf = rng.choice(shared)
                else:
                    pdf = make_pdf(local / "new" / f"n{n}.pdf", rng, f"{tag} client{idx} file {n}")
                import_paths(cat, [pdf], workers=1, index=False)
        except KbaseError:
            errors += 1
        lat[kind].append(time.perf_counter() - t)
        cpu[kind].append(time.process_time() - c)
        if profile and idx == 0:
            profiles[kind].disable()
        n += 1
    cat.library.close()
    for kind, prof in profiles.items():
        prof.dump_stats(str(Path(profile) / f"{kind}.prof"))
    out.put(("done", {"lat": dict(lat), "cpu": dict(cpu), "conflicts": conflicts, "errors": errors,
                      "markers": markers, "applied": applied}))


def run(url: str, work: Path, tag: str, clients: int, seconds: float, hot: list[int],
        guarded: bool = True, mix: dict[str, int] = WEIGHTS, sync_every: float = SYNC_EVERY,
        profile: str = "") -> list[dict[str, Any]]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    go = ctx.Event()
    procs = [ctx.Process(target=client,
                         args=(i, url, str(work), tag, seconds, go, hot, out, guarded, mix, sync_every, profile))
             for i in range(clients)]
    for p in procs:
        p.start()
    results = []
    ready = 0
    while len(results) < clients:
        try:
            kind, payload = out.get(timeout=2)
        except queue.Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:  # a client that crashed would keep the others waiting for ever
                for p in procs:
                    p.kill()
                raise SystemExit(f"team_bench: {len(dead)} client process(es) failed; see the messages above") from None
            continue
        if kind == "ready":
            ready += 1
            if ready == clients:
                go.set()
        else:
            results.append(payload)
    for p in procs:
        p.join()
    return results


def check(url: str, hot: list[int], versions: dict[int, int], results: list[dict[str, Any]]) -> dict[str, int]:
    """Lost updates: saved edits whose marker is gone or whose version bump is missing."""
    from sqlalchemy import func, select

    from kbase.catalogue.records import Catalogue
    from kbase.library import models as m
    from kbase.library.db import open_library

    cat = Catalogue(open_library(url))
    saved: dict[int, list[str]] = defaultdict(list)
    for r in results:
        for pid, marker in r["markers"]:
            saved[pid].append(marker)
    lost = 0
    for pid in hot:
        rec = cat.get(m.Publication, pid)
        text = rec.abstract or ""
        missing = sum(1 for mk in saved[pid] if mk not in text)
        lost += max(missing, len(saved[pid]) - (rec.version - versions[pid]))
    with cat.reading() as s:
        twice = s.scalar(select(func.count()).select_from(
            select(m.Attachment.sha256).group_by(m.Attachment.sha256).having(func.count() > 1).subquery()))
        files = s.scalar(select(func.count()).select_from(m.StoredFile))
    cat.library.close()
    return {"lost": lost, "twice": twice or 0, "files": files or 0, "edits": sum(len(v) for v in saved.values())}


def summary(label: str, results: list[dict[str, Any]], seconds: float) -> dict[str, float]:
    lat: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for kind, values in r["lat"].items():
            lat[kind].extend(values)
        for kind, values in r.get("cpu", {}).items():
            cpu[kind].extend(values)
    total = sum(len(v) for k, v in lat.items() if k != "first sync")
    print(f"\n{label}: {total} operations in {seconds:.0f} s = {total / seconds:.1f} ops/s "
          f"(conflicts {sum(r['conflicts'] for r in results)}, errors {sum(r['errors'] for r in results)})")
    print(f"  {'kind':<11} {'count':>6} {'ops/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8}")
    rates = {}
    for kind in ("search", "read", "edit", "import", "sync", "first sync"):
        values = sorted(lat.get(kind, []))
        if not values:
            continue
        p50 = statistics.median(values) * 1000
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))] * 1000
        rate = len(values) / seconds if kind != "first sync" else float("nan")
        rates[kind] = rate
        used = sorted(cpu.get(kind, [])) or [float("nan")]
        c50 = statistics.median(used) * 1000
        c95 = used[min(len(used) - 1, int(len(used) * 0.95))] * 1000
        print(f"  {kind:<11} {len(values):>6} {rate:>7.1f} {p50:>8.1f} {p95:>8.1f} {c50:>8.1f} {c95:>8.1f}")
    applied = sorted(n for r in results for n in r.get("applied", []))
    if applied:
        print(f"  index sync applied {statistics.median(applied):.0f} changes per call (p50), {applied[-1]} at most")
    rates["total"] = total / seconds
    return rates


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("KBASE_TEST_PG_URL"),
                    help="server URL of a user who may create databases")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--baseline-seconds", type=float, default=15)
    ap.add_argument("--unguarded", action="store_true",
                    help="edit without the version check, to show that the lost-update count can see losses")
    ap.add_argument("--mix", default=",".join(f"{k}={v}" for k, v in WEIGHTS.items()),
                    help="weights of the operation kinds, e.g. search=40,read=35,edit=20,import=5")
    ap.add_argument("--sync-every", type=float, default=SYNC_EVERY, help="seconds between index syncs (0: never)")
    ap.add_argument("--profile", default="", help="folder for a cProfile per operation kind of one client")
    ap.add_argument("--answers", default="", help="file of the answers to compare with (written when missing)")
    args = ap.parse_args()
    try:
        mix = {k: int(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    except ValueError:
        print(f"team_bench: cannot read --mix {args.mix!r}", file=sys.stderr)
        return 2
    if not set(mix) <= set(WEIGHTS) or not any(mix.values()):
        print(f"team_bench: --mix takes the kinds {', '.join(WEIGHTS)}", file=sys.stderr)
        return 2
    if not args.url:
        print("team_bench: no server: run it under scripts/with-postgres.sh or pass --url", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kbase-team-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        url, hot, versions = prepare(args.url, work)
        print(f"prepared demo catalogue + 30 PDFs in {time.perf_counter() - t:.1f} s; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} before the run; "
              f"mix {mix}, index sync every {args.sync_every:.0f} s, {HOT} hot publications")
        verdict = compare_answers(Path(args.answers), answers(url, work)) if args.answers else ""
        if verdict:
            print(verdict)
        base = (run(url, work, "baseline", 1, args.baseline_seconds, hot, True, mix, args.sync_every)
                if args.baseline_seconds > 0 else [])
        rates1 = summary("baseline, 1 client", base, args.baseline_seconds) if base else {}
        if args.profile:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
        results = run(url, work, "team", args.clients, args.seconds, hot, not args.unguarded, mix, args.sync_every,
                      str(Path(args.profile).resolve()) if args.profile else "")
        rates = summary(f"{args.clients} clients" + (" (edits WITHOUT the version check)" if args.unguarded else ""),
                        results, args.seconds)
        print(f"load average after the run: {os.getloadavg()[0]:.1f} (the server and all clients share these CPUs)")
        found = check(url, hot, versions, base + results)
        if rates1:
            print(f"\nthroughput {args.clients} clients / 1 client: {rates['total'] / rates1['total']:.2f}x")
        print(f"saved edits {found['edits']}, conflicts detected {sum(r['conflicts'] for r in base + results)}, "
              f"lost updates {found['lost']}")
        print(f"stored files {found['files']}, files stored twice {found['twice']}")
        if verdict.startswith("ANSWERS DIFFER"):
            print(verdict)
            return 1
        return 1 if (found["lost"] and not args.unguarded) or found["twice"] else 0


if __name__ == "__main__":
    sys.exit(main())
