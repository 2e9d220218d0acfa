"""What a new librarian met at the command line: `show` in no useful order, cut titles without "…", `lookup`
printing a Python list, --if-version blaming someone else, a raw SQL error for a missing title, `check` failing
right after a write."""

from __future__ import annotations

import json

import pytest

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from tests.cli_runner import run_cli


def _run(*argv: str, code: int = 0):  # type: ignore[no-untyped-def]
    done = run_cli(list(argv))
    assert done.returncode == code, (argv, done.stdout, done.stderr)
    return done


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_show_prints_a_publication_in_reading_order(demo_location: str) -> None:
    lib = ["--library", demo_location]
    cat = Catalogue(open_library(demo_location))
    pub = next(p for p in cat.all(m.Publication) if p.series_id and p.subtitle and p.publisher_id)
    cat.library.close()
    lines = _lines(_run("show", str(pub.id), *lib).stdout)
    assert lines[0] == f"publication {pub.id}: {pub.title}"
    keys = [line.split(":", 1)[0] for line in lines[1:] if not line.startswith(("  ", "("))]
    assert keys[:4] == ["subtitle", "type", "date", "contributors"]
    assert keys.index("series") < keys.index("abstract") < keys.index("projects")
    for internal in ("title_norm", "series_id", "publisher_id", "year", "month", "kind", "id", "version", "created"):
        assert internal not in keys
    assert lines[-1].startswith("(version ")
    data = json.loads(_run("show", str(pub.id), "--json", *lib).stdout)
    assert data["series_id"] == pub.series_id and data["year"] == pub.year  # --json keeps every field


def test_show_says_useful_import_fields_by_name_and_hides_the_importers_bookkeeping(location: str) -> None:
    lib = ["--library", location]
    extra = {"imported_from": "misisi-gold.pdf", "title_from": "file name", "csl_type": "report",
             "fields": {"volume": "3", "note": "Draft circulated to partners"}}
    pid = _run("add", "publication", "title=Misisi gold", f"extra={json.dumps(extra)}", "--json", *lib)
    pid = json.loads(pid.stdout)["id"]
    out = _run("show", str(pid), *lib).stdout
    assert "imported from: misisi-gold.pdf" in out
    assert "volume: 3" in out and "note: Draft circulated to partners" in out
    assert "title_from" not in out and "file name" not in out and "csl_type" not in out
    assert "False" not in out  # a flag that is off (editors et al.) is not printed
    assert json.loads(_run("show", str(pid), "--json", *lib).stdout)["extra"] == extra


def test_cut_titles_end_with_an_ellipsis_and_lookup_prints_lines(demo_location: str) -> None:
    lib = ["--library", demo_location]
    rows = _lines(_run("list", "publication", *lib).stdout)[1:]
    long_titles = [row for row in rows if len(row.rstrip()) >= 60 and row.rstrip().endswith("…")]
    assert long_titles, rows
    cat = Catalogue(open_library(demo_location))
    titles = [p.title for p in cat.all(m.Publication)]
    cat.library.close()
    for row in long_titles:
        shown = row.rstrip().rsplit("  ", 1)[-1].removesuffix("…")
        assert any(t.startswith(shown) and t != shown for t in titles), row
    out = _run("lookup", "organisation", "IPIS", *lib).stdout
    assert "[" not in out and "'" not in out
    header, row = _lines(out)
    assert header.split() == ["ID", "ACRONYM", "NAME", "KIND", "ALIASES"]
    assert "IPIS vzw" in row


def test_if_version_says_what_the_version_is_without_blaming_anyone(location: str) -> None:
    lib = ["--library", location]
    pid = json.loads(_run("add", "publication", "title=Checkpoint economy", "--json", *lib).stdout)["id"]
    _run("edit", "publication", str(pid), "title=Checkpoint economy (2nd ed.)", "--if-version", "1", *lib)
    stale = _run("edit", "publication", str(pid), "title=Stale", "--if-version", "1", *lib, code=1)
    assert "someone else" not in stale.stderr
    assert f"publication {pid} is at version 2, saved " in stale.stderr
    assert "not version 1: nothing was changed" in stale.stderr and "--if-version 2" in stale.stderr
    assert len(stale.stderr.splitlines()) == 1


