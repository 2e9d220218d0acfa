"""The Trash window: deleted records, put back with their links or deleted for good."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue import trash
from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from ui import tasks
from ui.i18n import timestamp, tr, tr_message, tr_n
from ui.notes_panel import confirm

KIND_NAMES = {"publication": "Publication", "project": "Project", "organisation": "Organisation", "person": "Person",
              "event": "Event", "region": "Region", "programme": "Programme", "series": "Series", "subject": "Subject"}


class TrashDialog(QDialog):
    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.setObjectName("trash_dialog")
        self.setWindowTitle(tr("Trash"))
        self.setMinimumSize(720, 420)
        lay = QVBoxLayout(self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.message = QLabel(self)
        self.message.setObjectName("trash_message")
        self.restore_button = QPushButton(self)
        self.restore_button.clicked.connect(self.restore_selected)
        self.empty_button = QPushButton(self)
        self.empty_button.clicked.connect(lambda: self.empty(ask=True))
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.empty_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        lay.addWidget(self.info)
        lay.addWidget(self.table)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.entries: list[dict[str, Any]] = []
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Trash"))
        self.table.setHorizontalHeaderLabels([tr("Kind"), tr("Title or name"), tr("Deleted"), tr("By")])
        self.restore_button.setText(tr("Restore"))
        self.empty_button.setText(tr("Empty the trash…"))
        self.close_button.setText(tr("Close"))
        days = trash.trash_days(self.catalogue)
        self.info.setText(
            tr_n("Deleted records stay here {n} day, with their links, notes and files.",
                 "Deleted records stay here {n} days, with their links, notes and files.", days).format(n=days) if days
            else tr("Deleted records stay here, with their links, notes and files, until the trash is emptied."))

    def reload(self) -> None:
        self.entries = trash.trash_entries(self.catalogue)
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            cells = [tr(KIND_NAMES.get(e["kind"], e["kind"])), e["label"], timestamp(e["deleted"]), e["user"] or ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        if not self.entries:
            self.message.setText(tr("The trash is empty."))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(bool(self.selected()))
        self.empty_button.setEnabled(bool(self.entries))

    def selected(self) -> list[dict[str, Any]]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.entries[r] for r in rows if r < len(self.entries)]

    def restore_selected(self) -> int:
        """Put the selected records back; returns how many came back."""
        done, problems = 0, []
        for e in self.selected():
            try:
                trash.restore_from_trash(self.catalogue, e["kind"], e["id"])
                done += 1
            except KbaseError as exc:
                problems.append(f"{e['label']}: {tr_message(tasks.user_message(exc))}")
        self.reload()
        restored = tr_n("{n} record restored.", "{n} records restored.", done).format(n=done)
        self.message.setText("\n".join(problems) if problems else restored)
        return done

    def empty(self, ask: bool = True) -> None:
        def go() -> None:
            n = trash.empty_trash(self.catalogue)
            self.reload()
            self.message.setText(tr_n("{n} record deleted for good.", "{n} records deleted for good.", n).format(n=n))

        if ask:
            confirm(self, tr("Delete everything in the trash for good? This cannot be undone."), go)
        else:
            go()


__all__ = ["TrashDialog"]
