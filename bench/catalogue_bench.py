"""Catalogue benchmark: builds a large synthetic catalogue and times typical filtered queries.

Usage: .venv/bin/python bench/catalogue_bench.py [--library PATH-or-URL] [--repeat 15]
Builds 50,000 publications, 2,000 projects, 5,000 organisations and 20,000 people (into a
temporary folder unless --library is given; a PostgreSQL URL must point to an empty database),
then prints median and p95 per query and for opening the library.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from kbase.catalogue import query  # noqa: E402
from kbase.catalogue.query import Filter  # noqa: E402
from kbase.catalogue.records import Catalogue  # noqa: E402
from kbase.library import models as m  # noqa: E402
from kbase.library.db import open_library  # noqa: E402
from kbase.text import fold_words  # noqa: E402

WORDS = ("gold cobalt diamonds mining artisanal conflict supply chain due diligence militia checkpoint "
         "taxation roadblock human rights grievance impact monitoring incident tin tantalum tungsten "
         "cassiterite coltan province territory cooperative trader export smuggling security stockpile "
         "arms trade bulletin briefing assessment baseline survey mapping dashboard webmap").split()
N_PUB, N_PROJ, N_ORG, N_PERSON = 50_000, 2_000, 5_000, 20_000


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize()


def build(lib: Any, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    base = {"version": 1, "created": now, "updated": now}
    with lib.engine.begin() as conn:
        conn.execute(insert(m.Programme), [{"name": f"Programme {i}", **base} for i in range(1, 7)])
        conn.execute(insert(m.Series), [{"name": f"Series {i}", "periodical": i < 4, **base} for i in range(1, 21)])
        conn.execute(insert(m.Subject), [{"name": f"{w} {i}", **base} for i, w in enumerate(WORDS, 1)])
        regions, aliases = [], []
        rid = 0
        for c in range(1, 21):  # 20 countries × 10 provinces × 10 territories
            rid += 1
            country = rid
            regions.append({"id": rid, "name": f"Country {c}", "level": "country", "parent_id": None,
                            "path": f"/{rid}/", **base})
            for p in range(10):
                rid += 1
                prov = rid
                regions.append({"id": rid, "name": f"Province {c}.{p}", "level": "province", "parent_id": country,
                                "path": f"/{country}/{prov}/", **base})
                for t in range(10):
                    rid += 1
                    regions.append({"id": rid, "name": f"Territory {c}.{p}.{t}", "level": "territory",
                                    "parent_id": prov, "path": f"/{country}/{prov}/{rid}/", **base})
        conn.execute(insert(m.Region), regions)
        conn.execute(insert(m.RegionAlias), [{"region_id": r["id"], "alias": r["name"], "norm": fold_words(r["name"])}
                                             for r in regions])
        n_regions = len(regions)
        orgs = [{"id": i, "name": f"Organisation {i} {rng.choice(WORDS)}", "acronym": f"O{i}", "kind": "NGO", **base}
                for i in range(1, N_ORG + 1)]
        conn.execute(insert(m.Organisation), orgs)
        for o in orgs:
            aliases.append({"organisation_id": o["id"], "alias": o["name"], "norm": fold_words(o["name"])})
            aliases.append({"organisation_id": o["id"], "alias": o["acronym"], "norm": fold_words(o["acronym"])})
        conn.execute(insert(m.OrganisationAlias), aliases)
        people = [{"id": i, "name": f"Person {i} {rng.choice(WORDS).title()}", "role": "external", **base}
                  for i in range(1, N_PERSON + 1)]
        conn.execute(insert(m.Person), people)
        conn.execute(insert(m.PersonAlias), [{"person_id": p["id"], "alias": p["name"], "norm": fold_words(p["name"])}
                                             for p in people])
        projects = [{"id": i, "title": f"Project {i}: {_title(rng)}", "short_name": f"P{i}",
                     "programme_id": rng.randint(1, 6), "start": date(rng.randint(2010, 2022), 1, 1),
                     "visibility": "public", **base} for i in range(1, N_PROJ + 1)]
        conn.execute(insert(m.Project), projects)
        conn.execute(insert(m.ProjectOrganisation), [
            {"project_id": j, "organisation_id": o, "role": role, "position": k}
            for j in range(1, N_PROJ + 1) for k, (o, role) in enumerate(
                {(rng.randint(1, N_ORG), r) for r in ("partner", "partner", "funder")})])
        assignments = [{"id": i, "project_id": j, "year": y} for i, (j, y) in enumerate(
            {(rng.randint(1, N_PROJ), rng.randint(2012, 2022)) for _ in range(5000)}, 1)]
        conn.execute(insert(m.Assignment), assignments)
        conn.execute(insert(m.AssignmentClient), [{"assignment_id": a["id"], "organisation_id": rng.randint(1, N_ORG)}
                                                  for a in assignments])
        conn.execute(insert(m.ProjectRegion), [
            {"project_id": j, "region_id": r}
            for j, r in {(rng.randint(1, N_PROJ), rng.randint(1, n_regions)) for _ in range(4000)}])
        pubs, contributors, links, regs, subs = [], [], [], [], []
        for i in range(1, N_PUB + 1):
            title = _title(rng)
            pubs.append({"id": i, "title": title, "title_norm": fold_words(title),
                         "type": rng.choice(m.PUBLICATION_TYPES), "year": rng.randint(2000, 2022),
                         "month": rng.randint(1, 12), "series_id": rng.choice([None, rng.randint(1, 20)]),
                         "language": rng.choice(["en", "fr"]),
                         "visibility": rng.choice(["public"] * 8 + ["internal", "confidential"]),
                         "publisher_id": rng.randint(1, N_ORG), **base})
            for pos in range(rng.randint(1, 3)):
                if rng.random() < 0.8:
                    contributors.append({"publication_id": i, "position": pos, "role": "author",
                                         "person_id": rng.randint(1, N_PERSON), "organisation_id": None})
                else:
                    contributors.append({"publication_id": i, "position": pos, "role": "author", "person_id": None,
                                         "organisation_id": rng.randint(1, N_ORG)})
            links.append({"publication_id": i, "project_id": rng.randint(1, N_PROJ)})
            regs.append({"publication_id": i, "region_id": rng.randint(1, n_regions)})
            subs.extend({"publication_id": i, "subject_id": s} for s in {rng.randint(1, len(WORDS)) for _ in range(2)})
        for chunk in range(0, len(pubs), 5000):
            conn.execute(insert(m.Publication), pubs[chunk:chunk + 5000])
        conn.execute(insert(m.Contributor), contributors)
        conn.execute(insert(m.PublicationProject), links)
        conn.execute(insert(m.PublicationRegion), regs)
        conn.execute(insert(m.PublicationSubject), subs)
    if lib.engine.dialect.name == "postgresql":
        with lib.engine.begin() as conn:
            for table in ("programme", "series", "subject", "region", "organisation", "person", "project",
                          "assignment", "publication", "contributor"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', "
                                     f"'{'id'}'), (SELECT max(id) FROM {table}))")
            conn.exec_driver_sql("ANALYZE")
    else:
        with lib.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def queries(cat: Catalogue) -> list[tuple[str, Callable[[], Any]]]:
    f = lambda **kw: (lambda: query.find_ids(cat, "publication", Filter(**kw), sort="title"))  # noqa: E731
    return [
        ("publications of one type", f(types=["report"])),
        ("publications of one year", f(year_from=2021, year_to=2021)),
        ("type + year range", f(types=["briefing"], year_from=2015, year_to=2020)),
        ("one series, newest first",
         lambda: query.find_ids(cat, "publication", Filter(series="Series 3"), sort="year", descending=True)),
        ("one project", f(project="P17")),
        ("one programme", f(programme="Programme 2")),
        ("region: a country and below", f(region="Country 3")),
        ("region: a province and below", f(region="Province 3.4")),
        ("organisation as author", f(organisation="O42", role="author")),
        ("organisation as funder (via projects)", f(organisation="O77", role="funder")),
        ("one person", f(person=cat.get(m.Person, 123).name)),
        ("one subject", f(subject="gold 1")),
        ("public only, one year", f(visibility=["public"], year_from=2019, year_to=2019)),
        ("title words", f(text="cobalt")),
        ("title words + type", f(text="due diligence", types=["report"])),
        ("projects with an assignment in a year", lambda: query.find_ids(cat, "project", Filter.year(2020))),
        ("projects of a client", lambda: query.find_ids(cat, "project", Filter(organisation="O5", role="client"))),
        ("organisation lookup by alias", lambda: cat.lookup(m.Organisation, "o4242")),
        ("count: region + type", lambda: query.count(cat, "publication", Filter(region="Country 5", types=["report"]))),
        ("first page of all publications by date",
         lambda: query.find_ids(cat, "publication", sort="year", descending=True, limit=200)),
    ]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm the caches once, as a running app would be
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--library", help="where to build (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    location = args.library or str(Path(tempfile.mkdtemp(prefix="kbase-bench-")) / "library")
    t = time.perf_counter()
    lib = open_library(location, create=True)
    build(lib)
    lib.close()
    print(f"built {N_PUB:,} publications, {N_PROJ:,} projects, {N_ORG:,} organisations, {N_PERSON:,} people "
          f"in {time.perf_counter() - t:.1f} s ({lib.engine.dialect.name})")
    opens = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        lib = open_library(location)
        Catalogue(lib).count(m.Publication)
        opens.append((time.perf_counter() - t) * 1000)
        lib.close()
    cat = Catalogue(open_library(location))
    print(f"\n{'query':45} {'rows':>7} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'open the library (+ first count)':45} {'':>7} {statistics.median(opens):10.1f} {p95(opens):8.1f}")
    worst = 0.0
    for name, fn in queries(cat):
        rows = fn()
        times = timed(fn, args.repeat)
        worst = max(worst, p95(times))
        n = rows if isinstance(rows, int) else len(rows)
        print(f"{name:45} {n:7,} {statistics.median(times):10.1f} {p95(times):8.1f}")
    print(f"\nworst query p95: {worst:.1f} ms (aim: under 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
