"""Documents that are no PDF (Word, OpenDocument, slides, EPUB, HTML, text…): shown as pages when MuPDF or
LibreOffice can draw them, else as their text, section by section, with every match of the term highlighted."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMessageBox, QTextBrowser, QTextEdit, QVBoxLayout, QWidget

from kbase.i18n import N_
from kbase.library import models as m
from ui import tasks
from ui.i18n import tr, tr_n
from ui.resources import icon
from ui.viewer import PdfViewer, retranslate_system_button, system_button, tool_button


class TextViewer(QWidget):
    """A document Kbase cannot draw (Word, OpenDocument, EPUB, HTML, text…): its text section by section, with a
    find field that highlights every match, and the file offered to the system's application."""

    SECTION_WORDS = {"application/epub+zip": N_("Chapter {n}"), "text/html": N_("Page {n}")}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("text_viewer")
        self.attachment_id: int | None = None
        self.title = ""
        self.path = ""
        self.mime = ""
        self.sections: list[dict[str, Any]] = []
        self._starts: list[int] = []  # where each section starts in the text
        self._matches: list[QTextCursor] = []
        self._current = -1
        self.text = QTextBrowser(self)
        self.text.setOpenLinks(False)
        self.pdf: PdfViewer | None = None  # the document drawn as pages, when something here can draw it
        self.section_label = QLabel(self)
        self.find_field = QLineEdit(self)
        self.find_field.setClearButtonEnabled(True)
        self.find_field.setMaximumWidth(260)
        self.find_prev = tool_button(self, "up", lambda: self.step_match(-1))
        self.find_next = tool_button(self, "down", lambda: self.step_match(1))
        self.match_label = QLabel(self)
        self.system_button = system_button(self)
        bar = self._bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        bar.addWidget(self.section_label)
        bar.addStretch(1)
        for w in (self.find_field, self.find_prev, self.find_next, self.match_label):
            bar.addWidget(w)
        bar.addSpacing(10)
        bar.addWidget(self.system_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.text, 1)
        self.find_field.returnPressed.connect(lambda: self.find(self.find_field.text()))
        self.retranslate()

    def show_text(self, path: str, mime: str, sections: list[dict[str, Any]], page: int = 1, term: str = "") -> None:
        """Lay out the sections ({page, text}), then find term, showing its first match in section `page`."""
        self.path, self.mime, self.sections = path, mime, sections
        doc = QTextDocument(self.text)
        cursor = QTextCursor(doc)
        heading = QTextCharFormat()
        heading.setFontWeight(700)
        plain = QTextCharFormat()
        self._starts = []
        for i, section in enumerate(sections):
            if i:
                cursor.insertBlock()
            self._starts.append(cursor.position())
            if len(sections) > 1:
                cursor.insertText(self._section_title(section["page"]), heading)
                cursor.insertBlock()
            cursor.insertText(section["text"] or tr("(no text)"), plain)
        self.text.setDocument(doc)
        self._update_section_label()
        self.find_field.setText(term)
        self.find(term, page)

    def show_pages(self, pdf_path: str, term: str = "") -> bool:
        """Show the document drawn as a PDF (LibreOffice's or MuPDF's) instead of its text; the find field and the
        system button stay, the hits are highlighted on the pages."""
        pdf = PdfViewer(self)
        if not pdf.open(pdf_path, 1, term):
            pdf.deleteLater()
            return False
        pdf.path = self.path  # its button hands the system the document itself, not the drawing
        self.pdf = pdf
        self.layout().replaceWidget(self.text, pdf)
        self.text.hide()
        for w in (self.find_field, self.find_prev, self.find_next, self.match_label, self.section_label,
                  self.system_button):
            w.hide()
        self._bar.setContentsMargins(0, 0, 0, 0)  # the pages' own bar does the work now
        return True

    def _section_title(self, number: int) -> str:
        return tr(self.SECTION_WORDS.get(self.mime, N_("Section {n}"))).format(n=number)

    def find(self, term: str, page: int | None = None) -> None:
        """Highlight every match of term; the current one is the first in section `page` (else the first)."""
        self._matches = []
        doc = self.text.document()
        if term.strip():
            found = doc.find(term.strip())
            while not found.isNull():
                self._matches.append(found)
                found = doc.find(term.strip(), found)
        self._current = -1
        if self._matches:
            start = self._starts[page - 1] if page and 0 < page <= len(self._starts) else 0
            self._current = next((i for i, c in enumerate(self._matches) if c.selectionStart() >= start), 0)
        self._paint()

    def step_match(self, step: int) -> None:
        if self._matches:
            self._current = (self._current + step) % len(self._matches)
            self._paint()

    def matches_in_section(self, number: int) -> int:
        start = self._starts[number - 1]
        end = self._starts[number] if number < len(self._starts) else self.text.document().characterCount()
        return sum(1 for c in self._matches if start <= c.selectionStart() < end)

    def _paint(self) -> None:
        selections = []
        for i, match in enumerate(self._matches):
            sel = QTextEdit.ExtraSelection()
            sel.cursor = match
            sel.format.setBackground(QColor("#ff9632") if i == self._current else QColor("#ffe066"))
            selections.append(sel)
        self.text.setExtraSelections(selections)
        if 0 <= self._current < len(self._matches):
            self.text.setTextCursor(QTextCursor(self._matches[self._current]))
            self.text.ensureCursorVisible()
        self._update_match_label()

    def _update_match_label(self) -> None:
        if not self.find_field.text().strip():
            self.match_label.setText("")
        elif not self._matches:
            self.match_label.setText(tr("not found"))
        else:
            self.match_label.setText(tr_n("{i} of {n} match", "{i} of {n} matches", len(self._matches)).format(
                i=self._current + 1, n=len(self._matches)))

    def _update_section_label(self) -> None:
        n = len(self.sections)
        self.section_label.setText(tr("{n} sections").format(n=n) if n != 1 else "")

    def retranslate(self) -> None:
        self.find_field.setPlaceholderText(tr("Find in this document"))
        self.find_prev.setToolTip(tr("Previous match"))
        self.find_next.setToolTip(tr("Next match"))
        retranslate_system_button(self.system_button)
        self._update_section_label()
        self._update_match_label()


