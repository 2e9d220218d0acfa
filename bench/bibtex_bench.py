"""BibTeX benchmark: import and export of a generated 10,000-entry .bib (prints figures, asserts nothing).

Run: .venv/bin/python bench/bibtex_bench.py [--entries 10000] [--library URL-or-folder]
Baseline in the same run: bibtexparser 2 parsing the same text with its default middleware stack.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST = ["Jean-Marie", "Aimée", "Hans", "Özgür", "Filip", "Ken", "Steven", "Anne", "Julien", "Christoph",
         "Marie", "Joseph", "Grace", "Pascal", "Esther", "Désiré", "Nadia", "Omar", "Chantal", "Luc"]
LAST = ["Kasongo", "Nzeyimana", "M{\\\"u}ller", "{\\c{C}}elik", "Hilgert", "Matthysen", "Spittaels", "Vogel",
        "Mukendi", "Bashizi", "Kabila", "Lumumba", "Tshisekedi", "Ngoy", "Ilunga", "Mbuyi", "Kalala", "Mwamba",
        "Diallo", "Okafor", "Weng", "Schouten", "Peeters", "Janssens", "Maes"]
VON = ["van", "de", "de la", "van der"]
ORGS = ["{International Alert}", "{IPIS}", "{Global Witness}", "{Human Rights Watch}", "{Pact}",
        "{Levin Sources and Madini}", "{KP CSC}", "{Enough Project}"]
WORDS = ("gold cobalt tin tantalum tungsten diamonds mining artisanal conflict armed groups roadblocks taxation "
         "due diligence supply chain traceability Kivu Ituri Katanga Haut-Uele Maniema miners cooperative women "
         "children labour security incident reporting mapping analysis policy trade export").split()
TYPES = ["techreport", "article", "book", "incollection", "misc", "online", "phdthesis", "report", "inproceedings"]
KEYWORDS = ["gold", "cobalt", "3T", "diamonds", "child labour", "due diligence", "armed groups", "roadblocks"]


def make_bib(n: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    out = ['@string{ipis = "International Peace Information Service"}',
           '@string{roape = {Review of African Political Economy}}', ""]
    for i in range(n):
        etype = TYPES[i % len(TYPES)]
        people = []
        for _ in range(rnd.randint(1, 4)):
            r = rnd.random()
            if r < 0.1:
                people.append(rnd.choice(ORGS))
            elif r < 0.2:
                people.append(f"{rnd.choice(VON)} {rnd.choice(LAST)}, {rnd.choice(FIRST)}")
            else:
                people.append(f"{rnd.choice(LAST)}, {rnd.choice(FIRST)}")
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 10))).capitalize()
        fields = [f"  author = {{{' and '.join(people)}}}", f"  title = {{{title} {{DRC}} no. {i}}}",
                  f"  year = {rnd.randint(1995, 2024)}",
                  f"  month = {['jan', 'feb', 'mar', 'jun', 'sep', 'dec'][i % 6]}",
                  f"  keywords = {{{', '.join(rnd.sample(KEYWORDS, 2))}}}"]
        if etype in ("techreport", "report"):
            fields += ["  institution = ipis", "  type = {Briefing}" if i % 3 == 0 else "  number = {" + str(i) + "}"]
        elif etype == "article":
            fields += ['  journal = roape # " (special issue)"', f"  volume = {{{i % 50}}}", "  pages = {1--20}",
                       f"  doi = {{10.1000/bench.{i}}}"]
        elif etype in ("book", "incollection", "inproceedings"):
            fields += ["  publisher = {Academia Press}", "  address = {Ghent}", "  booktitle = {Conflict minerals}"]
        else:
            fields += [f"  url = {{https://example.org/item/{i}}}", "  howpublished = {Interactive map}"]
        fields.append("  abstract = {Na\\\"{\\i}ve {\\'e}tude -- of \\emph{mining} \\& trade in the region.}")
        out.append(f"@{etype}{{bench{i},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(out)


class Clock:
    """Wall time and this process's CPU time: on a shared, busy machine the two differ a lot."""

    def __enter__(self) -> "Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall, {self.cpu:5.2f} s CPU"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--library",
                    help="an empty library (folder or postgresql+psycopg:// URL); default: a new SQLite one")
    args = ap.parse_args()

    import bibtexparser

    from kbase.catalogue.records import Catalogue
    from kbase.formats.bibtex import export_bib
    from kbase.formats.bibtex.parse import parse_text
    from kbase.imports.records import import_bib
    from kbase.library.db import open_library

    tmp = Path(tempfile.mkdtemp(prefix="kbase-bibbench-"))
    bib = tmp / "bench.bib"
    text = make_bib(args.entries)
    bib.write_text(text, encoding="utf-8")
    print(f"generated {args.entries} entries, {len(text) / 1e6:.1f} MB: {bib}")

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with Clock() as base:
        bibtexparser.parse_string(text)
    print(f"baseline  bibtexparser.parse_string, default middleware: {base}")

    with Clock() as c:
        parsed = parse_text(text)
    print(f"parse     ours (macros, #, months, crossref), {len(parsed.entries)} entries: {c}  "
          f"({c.wall / base.wall:.2f}× baseline)")

    cat = Catalogue(open_library(args.library or str(tmp / "library"), create=True))
    with Clock() as c:
        report = import_bib(cat, bib)
    print(f"import    {len(report.created)} publications, {len(report.problems)} problems: {c}  "
          f"({c.wall / base.wall:.2f}× baseline; target ≤ 10 s)")

    for flavour in ("bibtex", "biblatex"):
        with Clock() as c:
            out = export_bib(cat, flavour=flavour)
        print(f"export    {flavour:8s} {out.count(chr(10) + '@') + 1} entries: {c}  "
              f"({c.wall / base.wall:.2f}× baseline; target ≤ 5 s)")

    from kbase.catalogue.dedupe import candidates
    from kbase.catalogue.quality import check_catalogue

    with Clock() as c:
        pairs = candidates(cat)
    print(f"dedupe    {len(pairs)} candidate pairs over every kind: {c}")
    with Clock() as c:
        findings = check_catalogue(cat)
    print(f"check     {len(findings)} quality findings: {c}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    cat.library.close()


if __name__ == "__main__":
    main()
