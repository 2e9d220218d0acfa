"""kbase migrate / backup / restore: whole libraries across SQLite and PostgreSQL, verified."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pymupdf
import pytest
from sqlalchemy import select

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, LibraryError
from kbase.files.store import path_for, put_file
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.team import dump
from kbase.team.backup import backup, restore
from kbase.team.copy import migrate
from tests.conftest import PG_URL, new_pg_database, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")


def make_pdf(path: Path, words: list[str]) -> Path:
    doc = pymupdf.open()
    for w in words:
        doc.new_page().insert_text((72, 72), w)
    doc.save(path)
    return path


def add_files(cat: Catalogue, folder: Path) -> None:
    """Two PDFs attached to publications (one confidential), with their page texts, kept as the library keeps files."""
    folder.mkdir(exist_ok=True)
    lib = cat.library
    for n, (words, vis) in enumerate(((["cobalt", "Kolwezi"], "public"), (["informants"], "confidential"))):
        pdf = make_pdf(folder / f"doc{n}.pdf", words)
        sha, size, _new = put_file(lib, pdf)
        with cat.transaction() as s:
            s.add(m.StoredFile(sha256=sha, size=size, content=pdf.read_bytes() if lib.is_shared else None))
            s.flush()
            pub = cat.add(m.Publication, title=f"File test {n}", year=2022, visibility=vis)
            att = cat.add(m.Attachment, publication_id=pub.id, sha256=sha, filename=pdf.name, status="ok",
                          page_count=len(words))
            for page, w in enumerate(words, 1):
                s.add(m.PageText(attachment_id=att.id, page=page, text=w))


def test_summary_sees_every_change(sqlite_demo: Catalogue) -> None:
    before = dump.summarize(sqlite_demo.library)
    assert before["publication"]["rows"] == sqlite_demo.count(m.Publication) > 0
    sqlite_demo.update(m.Publication, 1, title="A different title")
    after = dump.summarize(sqlite_demo.library)
    assert dump.compare(before, after) == [
        f"table change: {before['change']['rows']} rows expected, {before['change']['rows'] + 1} found",
        f"table publication: same number of rows ({before['publication']['rows']}) but different contents",
    ]


@needs_pg
def test_migrate_sqlite_to_postgresql_and_back(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    add_files(sqlite_demo, tmp_path / "pdfs")
    original = dump.summarize(sqlite_demo.library)
    source = sqlite_demo.library.location
    pg = pg_url_for(new_pg_database())
    there = migrate(source, pg)
    assert there.ok, there.problems
    assert there.files == 2 and there.tables["publication"]["rows"] == original["publication"]["rows"]
    back_folder = tmp_path / "back"
    back = migrate(pg, str(back_folder))
    assert back.ok, back.problems
    final = open_library(str(back_folder))
    assert dump.summarize(final) == original  # every table, row for row
    with final.session() as s:
        for f in s.scalars(select(m.StoredFile)):
            assert path_for(final, f.sha256).read_bytes() == path_for(sqlite_demo.library, f.sha256).read_bytes()
            assert f.content is None
    final.close()
    # PostgreSQL's ID counters continue after the copied rows
    team = Catalogue(open_library(pg))
    largest = max(p.id for p in team.all(m.Publication))
    assert team.add(m.Publication, title="Added after the move").id == largest + 1
    with team.reading() as s:
        assert all(f.content for f in s.scalars(select(m.StoredFile)))
    team.library.close()


def test_migrate_refuses_a_library_with_records(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    other = tmp_path / "other"
    migrate(sqlite_demo.library.location, str(other))
    with pytest.raises(LibraryError, match="not empty"):
        migrate(sqlite_demo.library.location, str(other))
    with pytest.raises(LibraryError, match="same library"):
        migrate(str(other), str(other) + "/")


def test_backup_and_restore(demo: Catalogue, backend: str, tmp_path: Path) -> None:
    add_files(demo, tmp_path / "pdfs")
    original = dump.summarize(demo.library)
    archive = tmp_path / "lib.zip"
    made = backup(demo.library.location, archive)
    assert made.files == 2 and made.tables == original
    with zipfile.ZipFile(archive) as zf:
        assert {"manifest.json", "tables/publication.jsonl", "tables/page_text.jsonl"} <= set(zf.namelist())
    targets = [str(tmp_path / "restored")] + ([pg_url_for(new_pg_database())] if PG_URL else [])
    for target in targets:
        report = restore(archive, target)
        assert report.ok, report.problems
        lib = open_library(target)
        assert dump.summarize(lib) == original
        lib.close()
    with pytest.raises(LibraryError, match="not empty"):
        restore(archive, targets[0])


def test_restore_refuses_damage(tmp_path: Path, sqlite_demo: Catalogue) -> None:
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(InvalidInput, match="cannot read backup"):
        restore(bogus, str(tmp_path / "x"))
    archive = tmp_path / "lib.zip"
    backup(sqlite_demo.library.location, archive)
    # a tampered table is caught by the fingerprints, not restored silently
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "tables/person.jsonl":
                data = data.replace(b'"name":"', b'"name":"X', 1)
            zout.writestr(item, data)
    report = restore(damaged, str(tmp_path / "y"))
    rows = report.tables["person"]["rows"]
    assert report.problems == [f"table person: same number of rows ({rows}) but different contents"]
