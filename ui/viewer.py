"""The embedded PDF viewer (QtPdf): opens an attachment at a page with the search term highlighted on it, and
offers the file to the system's own application. Other documents: ui/document_viewer.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kbase.library import models as m
from ui import tasks
from ui.i18n import tr, tr_n
from ui.resources import icon


class PdfViewer(QWidget):
    """A page navigator, zoom buttons and a find field above a QPdfView."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pdf_viewer")
        self.attachment_id: int | None = None
        self.title = ""
        self.document = QPdfDocument(self)
        self.search_model = QPdfSearchModel(self)
        self.search_model.setDocument(self.document)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setSearchModel(self.search_model)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._target_page = 0  # 0-based page to show once the document is laid out
        self._want_match_on_page = False

        self.page_box = QSpinBox(self)
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_total = QLabel(self)
        self.prev_button = self._button("back", self.previous_page)
        self.next_button = self._button("forward", self.next_page)
        self.zoom_out_button = self._button("zoom-out", lambda: self.zoom(1 / 1.25))
        self.zoom_in_button = self._button("zoom-in", lambda: self.zoom(1.25))
        self.fit_button = self._button("fit-width", self.fit_width)
        self.find_field = QLineEdit(self)
        self.find_field.setClearButtonEnabled(True)
        self.find_field.setMaximumWidth(260)
        self.find_prev = self._button("up", lambda: self.step_match(-1))
        self.find_next = self._button("down", lambda: self.step_match(1))
        self.match_label = QLabel(self)
        self.path = ""
        self.system_button = system_button(self)

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        for w in (self.prev_button, self.page_box, self.page_total, self.next_button):
            bar.addWidget(w)
        bar.addSpacing(12)
        for w in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.find_field, self.find_prev, self.find_next, self.match_label):
            bar.addWidget(w)
        bar.addSpacing(10)
        bar.addWidget(self.system_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.page_box.valueChanged.connect(lambda n: self.go_to_page(n))
        self.view.pageNavigator().currentPageChanged.connect(self._on_page_changed)
        self.find_field.returnPressed.connect(lambda: self.find(self.find_field.text()))
        self.search_model.countChanged.connect(self._on_matches)
        self.document.statusChanged.connect(self._on_status)
        self.retranslate()

    def _button(self, icon_name: str, slot: Any) -> QToolButton:
        return tool_button(self, icon_name, slot)

    # -- opening ---------------------------------------------------------------------------------
    def open(self, path: str | Path, page: int = 1, term: str = "") -> bool:
        """Load the PDF, show page (1-based) and look for term; False (with the reason in `error`) if it fails."""
        self.error = ""
        self.path = str(path)
        err = self.document.load(str(path))
        if err != QPdfDocument.Error.None_:
            self.error = tr("The PDF could not be opened ({reason}): {file}").format(
                reason=err.name.replace("_", " ").strip().lower(), file=Path(path).name)
            return False
        self.page_box.setMaximum(max(1, self.document.pageCount()))
        self.page_total.setText(tr("of {n}").format(n=self.document.pageCount()))
        self.go_to_page(page)
        self.find_field.setText(term)
        self._want_match_on_page = bool(term)
        self.search_model.setSearchString(term)
        return True

    def current_page(self) -> int:
        """The page shown, 1-based."""
        return self.view.pageNavigator().currentPage() + 1

    def go_to_page(self, page: int) -> None:
        count = self.document.pageCount()
        if count <= 0:
            return
        index = min(max(page, 1), count) - 1
        self._target_page = index
        self.view.pageNavigator().jump(index, QPointF(), self.view.pageNavigator().currentZoom())

    def previous_page(self) -> None:
        self.go_to_page(self.current_page() - 1)

    def next_page(self) -> None:
        self.go_to_page(self.current_page() + 1)

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.2, min(6.0, self.view.zoomFactor() * factor)))

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    # -- find ------------------------------------------------------------------------------------------
    def find(self, term: str) -> None:
        self._want_match_on_page = False
        self.search_model.setSearchString(term)

    def step_match(self, step: int) -> None:
        count = self.search_model.count()
        if not count:
            return
        index = (self.view.currentSearchResultIndex() + step) % count
        self._show_match(index)

    def _show_match(self, index: int) -> None:
        self.view.setCurrentSearchResultIndex(index)
        link = self.search_model.resultAtIndex(index)
        if link.isValid():
            self.view.pageNavigator().jump(link)
        self._update_match_label()

    def _on_matches(self) -> None:
        count = self.search_model.count()
        if count and self._want_match_on_page:
            # the first match on the page we were opened at, not the first in the document
            for i in range(count):
                if self.search_model.resultAtIndex(i).page() == self._target_page:
                    self._want_match_on_page = False
                    self.view.setCurrentSearchResultIndex(i)
                    break
        self._update_match_label()

    def _update_match_label(self) -> None:
        count = self.search_model.count()
        if not self.search_model.searchString():
            self.match_label.setText("")
        elif count == 0:
            self.match_label.setText(tr("not found"))
        else:
            current = self.view.currentSearchResultIndex()
            self.match_label.setText(tr_n("{i} of {n} match", "{i} of {n} matches", count).format(
                i=max(current, 0) + 1, n=count))

    def matches_on_page(self, page: int) -> int:
        """How many matches of the current term lie on page (1-based)."""
        return len(self.search_model.resultsOnPage(page - 1))

    def _on_page_changed(self, index: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(index + 1)
        self.page_box.blockSignals(False)

    def _on_status(self, status: QPdfDocument.Status) -> None:
        if status == QPdfDocument.Status.Ready:
            self.page_total.setText(tr("of {n}").format(n=self.document.pageCount()))

    def retranslate(self) -> None:
        self.find_field.setPlaceholderText(tr("Find in this PDF"))
        self.prev_button.setToolTip(tr("Previous page"))
        self.next_button.setToolTip(tr("Next page"))
        self.zoom_in_button.setToolTip(tr("Zoom in"))
        self.zoom_out_button.setToolTip(tr("Zoom out"))
        self.fit_button.setToolTip(tr("Fit to width"))
        self.find_prev.setToolTip(tr("Previous match"))
        self.find_next.setToolTip(tr("Next match"))
        retranslate_system_button(self.system_button)
        if self.document.pageCount():
            self.page_total.setText(tr("of {n}").format(n=self.document.pageCount()))
        self._update_match_label()

    def closeEvent(self, event: Any) -> None:
        self.document.close()
        super().closeEvent(event)


def tool_button(parent: QWidget, icon_name: str, slot: Any) -> QToolButton:
    b = QToolButton(parent)
    b.setIcon(icon(icon_name))
    b.setAutoRaise(True)
    b.clicked.connect(slot)
    return b


def system_button(viewer: Any) -> QPushButton:
    button = QPushButton(viewer)
    button.setObjectName("open_with_system")
    button.clicked.connect(lambda: open_with_system(viewer.path))
    return button


def retranslate_system_button(button: QPushButton) -> None:
    button.setText(tr("Open with the system's application"))
    button.setToolTip(tr("Open the file in the application this computer uses for its type"))


def open_with_system(path: str) -> bool:
    """Hand the file to the desktop (xdg-open, Finder, Explorer): its own application opens it."""
    return bool(path) and QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def _local_file(library: Any, attachment_id: int) -> tuple[str, str, str]:
    """(path, filename, PDF to show) of an attachment's PDF, fetched to the local store if needed (worker thread).
    The PDF shown is the file itself, or, for a scan OCR read here, a copy whose pages carry the words read, so
    that the find field highlights them on the page image."""
    from kbase.catalogue.records import Catalogue
    from kbase.files.store import ensure_local
    from kbase.ocr.queue import searchable_copy

    cat = Catalogue(library)
    att = cat.get(m.Attachment, attachment_id)
    path = str(ensure_local(library, att.sha256))
    try:
        shown = searchable_copy(cat, attachment_id)
    except Exception:  # the copy is a convenience: the file itself is always there to show
        shown = None
    return path, att.filename, str(shown or path)


def open_in_window(window: Any, attachment_id: int, page: int = 1, term: str = "") -> PdfViewer:
    """Show the attachment in a viewer tab of the main window (reusing its tab if already open): a PDF drawn, any
    other document as its text."""
    try:
        mime = window.catalogue.get(m.Attachment, attachment_id).mime
    except Exception:  # gone meanwhile: the PDF path below says so in its own words
        mime = "application/pdf"
    if mime != "application/pdf":
        from ui.document_viewer import open_document

        return open_document(window, attachment_id, page, term)  # type: ignore[return-value]
    viewer = next((v for v in window.viewers if v.attachment_id == attachment_id), None)
    if viewer is not None and viewer.document.pageCount():
        window.tabs.setCurrentWidget(viewer)
        viewer.go_to_page(page)
        viewer.find_field.setText(term)
        viewer._want_match_on_page = bool(term)
        viewer.search_model.setSearchString(term)
        return viewer
    if viewer is None:
        viewer = PdfViewer(window.tabs)
        viewer.attachment_id = attachment_id
        window.viewers.append(viewer)
        window.tabs.addTab(viewer, icon("pdf"), tr("Loading…"))
    window.tabs.setCurrentWidget(viewer)

    def loaded(result: tuple[str, str, str]) -> None:
        path, filename, shown = result
        if viewer not in window.viewers:
            return  # the tab was closed meanwhile
        viewer.title = filename
        i = window.tabs.indexOf(viewer)
        window.tabs.setTabText(i, filename if len(filename) < 32 else filename[:30] + "…")
        window.tabs.setTabToolTip(i, filename)
        if not viewer.open(shown, page, term):
            failed(viewer.error)
        viewer.path = path  # the system's application gets the file as stored, not the copy with OCR words

    def failed(message: str) -> None:
        if viewer in window.viewers:
            window._close_tab(window.tabs.indexOf(viewer))
        QMessageBox.warning(window, tr("Cannot open the PDF"), message)

    task = tasks.run(_local_file, window.catalogue.library, attachment_id, on_result=loaded, on_error=failed,
                     parent=window)
    window.track(task, tr("Opening PDF…"))
    viewer.loading_task = task
    return viewer


__all__ = ["PdfViewer", "open_in_window", "open_with_system", "tool_button", "system_button",
           "retranslate_system_button"]
