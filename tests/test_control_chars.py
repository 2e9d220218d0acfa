"""NUL and other control characters are cleaned where text enters the catalogue (SQLite and PostgreSQL).

PostgreSQL refuses a NUL in text and XML (DOCX) refuses every control character but tab, LF and
CR: a PDF, a value typed or pasted, or an older library holding one must neither stop an import
or a migration nor crash a report."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, Iterator

import docx
import pdfs
import pymupdf
import pytest
from sqlalchemy import select, text

from kbase.catalogue.records import Catalogue
from kbase.imports.extract import extract_pdf
from kbase.imports.pipeline import import_paths
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.report import build_annual, build_bibliography, build_project
from kbase.team import dump
from kbase.team.backup import backup, restore
from kbase.team.copy import migrate
from kbase.text import clean_line, clean_text, clean_value
from tests.conftest import make_location, new_pg_database, pg_url_for

# what must never be stored or written out: C0 controls but tab and LF (CR is turned into LF),
# DEL, C1 controls, lone surrogates and the two XML non-characters
BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# what a database accepts as written around the API: PostgreSQL refuses NUL itself (and so
# cannot hold one, whoever writes it), SQLite takes anything
DIRTY_PG = "Cobalt\x01 flows\x07 through\x1b Kivu\x7f\x85\uffff\x0bmarkets"
DIRTY_SQLITE = "Cobalt\x00 flows\x07 through\x1b Kivu\x7f\x85\uffff\x0bmarkets\x00"


def dirty_for(cat: Catalogue) -> str:
    return DIRTY_PG if cat.library.is_shared else DIRTY_SQLITE


def catalogue_text(lib: Any) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) of every text value in the library, read with plain SQL."""
    with dump.snapshot(lib) as conn:
        for table in dump.user_tables(conn):
            for row in dump.read_rows(conn, table):
                for name, value in row.items():
                    if isinstance(value, str):
                        yield table.name, name, value


def control_chars(lib: Any) -> list[tuple[str, str, str]]:
    return [(t, c, v) for t, c, v in catalogue_text(lib) if BAD.search(v)]


