"""What the details pane shows around a record: its notes (added, edited and deleted there), related
publications, collections, and a publication's files and links (attached and opened there)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue import notes
from kbase.catalogue.around import around
from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from kbase.i18n import N_
from kbase.imports import attach
from kbase.labels import RELATION_LABELS  # how two publications relate, as `kbase show` says it too
from ui import tasks
from ui.i18n import timestamp, tr, tr_message

SCHEME = "kbase-around:"  # links of this pane's own actions: kbase-around:note-edit/12
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_HEADING_SIZE = re.compile(r"font-size:(xx-large|x-large|large)")


def extra_data(cat: Catalogue, kind: str, record_id: int) -> dict[str, Any]:
    """Notes, related publications, collections and links, read for the pane."""
    return around(cat, kind, record_id)


def markdown_html(text: str) -> str:
    """A note's Markdown as HTML the pane can show (Qt's own Markdown reader)."""
    doc = QTextDocument()
    doc.setMarkdown(text)
    found = _BODY.search(doc.toHtml())
    if not found:
        return html.escape(text).replace("\n", "<br>")
    # a note's headings stay below the record's title
    return _HEADING_SIZE.sub("font-size:medium", found.group(1))


# the words of the pane's links and of its questions' buttons, said through tr() where they are used (listed here
# so that extraction puts them in the catalogs)
WORDS = (N_("Attach a file…"), N_("Add a link…"), N_("edit"), N_("delete"), N_("Yes"), N_("No"), N_("Add"))


def _action(name: str, target: int | str = "", label: str = "") -> str:
    return f"<a href='{SCHEME}{name}/{target}'>{html.escape(tr(label))}</a>"


def around_html(kind: str, data: dict[str, Any], link: Callable[[str, int], str]) -> str:
    """The sections after the record's fields; link(kind, id) is the pane's link to a record."""
    parts: list[str] = []
    if data.get("related"):
        parts.append(f"<h3>{html.escape(tr('Related publications'))}</h3>")
        parts.append("<br>".join(
            f"<i>{html.escape(tr(RELATION_LABELS.get(r['relation'], r['relation'])))}</i>: "
            f"<a href='{link('publication', r['id'])}'>{html.escape(r['label'])}</a>" for r in data["related"]))
    if kind == "publication":  # its files are listed under Attachments, above
        links = [f"<a href='{html.escape(k['url'], quote=True)}'>{html.escape(k['title'] or k['url'])}</a> "
                 f"<span class='role'>({_action('link-remove', k['id'], 'remove')})</span>"
                 for k in data.get("links", [])]
        parts.append(f"<h3>{html.escape(tr('Links'))}</h3>")
        if links:
            parts.append("<br>".join(links) + "<br>")
        parts.append(f"<p>{_action('attach-file', '', 'Attach a file…')} · "
                     f"{_action('attach-link', '', 'Add a link…')}</p>")
    if data.get("collections"):
        parts.append(f"<h3>{html.escape(tr('Collections'))}</h3>")
        parts.append("<br>".join(html.escape(c["path"].replace("/", " › ")) for c in data["collections"]))
    if "notes" in data:
        parts.append(f"<h3>{html.escape(tr('Notes'))}</h3>")
        for n in data["notes"]:
            parts.append(f"<div class='note'>{markdown_html(n['text'])}</div>"
                         f"<p class='meta'>{html.escape(timestamp(n['updated']))} · "
                         f"{_action('note-edit', n['id'], 'edit')} · {_action('note-delete', n['id'], 'delete')}</p>")
        parts.append(f"<p>{_action('note-add', '', 'Add a note…')}</p>")
    return "".join(parts)


class NoteDialog(QDialog):
    """A note's Markdown text, written or changed."""

    def __init__(self, parent: QWidget, text: str = "", title: str = "Note"):
        super().__init__(parent)
        self.setObjectName("note_dialog")
        self.setWindowTitle(tr(title))
        lay = QVBoxLayout(self)
        self.setMinimumSize(520, 340)  # fixed limits: the window is not resized as the layout settles
        hint = QLabel(tr("Markdown: *italics*, **bold**, # headings, - lists, [links](https://…)"), self)
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit(self)
        self.editor.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(hint)
        lay.addWidget(self.editor)
        lay.addWidget(buttons)

    def text(self) -> str:
        return self.editor.toPlainText()


