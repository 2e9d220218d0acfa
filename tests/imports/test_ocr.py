"""OCR: an import queues its scanned pages, the queue reads them page by page with Tesseract (cancel, resume
after a crash), the text is marked as OCR's and found by search with its page; `kbase ocr` and `kbase check`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from kbase.catalogue.records import Catalogue
from kbase.imports.pipeline import import_paths
from kbase.library import models as m
from kbase.ocr.queue import enqueue, jobs, ocr_state, run_queue
from kbase.search.api import search
from tests import pdfs
from tests.cli_runner import run_cli

FR_SCAN = ["Rapport sur les barrières routières\nLes enquêteurs ont recensé les taxes prélevées sur les commerçants.",
           "Les sites miniers du Sud-Kivu\nLa traçabilité de l'or reste une priorité pour les coopératives."]


def _pages(cat: Catalogue, att_id: int) -> list[tuple[int, str, str]]:
    with cat.reading() as s:
        return list(s.execute(select(m.PageText.page, m.PageText.source, m.PageText.text)
                              .where(m.PageText.attachment_id == att_id).order_by(m.PageText.page)))


def test_a_scan_is_queued_by_the_import_then_read_and_found_with_its_page(cat: Catalogue, tmp_path: Path) -> None:
    result = import_paths(cat, [pdfs.scanned_pdf(tmp_path / "scan.pdf", 3)]).files[0]
    assert result.status == "no text layer" and "OCR" in result.message
    assert [(j["status"], j["pages_left"]) for j in jobs(cat)] == [("queued", 3)]
    assert search(cat, "traceability").total == 0
    seen: list[int] = []
    report = run_queue(cat, progress=lambda p: seen.append(p.pages_done))
    assert report.pages == 3 and not report.cancelled and seen[-1] == 3
    pages = _pages(cat, result.attachment_id)
    assert [(n, source) for n, source, _t in pages] == [(1, "ocr"), (2, "ocr"), (3, "ocr")]
    assert "Kamituga" in pages[0][2] and "Fizi road" in pages[1][2]
    hits = search(cat, "traceability")
    assert hits.total == 1 and [p.page for p in hits.hits[0].pages] == [3]
    with cat.reading() as s:
        att = s.get(m.Attachment, result.attachment_id)
        assert att.status == "ok" and att.message.startswith("text from OCR: 3 pages read")
    assert ocr_state(cat)["done"] == 1 and ocr_state(cat)["pages_left"] == 0


def test_only_the_scanned_page_of_a_text_pdf_is_read(cat: Catalogue, tmp_path: Path) -> None:
    result = import_paths(cat, [pdfs.mixed_scan_pdf(tmp_path / "mixed.pdf"),
                                pdfs.blank_pdf(tmp_path / "blanks.pdf", 2, scanned=True, text_pages=1)]).files
    assert [j["pages_left"] for j in jobs(cat)] == [1]  # the blank sheets are not queued
    run_queue(cat)
    pages = _pages(cat, result[0].attachment_id)
    assert [source for _n, source, _t in pages] == ["text", "ocr", "text"]
    assert "cobalt supply chain" in pages[1][2]
    job = jobs(cat)[0]
    assert job["language"] == "en"  # the text pages said English at import


def test_french_from_the_catalogue(cat: Catalogue, tmp_path: Path) -> None:
    result = import_paths(cat, [pdfs.scanned_pdf(tmp_path / "fr.pdf", pages=FR_SCAN)]).files[0]
    cat.update(m.Publication, result.publication_id, language="fr")
    report = run_queue(cat)
    assert "French" in report.documents[0]["message"]
    text = " ".join(t for _n, _s, t in _pages(cat, result.attachment_id))
    assert "enquêteurs" in text and "prélevées" in text and "traçabilité" in text
    assert search(cat, "commerçants").total == 1


def test_the_language_is_detected_when_the_catalogue_has_none(cat: Catalogue, tmp_path: Path) -> None:
    long_fr = [page + "\nLes taxes sont prélevées par les groupes armés et par les agents de l'État dans la région."
               for page in FR_SCAN]
    import_paths(cat, [pdfs.scanned_pdf(tmp_path / "fr.pdf", pages=long_fr)])
    report = run_queue(cat)
    assert jobs(cat)[0]["language"] == "fr"
    assert "French" in report.documents[0]["message"]


def test_cancel_keeps_the_pages_read_and_the_next_run_goes_on(cat: Catalogue, tmp_path: Path) -> None:
    result = import_paths(cat, [pdfs.scanned_pdf(tmp_path / "scan.pdf", 2)]).files[0]
    cancel = threading.Event()

    def stop_after_one(state) -> None:
        if state.pages_done == 1:
            cancel.set()

    report = run_queue(cat, progress=stop_after_one, cancel=cancel)
    assert report.cancelled and report.pages == 1
    assert [(j["status"], j["pages_done"], j["pages_left"]) for j in jobs(cat)] == [("cancelled", 1, 1)]
    assert [source for _n, source, _t in _pages(cat, result.attachment_id)] == ["ocr", "text"]
    assert run_queue(cat).pages == 0  # a plain run leaves a cancelled document alone
    assert enqueue(cat, [result.publication_id]) == ["scan.pdf: 1 page queued for OCR"]
    assert run_queue(cat).pages == 1
    assert [source for _n, source, _t in _pages(cat, result.attachment_id)] == ["ocr", "ocr"]


def test_a_crash_mid_document_resumes_where_it_stopped(cat: Catalogue, tmp_path: Path) -> None:
    result = import_paths(cat, [pdfs.scanned_pdf(tmp_path / "scan.pdf", 2)]).files[0]

    class Crash(Exception):
        pass

    def crash_after_one(state) -> None:
        if state.pages_done == 1:
            raise Crash  # as a killed process: nothing after the committed page runs

    with pytest.raises(Crash):
        run_queue(cat, progress=crash_after_one)
    assert [(j["status"], j["pages_done"], j["pages_left"]) for j in jobs(cat)] == [("running", 1, 1)]
    read: list[str] = []
    report = run_queue(cat, progress=lambda p: read.append(p.current))
    assert report.pages == 1  # only the page left
    assert [source for _n, source, _t in _pages(cat, result.attachment_id)] == ["ocr", "ocr"]
    assert jobs(cat)[0]["status"] == "done"


def test_kbase_ocr_and_kbase_check(location: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    pdfs.scanned_pdf(folder / "scan.pdf", 2)
    pdfs.english_pdf(folder / "text.pdf")
    assert run_cli(["import", str(folder), "-L", location]).returncode == 0
    check = run_cli(["check", "-L", location])
    assert "OCR: 1 document (2 scanned pages) not read yet; run `kbase ocr` to read them" in check.stdout
    status = run_cli(["ocr", "--status", "--json", "-L", location])
    assert json.loads(status.stdout)["state"]["queued"] == 1
    done = run_cli(["ocr", "-L", location])
    assert done.returncode == 0, done.stderr
    assert "scan.pdf: done: text from OCR: 2 pages read" in done.stdout
    assert "OCR: 2 pages read in 1 document" in done.stdout
    assert "not read yet" not in run_cli(["check", "-L", location]).stdout
    found = json.loads(run_cli(["search", "Fizi road", "--json", "-L", location]).stdout)
    scan = [hit for hit in found["hits"] if hit["title"] == "scan"]  # text.pdf says it too
    assert found["total"] == 2 and [p["page"] for p in scan[0]["pages"]] == [2]
    again = run_cli(["ocr", "--all", "-L", location])
    assert "OCR: 0 pages read in 0 documents" in again.stdout  # nothing left without text


def test_kbase_ocr_names_a_missing_publication(location: str) -> None:
    out = run_cli(["ocr", "999", "-L", location])
    assert "publication 999: no such publication" in out.stdout


def test_undoing_the_import_takes_its_queue_away(cat: Catalogue, tmp_path: Path) -> None:
    from kbase.imports.batches import undo_batch

    report = import_paths(cat, [pdfs.scanned_pdf(tmp_path / "scan.pdf", 1)])
    assert ocr_state(cat)["queued"] == 1
    undo_batch(cat, report.batch)
    assert jobs(cat) == [] and run_queue(cat).pages == 0


def test_a_searchable_copy_lays_the_words_read_on_the_page_images(cat: Catalogue, tmp_path: Path) -> None:
    import pymupdf

    from kbase.ocr.queue import searchable_copy

    result = import_paths(cat, [pdfs.mixed_scan_pdf(tmp_path / "mixed.pdf")]).files[0]
    assert searchable_copy(cat, result.attachment_id) is None  # nothing read yet: the viewer shows the file
    run_queue(cat)
    copy = searchable_copy(cat, result.attachment_id)
    with pymupdf.open(copy) as doc:
        assert doc.page_count == 3
        assert doc[1].search_for("traceability")  # the scanned page, where the word now has a place
        assert "Kamituga" in doc[0].get_text() and "Fizi road" in doc[2].get_text()  # the text pages as they were
    stored = tmp_path / "stored.pdf"
    assert copy != stored and searchable_copy(cat, result.attachment_id) == copy  # made once
