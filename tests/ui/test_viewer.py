"""Opening a search hit shows the PDF in the embedded viewer at the hit's page, with the term found there."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.conftest import import_pdfs

PAGES = [f"Chapter {i}\nOrdinary text about mining on page {i}." for i in range(1, 7)]
PAGES[3] = "Chapter 4\nThe quokkaite deposits near Walikale are described here."


def test_opening_a_hit_shows_the_viewer_at_that_page(qtbot, make_window, sqlite_demo, tmp_path: Path):
    atts = import_pdfs(sqlite_demo, tmp_path / "pdfs", {"minerals": PAGES})
    window = make_window(sqlite_demo)
    qtbot.keyClicks(window.search_field, "quokkaite")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.result is not None and panel.hits.rowCount() == 1, timeout=30000)
    pub_row = panel.hits.index(0, 0)
    page_row = panel.hits.index(0, 0, pub_row)
    _hit, page = panel.hits.hit_at(page_row)
    assert (page.attachment_id, page.page) == (atts["minerals"], 4)

    view = panel.hit_view
    view.setCurrentIndex(page_row)
    view.scrollTo(page_row)
    where = view.visualRect(page_row).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a real double click starts with a press
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: len(window.viewers) == 1 and window.viewers[0].document.pageCount() == 6, timeout=30000)
    viewer = window.viewers[0]
    assert window.tabs.currentWidget() is viewer
    qtbot.waitUntil(lambda: viewer.current_page() == 4, timeout=10000)
    assert viewer.view.pageNavigator().currentPage() == 3  # QtPdf counts from 0
    assert viewer.find_field.text() == "quokkaite"
    qtbot.waitUntil(lambda: viewer.search_model.count() == 1, timeout=10000)
    assert viewer.matches_on_page(4) == 1
    assert viewer.matches_on_page(1) == 0
    assert viewer.view.currentSearchResultIndex() == 0
    assert "1 of 1" in viewer.match_label.text()


def test_viewer_pages_and_find(qtbot, tmp_path: Path):
    from tests.pdfs import text_pdf
    from ui.viewer import PdfViewer

    path = text_pdf(tmp_path / "five.pdf", [f"Page {i} talks about gold." for i in range(1, 6)])
    viewer = PdfViewer()
    qtbot.addWidget(viewer)
    viewer.setMinimumSize(700, 800)  # a fixed top-level size: labels changing text must not resize the window
    viewer.show()
    assert viewer.open(path, page=2, term="gold")
    qtbot.waitUntil(lambda: viewer.current_page() == 2)
    viewer.next_page()
    qtbot.waitUntil(lambda: viewer.current_page() == 3)
    assert viewer.page_box.value() == 3
    qtbot.waitUntil(lambda: viewer.search_model.count() == 5)
    viewer.step_match(1)
    assert viewer.view.currentSearchResultIndex() in range(5)


def test_a_damaged_file_is_a_message_not_a_crash(qtbot, tmp_path: Path):
    from ui.viewer import PdfViewer

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 this is not really a PDF")
    viewer = PdfViewer()
    qtbot.addWidget(viewer)
    assert not viewer.open(bad)
    assert "bad.pdf" in viewer.error
