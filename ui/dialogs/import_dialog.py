"""Import dialog: PDFs, folders, bibliographies and spreadsheets imported in the background, then every file with
its outcome."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.records import Catalogue
from ui import tasks
from ui.dialogs.import_history import ERROR_STYLE, BatchUndo, open_import_history, undo_summary
from ui.dialogs.import_results import ImportResultsModel, fit_rows, results_table, summary_text
from ui.dialogs.import_review import bib_files
from ui.dialogs.import_run import ImportTask, ProgressBridge, ask_paths, duration, run_import
from ui.dialogs.spreadsheet_mapping import ImportReview, MappingPage, check_imports, spreadsheet_files
from ui.i18n import tr, tr_n


class ImportDialog(QDialog):
    """Shows one import from start to finish; `finished_import` carries the ImportReport.

    With spreadsheets, each one's first rows are shown first, with what each column holds (`mapping_ready`;
    Continue goes on). With .bib files and spreadsheets, a dry run comes next; entries matching existing
    records are shown for review (`review_ready`), and the import starts once the user chose what to do with
    them (Start the import)."""

    finished_import = Signal(object)
    review_ready = Signal()  # the review step is on screen
    mapping_ready = Signal()  # a spreadsheet's columns are on screen
    undo_finished = Signal(object)  # the UndoReport's dict, or None when the undo was refused

    def __init__(self, window: Any, paths: list[str], parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref = window
        self.paths = [str(p) for p in paths]
        self.report: Any = None
        self.error_message: str | None = None  # why the import stopped, when it failed
        self.task: tasks.Task | None = None
        self.check_task: tasks.Task | None = None
        self.check: Any = None  # the dry run's matches (import_review.Check), when the import had .bib files
        self.on_duplicate = "link"
        self.sheet_options: dict[str, Any] = {}  # the spreadsheets' mappings, by file, as chosen
        self._sheets_todo: list[str] = []  # spreadsheets whose columns are still to be shown
        self.undone: dict[str, Any] | None = None  # the undo's report, once this import was undone
        self._cancel = threading.Event()
        self._bridge = ProgressBridge(self)
        self._bridge.progressed.connect(self._on_progress)
        self.setObjectName("import_dialog")
        self.setWindowTitle(tr("Import"))
        self.setMinimumSize(720, 460)
        self.resize(860, 540)

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.rate = QLabel(self)
        self.rate.setObjectName("import_rate")
        self.current = QLabel(self)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(self)
        self.summary.setObjectName("import_summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)

        self.model = ImportResultsModel(self)
        self.proxy, self.table = results_table(self, self.model)
        self.table.doubleClicked.connect(self._activate)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.only_flagged = QCheckBox(tr("Show only files that need attention"), self)
        self.only_flagged.toggled.connect(self._filter)
        self.open_button = QPushButton(tr("Open file"), self)
        self.open_button.clicked.connect(self.open_selected_file)
        self.edit_button = QPushButton(tr("Edit publication"), self)
        self.edit_button.clicked.connect(self.edit_selected_publication)
        self.unlock_button = QPushButton(tr("Password…"), self)
        self.unlock_button.setToolTip(tr("Read an encrypted PDF again with its password"))
        self.unlock_button.clicked.connect(self.ask_password)
        self.undo_button = QPushButton(tr("Undo this import…"), self)
        self.undo_button.setObjectName("undo_this_import")
        self.undo_button.setToolTip(tr("Remove what this import created and put back what it updated"))
        self.undo_button.clicked.connect(self.undo_import)
        self.history_button = QPushButton(tr("Import history…"), self)
        self.history_button.setToolTip(tr("List past imports and undo one"))
        self.history_button.clicked.connect(self.show_history)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.cancel_or_close)
        self.buttons.accepted.connect(self._accepted)
        tools = QHBoxLayout()
        tools.addWidget(self.only_flagged)
        tools.addStretch(1)
        tools.addWidget(self.unlock_button)
        tools.addWidget(self.open_button)
        tools.addWidget(self.edit_button)
        for button in (self.history_button, self.undo_button):
            button.setAutoDefault(False)  # Enter closes the dialog, never undoes the import
            button.hide()  # both go to the button box once the import is done

        run_page = QWidget(self)
        layout = QVBoxLayout(run_page)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.heading, self.bar, self.rate, self.current, self.summary):
            layout.addWidget(w)
        layout.addWidget(self.table, 1)
        layout.addLayout(tools)
        self.review = ImportReview(window.catalogue, self)
        self.mapping_page = MappingPage(self)
        self.mapping_page.changed.connect(self._mapping_changed)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(run_page)
        self.pages.addWidget(self.review)
        self.pages.addWidget(self.mapping_page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages, 1)
        outer.addWidget(self.buttons)
        self.summary.hide()
        self.undoer = BatchUndo(window, self)
        self.undoer.undone.connect(self._undone)
        self.undoer.failed.connect(self._undo_failed)
        self.undoer.cancelled.connect(self._update_buttons)
        self._update_buttons()

    # -- spreadsheets' columns, then checking .bib files and spreadsheets -------------------------------------
    def start(self) -> None:
        """Show each spreadsheet's columns first; then import at once, or first look for .bib entries and
        spreadsheet rows that match existing records (a quick dry run)."""
        self._sheets_todo = spreadsheet_files(self.paths)
        if self._sheets_todo:
            self._show_mapping()
            return
        self._check()

    def _show_mapping(self) -> None:
        path = self._sheets_todo[0]
        self.mapping_page.load(path)
        self.setWindowTitle(tr("Import: columns of {name}").format(name=Path(path).name))
        self.pages.setCurrentWidget(self.mapping_page)
        self.buttons.clear()
        self.continue_button = self.buttons.addButton(tr("Continue"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setObjectName("mapping_continue")
        self.continue_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self._mapping_changed()
        self.mapping_ready.emit()

    def _mapping_changed(self) -> None:
        if self.in_mapping():
            # a file that cannot be read, or an empty one, goes on to the import, which says so in its row
            page = self.mapping_page
            self.continue_button.setEnabled(bool(page.error) or not page.headers
                                            or any(f != "ignore" for f in page.mapping().values()))

    def in_mapping(self) -> bool:
        return self.pages.currentWidget() is self.mapping_page

    def mapping_done(self) -> None:
        """Continue: this spreadsheet is read as chosen; the next one's columns, or the check."""
        if not self.in_mapping() or not self._sheets_todo:
            return
        path = self._sheets_todo.pop(0)
        if not self.mapping_page.error:
            self.sheet_options.setdefault("files", {})[path] = self.mapping_page.options()
        if self._sheets_todo:
            self._show_mapping()
        else:
            self.pages.setCurrentIndex(0)
            self._check()

    def _accepted(self) -> None:
        if self.in_mapping():
            self.mapping_done()
        else:
            self.import_reviewed()

    def _check(self) -> None:
        bibs, sheets = bib_files(self.paths), spreadsheet_files(self.paths)
        if not bibs and not sheets:
            self.start_import()
            return
        self.setWindowTitle(tr("Import"))
        self.buttons.clear()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.heading.setText(tr_n("Checking {n} file against the library…", "Checking {n} files against the library…",
                                     len(bibs) + len(sheets)).format(n=len(bibs) + len(sheets)))
        self.rate.setText(tr("Looking for entries that are already in the library…"))
        library, options = self.window_ref.catalogue.library, dict(self.sheet_options)
        task = self.check_task = tasks.Task(lambda: check_imports(library, bibs, sheets, options), parent=self)
        task.result.connect(self._checked)
        task.error.connect(self._check_failed)
        tasks.start(task)

    def _checked(self, check: Any) -> None:
        if self._cancel.is_set():
            return
        self.check = check
        if not check.matches:
            self.start_import()
            return
        self.review.set_check(check)
        self.setWindowTitle(tr("Import: matches to review"))
        self.pages.setCurrentWidget(self.review)
        self.buttons.clear()
        self.import_button = self.buttons.addButton(tr("Start the import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("import_reviewed")
        self.import_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.review_ready.emit()

    def _check_failed(self, message: str) -> None:
        """The dry run went wrong: the import itself says file by file what it can and cannot read."""
        if not self._cancel.is_set():
            self.start_import()

    def in_review(self) -> bool:
        return self.pages.currentWidget() is self.review

    def import_reviewed(self) -> None:
        if self.in_review():
            self.start_import(self.review.choice_value())

    # -- running ------------------------------------------------------------------------------
    def start_import(self, on_duplicate: str = "link") -> None:
        self.on_duplicate = on_duplicate
        self.setWindowTitle(tr("Import"))
        self.pages.setCurrentIndex(0)
        self.buttons.clear()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.heading.setText(tr_n("Importing {n} item…", "Importing {n} items…", len(self.paths)).format(
            n=len(self.paths)))
        self.rate.setText(tr("Looking for files…"))
        library, paths, bridge, cancel = self.window_ref.catalogue.library, list(self.paths), self._bridge, self._cancel

        options = dict(self.sheet_options) or None

        def work() -> Any:
            return run_import(library, paths, bridge, cancel, task, on_duplicate, options)

        task = self.task = ImportTask(work, cancel, parent=self)
        self.task.result.connect(self._on_done)
        self.task.error.connect(self._on_error)
        track = getattr(self.window_ref, "track", None)
        if track is not None:
            track(self.task, tr("Importing"))
        tasks.start(self.task)

    def is_running(self) -> bool:
        return self.task is not None and not self.task.done

    def cancel_or_close(self) -> None:
        if self.task is None:  # checking or reviewing: nothing was imported, nothing is
            self._cancel.set()
            if self.check_task is not None:
                self.check_task.cancel()
            super().reject()
            return
        if self.is_running():
            self.task.cancel()  # type: ignore[union-attr]
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(False)
            self.rate.setText(tr("Cancelling after the file being written…"))
            return
        self.reject()

    def reject(self) -> None:
        if self.is_running():  # Escape or the close box cancel the work first
            self.cancel_or_close()
            return
        super().reject()

    def _on_progress(self, state: Any) -> None:
        if state.files_total:
            self.bar.setRange(0, state.files_total)
            self.bar.setValue(state.files_done)
        if state.phase == "indexing":
            self.bar.setRange(0, 0)
            self.rate.setText(tr("Updating the search index…"))
            self.current.clear()
            return
        self.rate.setText(tr("{done} of {total} files · {rate:.1f} pages/s · time left: {left}").format(
            done=state.files_done, total=state.files_total, rate=state.pages_per_second,
            left=duration(state.seconds_left)))
        self.current.setText(Path(state.current).name if state.current else "")

    def _on_done(self, report: Any) -> None:
        self.report = report
        self.model.set_results(report.files)
        fit_rows(self.table, self.proxy)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.heading.setText(tr("Import cancelled.") if report.cancelled else tr("Import finished."))
        self._summarise()
        self.summary.show()
        self.rate.hide()
        self.current.hide()
        self._finish_buttons()
        self._update_buttons()
        refresh = getattr(self.window_ref, "refresh", None)
        if refresh:
            refresh()
        if hasattr(self.window_ref, "track"):  # scanned pages the import queued: OCR reads them now, in the background
            from ui.ocr_runner import start_ocr

            start_ocr(self.window_ref)
        self.finished_import.emit(report)

    def _summarise(self) -> None:
        self.summary.setText(summary_text(self.report))

    def _on_error(self, message: str) -> None:
        """Said in the dialog itself (no second window on top): what stopped the import, in plain words."""
        self.error_message = message
        self.heading.setText(tr("The import stopped."))
        self.summary.setText(message)
        self.summary.setStyleSheet("color: #a4161a; font-weight: 600;")
        self.summary.show()
        self.bar.hide()
        self.rate.hide()
        self.current.hide()
        self._finish_buttons()
        refresh = getattr(self.window_ref, "refresh", None)
        if refresh:  # files committed before the failure are in the catalogue
            refresh()
        self.finished_import.emit(None)

    def _finish_buttons(self) -> None:
        for button in (self.history_button, self.undo_button):  # clear() would delete them
            self.buttons.removeButton(button)
        self.buttons.clear()
        self.buttons.addButton(self.history_button, QDialogButtonBox.ButtonRole.ResetRole)  # at the left
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.history_button.show()
        self.undo_button.show()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)  # rejected still goes to cancel_or_close

    # -- results --------------------------------------------------------------------------------
    def _filter(self, only: bool) -> None:
        self.proxy.setFilterFixedString("1" if only else "")

    def selected_result(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.result_at(self.proxy.mapToSource(rows[0]).row())

    def _update_buttons(self) -> None:
        r = self.selected_result()
        self.open_button.setEnabled(r is not None and Path(r.path).is_file())
        pub = None if r is None else (r.publication_id or r.duplicate_of)
        self.edit_button.setEnabled(pub is not None and self.undone is None)
        self.unlock_button.setEnabled(r is not None and r.status == "encrypted" and not self.is_running()
                                      and self.undone is None)
        read_only = bool(getattr(self.window_ref.catalogue.library, "read_only", False))
        self.undo_button.setEnabled(self.can_undo() and not read_only and not self.undoer.is_running())

    # -- undo -------------------------------------------------------------------------------------------
    def can_undo(self) -> bool:
        """The import finished, has a batch, and was not undone yet."""
        return (self.report is not None and not self.is_running() and getattr(self.report, "batch", None) is not None
                and self.undone is None)

    def undo_import(self) -> None:
        if not self.can_undo():
            return
        self.undo_button.setEnabled(False)
        self.undoer.start(self.report.batch)

    def _undone(self, report: dict[str, Any]) -> None:
        self.undone = report
        self.heading.setText(tr("Import undone."))
        self.summary.setStyleSheet("")
        self.summary.setText(undo_summary(report))
        self._update_buttons()
        self.undo_finished.emit(report)

    def _undo_failed(self, message: str) -> None:
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(message)
        self.summary.show()
        self._update_buttons()
        self.undo_finished.emit(None)

    def show_history(self) -> Any:
        batch = getattr(self.report, "batch", None) if self.report is not None else None
        return open_import_history(self.window_ref, select=batch)

    def _activate(self) -> None:
        r = self.selected_result()
        if r is not None and (r.publication_id or r.duplicate_of):
            self.edit_selected_publication()
        else:
            self.open_selected_file()

    def open_selected_file(self) -> None:
        r = self.selected_result()
        if r is not None and Path(r.path).is_file():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(r.path).resolve())))

    def edit_selected_publication(self) -> Any:
        r = self.selected_result()
        pub = None if r is None else (r.publication_id or r.duplicate_of)
        if pub is None:
            return None
        from ui.editors import open_editor

        return open_editor(self.window_ref, "publication", pub)


    # -- an encrypted file, read again with its password -------------------------------------------
    def ask_password(self) -> None:
        r = self.selected_result()
        if r is None:
            return
        password, ok = QInputDialog.getText(self, tr("Password"), tr("Password of {name}:").format(
            name=Path(r.path).name), QLineEdit.EchoMode.Password)
        if ok and password:
            self.unlock(r.path, password)

    def unlock(self, path: str, password: str) -> tasks.Task:
        """Import path again with password in the background; its row then shows the new outcome."""
        from kbase.imports.pipeline import import_paths

        library = self.window_ref.catalogue.library

        def work() -> Any:
            return import_paths(Catalogue(library), [path], password=password)

        self.unlock_button.setEnabled(False)
        self.rate.setText(tr("Reading {name} with its password…").format(name=Path(path).name))
        self.rate.show()
        task = tasks.Task(work, parent=self)
        task.result.connect(lambda report: self._unlocked(path, report))
        task.error.connect(lambda message: QMessageBox.warning(self, tr("Import"), message))
        task.finished.connect(self.rate.hide)
        tasks.start(task)
        return task

    def _unlocked(self, path: str, report: Any) -> None:
        if report.files:
            self.model.replace(path, report.files[0])
            self.table.resizeRowsToContents()
            if self.report is not None:  # the summary counts the unlocked file as it is now
                self.report.files = [report.files[0] if f.path == path else f for f in self.report.files]
                self._summarise()
        refresh = getattr(self.window_ref, "refresh", None)
        if refresh:
            refresh()
        self._update_buttons()


def start_import(window: Any, paths: list[str] | None) -> ImportDialog | None:
    """Open the import dialog on paths (asks for files when None) and start the work at once."""
    if not paths:
        paths = ask_paths(window)
        if not paths:
            return None
    dialog = ImportDialog(window, list(paths))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.start()
    return dialog


def show_import(window: Any, paths: list[str] | None = None) -> ImportDialog | None:
    """Hook for the window's Import action and for files dropped on the window."""
    return start_import(window, paths)


__all__ = ["ImportDialog", "ImportResultsModel", "start_import", "show_import", "ask_paths"]
