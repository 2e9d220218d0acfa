"""Spreadsheets through the import pipeline and the CLI, on SQLite and PostgreSQL: counts add up, dry runs write
nothing, --map and --map-file choose the columns, --new-names refuse refuses rows naming unknown projects or
regions (with their row), the plan lists the names it would create, and undo takes everything back."""

from __future__ import annotations

import json
from pathlib import Path

import pdfs
import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.imports.batches import list_batches, undo_batch
from kbase.imports.pipeline import import_paths
from kbase.imports.records import import_spreadsheet
from kbase.library import models as m
from kbase.library.db import open_library

# a French institute's list: a title row, a blank row, the header, an empty row in the middle, a row without a title
CSV = """Liste des publications;;;;;;;;
;;;;;;;;
Titre;Type;Année;Auteurs;Projet;Région;Mots-clés;Éditeur;Fichier
L'or de l'Ituri;Rapport;2019;"Kabila, Aline; Joseph Mwamba";Kufatilia;Ituri;or, mines;IPIS;ituri.pdf
Cartographie des mines du Sud-Kivu;Carte interactive;2021;IPIS;Cartographie ASM;Sud-Kivu;mines;IPIS;
;;;;;;;;
Violent capitalism;Livre;2020;"Verweijen, Judith";;;;Zed Books;
;Note d'information;2022;"Merket, Hans";Projet inconnu;Nulle part;;IPIS;
"""
ROWS = 4  # publications in CSV


