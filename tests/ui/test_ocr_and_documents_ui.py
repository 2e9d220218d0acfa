"""The GUI's side of issue 18: a document that is no PDF opens as its text with the hits highlighted, both viewers
hand the file to the system's application, and OCR runs in the background with progress and a Stop button."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from kbase.catalogue.records import Catalogue
from kbase.imports.pipeline import import_paths
from kbase.library import models as m
from tests import pdfs
from tests.imports.test_documents import make_epub, make_pptx
from tests.ui.conftest import import_pdfs


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def _catch_file_urls() -> _UrlCatcher:
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")  # what the desktop would be handed
    return catcher


def test_slides_shown_as_text_section_by_section_with_every_match_highlighted(qtbot, sqlite_demo: Catalogue,
                                                                              tmp_path: Path) -> None:
    cat = sqlite_demo
    from kbase.ocr.queue import attachment_texts
    from ui.document_viewer import TextViewer

    result = import_paths(cat, [make_pptx(tmp_path / "deck.pptx")], workers=1).files[0]
    info = attachment_texts(cat, result.attachment_id)
    viewer = TextViewer()
    qtbot.addWidget(viewer)
    viewer.setMinimumSize(900, 600)  # a fixed top-level size: labels changing text must not resize the window
    viewer.show()
    viewer.show_text(str(tmp_path / "deck.pptx"), info["mime"], info["pages"], 2, "Bisie")
    assert "Section 2" in viewer.text.toPlainText() and viewer.section_label.text() == "2 sections"
    assert viewer.matches_in_section(2) == 1 and viewer.matches_in_section(1) == 0
    assert viewer.match_label.text() == "1 of 1 match"
    assert viewer.text.textCursor().selectedText() == "Bisie"  # the hit is selected, so shown
    assert len(viewer.text.extraSelections()) == 1
    viewer.find("slide")
    assert viewer.match_label.text() == "not found"
    viewer.find("i", 2)  # many matches: every one painted, the current one the first in section 2
    assert len(viewer.text.extraSelections()) == len(viewer._matches) > 3
    assert viewer._matches[viewer._current].selectionStart() >= viewer._starts[1]


def test_a_markdown_file_opens_as_its_text_at_the_hit(qtbot, make_window, sqlite_demo: Catalogue,
                                                      tmp_path: Path) -> None:
    from ui.document_viewer import TextViewer

    path = tmp_path / "notes.md"
    path.write_text("# Field notes\n\nThe cassiterite of Bisie goes to Goma.\n\nBisie again.\n", encoding="utf-8")
    result = import_paths(sqlite_demo, [path], workers=1).files[0]
    window = make_window(sqlite_demo)
    window.open_attachment(result.attachment_id, 1, "Bisie")
    qtbot.waitUntil(lambda: len(window.viewers) == 1 and bool(window.viewers[0].sections), timeout=30000)
    viewer = window.viewers[0]
    assert isinstance(viewer, TextViewer) and window.tabs.currentWidget() is viewer and viewer.pdf is None
    assert window.tabs.tabText(window.tabs.indexOf(viewer)) == "notes.md"
    assert viewer.match_label.text() == "1 of 2 matches" and viewer.section_label.text() == ""
    catcher = _catch_file_urls()
    try:
        viewer.system_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [viewer.path] and Path(viewer.path).exists()
    assert viewer.system_button.text() == "Open with the system's application"
    window.open_attachment(result.attachment_id, 1, "Goma")  # the same tab, the new term
    assert window.viewers == [viewer] and viewer.match_label.text() == "1 of 1 match"


def test_an_epub_is_shown_as_pages_drawn_by_mupdf(qtbot, make_window, sqlite_demo: Catalogue, tmp_path: Path) -> None:
    result = import_paths(sqlite_demo, [make_epub(tmp_path / "voices.epub")], workers=1).files[0]
    window = make_window(sqlite_demo)
    window.open_attachment(result.attachment_id, 2, "Victoria")
    qtbot.waitUntil(lambda: len(window.viewers) == 1 and window.viewers[0].pdf is not None, timeout=30000)
    viewer = window.viewers[0]
    pages = viewer.pdf
    qtbot.waitUntil(lambda: pages.document.pageCount() >= 2 and pages.search_model.count() == 1, timeout=30000)
    assert pages.isVisible() and not viewer.text.isVisible() and not viewer.system_button.isVisible()
    assert pages.system_button.isVisible() and pages.path == viewer.path  # the EPUB itself, not the drawing
    assert Path(viewer.path).read_bytes()[:2] == b"PK"


def test_the_pdf_viewer_offers_the_system_application_too(qtbot, make_window, sqlite_demo: Catalogue,
                                                          tmp_path: Path) -> None:
    atts = import_pdfs(sqlite_demo, tmp_path / "pdfs", {"gold": ["Gold in Ituri.", "More gold."]})
    window = make_window(sqlite_demo)
    window.open_attachment(atts["gold"], 1, "gold")
    qtbot.waitUntil(lambda: len(window.viewers) == 1 and window.viewers[0].document.pageCount() == 2, timeout=30000)
    viewer = window.viewers[0]
    catcher = _catch_file_urls()
    try:
        viewer.system_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [viewer.path]


def test_ocr_runs_in_the_background_when_the_library_opens(qtbot, make_window, sqlite_demo: Catalogue,
                                                           tmp_path: Path) -> None:
    result = import_paths(sqlite_demo, [pdfs.scanned_pdf(tmp_path / "scan.pdf", 2)], workers=1).files[0]
    assert result.status == "no text layer"
    window = make_window(sqlite_demo)
    qtbot.waitUntil(lambda: getattr(window, "ocr_task", None) is not None, timeout=30000)
    assert window.ocr_stop_button.isVisible() and window.ocr_stop_button.text() == "Stop OCR"
    assert window.work_label.text().startswith("OCR")
    qtbot.waitUntil(lambda: window.ocr_task.done, timeout=180000)
    assert window.statusBar().currentMessage() == "OCR finished: 2 pages read"
    assert not window.ocr_stop_button.isVisible()
    att = sqlite_demo.get(m.Attachment, result.attachment_id)
    assert att.status == "ok" and att.message.startswith("text from OCR: 2 pages")
    # the words OCR read are found and highlighted on the page image, in a copy; the system gets the file itself
    window.open_attachment(result.attachment_id, 2, "Fizi")
    qtbot.waitUntil(lambda: len(window.viewers) == 1 and window.viewers[0].document.pageCount() == 2, timeout=30000)
    viewer = window.viewers[0]
    qtbot.waitUntil(lambda: viewer.search_model.count() == 1, timeout=30000)
    assert viewer.matches_on_page(2) == 1 and viewer.current_page() == 2
    assert "previews" not in viewer.path and Path(viewer.path).read_bytes().startswith(b"%PDF-")