def _local_text(library: Any, attachment_id: int) -> tuple[str, dict[str, Any], str | None]:
    """(path, texts, PDF to show or None) of a document that is no PDF (worker thread): the PDF is MuPDF's
    (EPUB, FictionBook, XPS) or LibreOffice's (office files, when installed), kept in the library's previews."""
    from kbase.catalogue.records import Catalogue
    from kbase.files.store import ensure_local
    from kbase.imports.documents import convert_to_pdf, kind_of_mime
    from kbase.ocr.queue import attachment_texts

    cat = Catalogue(library)
    att = cat.get(m.Attachment, attachment_id)
    path = ensure_local(library, att.sha256)
    kind = kind_of_mime(att.mime)
    pdf = convert_to_pdf(path, kind, library.folder / "previews" / f"{att.sha256}.pdf") if kind else None
    return str(path), attachment_texts(cat, attachment_id), str(pdf) if pdf else None


def open_document(window: Any, attachment_id: int, page: int, term: str) -> TextViewer:
    viewer = next((v for v in window.viewers if v.attachment_id == attachment_id), None)
    if isinstance(viewer, TextViewer) and viewer.sections:
        window.tabs.setCurrentWidget(viewer)
        if viewer.pdf is not None:
            viewer.pdf.find_field.setText(term)
            viewer.pdf.find(term)
        else:
            viewer.find_field.setText(term)
            viewer.find(term, page)
        return viewer
    viewer = TextViewer(window.tabs)
    viewer.attachment_id = attachment_id
    window.viewers.append(viewer)
    window.tabs.addTab(viewer, icon("pdf"), tr("Loading…"))
    window.tabs.setCurrentWidget(viewer)

    def loaded(result: tuple[str, dict[str, Any], str | None]) -> None:
        path, info, pdf = result
        if viewer not in window.viewers:
            return
        viewer.title = info["filename"]
        i = window.tabs.indexOf(viewer)
        window.tabs.setTabText(i, viewer.title if len(viewer.title) < 32 else viewer.title[:30] + "…")
        window.tabs.setTabToolTip(i, viewer.title)
        viewer.show_text(path, info["mime"], info["pages"], page, term)
        if pdf:
            viewer.show_pages(pdf, term)

    def failed(message: str) -> None:
        if viewer in window.viewers:
            window._close_tab(window.tabs.indexOf(viewer))
        QMessageBox.warning(window, tr("Cannot open the document"), message)

    task = tasks.run(_local_text, window.catalogue.library, attachment_id, on_result=loaded, on_error=failed,
                     parent=window)
    window.track(task, tr("Opening document…"))
    viewer.loading_task = task
    return viewer


__all__ = ["TextViewer", "open_document"]
