"""RIS and CSL-JSON through the import pipeline and the CLI: counts add up, dry runs write nothing, undo
takes the batch back, a second import matches, and `kbase export ris` round-trips into a fresh library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pdfs
import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.formats.exporters import export_csl_json, export_ris
from kbase.formats.exporters.records import load_publications
from kbase.imports.batches import list_batches, undo_batch
from kbase.imports.pipeline import import_paths
from kbase.imports.records import bibliography_format, import_csl_json, import_ris
from kbase.library import models as m
from kbase.library.db import open_library
from tests.conftest import make_location

RIS = """TY  - JOUR
AU  - Kabila, Aline
AU  - Mwamba, Joseph
TI  - Gold flows from Ituri
T2  - Review of African Political Economy
PY  - 2019
DA  - 2019/05/03/
VL  - 46
IS  - 3
SP  - 1
EP  - 20
SN  - 0305-6244
DO  - 10.1080/03056244.2019.1234567
KW  - gold
KW  - artisanal mining
AB  - How gold leaves Ituri.
N1  - Read for the Ituri report
ER  -

TY  - RPRT
AU  - International Peace Information Service,
TI  - Mapping artisanal mines in South Kivu
PB  - IPIS
CY  - Antwerp
PY  - 2021
DA  - 2021/06//
M3  - Briefing
UR  - https://ipisresearch.be/mapping
ER  -

TY  - BOOK
AU  - Verweijen, Judith
A2  - Vlassenroot, Koen
TI  - Violent capitalism
PB  - Zed Books
PY  - 2020
SN  - 978-0-306-40615-7
T3  - African Arguments
LA  - en
ER  -

TY  - JOUR
ER  -

