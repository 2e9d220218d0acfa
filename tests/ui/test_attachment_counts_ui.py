"""An attachment's pages and its stored OCR message, as the details pane and the editor's file list show them: the
count in its form ("1 page", "2 pages"; French: 0 and 1 singular), the English message read back in the interface's
language with each count its own form ("1 blanche", "2 blanches"); the status bar's word when OCR ends too."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import update

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.ocr.queue import ocr_message
from tests.search_data import add_document
from tests.test_no_parenthesised_plurals import PARENTHESISED
from ui import i18n
from ui.details import DetailsPane
from ui.editors.forms import AttachmentsView
from ui.ocr_runner import finished_text


def _scanned(cat: Catalogue) -> tuple[int, int, int]:
    """A publication with two scans read by OCR: one page (and a blank one), three pages (two blank)."""
    pub, one = add_document(cat, "Scanned minutes", ["Minutes of the meeting."])
    with cat.transaction() as s:
        two = m.Attachment(publication_id=pub, sha256=s.get(m.Attachment, one).sha256, filename="annex.pdf",
                           status="ok", page_count=3, message=ocr_message(1, 2, "fra"))
        s.add(two)
        s.flush()
        s.execute(update(m.Attachment).where(m.Attachment.id == one).values(filename="minutes.pdf", page_count=1,
                                                                            message=ocr_message(1, 1, "eng")))
        two_id = int(two.id or 0)
    return pub, one, two_id


def test_details_and_file_list_say_each_count_in_its_form(qtbot, sqlite_demo: Catalogue) -> None:
    pub, one, two = _scanned(sqlite_demo)
    details = DetailsPane(sqlite_demo)
    qtbot.addWidget(details)
    details.show_record("publication", pub)
    english = details.toPlainText()
    assert "ok · 1 page\ntext from OCR: 1 page read in English, 1 blank" in english, english
    assert "ok · 3 pages\ntext from OCR: 1 page read in French, 2 blank" in english, english
    files = AttachmentsView(SimpleNamespace(catalogue=sqlite_demo), pub)
    qtbot.addWidget(files)
    said = [(files.list.item(i).text(), files.list.item(i).toolTip()) for i in range(files.list.count())]
    assert said == [("minutes.pdf · ok · 1 page", "text from OCR: 1 page read in English, 1 blank"),
                    ("annex.pdf · ok · 3 pages", "text from OCR: 1 page read in French, 2 blank")]

    i18n.set_language("fr")
    details.show_record("publication", pub)
    french = details.toPlainText()
    assert "ok · 1 page\ntexte issu de l’OCR : 1 page lue en anglais, 1 blanche" in french, french
    assert "ok · 3 pages\ntexte issu de l’OCR : 1 page lue en français, 2 blanches" in french, french
    assert not PARENTHESISED.search(french)
    files = AttachmentsView(SimpleNamespace(catalogue=sqlite_demo), pub)
    qtbot.addWidget(files)
    said = [(files.list.item(i).text(), files.list.item(i).toolTip()) for i in range(files.list.count())]
    assert said == [("minutes.pdf · ok · 1 page", "texte issu de l’OCR : 1 page lue en anglais, 1 blanche"),
                    ("annex.pdf · ok · 3 pages", "texte issu de l’OCR : 1 page lue en français, 2 blanches")]


def test_the_status_bar_says_the_pages_ocr_read_in_their_form() -> None:
    def run(pages: int, cancelled: bool = False) -> SimpleNamespace:
        return SimpleNamespace(pages=pages, cancelled=cancelled)

    assert finished_text(run(1)) == "OCR finished: 1 page read"
    assert finished_text(run(2)) == "OCR finished: 2 pages read"
    assert finished_text(run(0, cancelled=True)) == "OCR stopped: 0 pages read; it goes on next time"
    assert finished_text(run(1, cancelled=True)) == "OCR stopped: 1 page read; it goes on next time"
    i18n.set_language("fr")
    assert finished_text(None) == "OCR terminée : 0 page lue"
    assert finished_text(run(1)) == "OCR terminée : 1 page lue"
    assert finished_text(run(3)) == "OCR terminée : 3 pages lues"
    assert finished_text(run(0, cancelled=True)) == "OCR arrêtée : 0 page lue ; elle reprendra la prochaine fois"
    assert finished_text(run(2, cancelled=True)) == "OCR arrêtée : 2 pages lues ; elle reprendra la prochaine fois"