# -- the functions ----------------------------------------------------------------------------
def test_clean_text() -> None:
    clean = "Plain text, accents é, tabs\tand\nlines stay as they are"
    assert clean_text(clean) is clean  # the fast path hands back the very string
    assert clean_text("a\x00b\x01c\x1fd\x7fe\x85f\x9fg") == "abcdefg"
    assert clean_text("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert clean_text("line\x0bbreak\x0cpage") == "line\nbreak\npage"
    assert clean_text("caf\udce9") == "caf\ufffd"  # an undecodable byte of a file name
    assert clean_text("\ud83d\ude00 split pair") == "\U0001F600 split pair"
    assert clean_text("no\ufffe\uffffchars") == "nochars"
    assert clean_line("A title\n  over\ttwo lines\x00") == "A title over two lines"
    assert clean_line("Cafe\u0301") == "Caf\u00e9"  # NFC
    assert clean_value({"t": ["a\x00", ("b\x01",)], "n": 3, "x": None}) == {"t": ["a", ("b",)], "n": 3, "x": None}
    assert clean_value("x\ny", line=True) == "x y"


# -- (a) a folder of PDFs, one with NUL in its metadata and its text ---------------------------
def control_pdf(path: Path) -> Path:
    """Info title and author with NUL and other controls, written raw; page text with controls too."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Cobalt\x00 traders\x01 and\x07 gold\x1b buyers\x7f", fontsize=11)
    page.insert_text((72, 100), "The survey visited forty mining sites around Kamituga.", fontsize=11)
    doc.new_page().insert_text((72, 72), "Second\x00 page\x02 of text", fontsize=11)
    doc.set_metadata({"title": "placeholder"})
    info = int(doc.xref_get_key(-1, "Info")[1].split()[0])

    def utf16(s: str) -> str:
        return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"

    # UTF-16 with NUL code units, as producers write them (set_metadata would replace the controls)
    doc.xref_set_key(info, "Title", utf16("Cobalt\x00 supply\x01 chains\x0b in\x07 Kivu"))
    doc.xref_set_key(info, "Author", utf16("Anna\x00 Hoffmann; Lotte\x07 Hoex\x00"))
    doc.xref_set_key(info, "Keywords", utf16("cobalt\x00, gold\uffff"))
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    doc.close()
    return path


def test_the_pdf_really_carries_control_characters(tmp_path: Path) -> None:
    """The test file is what it claims: MuPDF hands the NULs over, and extraction cleans them."""
    path = control_pdf(tmp_path / "ctl.pdf")
    with pymupdf.open(path) as doc:
        assert "\x00" in doc.metadata["title"] and "\x00" in doc.metadata["author"]
        assert "\x00" in doc[0].get_text()
    out = extract_pdf(path)
    assert out.status == "ok"
    assert out.metadata["title"] == "Cobalt supply chains in Kivu"
    assert out.metadata["authors"] == ["Anna Hoffmann", "Lotte Hoex"]
    assert not BAD.search(repr(out.metadata)) and not any(BAD.search(p) for p in out.pages)
    assert "traders" in out.pages[0] and "Second" in out.pages[1]


def test_a_folder_with_nul_in_a_pdf_imports_whole(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    pdfs.english_pdf(folder / "a_english.pdf")
    control_pdf(folder / "b_control.pdf")
    pdfs.french_pdf(folder / "c_french.pdf")
    pdfs.junk_metadata_pdf(folder / "d_junk.pdf")
    report = import_paths(cat, [folder], workers=1)
    statuses = {Path(f.path).name: (f.status, f.message) for f in report.files}
    assert {name: s for name, (s, _) in statuses.items()} == {
        "a_english.pdf": "ok", "b_control.pdf": "ok", "c_french.pdf": "ok", "d_junk.pdf": "ok"}, statuses
    assert report.imported == 4
    assert control_chars(cat.library) == []
    with cat.reading() as s:
        titles = set(s.scalars(select(m.Publication.title)))
        people = set(s.scalars(select(m.Person.name)))
        pages = [t for t in s.scalars(select(m.PageText.text))]
    assert "Cobalt supply chains in Kivu" in titles
    assert {"Anna Hoffmann", "Lotte Hoex"} <= people
    assert any("Cobalt traders and gold buyers" in p for p in pages)


# -- (b) the catalogue API -----------------------------------------------------------------------
def test_add_and_update_store_text_cleaned(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Gold\x00 in\x01 Kivu\nand Ituri", abstract="First\x00 line\r\nsecond\x07 line",
                  place="Bukavu\x00")
    got = cat.get(m.Publication, pub.id)
    assert (got.title, got.abstract, got.place) == ("Gold in Kivu and Ituri", "First line\nsecond line", "Bukavu")
    assert got.title_norm == "gold in kivu and ituri"
    cat.update(m.Publication, pub.id, expected_version=got.version, title="Cobalt\x00\x1b report\uffff",
               abstract="Text\x00 with\ttab\x0band\x0cbreaks")
    got = cat.get(m.Publication, pub.id)
    assert (got.title, got.abstract) == ("Cobalt report", "Text with\ttab\nand\nbreaks")
    cat.update(m.Publication, pub.id, subtitle="Sub\x00title")
    assert cat.get(m.Publication, pub.id).subtitle == "Subtitle"
    # names: one line, NFC, so the same name typed two ways is one record
    person = cat.add(m.Person, name="Jose\u0301\x00 Mun\u0303oz")
    assert cat.get(m.Person, person.id).name == "Jos\u00e9 Mu\u00f1oz"
    cat.add_alias(m.Person, person.id, "J.\x00 Munoz")
    assert "J. Munoz" in cat.aliases(m.Person, person.id)
    org = cat.add(m.Organisation, name="Peace\x00 Institute", notes="Line one\x00\nline two")
    assert (cat.get(m.Organisation, org.id).name, cat.get(m.Organisation, org.id).notes) == (
        "Peace Institute", "Line one\nline two")
    project = cat.add(m.Project, title="Road\x00blocks", summary="Check\x00points")
    cat.link(m.ProjectOrganisation, project_id=project.id, organisation_id=org.id, role="partner\x00")
    cat.set_assignment(project.id, 2021, [org.id], note="Year\x00 one")
    cat.set_setting("institute.name", "IPIS\x00")
    assert cat.get_setting("institute.name") == "IPIS"
    cat.unlink(m.ProjectOrganisation, project_id=project.id, organisation_id=org.id, role="partner\x00")
    with cat.reading() as s:
        assert s.scalars(select(m.ProjectOrganisation)).all() == []
    cat.link(m.ProjectOrganisation, project_id=project.id, organisation_id=org.id, role="funder\x07")
    assert control_chars(cat.library) == []


# -- (c) kbase migrate and backup/restore from a library that already holds NUL ------------------
def old_sqlite_library(templates: dict[str, str], tmp_path: Path) -> str:
    """The demo library on SQLite with NUL and other controls written straight into its tables."""
    location = make_location("sqlite", templates, tmp_path / "old", demo=True)
    lib = open_library(location)
    with lib.engine.begin() as conn:
        conn.execute(text("UPDATE publication SET title = title || :d, abstract = :d || ' and\r\nCRLF' "
                          "WHERE id IN (1, 2)"),
                     {"d": DIRTY_SQLITE})
        conn.execute(text("UPDATE person SET name = name || :nul WHERE id = 1"), {"nul": "\x00"})
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('note', :d)"), {"d": DIRTY_SQLITE})
    assert len(control_chars(lib)) >= 6
    lib.close()
    return location


def new_target(backend: str, tmp_path: Path, name: str) -> str:
    return str(tmp_path / name) if backend == "sqlite" else pg_url_for(new_pg_database())


def test_migrate_cleans_an_old_library_and_verifies(backend: str, templates: dict[str, str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    source = old_sqlite_library(templates, tmp_path)
    target = new_target(backend, tmp_path, "migrated")
    report = migrate(source, target)
    assert report.ok, report.problems  # verified: counts and digests against the cleaned rows
    assert report.cleaned["publication"] >= 4 and report.cleaned["person"] == 1 and report.cleaned["setting"] == 1
    lib = open_library(target)
    try:
        assert control_chars(lib) == []
        cat = Catalogue(lib)
        # clean_text: a vertical tab is a line break, CR LF is LF
        assert cat.get(m.Publication, 1).abstract == "Cobalt flows through Kivu\nmarkets and\nCRLF"
        assert cat.get_setting("note") == "Cobalt flows through Kivu\nmarkets"
        assert dump.summarize(lib)["publication"] == report.tables["publication"]
    finally:
        lib.close()


def test_restore_of_an_old_backup_cleans_and_verifies(backend: str, templates: dict[str, str], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    source = old_sqlite_library(templates, tmp_path)
    archive = tmp_path / "old.zip"
    made = backup(source, archive)  # a backup is a faithful copy: it keeps what the library holds
    assert made.ok, made.problems
    assert not made.cleaned
    with zipfile.ZipFile(archive) as zf:
        assert b"\\u0000" in zf.read("tables/publication.jsonl")
    target = new_target(backend, tmp_path, "restored")
    report = restore(archive, target)
    assert report.ok, report.problems
    assert report.cleaned["publication"] >= 4
    lib = open_library(target)
    try:
        assert control_chars(lib) == []
    finally:
        lib.close()
    # the archive's fingerprints still catch a tampered row, cleaned or not
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "tables/publication.jsonl":
                data = data.replace(b"\\u0000", b"X", 1)
            zout.writestr(item, data)
    report = restore(damaged, new_target(backend, tmp_path, "damaged"))
    assert report.problems == [f"table publication: same number of rows ({report.tables['publication']['rows']}) "
                               "but different contents"]


# -- (d) every report format from a catalogue holding such text ----------------------------------
def dirty_catalogue(cat: Catalogue) -> dict[str, int]:
    """A small catalogue, then control characters written straight into its tables with SQL."""
    prog = cat.add(m.Programme, name="Natural Resources").id
    project = cat.add(m.Project, title="Roadblocks", programme_id=prog, summary="Checkpoints.").id
    org = cat.add(m.Organisation, name="Peace Institute").id
    person = cat.add(m.Person, name="Ann Author", role="staff").id
    pub = cat.add(m.Publication, title="Checkpoint economy", type="report", year=2021, abstract="Abstract.").id
    cat.set_contributors(pub, [("author", "person", person)])
    cat.link(m.PublicationProject, publication_id=pub, project_id=project)
    cat.link(m.ProjectOrganisation, project_id=project, organisation_id=org, role="funder")
    cat.set_assignment(project, 2021, [org])
    cat.set_setting("institute.name", "Institute")
    d = dirty_for(cat)
    with cat.library.engine.begin() as conn:
        for table, columns in (("publication", ("title", "subtitle", "abstract")), ("project", ("title", "summary")),
                               ("programme", ("name",)), ("person", ("name",)), ("organisation", ("name",)),
                               ("setting", ("value",))):
            sets = ", ".join(f"{c} = :{c}" for c in columns)  # one parameter each: PostgreSQL types them apart
            conn.execute(text(f"UPDATE {table} SET {sets}"), {c: d for c in columns})
    assert len(control_chars(cat.library)) >= 9
    return {"project": project}


def output_text(fmt: str, out: str | bytes) -> str:
    """Everything a reader (or a program reading the file) sees of a report."""
    if fmt in ("md", "html"):
        assert isinstance(out, str)
        return out
    if fmt == "pdf":
        with pymupdf.open("pdf", out) as doc:
            meta = " ".join(str(v) for v in doc.metadata.values() if v)
            toc = " ".join(str(entry[1]) for entry in doc.get_toc())
            return meta + toc + "".join(page.get_text() for page in doc)
    document = docx.Document(io.BytesIO(out))  # python-docx reads it back: it is valid XML
    parts = [p.text for p in document.paragraphs]
    parts += [p.text for s in document.sections for p in s.header.paragraphs]
    parts += [document.core_properties.title or "", document.core_properties.author or ""]
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        parts += [zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml")]
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx"])
def test_reports_from_text_that_got_around_the_cleaner(cat: Catalogue, fmt: str) -> None:
    ids = dirty_catalogue(cat)
    outputs = {
        "annual": build_annual(cat, 2021, fmt),
        "bibliography": build_bibliography(cat, fmt=fmt),
        "project": build_project(cat, ids["project"], fmt),
    }
    for name, (out, warnings) in outputs.items():
        seen = output_text(fmt, out)
        assert not BAD.search(seen.replace("\r\n", "\n")), (name, BAD.findall(seen)[:5])
        # the text itself is there, only its control characters are gone
        flat = unicodedata.normalize("NFKC", " ".join(seen.split()))
        assert "Cobalt flows through Kivu" in flat, name
        assert not any(BAD.search(w) for w in warnings), (name, warnings)


def test_a_file_name_that_is_not_utf8_is_imported(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = pdfs.text_pdf(folder / "good.pdf", ["Gold and cobalt"])
    latin1 = os.path.join(os.fsencode(folder), b"caf\xe9 report.pdf")  # as an old Windows share writes it
    os.rename(os.fsencode(good), latin1)
    pdfs.text_pdf(folder / "other.pdf", ["Tin and tantalum"])
    report = import_paths(cat, [folder], index=False)
    assert report.totals() == {"created": 2, "matched": 0, "refused": 0}, [(f.path, f.message) for f in report.files]
    names = sorted(a.filename for a in cat.all(m.Attachment))
    assert names == ["caf\ufffd report.pdf", "other.pdf"]