TY  - CHAP
AU  - Ndaywel è Nziem, Isidore
TI  - Une histoire du Congo
T2  - Histoire générale
PY  - 2009
SP  - 10
EP  - 30
Y2  - 2020/01/02/
ER  -
"""

CSL = [
    {"id": "kabila2019gold", "type": "article-journal", "title": "Gold flows from Ituri",
     "author": [{"family": "Kabila", "given": "Aline"}, {"family": "Mwamba", "given": "Joseph"}],
     "container-title": "Review of African Political Economy", "issued": {"date-parts": [[2019, 5, 3]]},
     "volume": "46", "issue": "3", "page": "1-20", "DOI": "10.1080/03056244.2019.1234567"},
    {"id": "ipis2021", "type": "report", "genre": "Briefing", "title": "Mapping artisanal mines in South Kivu",
     "author": [{"literal": "International Peace Information Service"}], "publisher": "IPIS",
     "issued": {"date-parts": [[2021, 6]]}, "URL": "https://ipisresearch.be/mapping"},
    {"id": "beethoven1990", "type": "book", "title": "Letters",
     "author": [{"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}],
     "issued": {"raw": "1990"}, "ISBN": "978-0-306-40615-7", "note": "PMID: 123\nA note"},
    {"id": "empty"},
]


def _count(cat: Catalogue, model: type = m.Publication) -> int:
    with cat.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    ris = tmp_path / "refs.ris"
    ris.write_text(RIS, encoding="utf-8")
    csl = tmp_path / "items.json"
    csl.write_text(json.dumps(CSL, indent=2, ensure_ascii=False), encoding="utf-8")
    return ris, csl


def test_both_formats_through_import_paths(cat: Catalogue, tmp_path: Path) -> None:
    ris, csl = _files(tmp_path)
    report = import_paths(cat, [ris, csl], index=False)
    by_file = {Path(f.path).name: f for f in report.files}
    r, c = by_file["refs.ris"], by_file["items.json"]
    assert (r.status, r.created, r.matched, r.refused) == ("ris", 4, 0, 1)
    # the CSL file's article and report are the RIS file's: matched; the book has the same ISBN as Verweijen's
    # but another title and author, so it is linked by its ISBN
    assert c.created + c.matched + c.refused == 4 and c.refused == 1 and c.matched >= 2
    assert [(p["line"], p["reason"].split(":")[0]) for p in r.problems] == [(42, "nothing to import")]
    last_item = max(i for i, ln in enumerate(csl.read_text().split("\n"), 1) if ln == "  {")
    assert c.problems[0]["key"] == "empty" and c.problems[0]["line"] == last_item
    assert report.totals()["created"] == _count(cat) and all(f.batch == report.batch for f in report.files)
    batch = list_batches(cat)[0]
    assert batch["id"] == report.batch and batch["counts"]["created"] == _count(cat)

    art = next(p for p in cat.all(m.Publication) if p.citekey == "kabila2019gold")
    assert (art.type, art.year, art.month, art.day, art.pages, art.number) == ("article", 2019, 5, 3, "1–20", "3")
    extra = cat.extra(art)
    assert extra["fields"]["volume"] == "46" and extra["fields"]["issn"] == "0305-6244" and extra["ris_type"] == "JOUR"
    brief = next(p for p in cat.all(m.Publication) if p.title.startswith("Mapping"))
    assert brief.type == "briefing" and brief.month == 6 and brief.place == "Antwerp"

    undone = undo_batch(cat, report.batch or 0)
    assert undone.deleted["publications"] == report.totals()["created"] and _count(cat) == 0
    assert _count(cat, m.Person) == 0 and _count(cat, m.Organisation) == 0 and _count(cat, m.Subject) == 0


def test_dry_run_writes_nothing_and_a_second_import_matches(cat: Catalogue, tmp_path: Path) -> None:
    ris, csl = _files(tmp_path)
    plan = import_paths(cat, [ris], dry_run=True)
    assert plan.totals() == {"created": 4, "matched": 0, "refused": 1} and _count(cat) == 0
    assert list_batches(cat) == [] and _count(cat, m.Person) == 0
    first = import_ris(cat, ris)
    again = import_ris(cat, ris)
    d = again.as_dict()
    assert d["parsed"] == d["created"] + d["matched"] + d["refused"] == 5
    assert (d["created"], d["matched"]) == (0, 4)
    c1 = import_csl_json(cat, csl, dry_run=True).as_dict()
    assert c1["parsed"] == c1["created"] + c1["matched"] + c1["refused"] == 4
    assert _count(cat) == len(first.created)


def test_cli_in_process(location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ris, csl = _files(tmp_path)
    txt = tmp_path / "wos.txt"
    txt.write_text(RIS.split("\n\n")[0] + "\n", encoding="utf-8")
    assert main(["--library", location, "import", str(ris), str(csl), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["created"], plan["refused"]) == (7, 2)  # each file planned alone: nothing is written
    assert plan["batch"] is None
    assert main(["--library", location, "imports", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--library", location, "import", str(ris), str(csl), str(txt), "--json", "--no-index"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["created"] + done["matched"] + done["refused"] == 5 + 4 + 1
    assert {p["file"] for p in done["problems"]} == {str(ris), str(csl)} and all(p["line"] for p in done["problems"])
    assert main(["--library", location, "imports", "undo", str(done["batch"])]) == 0
    assert "publications" in capsys.readouterr().out
    # text output names refused records with their file and line
    assert main(["--library", location, "import", str(ris), "--no-index"]) == 0
    out = capsys.readouterr().out
    assert f"{ris}:42: nothing to import" in out and "4 created" in out


def test_folders_pick_bibliographies_and_leave_other_json_and_text(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    ris, csl = _files(folder)
    (folder / "package.json").write_text('{"name": "x", "version": "1.0"}', encoding="utf-8")
    (folder / "README.txt").write_text("Just notes.\n", encoding="utf-8")
    (folder / "refs.txt").write_text(RIS, encoding="utf-8")
    assert [bibliography_format(folder / n) for n in ("refs.ris", "items.json", "package.json", "README.txt",
                                                       "refs.txt")] == ["ris", "csl-json", None, None, "ris"]
    report = import_paths(cat, [folder], index=False)
    assert sorted(Path(f.path).name for f in report.files) == ["items.json", "refs.ris", "refs.txt"]


def test_ris_file_links_attach_pdfs(cat: Catalogue, tmp_path: Path) -> None:
    pdfs.text_pdf(tmp_path / "kabila.pdf", ["Gold flows from Ituri"])
    ris = tmp_path / "refs.ris"
    ris.write_text("TY  - JOUR\nTI  - Gold flows from Ituri\nAU  - Kabila, Aline\nPY  - 2019\nL1  - kabila.pdf\n"
                   "L1  - missing.pdf\nER  - \n", encoding="utf-8")
    report = import_paths(cat, [ris], index=False)
    (f,) = report.files
    assert f.created == 1 and any("missing.pdf" in n["note"] for n in f.notes)
    assert _count(cat, m.Attachment) == 1
    undo_batch(cat, report.batch or 0)
    assert _count(cat, m.Attachment) == 0 and _count(cat) == 0


def test_bad_json_is_one_problem(cat: Catalogue, tmp_path: Path) -> None:
    bad = tmp_path / "items.csljson"
    bad.write_text('[\n {"id": "a", "type": "book", "title": "A"},\n {"id": "b" "title": "B"}\n]', encoding="utf-8")
    report = import_paths(cat, [bad], index=False)
    (f,) = report.files
    assert (f.created, f.refused) == (0, 0) and f.problems[0]["line"] == 3 and "column 13" in f.problems[0]["reason"]
    other = tmp_path / "package.json"
    other.write_text('{"name": "x", "version": "1.0"}', encoding="utf-8")
    (f,) = import_paths(cat, [other], index=False).files
    assert f.status == "csl-json" and f.problems[0]["reason"].startswith("not CSL-JSON")


@pytest.fixture
def fresh(backend: str, templates: dict[str, str], tmp_path: Path) -> Iterator[Catalogue]:
    folder = tmp_path / "second"
    folder.mkdir()
    c = Catalogue(open_library(make_location(backend, templates, folder, demo=False)))
    yield c
    c.library.close()


def _snapshot(cat: Catalogue, drop_extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    ids = [p.id for p in cat.all(m.Publication)]
    out = []
    for rec in load_publications(cat, ids, include_confidential=True):
        rec.pop("id")
        rec["contributors"] = [(c["role"], c["kind"], c["name"]) for c in rec["contributors"]]
        for k in drop_extra:
            rec["extra"].pop(k, None)
        out.append(rec)
    return sorted(out, key=lambda r: r["citekey"])


def test_ris_export_round_trips_into_a_fresh_library(cat: Catalogue, fresh: Catalogue, tmp_path: Path) -> None:
    ris, _csl = _files(tmp_path)
    import_ris(cat, ris)
    out = tmp_path / "export.ris"
    out.write_text(export_ris(cat), encoding="utf-8")
    report = import_ris(fresh, out)
    assert len(report.created) == 4 and not report.refused
    assert _snapshot(fresh) == _snapshot(cat)


def test_csl_export_round_trips_into_a_fresh_library(cat: Catalogue, fresh: Catalogue, tmp_path: Path) -> None:
    _ris, csl = _files(tmp_path)
    import_csl_json(cat, csl)
    out = tmp_path / "export.json"
    out.write_text(export_csl_json(cat), encoding="utf-8")
    report = import_csl_json(fresh, out)
    assert len(report.created) == 3 and not report.refused
    assert _snapshot(fresh) == _snapshot(cat)
