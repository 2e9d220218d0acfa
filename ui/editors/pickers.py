"""Pickers that find organisations, people, regions… by any alias as you type, and create a missing one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue import lookup
from kbase.catalogue.lookup import SUGGESTIONS
from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from kbase.library import models as m
from ui.i18n import language, tr, tr_message


def label_of(cat: Catalogue, kind: str, record_id: int) -> str:
    """How a picked record reads, in the interface language (a region's French name in French)."""
    return lookup.label(cat, kind, record_id, french=language() == "fr")


def suggest(cat: Catalogue, kind: str, text: str, limit: int = SUGGESTIONS) -> list[tuple[int, str]]:
    """(id, label) of records of kind whose name or any alias starts with text, labelled in the interface language."""
    return lookup.suggest(cat, kind, text, limit, french=language() == "fr")


class EnterLineEdit(QLineEdit):
    """A line edit that keeps Enter to itself, so it does not also press the dialog's default button."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class RecordPicker(QWidget):
    """A line edit with suggestions; `value()` is the picked record's ID (or None).

    Typing a name that matches nothing and pressing Enter offers to create the record.
    """

    picked = Signal(int)

    def __init__(self, cat: Catalogue, kind: str, parent: QWidget | None = None, clear_on_pick: bool = False):
        super().__init__(parent)
        self.cat, self.kind = cat, kind
        self.clear_on_pick = clear_on_pick
        self._id: int | None = None
        self._choices: dict[str, int] = {}
        self.problem = ""  # why the last suggestions could not be read, "" when fine
        self.edit = EnterLineEdit(self)
        self.edit.setPlaceholderText(tr("Type a name or alias…"))
        self.edit.setClearButtonEnabled(True)
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.edit.setCompleter(self.completer)
        # Enter on a new name creates it too; the button makes that discoverable
        self.create_button = QToolButton(self)
        self.create_button.setText("+")
        self.create_button.setToolTip(tr("Create it if it is not in the catalogue"))
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self._on_return)
        # shown under the field only when the suggestions could not be read
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("picker_problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.problem_label)
        self.edit.textChanged.connect(lambda t: self.create_button.setEnabled(bool(t.strip()) and self._id is None))
        self.edit.textEdited.connect(self._on_edited)
        self.completer.activated.connect(self._on_activated)
        self.edit.returnPressed.connect(self._on_return)

    def value(self) -> int | None:
        if not self.edit.text().strip():
            return None
        return self._id

    def set_value(self, record_id: int | None) -> None:
        self._id = record_id
        self.edit.setText(label_of(self.cat, self.kind, record_id) if record_id else "")
        self.create_button.setEnabled(False)

    def _on_edited(self, text: str) -> None:
        self._id = None
        self.create_button.setEnabled(bool(text.strip()))
        self.problem = ""
        try:
            found = suggest(self.cat, self.kind, text)
        except KbaseError as exc:  # no suggestions because the catalogue cannot be read: say so under the field
            found = []
            self.problem = tr("⚠ no suggestions: {message}").format(message=tr_message(str(exc)))
        self.problem_label.setText(self.problem)
        self.problem_label.setVisible(bool(self.problem))
        self._choices = {label: rid for rid, label in found}
        self._model.setStringList(list(self._choices))
        if found:
            self.completer.complete()

    def _on_activated(self, text: str) -> None:
        rid = self._choices.get(text)
        if rid is not None:
            self._pick(rid)

    def _on_return(self) -> None:
        text = self.edit.text().strip()
        if not text or self._id is not None:
            return
        if text in self._choices:
            self._pick(self._choices[text])
            return
        self.resolve_or_create(text)

    def resolve_or_create(self, text: str, ask: bool = True) -> int | None:
        """The record named text (by any alias); if none, offer to create it."""
        matches = lookup.named(self.cat, self.kind, text, french=language() == "fr")
        if len(matches) == 1:
            self._pick(matches[0])
            return matches[0]
        if matches:
            self._on_edited(text)
            return None
        if ask:
            answer = QMessageBox.question(
                self, tr("Create record"),
                tr("There is no {kind} named “{name}”. Create it?").format(kind=tr(self.kind), name=text))
            if answer != QMessageBox.StandardButton.Yes:
                return None
        try:
            obj = self.cat.add(m.RECORD_TYPES[self.kind], **{lookup.name_field(self.kind): text})
        except KbaseError as exc:
            QMessageBox.warning(self, tr("Create record"), str(exc))
            return None
        self._make_undoable(obj.id)
        self._pick(obj.id)
        return obj.id

    def _make_undoable(self, rid: int) -> None:
        """Put the new record on the window's undo stack (found through the dialog holding this picker)."""
        from kbase.catalogue.editing import FIELDS, read_state

        host = self.parentWidget()
        while host is not None and not hasattr(host, "window_ref"):
            host = host.parentWidget()
        window = getattr(host, "window_ref", None)
        if window is None or self.kind not in FIELDS or not hasattr(window, "undo_stack"):
            return
        from ui.undo import CreateRecordCommand, context_for

        window.undo_stack.push(CreateRecordCommand(context_for(window), self.kind, rid,
                                                   read_state(self.cat, self.kind, rid)))

    def _pick(self, rid: int) -> None:
        self._id = rid
        self.edit.setText(label_of(self.cat, self.kind, rid))
        self.create_button.setEnabled(False)
        self.picked.emit(rid)
        if self.clear_on_pick:
            self._id = None
            self.edit.clear()


class _RemovableList(QListWidget):
    """A list whose Delete (or Backspace) key removes the selected rows."""

    remove_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Backspace:
            self.remove_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class LinkListEditor(QWidget):
    """An ordered list of linked records with a picker to add more and buttons to remove or reorder."""

    changed = Signal()

    def __init__(self, cat: Catalogue, kind: str, parent: QWidget | None = None, ordered: bool = False):
        super().__init__(parent)
        self.cat, self.kind = cat, kind
        self.list = _RemovableList(self)
        self.list.setMinimumHeight(60)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        # long names ("International Peace Information Service (IPIS) — author (organisation)") wrap
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.remove_pressed.connect(self._remove)
        self.picker = RecordPicker(cat, kind, self, clear_on_pick=True)
        self.picker.picked.connect(self.add)
        self.remove_button = QPushButton(tr("Remove"), self)
        self.remove_button.clicked.connect(self._remove)
        side = QVBoxLayout()
        if ordered:
            for text, step in ((tr("Up"), -1), (tr("Down"), 1)):
                b = QPushButton(text, self)
                b.clicked.connect(lambda _=False, d=step: self._move(d))
                side.addWidget(b)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(side)
        self.pick_row = QHBoxLayout()
        self.pick_row.addWidget(self.picker, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(self.pick_row)

    def ids(self) -> list[Any]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def set_ids(self, ids: list[Any]) -> None:
        self.list.clear()
        for rid in ids:
            self._append(rid)

    def add(self, rid: Any) -> None:
        if rid in self.ids():
            return
        self._append(rid)
        self.changed.emit()

    def _append(self, rid: Any) -> None:
        item = QListWidgetItem(self.item_label(rid))
        item.setData(Qt.ItemDataRole.UserRole, rid)
        self.list.addItem(item)

    def item_label(self, rid: Any) -> str:
        return label_of(self.cat, self.kind, rid)

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.changed.emit()

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self.changed.emit()


class ContributorEditor(LinkListEditor):
    """Ordered authors and editors; each is a person or an organisation, picked by any alias."""

    def __init__(self, cat: Catalogue, parent: QWidget | None = None):
        super().__init__(cat, "person", parent, ordered=True)
        self.role = QComboBox(self)
        self.kind_box = QComboBox(self)
        for role in m.CONTRIBUTOR_ROLES:
            self.role.addItem(tr(role), role)
        for kind in ("person", "organisation"):
            self.kind_box.addItem(tr(kind), kind)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.pick_row.insertWidget(0, self.kind_box)
        self.pick_row.insertWidget(0, self.role)
        self.picker.picked.disconnect(self.add)
        self.picker.picked.connect(self._picked)
        self.list.setToolTip(tr("Double-click to switch between author and editor"))
        self.list.itemDoubleClicked.connect(self.toggle_role)

    def toggle_role(self, item: QListWidgetItem) -> None:
        role, kind, rid = item.data(Qt.ItemDataRole.UserRole)
        value = ("editor" if role == "author" else "author", kind, rid)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setText(self.item_label(value))
        self.changed.emit()

    def _kind_changed(self) -> None:
        self.picker.kind = self.kind_box.currentData()

    def _picked(self, rid: int) -> None:
        self.add((self.role.currentData(), self.kind_box.currentData(), rid))

    def item_label(self, rid: Any) -> str:
        role, kind, record_id = rid
        return f"{label_of(self.cat, kind, record_id)} — {tr(role)}" + (
            f" ({tr('organisation')})" if kind == "organisation" else "")

    def ids(self) -> list[Any]:
        return [tuple(x) for x in super().ids()]


class AliasEditor(QWidget):
    """Free-text alternative names, one per row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setMinimumHeight(60)
        self.edit = EnterLineEdit(self)
        self.edit.setPlaceholderText(tr("New alias, then Enter"))
        self.edit.returnPressed.connect(self._add)
        remove = QPushButton(tr("Remove"), self)
        remove.clicked.connect(lambda: [self.list.takeItem(self.list.row(i)) for i in self.list.selectedItems()])
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)

    def _add(self) -> None:
        text = self.edit.text().strip()
        if text and text not in self.values():
            self.list.addItem(text)
        self.edit.clear()

    def values(self) -> list[str]:
        """The aliases listed, and one typed but not yet added with Enter (it is meant to be kept)."""
        listed = [self.list.item(i).text() for i in range(self.list.count())]
        typed = self.edit.text().strip()
        return listed + [typed] if typed and typed not in listed else listed

    def set_values(self, values: list[str]) -> None:
        self.list.clear()
        self.list.addItems(values)


__all__ = ["RecordPicker", "LinkListEditor", "ContributorEditor", "AliasEditor", "suggest", "label_of"]
