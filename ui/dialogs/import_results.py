"""The import results as a Qt table model: one row per file with its status and message; its table view and
the summary under it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from kbase.imports.outcomes import FORMAT_NAMES
from kbase.imports.pipeline import BIBLIOGRAPHIES
from ui.i18n import tr, tr_message, tr_n

# statuses that mean the file is in the catalogue as it should be
GOOD = ("ok", *BIBLIOGRAPHIES)
# a duplicate is not an error, but a librarian may want to look
NOTICE = ("duplicate", "no text layer", "cancelled")
_COLOURS = {"good": QColor("#1b7a2a"), "notice": QColor("#8a6d00"), "bad": QColor("#b00020")}
Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()  # a table's rows have no parent


def is_flagged(result: Any) -> bool:
    """Needs a librarian: not in the catalogue as it should be (a duplicate or a cancelled file is not a fault)."""
    return result.status not in GOOD and result.status not in ("duplicate", "cancelled")


def _for_the_window(message: str | None) -> str:
    """The core's message, with the command-line advice for a locked file said the window's way."""
    return tr_message((message or "").replace("import it again with --password to read it",
                                              tr("select it and use Password… to read it")))


def severity(status: str) -> str:
    return "good" if status in GOOD else "notice" if status in NOTICE else "bad"


class ImportResultsModel(QAbstractTableModel):
    """Rows are FileResult objects (path, status, message, pages, publication_id, duplicate_of)."""

    FlaggedRole = Qt.ItemDataRole.UserRole + 1
    ResultRole = Qt.ItemDataRole.UserRole + 2
    SortRole = Qt.ItemDataRole.UserRole + 3
    HEADERS = ("File", "Status", "Pages", "Message")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_results(self, results: list[Any]) -> None:
        self.beginResetModel()
        # files needing attention first, each group in path order
        self._rows = sorted(results, key=lambda r: (not is_flagged(r), r.path))
        self.endResetModel()

    def replace(self, path: str, result: Any) -> None:
        """Show a new outcome for the file at path (after it was imported again)."""
        for row, old in enumerate(self._rows):
            if old.path == path:
                self._rows[row] = result
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
                return

    def result_at(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < 4:
            return tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return Path(r.path).name
            if col == 1:
                return FORMAT_NAMES.get(r.status) or tr(r.status)
            if col == 2:
                return r.pages if r.pages else ""
            if col == 3:
                return _for_the_window(r.message)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.path if col == 0 else (_for_the_window(r.message) or None)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QBrush(_COLOURS[severity(r.status)])
        if role == self.FlaggedRole:
            return "1" if is_flagged(r) else "0"
        if role == self.ResultRole:
            return r
        if role == self.SortRole:
            return (Path(r.path).name.lower(), r.status, int(r.pages or 0), r.message or "")[col] if col < 4 else None
        return None


def results_table(parent: QWidget, model: ImportResultsModel) -> tuple[QSortFilterProxyModel, QTableView]:
    """The results' view: sortable, filterable on files needing attention (filter string "1"), one row selected."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setFilterRole(ImportResultsModel.FlaggedRole)
    proxy.setSortRole(ImportResultsModel.SortRole)
    table = QTableView(parent)
    table.setObjectName("import_results")
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's order: files needing attention first
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)  # one line
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.setColumnWidth(0, 260)
    table.setColumnWidth(1, 110)
    table.setColumnWidth(2, 60)
    return proxy, table


def fit_rows(table: QTableView, proxy: QSortFilterProxyModel) -> None:
    """Long messages wrap instead of being cut: rows whose text is wider than its column grow.

    (resizeRowsToContents() measures every cell: 100 ms or more of the GUI thread for 500 files.)"""
    metrics = table.fontMetrics()
    widths = [table.columnWidth(c) - 12 for c in range(proxy.columnCount())]
    for row in range(proxy.rowCount()):
        for col, width in enumerate(widths):
            text = proxy.index(row, col).data()
            if text and metrics.horizontalAdvance(str(text)) > width:
                table.resizeRowToContents(row)
                break


def summary_text(report: Any) -> str:
    """What an ImportReport did, in a few sentences: files, pages, those needing attention, time; entries."""
    flagged = sum(1 for f in report.files if is_flagged(f))
    # one template, its counts each in their own plural form
    text = tr("{files} ({pages}), {flagged}, in {seconds} s.").format(
        files=tr_n("{n} file imported", "{n} files imported", report.imported).format(n=report.imported),
        pages=tr_n("{n} page", "{n} pages", report.pages).format(n=report.pages),
        flagged=tr_n("{n} needs attention", "{n} need attention", flagged).format(n=flagged),
        seconds=QLocale().toString(float(report.elapsed), "f", 1))  # 0,4 s in French
    counts = report.counts
    if counts.get("duplicate"):
        text += " " + tr("{n} already in the library.").format(n=counts["duplicate"])
    if counts.get("cancelled"):
        cancelled = counts["cancelled"]
        text += " " + tr_n("{n} not imported (cancelled).", "{n} not imported (cancelled).", cancelled).format(
            n=cancelled)
    bibs = [f for f in report.files if f.status in BIBLIOGRAPHIES]
    if bibs:
        created, matched, refused = (sum(getattr(f, k) for f in bibs) for k in ("created", "matched", "refused"))
        text += " " + tr("Entries of bibliographies and spreadsheets: {created}, {matched}, {refused}.").format(
            created=tr_n("{n} created", "{n} created", created).format(n=created),
            matched=tr_n("{n} matched an existing record", "{n} matched existing records", matched).format(
                n=matched),
            refused=tr_n("{n} refused", "{n} refused", refused).format(n=refused))
    if report.index_message:
        text += "\n" + report.index_message
    return text


__all__ = ["ImportResultsModel", "is_flagged", "severity", "GOOD", "results_table", "fit_rows", "summary_text"]