@pytest.mark.parametrize("argv, message", [
    (["add", "publication", "type=report", "year=2021"], "a publication needs a title"),
    (["add", "publication", "title="], "a publication needs a title"),
    (["add", "person", "role=staff"], "a person needs a name"),
    (["add", "organisation", "acronym=IPIS"], "an organisation needs a name"),
])
def test_a_record_without_its_name_is_refused_plainly(location: str, argv: list[str], message: str) -> None:
    done = _run(*argv, "--library", location, code=1)
    assert done.stderr.strip() == f"kbase: error: {message}"
    assert _run("list", argv[1], "--json", "--library", location).stdout.strip() == "[]"


def test_check_right_after_writes_finds_nothing_to_repair(location: str) -> None:
    lib = ["--library", location]
    _run("add", "publication", "title=Gold in Misisi", *lib)
    _run("add", "person", "name=Lotte Hoex", *lib)
    _run("alias", "person", "1", "Hoex, Lotte", *lib)
    _run("edit", "person", "1", "role=staff", *lib)
    done = _run("check", *lib)
    assert "library is consistent" in done.stdout


def test_an_import_summary_counts_one_file_as_one_file(location: str) -> None:
    from pathlib import Path

    bib = Path(__file__).resolve().parent.parent / "data" / "bib" / "files.bib"
    out = _run("import", str(bib), "--library", location).stdout.splitlines()
    summary = next(line for line in out if line.startswith("1 file"))
    assert summary.startswith("1 file (1 BibTeX); records: ")
    assert "pages" not in summary  # no PDF, no "0 pages in 0.3 s (0 pages/s)"


def test_the_plain_refusals_are_said_in_french_too(location: str) -> None:
    lib = ["--library", location]
    done = _run("--lang", "fr", "add", "publication", "type=report", *lib, code=1)
    assert done.stderr.strip() == "kbase : erreur : une publication doit avoir un titre"
    pid = json.loads(_run("add", "publication", "title=Checkpoint economy", "--json", *lib).stdout)["id"]
    _run("edit", "publication", str(pid), "year=2021", *lib)
    stale = _run("--lang", "fr", "edit", "publication", str(pid), "title=Stale", "--if-version", "1", *lib, code=1)
    assert f"publication {pid} est à la version 2, enregistrée le " in stale.stderr
    assert "rien n’a été modifié" in stale.stderr and "--if-version 2" in stale.stderr


def test_search_by_author_written_last_name_first(demo_location: str) -> None:
    lib = ["--library", demo_location]

    def ids(query: str) -> list[int]:
        return [hit["publication_id"] for hit in json.loads(_run("search", query, "--json", *lib).stdout)["hits"]]

    wanted = ids('author:"Lotte Hoex"')
    assert wanted
    assert ids('author:"Hoex, Lotte"') == wanted
    assert ids('auteur:"hoëx, lotte"') == wanted
    assert ids("author:hoex") == wanted


def test_show_prints_rows_of_links_as_text_not_python(demo_location: str) -> None:
    lib = ["--library", demo_location]
    person = json.loads(_run("lookup", "person", "Timmermans", "--json", *lib).stdout)[0]["id"]
    out = _run("show", "person", str(person), *lib).stdout
    assert "{" not in out and "'" not in out
    roles = out.split("roles:\n", 1)[1].splitlines()
    assert roles[0].startswith("  - board")
    projects = json.loads(_run("list", "project", "--json", *lib).stdout)
    kufatilia = next(p["id"] for p in projects if p["short_name"] == "Kufatilia")
    out = _run("show", "project", str(kufatilia), *lib).stdout
    assignments = out.split("assignments:\n", 1)[1].splitlines()
    assert assignments[0].startswith("  - 2021: ") and " — " in assignments[0]  # the title as contracted, then clients
    assert "{" not in out
