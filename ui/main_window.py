"""The main window: navigator, record table or search results, details pane, PDF tabs, menus and status bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from kbase.library import models as m
from ui import hooks, i18n, tasks
from ui.details import DetailsPane
from ui.first_paint import after_first_paint
from ui.first_run import FirstRunPanel, importable
from ui.history_panel import with_history_tab
from ui.i18n import tr, tr_n
from ui.navigator import Navigator, Target
from ui.record_table import RecordTable
from ui.resources import icon
from ui.table_model import RecordTableModel
from ui.window_actions import build_actions, build_menus, retranslate_actions
from ui.window_layout import restore_layout, save_layout
from ui.work_status import WorkStatus

KIND_PLURALS = {"publication": ("{n} publication", "{n} publications"), "project": ("{n} project", "{n} projects"),
                "organisation": ("{n} organisation", "{n} organisations"), "person": ("{n} person", "{n} people"),
                "event": ("{n} event", "{n} events"), "region": ("{n} region", "{n} regions")}


class MainWindow(QMainWindow):
    """The one window. Hooks for the editors and dialogs: catalogue, undo_stack, refresh(), selected_ids(),
    current_kind(), track(task, label) and the action_* attributes (see ui/hooks.py)."""

    def __init__(self, catalogue: Catalogue, settings: QSettings | None = None):
        super().__init__()
        self.catalogue = catalogue
        self.settings = settings or QSettings()
        self.undo_stack = QUndoStack(self)
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        # An explicit minimum keeps the layout from resizing the native window whenever a label's text
        # changes (which also makes the offscreen platform warn "does not support propagateSizeHints").
        self.setMinimumSize(900, 560)
        self.has_closed = False  # the timers started after the first paint do nothing once it is
        self._changed_kinds: set[str] = set()  # kinds written since the last refresh()
        self.viewers: list[Any] = []

        self.navigator = Navigator(catalogue, self)
        self.model = RecordTableModel(catalogue, "publication", self)
        self.model.quick_start = True  # the first screenful now, the other ids after the first paint
        self.table = RecordTable(self.model, self.settings, self)
        self.details = DetailsPane(catalogue, self)
        self._build_table()
        self._build_layout()
        build_actions(self)
        build_menus(self)
        self.first_run.update_enabled()  # its buttons follow the import action (there, writable)
        self._build_status_bar()
        self._connect()
        self._restore()
        self._update_first_run()
        i18n.notifier().changed.connect(self.retranslate)  # a bound slot is disconnected when the window goes
        self.retranslate()
        self.catalogue.listeners.append(self._on_catalogue_change)
        self._refresh_timer = QTimer(self, singleShot=True, interval=150, timeout=self.refresh)
        after_first_paint(self.table.viewport(), self._complete_table)
        # after the first paint (and the table's own work): bring the search index up to date so the
        # first search is quick
        after_first_paint(self.table.viewport(), lambda: QTimer.singleShot(300, self, self._warm_up))
        # scanned pages left waiting by an earlier session (closed, or stopped mid-way): OCR goes on
        after_first_paint(self.table.viewport(), lambda: QTimer.singleShot(2000, self, self._resume_ocr))

    def _resume_ocr(self) -> None:
        from ui.ocr_runner import start_ocr

        if not self.has_closed:  # a window closed within its first seconds leaves its library alone
            start_ocr(self)

    def _complete_table(self) -> None:
        selected = self.table.selected_ids()
        self.model.complete(lambda: (self._select_ids(selected), self._update_counts()))

    def _warm_up(self) -> None:
        if self.has_closed:
            return
        self.track(self.search_panel.warm_up(), tr("Updating the search index…"))

    # -- construction -----------------------------------------------------------------------------
    def _build_table(self) -> None:
        t = self.table
        t.unsortable.connect(lambda: self.statusBar().showMessage(tr("This column cannot be sorted"), 3000))
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.customContextMenuRequested.connect(self._table_menu)
        t.apply_columns()

    def _build_layout(self) -> None:
        from ui.search_panel import SearchPanel

        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("search_field")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumWidth(360)
        self.filter_field = QLineEdit(self)
        self.filter_field.setObjectName("filter_field")
        self.filter_field.setClearButtonEnabled(True)
        self.heading = QLabel(self)
        self.heading.setObjectName("heading")
        browse = QWidget(self)
        lay = QVBoxLayout(browse)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        top = QWidget(browse)
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(6, 6, 6, 0)
        top_lay.addWidget(self.heading)
        top_lay.addWidget(self.filter_field)
        lay.addWidget(top)
        lay.addWidget(self.table)
        self.search_panel = SearchPanel(self.catalogue, self)
        # an empty library shows its ways in (ui/first_run.py) where the table would be
        self.first_run = FirstRunPanel(self, self)
        self.browse_pages = QStackedWidget(self)
        self.browse_page = browse
        self.browse_pages.addWidget(browse)
        self.browse_pages.addWidget(self.first_run)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.browse_pages)
        self.stack.addWidget(self.search_panel)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.stack, icon("publication"), "")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(self.tabs)
        self.details_tabs = with_history_tab(self.details, self.catalogue)  # ui/history_panel.py (issue 19)
        self.splitter.addWidget(self.details_tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 900, 400])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.count_label = QLabel(self)
        bar.addWidget(self.count_label, 1)
        self.work = WorkStatus(bar, self)  # ui/work_status.py
        self.work_label, self.work_bar = self.work.label, self.work.bar

    def _connect(self) -> None:
        self.navigator.chosen.connect(self.show_target)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self._run_hook("action_edit"))
        self.model.modelReset.connect(self._update_counts)
        self.model.modelReset.connect(self._update_first_run)
        self.filter_field.textChanged.connect(self._filter_timer_start)
        self._filter_timer = QTimer(self, singleShot=True, interval=200,
                                    timeout=lambda: self.model.set_text(self.filter_field.text()))
        self.search_field.returnPressed.connect(self.run_search)
        self.details.history_changed.connect(self._update_history_actions)
        self.details.open_attachment.connect(lambda aid: self.open_attachment(aid))
        self.search_panel.open_hit.connect(self.open_attachment)
        self.search_panel.show_record.connect(lambda kind, rid: self.details.show_record(kind, rid))
        self.search_panel.closed.connect(self.show_browse)
        self.search_panel.save_requested.connect(self.save_search)
        self.search_panel.hits.modelReset.connect(self._update_counts)
        self.search_panel.hits.modelReset.connect(lambda: self._update_enabled())
        self.search_panel.hit_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_enabled())
        self.stack.currentChanged.connect(lambda _i: (self._update_counts(), self._update_enabled()))
        self.tabs.currentChanged.connect(lambda _i: self._update_enabled())
        self.undo_stack.indexChanged.connect(self._after_undo_step)

    def _after_undo_step(self, _index: int) -> None:
        try:
            self._refresh_timer.start()
        except RuntimeError:  # the stack empties itself while the window is being destroyed
            pass

    # -- hooks used by the editors and dialogs -------------------------------------------------------
    def current_kind(self) -> str:
        """The kind of record the actions work on: the table's, or publications in search results and viewers."""
        return self._in_focus()[0]

    def selected_ids(self) -> list[int]:
        """IDs of the selected rows (table order); in search results, the selected publications; in a PDF
        viewer, the publication it shows."""
        return self._in_focus()[1]

    def _in_focus(self) -> tuple[str, list[int]]:
        viewer = self.tabs.currentWidget()
        if viewer in self.viewers:
            publication_id = getattr(viewer, "publication_id", None)
            return "publication", [publication_id] if publication_id else []
        if self.stack.currentWidget() is self.search_panel:
            return "publication", self.search_panel.selected_ids()
        return self.model.kind, self.table.selected_ids()

    def viewing_pdf(self) -> bool:
        """A PDF viewer's tab is in front (only Edit applies to its publication there)."""
        return self.tabs.currentWidget() in self.viewers

    def current_record(self) -> tuple[str, int] | None:
        """The record shown in the details pane."""
        return self.details.current

    def refresh(self) -> None:
        """Reload the table, details, navigator counts and search after edits, keeping the selection."""
        selected = self.table.selected_ids()
        self.model.reload_in_background(lambda: (self._select_ids(selected), self._update_counts()))
        self.details.refresh()
        self.search_panel.mark_stale()
        if self._changed_kinds & {"region", "programme", "series", "subject", "saved_search", "collection"}:
            self.navigator.populate()  # new names in the tree (it counts again once filled)
        else:
            self.navigator.refresh_counts()
        self._changed_kinds.clear()
        self._update_counts()

    def track(self, task: tasks.Task, label: str) -> None:
        """Show a background task in the status bar until it finishes."""
        self.work.track(task, label)

    def show_target(self, target: Target) -> None:
        if target.saved_search is not None:
            import json

            saved = self.catalogue.get(m.SavedSearch, target.saved_search)
            self.search_field.setText(saved.query)
            self.stack.setCurrentWidget(self.search_panel)
            self.tabs.setCurrentIndex(0)
            self.search_panel.search(saved.query, json.loads(saved.filters) if saved.filters else {})
            return
        self.show_browse()
        if target.kind != self.model.kind:
            self.save_header()
            self.model.set_kind(target.kind, target.filter)
            self._apply_columns()
        else:
            self.model.set_filter(target.filter)
        if self.filter_field.text():
            self.model.set_text(self.filter_field.text())
        if self.model.rowCount() == 0:
            self.details.show_empty()  # the record shown before is not part of this empty list
        self._heading_target = target
        self._update_heading()

    def show_browse(self) -> None:
        self.stack.setCurrentIndex(0)
        self.tabs.setCurrentIndex(0)

    def run_search(self, text: str | None = None) -> None:
        if text is not None:
            self.search_field.setText(text)
        query_text = self.search_field.text().strip()
        if not query_text:
            self.show_browse()
            return
        self.stack.setCurrentWidget(self.search_panel)
        self.tabs.setCurrentIndex(0)
        self.search_panel.search(query_text)

    def save_search(self) -> None:
        """Ask for a name and keep the current search in the navigator's Saved searches."""
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, tr("Save search"), tr("Name of the saved search:"),
                                        text=self.search_panel.query)
        if not ok:
            return
        try:
            self.search_panel.save_search(name)
        except Exception as exc:  # a clash or a read-only library: say so
            QMessageBox.warning(self, tr("Save search"), tasks.user_message(exc))

    def open_attachment(self, attachment_id: int, page: int = 1, term: str = "") -> None:
        """Open the attachment's PDF in a viewer tab at page, highlighting term."""
        from ui.viewer import open_in_window

        viewer = open_in_window(self, attachment_id, page, term)
        if getattr(viewer, "publication_id", None) is None:
            try:
                viewer.publication_id = self.catalogue.get(m.Attachment, attachment_id).publication_id
            except KbaseError:  # the attachment went meanwhile: the viewer says so itself
                viewer.publication_id = None
        self._update_enabled()

    # -- table behaviour ------------------------------------------------------------------------------------
    def _on_selection(self) -> None:
        ids = self.selected_ids()
        current = self.table.currentIndex()
        rid = self.model.id_at(current.row()) if current.isValid() else (ids[0] if ids else None)
        if rid is not None and self.stack.currentIndex() == 0:
            self.details.show_record(self.model.kind, rid)
        self._update_counts()
        self._update_enabled()

    def _select_ids(self, ids: list[int]) -> None:
        self.table.select_ids(ids)

    def _filter_timer_start(self) -> None:
        self._filter_timer.start()

    def _apply_columns(self) -> None:
        self.table.apply_columns()

    def save_header(self) -> None:
        self.table.save_columns()

    def column_menu(self) -> QMenu:
        return self.table.column_menu(self)

    def _table_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        for name in ("action_edit", "action_delete", "action_batch_edit", "action_merge", "action_report"):
            menu.addAction(getattr(self, name))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # -- actions --------------------------------------------------------------------------------------
    def _run_hook(self, action_name: str, *args: Any) -> None:
        fn = hooks.find(action_name)
        if fn is None:
            return
        try:
            fn(self, *args)
        except Exception as exc:  # a dialog that fails must say so, not vanish
            QMessageBox.critical(self, tr("Kbase"), tasks.user_message(exc))

    def go_back(self) -> None:
        self.details.back()

    def go_forward(self) -> None:
        self.details.forward()

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def _update_history_actions(self) -> None:
        self.action_back.setEnabled(self.details.can_go_back())
        self.action_forward.setEnabled(self.details.can_go_forward())

    def _update_enabled(self) -> None:
        n = len(self.selected_ids())
        writable = not self.catalogue.library.read_only
        in_viewer = self.viewing_pdf()
        # merge takes one record (the dialog finds its probable duplicates) or several
        for name, need in (("action_edit", 1), ("action_delete", 1), ("action_batch_edit", 1), ("action_merge", 1)):
            action = getattr(self, name)
            action.setEnabled(action.property("hooked") and writable and n >= need
                              and (name == "action_edit" or not in_viewer))
        self.action_batch_edit.setEnabled(self.action_batch_edit.isEnabled() and self.current_kind() == "publication")

    def _update_counts(self) -> None:
        if self.stack.currentWidget() is self.search_panel and self.search_panel.result is None:
            self.count_label.setText("")  # an invalid or unfinished search: not the table's count
            return
        if self.stack.currentWidget() is self.search_panel and self.search_panel.result is not None:
            n = self.search_panel.result.total
            self.count_label.setText(tr_n("{n} publication matches “{query}”.", "{n} publications match “{query}”.", n)
                                     .format(n=n, query=self.search_panel.query))
            return
        singular, plural = KIND_PLURALS.get(self.model.kind, ("{n}", "{n}"))
        n = self.model.rowCount()
        text = tr_n(singular, plural, n).format(n=f"{n:,}".replace(",", "\u202f"))
        chosen = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        if chosen > 1:
            text += " · " + tr("{n} selected").format(n=chosen)
        if self.model.error:
            text += " · " + self.model.error
        self.count_label.setText(text)

    def library_is_empty(self) -> bool:
        """The unfiltered publication list came back empty: the library has no publications."""
        model = self.model
        return (model.kind == "publication" and not model.ids and not model.error and model.filter.is_empty())

    def _update_first_run(self) -> None:
        """The first-run panel instead of the table while the library has no publications (a filtered or
        other kind's empty list stays a table)."""
        self.browse_pages.setCurrentWidget(self.first_run if self.library_is_empty() else self.browse_page)

    def _update_heading(self) -> None:
        target: Target | None = getattr(self, "_heading_target", None)
        plural = {"publication": "Publications", "project": "Projects", "organisation": "Organisations",
                  "person": "People", "event": "Events"}.get(self.model.kind, "")
        text = tr(plural)
        item = self.navigator.currentIndex()
        if target is not None and not target.filter.is_empty() and item.isValid():
            text += " › " + item.data().rsplit("  (", 1)[0]
        self.heading.setText(text)

    # -- files dropped on the window -----------------------------------------------------------------------
    importable = staticmethod(importable)  # ui/first_run.py

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if self.importable(paths) and self.action_import.isEnabled():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self.importable([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    def import_paths(self, paths: list[Path]) -> None:
        """Hand files or folders to the import dialog (used by drag and drop)."""
        self._run_hook("action_import", [str(p) for p in paths])

    # -- catalogue changes made elsewhere (dialogs, undo) ---------------------------------------------------
    def _on_catalogue_change(self, kind: str, record_id: int, op: str) -> None:
        self._changed_kinds.add(kind)
        self._refresh_timer.start()

    # -- language ------------------------------------------------------------------------------------------
    @Slot(str)
    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        # the library first, the app once: Qt appends the display name itself unless the title ends with it
        self.setWindowTitle(self._library_label() + " — " + tr("Kbase"))
        self.search_field.setPlaceholderText(tr("Search the full text (e.g. cobalt AND year:2021)"))
        self.filter_field.setPlaceholderText(tr("Filter by title or name"))
        self.tabs.setTabText(0, tr("Library"))
        retranslate_actions(self)
        self.model.retranslate()
        self.navigator.retranslate()
        self.details.retranslate()
        self.search_panel.retranslate()
        for viewer in self.viewers:
            viewer.retranslate()
        self._update_heading()
        self._update_counts()
        self._update_history_actions()
        self._update_enabled()

    def _library_label(self) -> str:
        """The library's name: its folder's, or a PostgreSQL database's and its host."""
        from kbase.library.db import display_name

        return display_name(self.catalogue.library.location)

    # -- remembering the layout: ui/window_layout.py --------------------------------------------------------
    def _restore(self) -> None:
        restore_layout(self)
        self._heading_target = Target("publication")
        self.navigator.select_kind("publication")

    def save_layout(self) -> None:
        save_layout(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.has_closed:  # closed once already: disconnected then
            i18n.notifier().changed.disconnect(self.retranslate)  # nothing left to say in another language
        self.has_closed = True
        self.save_layout()
        if self._refresh_timer.isActive():
            self._refresh_timer.stop()
        if self._on_catalogue_change in self.catalogue.listeners:
            self.catalogue.listeners.remove(self._on_catalogue_change)
        tasks.wait_all(10000)
        super().closeEvent(event)

    def _close_tab(self, index: int) -> None:
        if index == 0:
            return
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if widget in self.viewers:
            self.viewers.remove(widget)
        widget.deleteLater()


__all__ = ["MainWindow"]
