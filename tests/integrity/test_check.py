"""`kbase check`: drift between catalogue, index and file store is found, named and repaired."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from whoosh import index as windex

from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.integrity.check import check_library
from kbase.library import models as m
from kbase.search.api import search
from kbase.search.indexing import make_schema, sync, write_state
from tests.search_data import add_document


def messages(cat: Catalogue) -> list[str]:
    return [p.message for p in check_library(cat).problems]


def test_a_synced_library_is_clean(cat: Catalogue) -> None:
    add_document(cat, "Clean", ["Gold and tin.", "Cobalt."])
    sync(cat)
    assert messages(cat) == []


def test_index_drift_is_found_and_repaired(cat: Catalogue) -> None:
    pub, att = add_document(cat, "Drift", ["Copper trade.", "Cobalt trade."])
    gone, _ = add_document(cat, "Other", ["Tin trade."])
    sync(cat)
    ix = windex.open_dir(str(cat.library.index_dir))
    w = ix.writer()
    w.delete_by_term("key", f"a{att}:2")  # a page lost from the index
    w.add_document(key="p999", kind="pub", pub="999", text_en="ghost", text_fr="ghost")  # an orphan
    w.add_document(key="a998:1", kind="page", pub=str(gone), att="998", page=1, text_en="ghost page")
    w.commit()
    with cat.transaction() as s:  # edited behind the change log's back
        s.execute(update(m.PageText).where(m.PageText.attachment_id == att, m.PageText.page == 1)
                  .values(text="Zinc trade."))
    problems = messages(cat)
    assert f"publication {pub}: 2 pages missing from the index or out of date" in problems
    assert "the index still has publication 999, which is not in the catalogue" in problems
    assert "the index has page 1 of attachment 998, which the catalogue has not" in problems
    report = check_library(cat, repair=True)
    assert report.problems and not report.remaining
    assert messages(cat) == []
    assert [h.publication_id for h in search(cat, "zinc").hits] == [pub]
    assert search(cat, "ghost").total == 0


def test_changes_not_yet_indexed_and_stale_metadata(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "Title one", ["Text."])
    sync(cat)
    cat.update(m.Publication, pub, title="Title two")
    problems = messages(cat)
    assert ("the search index is 1 catalogue change behind (a search catches up; `kbase check --repair` brings it "
            "up to date now)") in problems
    assert f"the index has an out-of-date copy of publication {pub}" in problems
    assert not check_library(cat, repair=True).remaining
    assert messages(cat) == []


def test_an_interrupted_rebuild_is_rebuilt(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "Report", ["Nickel."])
    sync(cat)
    write_state(cat.library, -1, rebuilding=True)
    windex.create_in(str(cat.library.index_dir), make_schema())  # as if killed right after starting
    assert messages(cat) == ["the search index is unusable (an interrupted rebuild); it must be rebuilt"]
    assert not check_library(cat, repair=True).remaining
    assert [h.publication_id for h in search(cat, "nickel").hits] == [pub]


def test_attachments_without_text(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Scan").id
    with cat.transaction() as s:
        s.add(m.StoredFile(sha256="c" * 64, size=0))
        s.flush()
        ok = m.Attachment(publication_id=pub, sha256="c" * 64, filename="lost.pdf", status="ok", page_count=4)
        pending = m.Attachment(publication_id=pub, sha256="c" * 64, filename="half.pdf", status="pending")
        scan = m.Attachment(publication_id=pub, sha256="c" * 64, filename="scan.pdf", status="no text layer",
                            page_count=2)
        s.add_all([ok, pending, scan])
        s.flush()
        ids = ok.id, pending.id
    sync(cat)
    problems = messages(cat)
    assert f"attachment {ids[0]} (lost.pdf): it is marked ok with 4 pages but has no page text" in problems
    assert f"attachment {ids[1]} (half.pdf): its text extraction never finished" in problems
    assert not any("scan.pdf" in p for p in problems)  # a scan without text is not an error


def test_store_problems_and_cli(sqlite_demo: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    from kbase.files.store import path_for, put_file

    cat = sqlite_demo
    lib = cat.library
    src = lib.folder / "note.pdf"
    src.write_bytes(b"%PDF-1.4 test file for the store")
    sha, size, _ = put_file(lib, src)
    with cat.transaction() as s:
        s.add(m.StoredFile(sha256=sha, size=size))
    orphan_src = lib.folder / "orphan.pdf"
    orphan_src.write_bytes(b"%PDF-1.4 nobody's file")
    orphan_sha, _, _ = put_file(lib, orphan_src)  # in the store, never catalogued
    sync(cat)
    loc = str(lib.folder)
    assert main(["--library", loc, "check", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert any(orphan_sha[:2] in p["record"] and p["kind"] == "store" for p in data["problems"])
    path_for(lib, sha).unlink()  # a catalogued file disappears
    assert main(["--library", loc, "check", "--repair"]) == 1  # the orphan goes; the lost file cannot come back
    out = capsys.readouterr().out
    assert "repaired: file" in out and "not in the catalogue" in out
    assert f"problem: file {sha[:12]}… is missing" in out
    assert not path_for(lib, orphan_sha).exists()
    with cat.transaction() as s:
        s.delete(s.get(m.StoredFile, sha))
    assert main(["--library", loc, "check"]) == 0
    assert "library is consistent" in capsys.readouterr().out


def test_a_running_import_is_left_alone(sqlite_demo: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    """While an import holds its lock, a file it has stored but not catalogued yet is no orphan and
    survives --repair, and its publications missing from the index are no drift; afterwards they are."""
    import threading

    from kbase.files.store import import_running, importing, path_for, put_file

    cat = sqlite_demo
    lib = cat.library
    sync(cat)
    src = lib.folder / "in-flight.pdf"
    src.write_bytes(b"%PDF-1.4 a file an import has stored, its row not committed yet")
    sha, _, _ = put_file(lib, src)
    add_document(cat, "Not indexed yet", ["Tin."])  # in the catalogue, not in the index
    assert not import_running(lib)
    holding, release = threading.Event(), threading.Event()

    def an_import() -> None:  # in a thread of its own: the lock is taken on a file of its own
        with importing(lib):
            holding.set()
            release.wait(30)

    other = threading.Thread(target=an_import)
    other.start()
    try:
        assert holding.wait(10) and import_running(lib)
        assert main(["--library", str(lib.folder), "check", "--repair"]) == 0
        out = capsys.readouterr().out
        assert "an import is running" in out and "could be checked" in out and "not in the catalogue" not in out
        assert path_for(lib, sha).exists()
    finally:
        release.set()
        other.join(10)
    assert not import_running(lib)
    report = check_library(cat, repair=True)
    assert any("not in the catalogue" in p.message and p.repaired for p in report.problems)
    assert any("missing from the index" in p.message and p.repaired for p in report.problems)
    assert not path_for(lib, sha).exists()
