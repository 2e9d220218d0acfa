"""The record editor's Notes tab: a record's notes listed, added, edited (Markdown with a live preview), deleted.

Notes are written at once through kbase.catalogue.notes, like in the details pane: they are not part of
the record's fields, so the editor's Save and Cancel do not apply to them."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
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
        lay.setStretchFactor(split, 1)  # the text and its preview take the height, not the hint above
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
        self.list = QTreeWidget(self)
        self.list.setObjectName("notes")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels([tr("Note"), tr("Date")])
        self.list.header().setStretchLastSection(False)
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.list.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.list.itemDoubleClicked.connect(lambda _item, _column: self.edit())
        self.list.currentItemChanged.connect(lambda _now, _before: self._enable())
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
            item = QTreeWidgetItem([first_line(n["text"]), timestamp(n["updated"])])
            item.setToolTip(0, n["text"])
            item.setData(0, Qt.ItemDataRole.UserRole, n["id"])
            self.list.addTopLevelItem(item)
            if n["id"] == select:
                self.list.setCurrentItem(item)
        if not rows:
            empty = QTreeWidgetItem([tr("No notes yet."), ""])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addTopLevelItem(empty)
        elif self.list.currentItem() is None:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._enable()

    def note_ids(self) -> list[int]:
        if self.list is None:
            return []
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        ids = (item.data(0, Qt.ItemDataRole.UserRole) for item in items)
        return [i for i in ids if i is not None]

    def current_id(self) -> int | None:
        item = self.list.currentItem() if self.list is not None else None
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

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


EDITOR_NOTES = {
    "en": ["## Sources to check\n\n- the **site list** of the 2021 field visit\n- the export figures *(customs)*",
           "Ask the authors for the maps in colour"],
    "fr": ["## Sources à vérifier\n\n- la **liste des sites** de la visite de terrain de 2021\n"
           "- les chiffres d’exportation *(douanes)*",
           "Demander aux auteurs les cartes en couleur"],
}


def shoot_editor_notes(app: Any, window: Any, cat: Catalogue, lang: str, out: Any) -> None:
    """editor-notes-LANG.png and editor-note-edit-LANG.png for ui/screenshots.py: a publication's Notes tab
    in its editor, then one of its notes open with the preview."""
    from kbase.library import models as m
    from ui.editors import make_editor
    from ui.screenshots import save, settle, wait

    pub = max(cat.all(m.Publication), key=lambda p: p.id)
    for n in notes.notes(cat, "publication", pub.id):
        notes.delete_note(cat, n["id"])
    for text in EDITOR_NOTES[lang]:
        notes.add_note(cat, "publication", pub.id, text)
    editor = make_editor(window, "publication", pub.id)
    tab = next(editor.tabs.widget(i) for i in range(editor.tabs.count())
               if isinstance(editor.tabs.widget(i), NotesTab))
    editor.tabs.setCurrentWidget(tab)
    editor.show()
    wait(app, editor.isVisible)
    settle(app, 0.6)
    save(editor, out / f"editor-notes-{lang}.png")
    dialog = tab.edit()
    if dialog is not None:
        wait(app, dialog.isVisible)
        settle(app, 0.6)
        save(dialog, out / f"editor-note-edit-{lang}.png")
        dialog.reject()
    editor.reject()


__all__ = ["NotesTab", "NotePreviewDialog", "first_line", "shoot_editor_notes"]
