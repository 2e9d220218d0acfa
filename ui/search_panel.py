"""The search page: an inline message line, facets with counts, and hits grouped by publication."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QRect, QRectF, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_
from ui import tasks
from ui.i18n import language, tr, tr_message, tr_n
from ui.search_models import ROLE_HIT, ROLE_HTML, FacetModel, HitsModel, marked_terms

PAGE_SIZE = 200  # publications fetched per search


class WrappingDelegate(QStyledItemDelegate):
    """Facet names wrap onto more lines at the column's width instead of being cut (the tree sizes its
    rows from this hint, which QStyledItemDelegate makes for one line)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        view = self.parent()
        if index.column() != 0 or not isinstance(view, QTreeView):
            return hint
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        depth = (1 if index.parent().isValid() else 0) + (1 if view.rootIsDecorated() else 0)
        opt.rect = QRect(0, 0, max(40, view.columnWidth(0) - view.indentation() * depth), hint.height())
        text = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, view)
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        needed = opt.fontMetrics.boundingRect(QRect(0, 0, max(20, text.width() - 2 * margin), 100000),
                                              int(Qt.TextFlag.TextWordWrap), opt.text).height()
        if needed <= opt.fontMetrics.height():
            return hint
        # a little air under a name on several lines, so that it does not run into the next one
        return QSize(hint.width(), needed + hint.height() - opt.fontMetrics.height() + 4)


class SnippetDelegate(QStyledItemDelegate):
    """Draws a page's snippet as HTML (matched words in bold), up to MAX_LINES whole lines."""

    MAX_LINES = 3

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        html_text = index.data(ROLE_HTML)
        if not html_text or not index.parent().isValid():
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget else QApplication.style()
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        doc = self._document(html_text, opt, opt.rect.width(), grey_page=not selected)  # grey on blue is unreadable
        line = opt.fontMetrics.lineSpacing()
        lines = max(1, min(self.MAX_LINES, int((opt.rect.height() - 2 * MARGIN) / line)))
        painter.save()
        painter.translate(opt.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, opt.rect.width(), lines * line + MARGIN + 1))  # whole lines only
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        html_text = index.data(ROLE_HTML)
        if not html_text or not index.parent().isValid():
            return super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        view = self.parent()
        width = opt.rect.width()
        if width <= 0 and isinstance(view, QTreeView):
            width = view.columnWidth(0) - view.indentation()
        doc = self._document(html_text, opt, width)
        line = opt.fontMetrics.lineSpacing()
        lines = max(1, min(self.MAX_LINES, round((doc.size().height() - 2 * MARGIN) / line)))
        return QSize(int(width), lines * line + 2 * MARGIN)

    @staticmethod
    def _document(html_text: str, opt: QStyleOptionViewItem, width: int, grey_page: bool = True) -> QTextDocument:
        doc = QTextDocument()
        if grey_page:  # the page number before a snippet
            doc.setDefaultStyleSheet(".page { color: #667; }")
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(MARGIN)
        doc.setTextWidth(max(120, width))
        doc.setHtml(html_text)
        return doc


MARGIN = 3


