"""Import history: every import as a batch (when, who, what it brought), and undoing one of them."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import tasks
from ui.i18n import timestamp, tr, tr_message, tr_n

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()  # a table's rows have no parent
ERROR_STYLE = "color: #a4161a; font-weight: 600;"
_STATUS = {"done": "done", "running or interrupted": "running or interrupted", "undone": "undone"}
_STATUS_COLOURS = {"done": QColor("#1b7a2a"), "undone": QColor("#6c757d"), "running or interrupted": QColor("#8a6d00")}
# UndoReport.deleted's keys, in the order they are told
_DELETED = ("publications", "attachments", "people", "organisations", "series", "subjects", "projects", "regions")


def deleted_text(kind: str, n: int) -> str:
    """n records of one of UndoReport.deleted's kinds, in the interface's words and plural form."""
    said = {"publications": tr_n("{n} publication", "{n} publications", n),
            "attachments": tr_n("{n} attached file", "{n} attached files", n),
            "people": tr_n("{n} person", "{n} people", n),
            "organisations": tr_n("{n} organisation", "{n} organisations", n),
            "series": tr_n("{n} series", "{n} series", n), "subjects": tr_n("{n} subject", "{n} subjects", n),
            "projects": tr_n("{n} project", "{n} projects", n), "regions": tr_n("{n} region", "{n} regions", n)}
    return said[kind].format(n=n) if kind in said else f"{n} {kind}"


# -- the work, off the GUI thread ------------------------------------------------------------------
def _batches(library: Any) -> list[dict[str, Any]]:
    from kbase.catalogue.records import Catalogue
    from kbase.imports.batches import list_batches

    return list_batches(Catalogue(library))


def _batch(library: Any, batch_id: int) -> dict[str, Any]:
    from kbase.errors import NotFound

    found = next((b for b in _batches(library) if b["id"] == batch_id), None)
    if found is None:
        raise NotFound(f"no import batch with ID {batch_id} (see `kbase imports`)")
    return found


def _undo(library: Any, batch_id: int) -> dict[str, Any]:
    from kbase.catalogue.records import Catalogue
    from kbase.imports.batches import undo_batch

    return undo_batch(Catalogue(library), batch_id).as_dict()


# -- words ----------------------------------------------------------------------------------------
def when(value: Any) -> str:
    """A stored time (ISO, UTC) as this computer's local 'YYYY-MM-DD HH:MM'."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def sources_text(batch: dict[str, Any]) -> str:
    """The files or folders an import was given, by name: 'refs.bib', 'refs.bib, more.bib (+3)'."""
    names = [Path(s).name or s for s in batch.get("sources") or []]
    if len(names) <= 2:
        return ", ".join(names)
    return ", ".join(names[:2]) + " " + tr("(+{n} more)").format(n=len(names) - 2)


def status_text(batch: dict[str, Any]) -> str:
    status = batch.get("status") or ""
    if status == "undone" and batch.get("undone"):
        return tr("undone on {when}").format(when=when(batch["undone"]))
    return tr(_STATUS.get(status, status))


def confirm_text(batch: dict[str, Any]) -> str:
    """What undoing takes away, in numbers, for the confirmation."""
    created, changed = batch.get("publications_created") or 0, batch.get("publications_changed") or 0
    text = tr("Undo import {id} ({when})?").format(id=batch["id"], when=when(batch.get("started"))) + "\n\n"
    text += tr_n("{n} publication it created will be removed, with its files and the names nobody else uses.",
                 "{n} publications it created will be removed, with their files and the names nobody else uses.",
                 created).format(n=created)
    if changed:
        text += " " + tr_n("{n} existing publication it updated will be put back as it was.",
                                 "{n} existing publications it updated will be put back as they were.",
                                 changed).format(n=changed)
    if batch.get("status") == "running or interrupted":
        text += "\n\n" + tr("This import has not finished. If it is still running, here or on another computer, "
                             "wait until it ends before undoing it.")
    return text


