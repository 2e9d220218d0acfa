"""The record editor's Notes tab: a record's notes listed, added, edited (Markdown with a live preview), deleted.

Notes are written at once through kbase.catalogue.notes, like in the details pane: they are not part of
the record's fields, so the editor's Save and Cancel do not apply to them."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget,
)

from kbase.catalogue import notes
from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from ui import tasks
from ui.i18n import timestamp, tr, tr_message
from ui.notes_panel import Ask, NoteDialog, confirm, markdown_html


def first_line(text: str, limit: int = 80) -> str:
    """A note's first non-empty line, without Markdown heading or list marks, cut to `limit` characters."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = line.lstrip("#>-*+ ").strip() or line
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


class NotePreviewDialog(NoteDialog):
    """The details pane's note dialog with a preview of the Markdown beside the text, kept up to date."""

    def __init__(self, parent: QWidget, text: str = "", title: str = "Note"):
        super().__init__(parent, text, title)
        self.setMinimumSize(760, 420)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("note_preview")
        self.preview.setOpenExternalLinks(True)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        lay = self.layout()
        lay.replaceWidget(self.editor, split)
        split.addWidget(self.editor)
        split.addWidget(self.preview)
        split.setSizes([380, 380])
        self.editor.textChanged.connect(self._render)
        self._render()

    def _render(self) -> None:
        self.preview.setHtml(markdown_html(self.text()))


class NotesTab(QWidget):
    """A record's notes; `changed` callbacks run after every add, edit or delete."""

    def __init__(self, window: Any, kind: str, record_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("notes_tab")
        self.window_ref = window
        self.cat: Catalogue = window.catalogue
        self.kind, self.record_id = kind, record_id
        self.dialog: NotePreviewDialog | None = None
        layout = QVBoxLayout(self)
        if record_id is None:
            label = QLabel(tr("Notes can be added once the record is saved."), self)
            label.setObjectName("notes_unsaved")
            label.setWordWrap(True)
            layout.addWidget(label)
            layout.addStretch(1)
            self.list = None
            return
        self.list = QListWidget(self)
        self.list.setObjectName("notes")
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit())
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.add_button = QPushButton(tr("Add a note…"), self)
        self.edit_button = QPushButton(tr("Edit…"), self)
        self.delete_button = QPushButton(tr("Delete"), self)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.reload()

    # -- showing ------------------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        assert self.list is not None and self.record_id is not None
        self.list.clear()
        rows = notes.notes(self.cat, self.kind, self.record_id)
        for n in rows:
            item = QListWidgetItem(f"{first_line(n['text'])}\n{timestamp(n['updated'])}")
            item.setToolTip(n["text"])
            item.setData(Qt.ItemDataRole.UserRole, n["id"])
            self.list.addItem(item)
            if n["id"] == select:
                self.list.setCurrentItem(item)
        if not rows:
            empty = QListWidgetItem(tr("No notes yet."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        elif self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        self._enable()

    def note_ids(self) -> list[int]:
        if self.list is None:
            return []
        ids = (self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count()))
        return [i for i in ids if i is not None]

    def current_id(self) -> int | None:
        item = self.list.currentItem() if self.list is not None else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _enable(self) -> None:
        chosen = self.current_id() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # -- changing -----------------------------------------------------------------------------
    def add(self) -> NotePreviewDialog:
        rid = self.record_id
        return self._open("", tr("New note"), lambda body: notes.add_note(self.cat, self.kind, rid, body))

    def edit(self) -> NotePreviewDialog | None:
        note_id = self.current_id()
        if note_id is None:
            return None
        try:
            text = notes.get_note(self.cat, note_id)["text"]
        except KbaseError as exc:  # deleted meanwhile (by the details pane or someone else)
            self._warn(exc)
            self.reload()
            return None
        return self._open(text, tr("Edit note"), lambda body: notes.edit_note(self.cat, note_id, body))

    def delete(self) -> Ask | None:
        note_id = self.current_id()
        if note_id is None:
            return None

        def gone() -> None:
            try:
                notes.delete_note(self.cat, note_id)
            finally:
                self._changed()

        return confirm(self, tr("Delete this note?"), gone)

    def _open(self, text: str, title: str, save: Callable[[str], dict[str, Any]]) -> NotePreviewDialog:
        dialog = NotePreviewDialog(self, text, title)
        self.dialog = dialog

        def done() -> None:
            try:
                row = save(dialog.text())
            except KbaseError as exc:
                self._warn(exc)
                return
            self._changed(row["id"])

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def _changed(self, select: int | None = None) -> None:
        self.reload(select)
        details = getattr(self.window_ref, "details", None)
        if details is not None and getattr(details, "current", None) == (self.kind, self.record_id):
            details.refresh()  # the pane beside the editor shows the same notes

    def _warn(self, exc: KbaseError) -> Ask:
        box = Ask(self, tr("Kbase"), tr_message(tasks.user_message(exc)), None, "OK", None)
        box.open()
        return box


__all__ = ["NotesTab", "NotePreviewDialog", "first_line"]
