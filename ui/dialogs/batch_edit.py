"""Batch edit of the selected publications: project, region, subject (add or remove), series, visibility."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.batch import LINKS
from kbase.errors import InvalidInput
from kbase.library import models as m
from ui.editors.pickers import RecordPicker
from ui.i18n import tr, tr_n


class BatchEditDialog(QDialog):
    """Each change has a checkbox; only the checked ones are applied, as one undoable step."""

    def __init__(self, window: Any, ids: list[int], parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref, self.cat, self.ids = window, window.catalogue, list(ids)
        self.setObjectName("batch_edit_dialog")
        self.setWindowTitle(tr("Batch edit"))
        self.setMinimumSize(560, 300)
        grid = QGridLayout()
        self.enabled: dict[str, QCheckBox] = {}
        self.modes: dict[str, QComboBox] = {}
        self.pickers: dict[str, RecordPicker] = {}
        labels = {"project": "Project", "region": "Region", "subject": "Subject", "series": "Series",
                  "visibility": "Visibility"}
        for row, name in enumerate(("project", "region", "subject", "series", "visibility")):
            box = QCheckBox(tr(labels[name]), self)
            self.enabled[name] = box
            grid.addWidget(box, row, 0)
            if name in LINKS:
                mode = QComboBox(self)
                mode.addItem(tr("add"), "add")
                mode.addItem(tr("remove"), "remove")
                self.modes[name] = mode
                grid.addWidget(mode, row, 1)
            elif name == "series":
                grid.addWidget(QLabel(tr("set to"), self), row, 1)
            if name == "visibility":
                grid.addWidget(QLabel(tr("set to"), self), row, 1)
                self.visibility = QComboBox(self)
                for v in m.VISIBILITIES:
                    self.visibility.addItem(tr(v), v)
                self.visibility.currentIndexChanged.connect(lambda _i, b=box: b.setChecked(True))
                grid.addWidget(self.visibility, row, 2)
            else:
                picker = RecordPicker(self.cat, name, self)
                picker.edit.textEdited.connect(lambda _t, b=box: b.setChecked(True))
                if name == "series":
                    picker.edit.setPlaceholderText(tr("Empty: no series"))
                self.pickers[name] = picker
                grid.addWidget(picker, row, 2)
        grid.setColumnStretch(2, 1)
        self.heading = QLabel(tr_n("Change {n} selected publication. Ctrl+Z undoes the whole batch.",
                                   "Change {n} selected publications. Ctrl+Z undoes the whole batch.",
                                   len(self.ids)).format(
            n=len(self.ids)), self)
        self.heading.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def changes(self) -> tuple[dict[str, Any], dict[str, list[int]], dict[str, list[int]]]:
        set_fields: dict[str, Any] = {}
        add: dict[str, list[int]] = {}
        remove: dict[str, list[int]] = {}
        problems = []
        for name, box in self.enabled.items():
            if not box.isChecked():
                continue
            if name == "visibility":
                set_fields["visibility"] = self.visibility.currentData()
                continue
            picker = self.pickers[name]
            value = picker.value()
            if value is None and picker.edit.text().strip():
                problems.append(tr("“{name}” is not in the catalogue: pick a suggestion.").format(
                    name=picker.edit.text().strip()))
                continue
            if name == "series":
                set_fields["series_id"] = value
            elif value is None:
                problems.append(tr("Choose the {what} to add or remove.").format(what=tr(name)))
            else:
                (add if self.modes[name].currentData() == "add" else remove)[name] = [value]
        if problems:
            raise InvalidInput("\n".join(problems))
        return set_fields, add, remove

    def apply(self) -> bool:
        from ui.undo import BatchEditCommand, context_for

        try:
            set_fields, add, remove = self.changes()
        except InvalidInput as exc:
            self.message.setText(str(exc))
            self.message.show()
            return False
        if not (set_fields or add or remove):
            self.message.setText(tr("Tick at least one change."))
            self.message.show()
            return False
        command = BatchEditCommand(context_for(self.window_ref), self.ids, set_fields, add, remove)
        self.window_ref.undo_stack.push(command)  # redo() applies it; a failure is shown by the command
        if command.failed:
            return False
        self.accept()
        return True


def open_batch_edit(window: Any, ids: list[int] | None = None) -> BatchEditDialog | None:
    ids = list(window.selected_ids() if ids is None else ids)
    parent = window if isinstance(window, QWidget) else None
    if not ids:
        QMessageBox.information(parent, tr("Batch edit"), tr("Select the publications to change first."))
        return None
    dialog = BatchEditDialog(window, ids)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def show_batch_edit(window: Any) -> BatchEditDialog | None:
    """Hook for the window's Batch edit action (publications only)."""
    if window.current_kind() != "publication":
        parent = window if isinstance(window, QWidget) else None
        QMessageBox.information(parent, tr("Batch edit"), tr("Batch edit works on publications."))
        return None
    return open_batch_edit(window)


__all__ = ["BatchEditDialog", "open_batch_edit", "show_batch_edit"]