def undo_summary(report: dict[str, Any]) -> str:
    """UndoReport.as_dict() in the interface's language (the core's summary() is English)."""
    deleted = report.get("deleted") or {}
    order = list(_DELETED) + sorted(k for k in deleted if k not in _DELETED)
    gone = [deleted_text(kind, deleted[kind]) for kind in order if deleted.get(kind)]
    text = tr("Import {id} undone.").format(id=report["batch"]) + " "
    text += (tr("Removed: {what}.").format(what=", ".join(gone)) if gone else tr("Nothing was removed."))
    if report.get("reverted"):
        text += " " + tr_n("{n} existing record put back as it was.", "{n} existing records put back as they were.",
                                 report["reverted"]).format(n=report["reverted"])
    if report.get("unlinked"):
        text += " " + tr_n("{n} link removed.", "{n} links removed.", report["unlinked"]).format(n=report["unlinked"])
    if report.get("files_removed"):
        text += " " + tr_n("{n} stored file removed.", "{n} stored files removed.", report["files_removed"]).format(
            n=report["files_removed"])
    kept = report.get("kept") or []
    if kept:
        text += " " + tr("Kept, because other records use them now: {names}.").format(
            names=", ".join(kept[:5]) + (" …" if len(kept) > 5 else ""))
    return text


def refusal_text(message: str) -> str:
    """The core's refusal in the interface's language, the records it names included."""
    return re.sub(r"\(version (\d+), the import left version (\d+)\)",
                  lambda v: tr("(version {now}; the import left version {then})").format(now=v[1], then=v[2]),
                  tr_message(message))


