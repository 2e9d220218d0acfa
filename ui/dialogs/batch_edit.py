"""Batch edit of the selected publications: project, region, subject (add or remove), series, visibility."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel, QMessageBox, QVBoxLayout, QWidget,
)
from sqlalchemy import delete, insert, select, update

from kbase import models as m
from kbase.catalogue import Catalogue
from kbase.errors import InvalidInput
from ui.editors.pickers import RecordPicker
from ui.i18n import tr

# link name -> (link table, column holding the other record)
LINKS: dict[str, tuple[type, str]] = {
    "project": (m.PublicationProject, "project_id"),
    "region": (m.PublicationRegion, "region_id"),
    "subject": (m.PublicationSubject, "subject_id"),
}
SETTABLE = ("series_id", "visibility")
CHUNK = 500  # ids per statement, well under SQLite's variable limit


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def apply_batch(cat: Catalogue, ids: list[int], set_fields: dict[str, Any], add_links: dict[str, list[int]],
                remove_links: dict[str, list[int]]) -> tuple[dict[int, dict[str, Any]], list[tuple[str, int, int]],
                                                          list[tuple[str, int, int]]]:
    """Change many publications in one transaction; returns what changed so it can be reverted exactly.

    Set-based statements (not one update per record) keep a batch of thousands quick.
    """
    for key, value in set_fields.items():
        if key not in SETTABLE:
            raise InvalidInput(f"batch edit cannot set {key!r}")
        if key == "visibility" and value not in m.VISIBILITIES:
            raise InvalidInput(f"visibility must be one of: {', '.join(m.VISIBILITIES)} (got {value!r})")
    P = m.Publication
    old: dict[int, dict[str, Any]] = {}
    added: list[tuple[str, int, int]] = []
    removed: list[tuple[str, int, int]] = []
    with cat.transaction() as s:
        for chunk in _chunks(ids):
            if set_fields:
                cols = [getattr(P, k) for k in set_fields]
                for row in s.execute(select(P.id, *cols).where(P.id.in_(chunk))):
                    values = dict(zip(set_fields, row[1:]))
                    if values != set_fields:
                        old[row[0]] = values
            for name, targets in add_links.items():
                link, col = LINKS[name]
                have = set(s.execute(select(link.publication_id, getattr(link, col)).where(
                    link.publication_id.in_(chunk), getattr(link, col).in_(targets))).all())
                rows = [(pid, t) for pid in chunk for t in targets if (pid, t) not in have]
                if rows:
                    s.execute(insert(link), [{"publication_id": p, col: t} for p, t in rows])
                added += [(name, p, t) for p, t in rows]
            for name, targets in remove_links.items():
                link, col = LINKS[name]
                have = list(s.execute(select(link.publication_id, getattr(link, col)).where(
                    link.publication_id.in_(chunk), getattr(link, col).in_(targets))).all())
                if have:
                    s.execute(delete(link).where(link.publication_id.in_(chunk), getattr(link, col).in_(targets)))
                removed += [(name, p, t) for p, t in have]
        _set_fields(s, {pid: set_fields for pid in old})
        _log(cat, s, set(old) | {p for _, p, _ in added} | {p for _, p, _ in removed})
    return old, added, removed


def _set_fields(s: Any, values: dict[int, dict[str, Any]]) -> None:
    """Set per-publication values, grouping publications that get the same ones."""
    P = m.Publication
    groups: dict[tuple, list[int]] = {}
    for pid, fields in values.items():
        groups.setdefault(tuple(sorted(fields.items())), []).append(pid)
    for fields, pids in groups.items():
        for chunk in _chunks(pids):
            s.execute(update(P).where(P.id.in_(chunk)).values(
                version=P.version + 1, updated=m.utcnow(), **dict(fields)))


def revert_batch(cat: Catalogue, old: dict[int, dict[str, Any]], added: list[tuple[str, int, int]],
                 removed: list[tuple[str, int, int]]) -> None:
    """Undo apply_batch: old values back, added links removed, removed links restored."""
    with cat.transaction() as s:
        _set_fields(s, old)
        for (name, target), pids in _by_link(added).items():
            link, col = LINKS[name]
            for chunk in _chunks(pids):
                s.execute(delete(link).where(getattr(link, col) == target, link.publication_id.in_(chunk)))
        for (name, target), pids in _by_link(removed).items():
            link, col = LINKS[name]
            s.execute(insert(link), [{"publication_id": p, col: target} for p in pids])
        _log(cat, s, set(old) | {p for _, p, _ in added} | {p for _, p, _ in removed})


def _by_link(rows: list[tuple[str, int, int]]) -> dict[tuple[str, int], list[int]]:
    groups: dict[tuple[str, int], list[int]] = {}
    for name, pid, target in rows:
        groups.setdefault((name, target), []).append(pid)
    return groups


def _log(cat: Catalogue, s: Any, ids: set[int]) -> None:
    """The change log rows of log_change(), written in one statement: building 10,000 ORM objects takes seconds.

    Listeners are told after commit exactly as log_change() arranges (its pending list); a public
    Catalogue.log_changes(kind, ids) would be the cleaner home for this.
    """
    now = m.utcnow()
    ordered = sorted(ids)
    for chunk in _chunks(ordered):
        s.execute(insert(m.Change), [{"kind": "publication", "record_id": pid, "op": "update", "at": now}
                                     for pid in chunk])
    pending = getattr(cat, "_pending", None)
    if pending is not None:
        pending.extend(("publication", pid, "update") for pid in ordered)


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
        self.heading = QLabel(tr("Change {n} selected publication(s). Ctrl+Z undoes the whole batch.").format(
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


__all__ = ["BatchEditDialog", "open_batch_edit", "show_batch_edit", "apply_batch", "revert_batch"]
