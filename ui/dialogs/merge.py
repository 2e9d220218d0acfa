"""Merge duplicates: compare the records side by side, pick the one that survives, merge the others into it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.views import describe
from kbase.errors import KbaseError
from kbase.library import models as m
from ui import tasks
from ui.i18n import tr, tr_n

DEDUPE_KINDS = ("publication", "organisation", "person", "region")
_HIDDEN = {"version", "created", "updated", "extra"}
_LINK_LABELS = {"aliases": "Other names", "projects": "Projects", "publications": "Publications", "people": "People",
                "assignments": "Assignments", "contributors": "Authors and editors", "regions": "Regions",
                "subjects": "Subjects", "partners": "Partners", "funders": "Funders", "organisations": "Affiliations",
                "attachments": "Attachments", "children": "Regions below", "parent": "Part of", "date": "Date",
                "series": "Series", "publisher": "Publisher", "programme": "Programme", "id": "ID",
                "organiser": "Organiser", "project": "Project", "events": "Events"}


def row_labels(kind: str) -> dict[str, str]:
    """Field key -> the label its editor shows, so the comparison reads like the form."""
    from ui.editors.forms import TABS

    labels = dict(_LINK_LABELS)
    for _title, specs in TABS.get(kind, []):
        for spec in specs:
            labels[spec.key.removeprefix("links.").removesuffix("_id")] = spec.label
            labels[spec.key.removeprefix("links.")] = spec.label
    return labels


def _cell(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, dict):
        if "label" in value:
            return str(value["label"])
        return "; ".join(f"{tr(k)}: {_cell(v)}" for k, v in value.items())  # e.g. projects by role
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value[:8]) + (" …" if len(value) > 8 else "")
    return str(value)


def _candidates(library: Any, kind: str) -> list[Any]:
    from kbase.catalogue.dedupe import candidates
    from kbase.catalogue.records import Catalogue

    return candidates(Catalogue(library), [kind], min_score=0.5)


class MergeDialog(QDialog):
    """The survivor keeps its values; the others' links move to it and their names become aliases."""

    def __init__(self, window: Any, kind: str, ids: list[int], parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref, self.cat, self.kind = window, window.catalogue, kind
        self.ids: list[int] = []
        self.task: tasks.Task | None = None
        self.setObjectName("merge_dialog")
        self.setWindowTitle(tr("Merge duplicates"))
        self.setMinimumSize(760, 480)
        self.resize(900, 600)

        self.candidates = QListWidget(self)
        self.candidates.setObjectName("merge_candidates")
        self.candidates.setMaximumHeight(140)
        self.candidates.currentItemChanged.connect(self._candidate_chosen)
        self.candidates_label = QLabel(tr("Probable duplicates"), self)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.survivor_row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.table = QTableWidget(self)
        self.table.setObjectName("merge_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.merge_button = self.buttons.addButton(tr("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.candidates_label)
        layout.addWidget(self.candidates)
        layout.addWidget(self.heading)
        layout.addLayout(self.survivor_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.set_records(ids)
        if len(ids) < 2:
            self.find_candidates(ids[0] if ids else None)
        else:
            self.candidates_label.hide()
            self.candidates.hide()

    # -- candidates from kbase.catalogue.dedupe ---------------------------------------------------------------
    def find_candidates(self, around: int | None) -> None:
        if self.kind not in DEDUPE_KINDS:
            self.candidates_label.setText(tr("Select two or more records of the same kind to merge them."))
            self.candidates.hide()
            return
        self.candidates_label.setText(tr("Looking for probable duplicates…"))
        self.task = tasks.run(_candidates, self.cat.library, self.kind,
                              on_result=lambda found: self._show_candidates(found, around),
                              on_error=lambda msg: self.candidates_label.setText(msg), parent=self)

    def _show_candidates(self, found: list[Any], around: int | None) -> None:
        if around is not None:
            found = [c for c in found if around in (c.a, c.b)]
        self.candidates.clear()
        for c in found[:200]:
            text = f"{c.labels[0]}  ⟷  {c.labels[1]}   ({c.score:.0%}: {', '.join(c.reasons)})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (c.a, c.b))
            self.candidates.addItem(item)
        self.candidates_label.setText(tr("Probable duplicates ({n}); pick a pair to compare it.").format(n=len(found))
                                      if found else tr("No probable duplicates found."))

    def _candidate_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.set_records(list(item.data(Qt.ItemDataRole.UserRole)))

    # -- comparison ------------------------------------------------------------------------------------
    def set_records(self, ids: list[int]) -> None:
        records = []
        for rid in dict.fromkeys(ids):
            try:
                records.append(describe(self.cat, self.kind, rid))
            except KbaseError:
                continue  # merged or deleted meanwhile
        self.ids = [r["id"] for r in records]
        for button in self.group.buttons():
            self.group.removeButton(button)
            self.survivor_row.removeWidget(button)
            button.deleteLater()
        keys: list[str] = []
        for r in records:
            # describe() puts the record kind under "kind" unless the record has a kind field of its own
            keys += [k for k in r if k not in _HIDDEN and k not in keys and not (k == "kind" and r[k] == self.kind)]
        labels = row_labels(self.kind)
        self.table.clear()
        self.table.setColumnCount(len(records))
        self.table.setRowCount(len(keys))
        self.table.setVerticalHeaderLabels([tr(labels.get(k, k.replace("_", " "))) for k in keys])
        self.table.setHorizontalHeaderLabels([tr("ID {id}").format(id=r["id"]) for r in records])
        for col, r in enumerate(records):
            for row, key in enumerate(keys):
                item = QTableWidgetItem(_cell(r.get(key)))
                item.setToolTip(item.text())
                self.table.setItem(row, col, item)
            button = QRadioButton(tr("Keep ID {id}").format(id=r["id"]), self)
            button.setProperty("record_id", r["id"])
            self.group.addButton(button)
            self.survivor_row.addWidget(button)
        if self.group.buttons():
            self.group.buttons()[0].setChecked(True)
        self.table.resizeRowsToContents()
        enough = len(self.ids) >= 2
        self.merge_button.setEnabled(enough)
        self.heading.setText(tr("Choose the record to keep. The others are merged into it: their links move to it, "
                                "their names become aliases and their values fill its empty fields.")
                             if enough else tr("Pick a pair of probable duplicates above."))

    def survivor(self) -> int | None:
        checked = self.group.checkedButton()
        return int(checked.property("record_id")) if checked else None

    def set_survivor(self, record_id: int) -> None:
        for button in self.group.buttons():
            button.setChecked(int(button.property("record_id")) == record_id)

    def merge(self, confirm: bool = True) -> bool:
        survivor = self.survivor()
        losers = [i for i in self.ids if i != survivor]
        if survivor is None or not losers:
            return False
        if confirm:
            answer = QMessageBox.question(self, tr("Merge duplicates"), tr_n(
                "Merge {n} record into ID {id}? A merge cannot be undone.",
                "Merge {n} records into ID {id}? A merge cannot be undone.", len(losers)).format(
                n=len(losers), id=survivor))
            if answer != QMessageBox.StandardButton.Yes:
                return False
        model = m.RECORD_TYPES[self.kind]
        try:
            with self.cat.transaction():
                for loser in losers:
                    self.cat.merge(model, survivor, loser)
        except KbaseError as exc:
            QMessageBox.warning(self, tr("Merge duplicates"), str(exc))
            return False
        # earlier edits may name the merged records; replaying them now would undo part of the merge
        self.window_ref.undo_stack.clear()
        refresh = getattr(self.window_ref, "refresh", None)
        if refresh:
            refresh()
        self.accept()
        return True


def open_merge(window: Any, kind: str, ids: list[int]) -> MergeDialog:
    dialog = MergeDialog(window, kind, list(ids))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def show_merge(window: Any) -> MergeDialog:
    """Hook for the window's Merge action: the selected records, or probable duplicates of the one selected."""
    return open_merge(window, window.current_kind(), window.selected_ids())


__all__ = ["MergeDialog", "open_merge", "show_merge"]