def ask_to_undo(parent: QWidget, batch: dict[str, Any]) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, tr("Undo import"), confirm_text(batch),
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("undo_import_confirmation")
    undo = box.addButton(tr("Undo import"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is undo


class BatchUndo(QObject):
    """Undo one batch: read its numbers, ask, undo, each step off the GUI thread.

    `undone(report_dict)` after the undo, `failed(message)` when it was refused or went wrong (the core's
    message in the interface's language, never a traceback), `cancelled()` when the user said no."""

    undone = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, window: Any, parent: QWidget):
        super().__init__(parent)
        self.window_ref = window
        self.task: tasks.Task | None = None

    def is_running(self) -> bool:
        return self.task is not None and not self.task.done

    def start(self, batch_id: int) -> None:
        library = self.window_ref.catalogue.library
        self._run(lambda: _batch(library, batch_id), self._confirm)

    def _run(self, fn: Callable[[], Any], then: Callable[[Any], None]) -> None:
        task = self.task = tasks.Task(fn, parent=self)
        task.result.connect(then)
        task.error.connect(lambda message: self.failed.emit(refusal_text(message)))
        tasks.start(task)

    def _confirm(self, batch: dict[str, Any]) -> None:
        if batch.get("status") == "undone":
            self.failed.emit(tr("Import {id} was already undone.").format(id=batch["id"]))
            return
        if not ask_to_undo(self.parent(), batch):
            self.cancelled.emit()
            return
        library = self.window_ref.catalogue.library
        self._run(lambda: _undo(library, batch["id"]), self._done)

    def _done(self, report: dict[str, Any]) -> None:
        refresh = getattr(self.window_ref, "refresh", None)
        if refresh:
            refresh()
        self.undone.emit(report)


# -- the table -------------------------------------------------------------------------------------
class ImportHistoryModel(QAbstractTableModel):
    """Rows are list_batches() dicts, newest first."""

    BatchRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = ("Import", "When", "Who", "Sources", "Created", "Matched", "Refused", "Status")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def set_batches(self, batches: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = sorted(batches, key=lambda b: b["id"], reverse=True)
        self.endResetModel()

    def batch_at(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def row_of(self, batch_id: int) -> int:
        return next((i for i, b in enumerate(self._rows) if b["id"] == batch_id), -1)

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.HEADERS)):
            return tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        b = self._rows[index.row()]
        col = index.column()
        counts = b.get("counts") or {}
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(b["id"])
            if col == 1:
                return when(b.get("started"))
            if col == 2:
                return b.get("user") or ""
            if col == 3:
                return sources_text(b)
            if 4 <= col <= 6:
                value = counts.get(("created", "matched", "refused")[col - 4])
                return "" if value is None else str(value)
            if col == 7:
                return status_text(b)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return "\n".join(b.get("sources") or []) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and (col == 0 or 4 <= col <= 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 7:
            return QBrush(_STATUS_COLOURS.get(b.get("status") or "", QColor("#b00020")))
        if role == self.BatchRole:
            return b
        return None


class ImportHistoryDialog(QDialog):
    """The library's imports, newest first; the selected one can be undone. `loaded` after each (re)load."""

    loaded = Signal()

    def __init__(self, window: Any, parent: QWidget | None = None, select: int | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref = window
        self.task: tasks.Task | None = None
        self._select = select
        self.setObjectName("import_history")
        self.setWindowTitle(tr("Import history"))
        self.setMinimumSize(760, 400)
        self.resize(980, 520)

        self.heading = QLabel(tr("Every import is kept as a batch. Undoing one removes the records it created "
                                 "and puts back the records it updated."), self)
        self.heading.setWordWrap(True)
        self.model = ImportHistoryModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("import_history_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.status = QLabel(self)
        self.status.setObjectName("import_history_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()

        self.undo_button = QPushButton(tr("Undo import…"), self)
        self.undo_button.setObjectName("undo_import")
        self.undo_button.setToolTip(tr("Remove what the selected import created and put back what it updated"))
        self.undo_button.clicked.connect(self.undo_selected)
        self.refresh_button = QPushButton(tr("Refresh"), self)
        self.refresh_button.clicked.connect(self.reload)
        for button in (self.undo_button, self.refresh_button):
            button.setAutoDefault(False)  # Enter in the table must not undo anything
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ResetRole)  # at the left
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.undoer = BatchUndo(window, self)
        self.undoer.undone.connect(self._undone)
        self.undoer.failed.connect(self._failed)
        self.undoer.cancelled.connect(lambda: (self.say(""), self._update_buttons()))
        self._update_buttons()

    # -- loading -------------------------------------------------------------------------------------
    def reload(self) -> tasks.Task:
        """Read the batches again in the background; the selection stays on the same import."""
        selected = self.selected_batch()
        if selected is not None:
            self._select = selected["id"]
        self.refresh_button.setEnabled(False)
        library = self.window_ref.catalogue.library
        task = self.task = tasks.Task(lambda: _batches(library), parent=self)
        task.result.connect(self._loaded)
        task.error.connect(self._failed)
        task.finished.connect(lambda: self.refresh_button.setEnabled(True))
        tasks.start(task)
        return task

    def _loaded(self, batches: list[dict[str, Any]]) -> None:
        self.model.set_batches(batches)
        self._fit_columns()
        row = self.model.row_of(self._select) if self._select is not None else -1
        self.table.selectRow(row if row >= 0 else 0)
        if not batches:
            self.say(tr("No imports yet."))
        self._update_buttons()
        self.loaded.emit()

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        for col in (4, 5, 6):
            self.table.setColumnWidth(col, max(self.table.columnWidth(col), 70))
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 160))
        self.table.setColumnWidth(7, max(self.table.columnWidth(7), 150))

    def say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # -- undo ----------------------------------------------------------------------------------------
    def selected_batch(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.batch_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        batch = self.selected_batch()
        read_only = bool(getattr(self.window_ref.catalogue.library, "read_only", False))
        self.undo_button.setEnabled(batch is not None and batch.get("status") != "undone" and not read_only
                                    and not self.undoer.is_running())

    def undo_selected(self) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        self._select = batch["id"]
        self.say(tr("Undoing import {id}…").format(id=batch["id"]))
        self.undo_button.setEnabled(False)
        self.undoer.start(batch["id"])

    def _undone(self, report: dict[str, Any]) -> None:
        self.say(undo_summary(report))
        self.reload()

    def _failed(self, message: str) -> None:
        self.say(message, error=True)
        self._update_buttons()


def open_import_history(window: Any, parent: QWidget | None = None, select: int | None = None) -> ImportHistoryDialog:
    dialog = ImportHistoryDialog(window, parent, select=select)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.reload()
    return dialog


def show_import_history(window: Any) -> ImportHistoryDialog:
    """Hook for the window's Import history action."""
    return open_import_history(window)


__all__ = ["ImportHistoryDialog", "ImportHistoryModel", "BatchUndo", "open_import_history", "show_import_history",
           "undo_summary", "confirm_text"]