def _count(cat: Catalogue, model: type = m.Publication) -> int:
    with cat.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _csv(tmp_path: Path, text: str = CSV, name: str = "liste.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _authorities(cat: Catalogue) -> None:
    """The projects and regions a librarian keeps: two of the three the list names."""
    cat.add(m.Project, title="Kufatilia incident reporting", short_name="Kufatilia")
    cat.add(m.Project, title="Cartographie ASM")
    cat.add(m.Region, name="Ituri", level="province")
    kivu = cat.add(m.Region, name="South Kivu", level="province")
    cat.add_alias(m.Region, kivu.id, "Sud-Kivu")


def test_through_import_paths_counts_new_names_and_undo(cat: Catalogue, tmp_path: Path) -> None:
    _authorities(cat)
    pdfs.text_pdf(tmp_path / "ituri.pdf", ["L'or de l'Ituri"])
    path = _csv(tmp_path)
    before = {model: _count(cat, model) for model in (m.Project, m.Region, m.Person, m.Organisation)}
    report = import_paths(cat, [path], index=False)
    (f,) = report.files
    assert f.status == "spreadsheet" and (f.created, f.matched, f.refused) == (ROWS, 0, 0)
    assert f.created + f.matched + f.refused == ROWS == _count(cat)
    assert [(r["line"], r["key"]) for r in f.records] == [(4, "row4"), (5, "row5"), (7, "row7"), (8, "row8")]
    assert f.mapping["columns"] == {"Titre": "title", "Type": "type", "Année": "year", "Auteurs": "authors",
                                    "Projet": "projects", "Région": "regions", "Mots-clés": "subjects",
                                    "Éditeur": "publisher", "Fichier": "file"}
    assert f.mapping["proposed"] is True and f.mapping["header_row"] == 3 and f.mapping["delimiter"] == ";"
    assert f.new_names["project"] == ["Projet inconnu"] and f.new_names["region"] == ["Nulle part"]
    assert f.new_names["person"] == ["Aline Kabila", "Hans Merket", "Joseph Mwamba", "Judith Verweijen"]
    assert sorted(f.new_names["organisation"]) == ["IPIS", "Zed Books"]
    assert _count(cat, m.Project) == before[m.Project] + 1 and _count(cat, m.Region) == before[m.Region] + 1
    assert _count(cat, m.Attachment) == 1  # ituri.pdf, named in the Fichier column

    pubs = {p.title: p for p in cat.all(m.Publication)}
    ituri = pubs["L'or de l'Ituri"]
    assert (ituri.type, ituri.year, ituri.citekey) == ("report", 2019, "kabila2019or")
    with cat.reading() as s:
        projects = s.scalars(select(m.Project.title).join(m.PublicationProject).where(
            m.PublicationProject.publication_id == ituri.id)).all()
        regions = s.scalars(select(m.Region.name).join(m.PublicationRegion).where(
            m.PublicationRegion.publication_id == pubs["Cartographie des mines du Sud-Kivu"].id)).all()
    assert projects == ["Kufatilia incident reporting"]  # matched by its short name
    assert regions == ["South Kivu"]  # matched through the region's alias
    assert pubs["Cartographie des mines du Sud-Kivu"].type == "webmap"
    untitled = next(p for t, p in pubs.items() if p.type == "briefing")
    assert untitled.title == "[untitled]" and "untitled" in cat.extra(untitled)["flags"]
    assert any(n["line"] == 8 and "no title" in n["note"] for n in f.notes)

    batch = list_batches(cat)[0]
    assert batch["id"] == report.batch and batch["counts"]["created"] == ROWS
    undone = undo_batch(cat, report.batch or 0)
    assert undone.deleted["publications"] == ROWS and _count(cat) == 0
    assert _count(cat, m.Attachment) == 0
    assert {model: _count(cat, model) for model in before} == before  # the new project, region, people, orgs too


def test_dry_run_writes_nothing_and_a_second_import_matches(cat: Catalogue, tmp_path: Path) -> None:
    path = _csv(tmp_path)
    plan = import_paths(cat, [path], dry_run=True)
    assert plan.totals() == {"created": ROWS, "matched": 0, "refused": 0}
    assert _count(cat) == 0 and _count(cat, m.Person) == 0 and _count(cat, m.Project) == 0
    assert list_batches(cat) == []
    assert sorted(plan.files[0].new_names["project"]) == ["Cartographie ASM", "Kufatilia", "Projet inconnu"]
    first = import_spreadsheet(cat, path)
    again = import_spreadsheet(cat, path).as_dict()
    assert again["parsed"] == again["created"] + again["matched"] + again["refused"] == ROWS
    assert (again["created"], again["matched"]) == (0, ROWS)
    assert again["new_names"] == {}
    assert _count(cat) == len(first.created) == ROWS


def test_new_names_refuse_names_the_rows(cat: Catalogue, tmp_path: Path) -> None:
    _authorities(cat)
    path = _csv(tmp_path)
    report = import_paths(cat, [path], index=False, sheet_options={"new_names": "refuse"})
    (f,) = report.files
    assert (f.created, f.matched, f.refused) == (ROWS - 1, 0, 1)
    (problem,) = f.problems
    assert (problem["line"], problem["key"]) == (8, "row8")
    assert "project 'Projet inconnu'" in problem["reason"] and "region 'Nulle part'" in problem["reason"]
    assert "not in the library" in problem["reason"]
    assert "project" not in f.new_names and "region" not in f.new_names
    assert "Hans Merket" not in f.new_names.get("person", [])  # the refused row creates nobody
    assert _count(cat, m.Project) == 2


def test_latin1_and_xlsx(cat: Catalogue, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    latin = _csv(tmp_path, CSV.replace("ituri.pdf", ""), "latin1.csv", encoding="cp1252")
    wb = openpyxl.Workbook()
    wb.active.title = "Lisez-moi"
    ws = wb.create_sheet("Publications")
    ws.append(["Title", "Year", "Authors", "DOI"])
    ws.append(["Gold flows from Ituri", 2019, "Kabila, Aline", "https://doi.org/10.1080/03056244.2019.1234567"])
    ws.append(["Violent capitalism", 2020, "Judith Verweijen", None])
    book = tmp_path / "list.xlsx"
    wb.save(book)
    options = {"files": {str(book): {"sheet": "Publications"}}}  # one file's own options, as the app gives them
    report = import_paths(cat, [latin, book], index=False, sheet_options=options)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["latin1.csv"].encoding == "cp1252" and by_name["latin1.csv"].created == ROWS
    x = by_name["list.xlsx"]
    assert x.mapping["sheet"] == "Publications" and (x.created, x.matched) == (1, 1)  # Violent capitalism: the CSV's
    gold = next(p for p in cat.all(m.Publication) if p.title == "Gold flows from Ituri")
    assert gold.doi == "10.1080/03056244.2019.1234567"


def test_cli_in_process(location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, CSV.replace("Titre;", "Nom;").replace("ituri.pdf", ""))  # "Nom" is no title header
    assert main(["--library", location, "import", str(path), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    f = plan["files"][0]
    assert f["mapping"]["columns"]["Nom"] == "ignore" and f["mapping"]["proposed"] is True
    assert all(r["title"] != "L'or de l'Ituri" for r in f["records"])
    assert plan["created"] == ROWS and plan["batch"] is None

    assert main(["--library", location, "import", str(path), "--dry-run", "--map", "title=Nom,ignore=Mots-clés"]) == 0
    out = capsys.readouterr().out
    assert "columns: Nom → title" in out and "ignored: Mots-clés" in out and "(proposed" not in out
    assert "1 new project would be created" not in out and "3 new projects would be created" in out
    assert "dry run, nothing written" in out

    saved = tmp_path / "mapping.json"
    saved.write_text(json.dumps({"columns": {"Nom": "title", "Mots-clés": "ignore"}}), encoding="utf-8")
    assert main(["--library", location, "import", str(path), "--map-file", str(saved), "--json", "--no-index",
                 "--new-names", "refuse"]) == 0
    done = json.loads(capsys.readouterr().out)
    f = done["files"][0]
    assert f["mapping"]["proposed"] is False
    assert done["created"] + done["matched"] + done["refused"] == ROWS
    assert done["refused"] == 3  # an empty library: every row naming a project or region is refused
    assert sorted(p["line"] for p in done["problems"]) == [4, 5, 8]
    assert {r["title"] for r in f["records"] if r["action"] == "new"} == {"Violent capitalism"}

    lib = open_library(location)
    try:
        assert [p.title for p in Catalogue(lib).all(m.Publication)] == ["Violent capitalism"]
    finally:
        lib.close()
    assert main(["--library", location, "imports", "undo", str(done["batch"])]) == 0
    assert "publications" in capsys.readouterr().out

    assert main(["--library", location, "import", str(path), "--map", "colour=Nom"]) == 1
    assert "unknown field 'colour'" in capsys.readouterr().err
    assert main(["--library", location, "import", str(path), "--map", "title=Budget", "--json"]) == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed["files"][0]["status"] == "failed" and "no column 'Budget'" in failed["problems"][0]["reason"]


def test_a_spreadsheet_in_a_folder_is_left_alone(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    _csv(folder)
    (folder / "refs.ris").write_text("TY  - JOUR\nTI  - Gold\nER  - \n", encoding="utf-8")
    report = import_paths(cat, [folder], index=False)
    assert [Path(f.path).name for f in report.files] == ["refs.ris"]


def test_names_known_under_an_alias_match_the_library_records(demo: Catalogue, tmp_path: Path) -> None:
    """A list writes IPIS for the International Peace Information Service: its rows still match the records the
    library has, and a second import of the list matches everything."""
    path = _csv(tmp_path, "Title;Year;Type;Authors\n"
                          "Kufatilia dashboard;2021;Dashboard;IPIS\n"
                          "Webmap of checkpoints in South Sudan;2021;Web map;IPIS\n"
                          "A new list entry;2024;Report;IPIS; Filip Reyniers\n".replace("IPIS; Filip", '"IPIS; Filip')
                .replace("Reyniers\n", 'Reyniers"\n'))
    before = _count(demo)
    first = import_spreadsheet(demo, path)
    assert (len(first.created), first.matched) == (1, 2)
    assert "organisation" not in first.new_records and "person" not in first.new_records
    again = import_spreadsheet(demo, path)
    assert (len(again.created), again.matched) == (0, 3)
    assert _count(demo) == before + 1
