"""Notes, related publications and links in the details pane: shown, added, edited, deleted, opened."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox

from kbase.catalogue import notes, relations
from kbase.imports import attach
from kbase.library import models as m
from ui.notes_panel import Ask, NoteDialog, attach_paths


def _click(window, url: str) -> None:
    window.details.anchorClicked.emit(QUrl(url))


def test_notes_are_shown_added_edited_and_deleted(qtbot, window) -> None:
    cat = window.catalogue
    pub = cat.all(m.Publication)[0]
    notes.add_note(cat, "publication", pub.id, "Check the **map** legend\n\n- site 12\n- site 14")
    window.details.show_record("publication", pub.id)
    shown = window.details.toHtml()
    assert "Notes" in shown and "map" in shown and "site 14" in shown and "<b" in shown or "font-weight" in shown

    _click(window, "kbase-around:note-add/")
    dialog = window.details.findChild(NoteDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.editor.setPlainText("A second note about *cassiterite*")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    got = notes.notes(cat, "publication", pub.id)
    assert [n["text"] for n in got][-1] == "A second note about *cassiterite*"
    assert "cassiterite" in window.details.toPlainText()

    _click(window, f"kbase-around:note-edit/{got[0]['id']}")
    editor = [d for d in window.details.findChildren(NoteDialog) if d.isVisible()][0]
    assert editor.text().startswith("Check the **map**")
    editor.editor.setPlainText("Legend checked")
    editor.accept()
    assert notes.get_note(cat, got[0]["id"])["text"] == "Legend checked"

    _click(window, f"kbase-around:note-delete/{got[0]['id']}")
    box = [b for b in window.details.findChildren(Ask) if b.isVisible()][0]
    box.ok_button.click()
    assert [n["text"] for n in notes.notes(cat, "publication", pub.id)] == ["A second note about *cassiterite*"]
    assert "Legend checked" not in window.details.toPlainText()


def test_related_publications_read_from_both_ends(qtbot, window) -> None:
    cat = window.catalogue
    book, chapter = [p.id for p in cat.all(m.Publication)[:2]]
    relations.relate(cat, chapter, "chapter of", book)
    window.details.show_record("publication", book)
    assert "Has chapter" in window.details.toPlainText()
    window.details.show_record("publication", chapter)
    assert "Chapter of" in window.details.toPlainText()
    assert f"kbase:publication/{book}" in window.details.toHtml()


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


def test_files_and_links_attached_and_opened(qtbot, window, tmp_path: Path) -> None:
    cat = window.catalogue
    pub = cat.all(m.Publication)[0].id
    sheet = tmp_path / "sites.csv"
    sheet.write_text("site,workers\nKamituga,300\n", encoding="utf-8")
    window.details.show_record("publication", pub)
    assert attach_paths(window.details, [str(sheet), str(tmp_path / "missing.docx")]) == [
        f"missing.docx: no such file: {tmp_path / 'missing.docx'}"]
    warning = [b for b in window.details.findChildren(Ask) if b.isVisible()][0]
    assert "missing.docx" in warning.label.text()
    warning.ok_button.click()
    att = [a for a in attach.attachments(cat, pub) if a.get("filename") == "sites.csv"][0]
    assert "sites.csv" in window.details.toPlainText()

    _click(window, "kbase-around:attach-link/")
    ask = [d for d in window.details.findChildren(Ask) if d.isVisible()][0]
    ask.field.setText("https://example.org/sites-map")
    ask.ok_button.click()
    assert "https://example.org/sites-map" in window.details.toHtml()

    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        _click(window, f"kbase:attachment/{att['id']}")
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert len(opened.urls) == 1 and Path(opened.urls[0]).name == "sites.csv"
    assert Path(opened.urls[0]).read_text(encoding="utf-8").startswith("site,workers")
    assert window.viewers == []  # not opened in the PDF viewer

    link = attach.links(cat, pub)[0]
    _click(window, f"kbase-around:link-remove/{link['id']}")
    assert attach.links(cat, pub) == []
