"""The record table view: multi-select, a column chooser, sort through the core, header state per kind."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ui.i18n import tr
from ui.table_model import RecordTableModel


class RecordTable(QTableView):
    """A QTableView over a RecordTableModel; the header layout is remembered per record kind."""

    unsortable = Signal()  # a click on a column the core cannot sort by

    def __init__(self, model: RecordTableModel, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.records = model
        self.settings = settings
        self.setObjectName("records")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring of 50k rows
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.column_menu().exec(self.horizontalHeader().mapToGlobal(pos)))
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._on_sort_indicator)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        from ui.collections_tree import install_record_drag

        install_record_drag(self)  # selected rows dragged onto a collection in the navigator

    # -- selection --------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [rid for rid in (self.records.id_at(r) for r in rows) if rid is not None]

    def select_ids(self, ids: list[int]) -> None:
        sel = self.selectionModel()
        sel.clearSelection()
        for rid in ids:
            row = self.records.row_of(rid)
            if row >= 0:
                sel.select(self.records.index(row, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    # -- columns and sorting --------------------------------------------------------------------
    def _on_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        if not self.records.is_sortable(column):  # put the arrow back where the rows are really sorted
            self._set_indicator(self.records.sort_column, self.records.sort_order)
            self.unsortable.emit()
            return
        self.records.sort(column, order)

    def _set_indicator(self, column: int, order: Qt.SortOrder) -> None:
        header = self.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def apply_columns(self) -> None:
        """Columns of the current kind: defaults, then the remembered state; sorts the model accordingly."""
        header = self.horizontalHeader()
        for col, c in enumerate(self.records.columns):
            header.setSectionHidden(col, not c.shown)
            header.resizeSection(col, c.width)
        state = self.settings.value(f"table/{self.records.kind}/header")
        if isinstance(state, QByteArray) and not state.isEmpty():
            header.restoreState(state)
        # the first column (title or name) takes the room the others leave
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        if not self.records.is_sortable(column):
            column, order = 0, Qt.SortOrder.AscendingOrder
        self._set_indicator(column, order)
        self.records.sort(column, order)

    def save_columns(self) -> None:
        self.settings.setValue(f"table/{self.records.kind}/header", self.horizontalHeader().saveState())

    def column_menu(self, parent: Any = None) -> QMenu:
        """Checkable entries, one per column of the current kind (the first always shows)."""
        menu = QMenu(tr("Columns"), parent or self)
        header = self.horizontalHeader()
        for col, c in enumerate(self.records.columns):
            action = menu.addAction(tr(c.title))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(col))
            action.setEnabled(col != 0)
            action.toggled.connect(lambda on, col=col: header.setSectionHidden(col, not on))
        return menu


__all__ = ["RecordTable"]