class Ask(QDialog):
    """A question, a message or one line to type, opened without blocking: `accepted` says OK or Yes."""

    def __init__(self, parent: QWidget, title: str, text: str, value: str | None = None, ok: str = "OK",
                 cancel: str | None = "Cancel"):
        super().__init__(parent)
        self.setObjectName("ask")
        self.setWindowTitle(title)
        self.setMinimumSize(420, 140)
        lay = QVBoxLayout(self)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        self.field: QLineEdit | None = None
        if value is not None:
            self.field = QLineEdit(value, self)
            self.field.selectAll()
            lay.addWidget(self.field)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(tr(ok), self)
        self.ok_button.setDefault(True)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        if cancel:
            buttons.addButton(QPushButton(tr(cancel), self), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def value(self) -> str:
        return self.field.text() if self.field is not None else ""


def ask(parent: QWidget, title: str, text: str, value: str | None, then: Callable[[str], Any], ok: str = "OK") -> Ask:
    dialog = Ask(parent, title, text, value, ok)
    dialog.accepted.connect(lambda: then(dialog.value()))
    dialog.open()
    return dialog


def _warn(parent: QWidget, exc: KbaseError | str) -> Ask:
    text = exc if isinstance(exc, str) else tr_message(tasks.user_message(exc))
    dialog = Ask(parent, tr("Kbase"), text, None, "OK", None)
    dialog.open()
    return dialog


def handle_link(pane: Any, url: QUrl) -> bool:
    """The pane's own actions and files that are not PDFs; False for everything else."""
    text = url.toString()
    cat: Catalogue = pane.catalogue
    if text.startswith("kbase:attachment/") and text.rsplit("/", 1)[-1].isdigit():
        return open_if_not_pdf(pane, int(text.rsplit("/", 1)[-1]))
    if not text.startswith(SCHEME) or pane.current is None:
        return False
    action, _, arg = text[len(SCHEME):].partition("/")
    kind, record_id = pane.current
    try:
        if action == "note-add":
            edit_note_dialog(pane, lambda body: notes.add_note(cat, kind, record_id, body), "", "New note")
        elif action == "note-edit":
            note = notes.get_note(cat, int(arg))
            edit_note_dialog(pane, lambda body: notes.edit_note(cat, int(arg), body), note["text"], "Edit note")
        elif action == "note-delete":
            confirm(pane, tr("Delete this note?"), lambda: (notes.delete_note(cat, int(arg)), pane.refresh()))
        elif action == "link-remove":
            attach.remove_link(cat, int(arg))
            pane.refresh()
        elif action == "attach-file":
            paths, _filter = QFileDialog.getOpenFileNames(pane, tr("Attach files"))
            attach_paths(pane, paths)
        elif action == "attach-link":
            ask_link(pane)
    except KbaseError as exc:
        _warn(pane, exc)
    return True


def edit_note_dialog(pane: Any, save: Callable[[str], Any], text: str, title: str) -> NoteDialog:
    """Open the note editor (window-modal, not blocking); save(text) runs when it is saved."""
    dialog = NoteDialog(pane, text, title)

    def done() -> None:
        try:
            save(dialog.text())
        except KbaseError as exc:
            _warn(pane, exc)
        pane.refresh()

    dialog.accepted.connect(done)
    dialog.open()
    return dialog


def confirm(parent: QWidget, question: str, then: Callable[[], Any]) -> Ask:
    def answered() -> None:
        try:
            then()
        except KbaseError as exc:
            _warn(parent, exc)

    dialog = Ask(parent, tr("Kbase"), question, None, "Yes", "No")
    dialog.accepted.connect(answered)
    dialog.open()
    return dialog


def ask_link(pane: Any) -> Ask:
    def done(url: str) -> None:
        if pane.current is None:
            return
        try:
            attach.add_link(pane.catalogue, pane.current[1], url)
        except KbaseError as exc:
            _warn(pane, exc)
        pane.refresh()

    return ask(pane, tr("Add a link"), tr("Web address (https://…):"), "", done, "Add")


def attach_paths(pane: Any, paths: list[str]) -> list[str]:
    """Attach files to the publication shown; returns the problems (also shown to the user)."""
    if pane.current is None or pane.current[0] != "publication" or not paths:
        return []
    problems = []
    for path in paths:
        try:
            attach.attach(pane.catalogue, pane.current[1], path)
        except KbaseError as exc:
            problems.append(f"{Path(path).name}: {tr_message(tasks.user_message(exc))}")
    pane.refresh()
    if problems:
        _warn(pane, "\n".join(problems))
    return problems


def open_if_not_pdf(pane: Any, attachment_id: int) -> bool:
    """Open a file that is not a PDF with the system's application; False for a PDF (the viewer's)."""
    try:
        files = {a["id"]: a for a in attach.attachments(pane.catalogue, pane.current[1])} if pane.current else {}
        found = files.get(attachment_id)
        if found is None or found.get("mime", "").startswith("application/pdf"):
            return False
        path = attach.local_copy(pane.catalogue, attachment_id)
    except KbaseError as exc:
        _warn(pane, exc)
        return True
    pane.opened_externally = str(path)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return True


__all__ = ["around_html", "extra_data", "handle_link", "NoteDialog", "Ask", "ask", "confirm", "attach_paths",
           "markdown_html"]
