"""Times the annual report for a synthetic year (500 projects, 5,000 publications) in each format.

Run: .venv/bin/python bench/report_bench.py [--projects 500] [--publications 5000] [--keep DIR] [--style apa]
Prints seconds per format and the ratio to a baseline measured in the same run (loading the
year's publications with kbase.catalogue.query, no report). Every format includes the charts (finances,
outputs per programme and type, publications per month, assignments per client); the charts alone are
timed too. --style also times the Markdown report with the outputs cited in a CSL style."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from kbase.catalogue.query import Filter, find_ids, load
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.report import build_annual
from kbase.report.annual import annual_context

YEAR = 2021
WORDS = ("artisanal mining gold cobalt conflict supply chain due diligence region province survey map "
         "checkpoint security arms trade human rights business diamonds impact assessment field data").split()


def phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def build(folder: Path, n_projects: int, n_pubs: int, seed: int = 7) -> Catalogue:
    """A library holding one busy year, written in one session (setup is not what we measure)."""
    rng = random.Random(seed)
    cat = Catalogue(open_library(str(folder), create=True))
    with cat.transaction() as s:
        programmes = [m.Programme(name=f"Programme {i}") for i in range(6)]
        series = [m.Series(name=f"Monthly {i}", periodical=True) for i in range(2)] + [m.Series(name="Papers")]
        orgs = [m.Organisation(name=f"Organisation {i} {phrase(rng, 2)}", acronym=f"O{i}") for i in range(400)]
        people = [m.Person(name=f"Person {i} {rng.choice(WORDS).title()}", role=rng.choice(m.PERSON_ROLES[:3]),
                          title="Researcher" if i % 3 else "Officer") for i in range(300)]
        s.add_all(programmes + series + orgs + people)
        s.flush()
        projects = [m.Project(title=f"Project {i}: {phrase(rng, 6)}", programme_id=rng.choice(programmes).id,
                              summary=phrase(rng, 60) + ".", url=f"https://example.org/project/{i}",
                              start=date(YEAR - rng.randint(0, 3), 1, 1), end=date(YEAR + rng.randint(0, 2), 12, 31))
                    for i in range(n_projects)]
        s.add_all(projects)
        s.flush()
        for j in projects:
            for pos, o in enumerate(rng.sample(orgs, 4)):
                s.add(m.ProjectOrganisation(project_id=j.id, organisation_id=o.id,
                                            role="partner" if pos < 3 else "funder", position=pos))
            for y in (YEAR - 2, YEAR - 1, YEAR):
                a = m.Assignment(project_id=j.id, year=y)
                s.add(a)
                s.flush()
                for pos, o in enumerate(rng.sample(orgs, rng.randint(1, 2))):
                    s.add(m.AssignmentClient(assignment_id=a.id, organisation_id=o.id, position=pos))
        pubs = []
        for i in range(n_pubs):
            month = rng.randint(1, 12)
            title = f"{phrase(rng, 10)} {i}"
            pubs.append(m.Publication(
                title=title, title_norm=title.lower(), type=rng.choice(m.PUBLICATION_TYPES), year=YEAR,
                month=month, month_end=month + 1 if month < 12 and i % 7 == 0 else None,
                series_id=rng.choice(series).id if i % 4 == 0 else None, publisher_id=orgs[0].id,
                url=f"https://example.org/publication/{i}", visibility="internal" if i % 50 == 0 else "public"))
        s.add_all(pubs)
        s.flush()
        for i, p in enumerate(pubs):
            for pos, who in enumerate(rng.sample(people, rng.randint(1, 3))):
                s.add(m.Contributor(publication_id=p.id, position=pos, person_id=who.id))
            if i % 5 == 0:
                s.add(m.Contributor(publication_id=p.id, position=9, organisation_id=rng.choice(orgs).id))
            s.add(m.PublicationProject(publication_id=p.id, project_id=projects[i % n_projects].id))
        for _ in range(300):
            e = m.Event(title=phrase(rng, 8), date=date(YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                        place="Antwerp", description=phrase(rng, 25))
            s.add(e)
            s.flush()
            for pos, who in enumerate(rng.sample(people, 2)):
                s.add(m.EventPerson(event_id=e.id, person_id=who.id, position=pos))
        for pos, (kind, label) in enumerate([("income", f"Source {i}") for i in range(12)]
                                            + [("expense", f"Category {i}") for i in range(8)]):
            s.add(m.FinanceLine(year=YEAR, kind=kind, label=label, amount_cents=rng.randint(10**6, 10**9),
                                position=pos))
    return cat


def timed(fn, repeat: int = 1) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    """Best wall-clock and CPU seconds of repeat runs (CPU time is what a busy machine cannot inflate)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--publications", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs per figure")
    parser.add_argument("--keep", metavar="DIR", help="also write the reports into DIR")
    parser.add_argument("--style", help="also time the Markdown report in this citation style (apa, harvard…)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kbase-report-bench-"))
    try:
        start = time.perf_counter()
        cat = build(folder / "library", args.projects, args.publications)
        print(f"synthetic year {YEAR}: {args.projects} projects, {args.publications} publications, "
              f"300 events (built in {time.perf_counter() - start:.1f} s)")
        build_annual(cat, YEAR, "md")  # warm caches: templates compiled, modules imported
        baseline, baseline_cpu, _ = timed(lambda: load(cat, "publication",
                                         find_ids(cat, "publication", Filter.year(YEAR, visibility=["public"]))),
                            args.repeat)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; wall s (CPU s), ratio on CPU time")
        print(f"{'baseline: load the year publications':40s} {baseline:6.2f} s ({baseline_cpu:5.2f})")
        gather, gather_cpu, ctx = timed(lambda: annual_context(cat, YEAR), args.repeat)
        print(f"{'gather the report data':40s} {gather:6.2f} s ({gather_cpu:5.2f})"
              f"   x{gather_cpu / baseline_cpu:5.1f} baseline"
              f"   ({len(ctx['publications'])} publications, {sum(len(g['projects']) for g in ctx['programmes'])}"
              f" projects)")
        from kbase.report.charts import add_figures, render

        def charts() -> int:
            add_figures(cat, ctx)
            return sum(len(render(c, kind)) for c in ctx["chart_data"].values() for kind in ("svg", "pdf", "png"))

        seconds, cpu, _ = timed(charts, args.repeat)
        print(f"{'the 4 charts in svg, pdf and png':40s} {seconds:6.2f} s ({cpu:5.2f})"
              f"   x{cpu / baseline_cpu:5.1f} baseline")
        for fmt in ("md", "html", "pdf", "docx"):
            seconds, cpu, (out, warnings) = timed(lambda fmt=fmt: build_annual(cat, YEAR, fmt), args.repeat)
            size = len(out.encode("utf-8") if isinstance(out, str) else out)
            extra = ""
            if fmt == "pdf":
                import pymupdf

                extra = f", {pymupdf.open('pdf', out).page_count} pages"
            verdict = "ok" if seconds <= 5 else "over 5 s wall" + (", CPU ok" if cpu <= 5 else "")
            print(f"{'annual report, ' + fmt:40s} {seconds:6.2f} s ({cpu:5.2f})   x{cpu / baseline_cpu:5.1f} baseline"
                  f"   {size / 1e6:6.2f} MB{extra}   {verdict}")
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                target = Path(args.keep) / f"bench-report.{fmt}"
                target.write_bytes(out if isinstance(out, bytes) else out.encode("utf-8"))
        if args.style:
            seconds, cpu, _ = timed(lambda: build_annual(cat, YEAR, "md", style=args.style), 1)
            print(f"{'annual report, md, --style ' + args.style:40s} {seconds:6.2f} s ({cpu:5.2f})"
                  f"   x{cpu / baseline_cpu:5.1f} baseline")
        cat.library.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