class SearchPanel(QWidget):
    open_hit = Signal(int, int, str)  # attachment id, page, term to find
    show_record = Signal(str, int)  # kind, id (the publication of the selected hit)
    closed = Signal()  # the user left the search
    save_requested = Signal()  # "Save search…": the window asks for a name
    index_notice = Signal(str)  # what a sync of the index had to say (an altered change log: it was rebuilt)

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("search_panel")
        self.catalogue = catalogue
        self.query = ""
        self.filters: dict[str, str] = {}
        self.error = ""
        self._error_text = N_("Invalid query: {message}")  # how the error is introduced (kept for a language switch)
        self._region_fr: dict[str, str] | None = None  # region id → French name, for the facets
        self.result: Any = None
        self._generation = 0
        self._synced = False
        self._task: tasks.Task | None = None
        self.index_notice.connect(lambda text: show_index_notice(self.window(), text))

        self.message = QLabel(self)
        self.message.setObjectName("search_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_filters_button = QPushButton(self)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.back_button = QPushButton(self)
        self.back_button.clicked.connect(self.closed.emit)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save_requested.emit)
        self.sort_box = QComboBox(self)  # relevance or newest first, done by the core
        self.sort_box.setObjectName("search_sort")
        self.sort_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # its French text is long
        self.sort_box.addItem("", "relevance")
        self.sort_box.addItem("", "date")
        self.sort_box.currentIndexChanged.connect(lambda _i: self.query and self.search(self.query, self.filters))

        self.facets = FacetModel(self)
        self.facet_view = QTreeView(self)
        self.facet_view.setObjectName("facets")
        self.facet_view.setModel(self.facets)
        self.facet_view.setRootIsDecorated(True)
        # long names (projects, organisations, regions) wrap onto a second line instead of being cut
        self.facet_view.setWordWrap(True)
        self.facet_view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.facet_view.setUniformRowHeights(False)
        self.facet_view.setItemDelegate(WrappingDelegate(self.facet_view))
        self.facet_view.header().setStretchLastSection(False)
        self.facet_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.facet_view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.facet_view.clicked.connect(self._facet_clicked)
        self.facet_view.header().sectionResized.connect(
            lambda col, _old, _new: col == 0 and self.facet_view.doItemsLayout())  # rows wrap again

        self.hits = HitsModel(self)
        self.hit_view = QTreeView(self)
        self.hit_view.setObjectName("hits")
        self.hit_view.setModel(self.hits)
        self.hit_view.setItemDelegate(SnippetDelegate(self.hit_view))
        self.hit_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.hit_view.setAlternatingRowColors(True)
        self.hit_view.setWordWrap(True)
        self.hit_view.header().setStretchLastSection(False)
        self.hit_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.hit_view.header().resizeSection(1, 80)
        self.hit_view.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)  # "static maps"
        # snippet rows wrap to the title column: lay them out again when it changes width
        self.hit_view.header().sectionResized.connect(
            lambda col, _old, _new: col == 0 and self.hit_view.doItemsLayout())
        self.hit_view.activated.connect(self._hit_activated)
        self.hit_view.doubleClicked.connect(self._hit_activated)
        self.hit_view.selectionModel().currentChanged.connect(self._hit_current)

        top = QHBoxLayout()
        top.setContentsMargins(6, 6, 6, 0)
        top.addWidget(self.message, 1)
        top.addWidget(self.clear_filters_button)
        top.addWidget(self.save_button)
        top.addWidget(self.back_button)
        # the sort box sits over the hits it orders (in the top row it would widen the whole panel)
        results = QWidget(self)
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(2)
        sort_row = QHBoxLayout()
        sort_row.addStretch(1)
        sort_row.addWidget(self.sort_box)
        results_layout.addLayout(sort_row)
        results_layout.addWidget(self.hit_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.facet_view)
        self.splitter.addWidget(results)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([290, 660])  # room for most facet names on one line
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self.retranslate()

    # -- running a search ------------------------------------------------------------------------
    def search(self, query: str, filters: dict[str, str] | None = None) -> None:
        """Search in the background; a newer search makes an older result be ignored."""
        if query != self.query and filters is None:
            self.filters = {}
        elif filters is not None:
            self.filters = dict(filters)
        self.query = query
        self._generation += 1
        generation = self._generation
        if self._task is not None and not self._task.done:
            self._task.cancel()
        self.error = ""
        self._set_message(tr("Searching…"), error=False)
        self._task = tasks.run(run_search, self.catalogue.library, query, dict(self.filters), not self._synced,
                               sort=self.sort_box.currentData() or "relevance",
                               on_result=lambda r: self._got(generation, r),
                               on_error=lambda msg: self._failed(generation, msg), parent=self)

    def warm_up(self) -> tasks.Task:
        """Bring the index up to date in the background before the first search (started after launch)."""
        task = tasks.run(_sync_library, self.catalogue.library, on_result=self._warmed, parent=self)
        return task

    def _warmed(self, notes: list[str]) -> None:
        self._synced = True
        self._tell(notes)

    def _tell(self, notes: list[str]) -> None:
        for note in notes:
            self.index_notice.emit(tr_message(note))

    def save_search(self, name: str) -> int:
        """Keep the current query and facet choices under name (replacing a saved search of that name)."""
        import json

        from kbase.library import models as m

        name = name.strip()
        if not name:
            raise InvalidInput(tr("A saved search needs a name."))
        filters = json.dumps(self.filters, ensure_ascii=False) if self.filters else None
        existing = next((s for s in self.catalogue.all(m.SavedSearch) if s.name.lower() == name.lower()), None)
        if existing is not None:
            return self.catalogue.update(m.SavedSearch, existing.id, query=self.query, filters=filters).id
        return self.catalogue.add(m.SavedSearch, name=name, query=self.query, filters=filters).id

    def mark_stale(self) -> None:
        """The catalogue changed: bring the index up to date before the next search."""
        self._synced = False
        self._region_fr = None

    def _got(self, generation: int, outcome: tuple[str, Any]) -> None:
        if generation != self._generation:
            return
        status, value, notes = outcome
        self._tell(notes)
        if status == "invalid":
            self.error = value
            self.result = None
            self.hits.clear()
            self.facets.set_facets({}, {})
            self._error_text = N_("Invalid query: {message}")
            self._set_message(tr(self._error_text).format(message=tr_message(value)), error=True)
            return
        self._synced = True
        self.result = value
        self.hits.set_result(value.hits, value.total)
        self.facets.set_facets(self._in_language(value.facets or {}), self.filters)
        self.facet_view.expandAll()
        if self.hits.rowCount():
            self.hit_view.expand(self.hits.index(0, 0))
        self._update_message()

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.error = message
        self._error_text = N_("The search failed: {message}")  # said again in the new language on a switch
        self.hits.clear()
        self._set_message(tr(self._error_text).format(message=tr_message(message)), error=True)

    def _update_message(self) -> None:
        if self.error:
            return
        if self.result is None:
            self._set_message("", error=False)
            return
        total = self.result.total
        text = (tr("No publication matches “{query}”.") if total == 0 else
                tr_n("{n} publication matches “{query}”.", "{n} publications match “{query}”.", total)
                ).format(n=total, query=self.query)
        if total > len(self.result.hits) and self.result.hits:
            text += " " + tr("Showing the first {n}.").format(n=len(self.result.hits))
        if self.filters:
            text += " " + tr("Narrowed by: {filters}").format(filters=", ".join(self._filter_labels()))
        self._set_message(text, error=False)

    def _filter_labels(self) -> list[str]:
        labels = []
        for name, value in self.filters.items():
            label = next((lbl for g, values in self.facets.groups if g == name
                          for v, lbl, _n in values if v == value), value)
            labels.append(tr(label) if name in ("type", "language") else label)  # as the facet list shows them
        return labels

    def _set_message(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.clear_filters_button.setVisible(bool(self.filters))
        self.save_button.setEnabled(bool(self.query) and not error)

    def _in_language(self, facets: dict[str, list[tuple[Any, str, int]]]) -> dict[str, list[tuple[Any, str, int]]]:
        """Regions by their French names in the French interface (the index keeps one label)."""
        if language() != "fr" or not facets.get("region"):
            return facets
        from kbase.library import models as m

        if self._region_fr is None:  # read once, not on every search (until the catalogue changes)
            self._region_fr = {str(r.id): r.name_fr for r in self.catalogue.all(m.Region) if r.name_fr}
        names = self._region_fr
        return {**facets, "region": [(v, names.get(str(v), label), n) for v, label, n in facets["region"]]}

    # -- facets ---------------------------------------------------------------------------------------
    def _facet_clicked(self, index: QModelIndex) -> None:
        name, value = self.facets.facet_at(index.siblingAtColumn(0))
        if value is None:
            return
        self.toggle_facet(name, value)

    def toggle_facet(self, name: str, value: str) -> None:
        filters = dict(self.filters)
        if filters.get(name) == value:
            del filters[name]
        else:
            filters[name] = value
        self.search(self.query, filters)

    def clear_filters(self) -> None:
        self.search(self.query, {})

    # -- hits -----------------------------------------------------------------------------------------
    def _hit_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        data = current.data(ROLE_HIT) if current.isValid() else None
        if data:
            self.show_record.emit("publication", data[0])

    def _hit_activated(self, index: QModelIndex) -> None:
        hit, page = self.hits.hit_at(index)
        if hit is None:
            return
        if page is None:
            if not hit.pages:
                self.show_record.emit("publication", hit.publication_id)
                return
            page = hit.pages[0]
        self.open_hit.emit(page.attachment_id, page.page, self.term_for(page.snippet_html))

    def term_for(self, snippet_html: str) -> str:
        """The word to look for on the page: the first one the snippet highlights, else a query word."""
        marked = marked_terms(snippet_html)
        if marked:
            return marked[0]
        words = [w for w in re.findall(r"[\w'-]+", re.sub(r"\w+:", " ", self.query))
                 if w.upper() not in ("AND", "OR", "NOT")]
        return words[0] if words else ""

    def selected_ids(self) -> list[int]:
        ids: list[int] = []
        for index in self.hit_view.selectionModel().selectedRows():
            data = index.data(ROLE_HIT)
            if data and data[0] not in ids:
                ids.append(data[0])
        return ids

    # -- language and layout -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.clear_filters_button.setText(tr("Clear filters"))
        self.back_button.setText(tr("Back to the list"))
        self.save_button.setText(tr("Save search…"))
        self.sort_box.setItemText(0, tr("Best matches first"))
        self.sort_box.setItemText(1, tr("Newest first"))
        self.hits.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        self.facets.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)
        self.hit_view.viewport().update()
        self.facet_view.viewport().update()
        if self.error:
            self._set_message(tr(self._error_text).format(message=tr_message(self.error)),
                              error=True)
        else:
            self._update_message()

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("search/splitter", self.splitter.saveState())

    def restore_layout(self, settings: QSettings) -> None:
        state = settings.value("search/splitter")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)


def run_search(library: Any, query: str, filters: dict[str, str], sync_first: bool,
               limit: int = PAGE_SIZE, sort: str = "relevance") -> tuple[str, Any, list[str]]:
    """Worker thread: bring the local index up to date once, then search.
    ('ok', result, notes) or ('invalid', message, notes); notes: what the index sync had to say."""
    from kbase.errors import QueryError
    from kbase.search import api as search

    cat = Catalogue(library)
    notes = sync_index(cat) if sync_first else []
    try:
        return "ok", search.search(cat, query, filters=facet_filter(filters), limit=limit, snippets=True,
                                   sort=sort), notes
    except QueryError as exc:
        return "invalid", str(exc), notes


def _sync_library(library: Any) -> list[str]:
    return sync_index(Catalogue(library), wait=5.0)


def sync_index(cat: Catalogue, wait: float = 1.0) -> list[str]:
    """Bring the local index up to date; if another writer (an import) holds it, search what is there.
    Returns what the sync had to say (in English, for tr_message): a change log found altered, so a rebuild."""
    from kbase.errors import LibraryError
    from kbase.search import indexing
    from kbase.search import process as index_process

    notes: list[str] = []
    if cat.library.read_only:
        return notes
    if index_process.needs_child(cat):
        # a first build or a long backlog: in a child process, or the window stutters for its length
        try:
            index_process.sync_in_child(cat.library.location, notes=notes)
        except LibraryError:
            if not indexing.index_ready(cat.library):
                raise  # nothing to search yet: the user gets the message
        return notes  # another writer (an import) holds the index: search what is there
    try:
        with indexing.Indexer(cat, lock_timeout=wait) as ix:
            pass  # leaving the block applies the pending changes
        notes.extend(ix.notes)
    except LibraryError:
        pass
    return notes


def show_index_notice(window: QWidget, text: str) -> None:
    """Say it without stopping the user: a change log found altered is worth reading, not a reason to block."""
    sentence = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")  # the core's notes are clauses
    box = QMessageBox(QMessageBox.Icon.Warning, tr("Search index"), sentence, QMessageBox.StandardButton.Ok, window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    box.show()


def facet_filter(chosen: dict[str, str]) -> Filter | None:
    """The core Filter for the facet values chosen (facet name -> value as the search reports it)."""
    if not chosen:
        return None
    f = Filter()
    for name, value in chosen.items():
        if name == "type":
            f.types = [value]
        elif name == "year" and value.isdigit():
            f.year_from = f.year_to = int(value)
        elif name in ("series", "project", "programme", "region", "organisation", "subject", "language"):
            setattr(f, name, value)
    return f


__all__ = ["SearchPanel", "run_search", "SnippetDelegate", "show_index_notice", "sync_index"]
