"""Record editors: `open_editor(window, kind, id_or_None)` and `delete_records(window, kind, ids)`."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from kbase.errors import KbaseError

EDITABLE_KINDS = ("publication", "project", "organisation", "person", "region", "event")


def make_editor(window: Any, kind: str, record_id: int | None = None) -> "RecordEditor":  # noqa: F821
    """The editor dialog for one record (or a new one when record_id is None), not yet shown."""
    from ui.editors.base import RecordEditor
    from ui.editors.forms import TABS, validate

    if kind not in TABS:
        raise ValueError(f"no editor for {kind!r}")
    dialog = RecordEditor(window, kind, record_id, TABS[kind], validate)
    if kind == "publication" and record_id is not None:
        from ui.editors.forms import AttachmentsView
        from ui.i18n import tr

        dialog.tabs.addTab(AttachmentsView(window, record_id), tr("Files"))
    from kbase.catalogue.notes import NOTE_KINDS

    if kind in NOTE_KINDS:
        from ui.editors.notes_tab import NotesTab
        from ui.i18n import tr

        dialog.tabs.addTab(NotesTab(window, kind, record_id), tr("Notes"))
        if dialog.tabs.count() > 1:  # a one-form editor hides its tab bar; with notes it needs it
            dialog.tabs.tabBar().show()
            dialog.tabs.setDocumentMode(False)
    return dialog


def open_editor(window: Any, kind: str, record_id: int | None = None) -> QWidget | None:
    """Show the editor (non-blocking) and return it; a missing record or unknown kind is a message box."""
    from ui.i18n import tr

    parent = window if isinstance(window, QWidget) else None
    try:
        dialog = make_editor(window, kind, record_id)
    except (KbaseError, ValueError) as exc:
        QMessageBox.warning(parent, tr("Edit"), str(exc))
        return None
    dialog.open()
    return dialog


def new_record(window: Any) -> QWidget | None:
    """Hook for the window's New action: an empty editor for the kind on show."""
    kind = window.current_kind()
    return open_editor(window, kind if kind in EDITABLE_KINDS else "publication", None)


def edit_record(window: Any) -> QWidget | None:
    """Hook for the window's Edit action: the editor of the first selected record."""
    ids = window.selected_ids()
    if not ids:
        return None
    return open_editor(window, window.current_kind(), ids[0])


def delete_records(window: Any, kind: str | None = None, ids: list[int] | None = None, confirm: bool = True) -> bool:
    """Delete after confirmation, through the undo stack (Ctrl+Z brings them back)."""
    from ui.i18n import tr, tr_n
    from ui.tasks import user_message
    from ui.undo import DeleteRecordsCommand, context_for

    kind = kind or window.current_kind()
    ids = list(window.selected_ids() if ids is None else ids)
    parent = window if isinstance(window, QWidget) else None
    if not ids:
        return False
    if confirm:
        asked = tr_n("Move {n} {kind} record to the trash?", "Move {n} {kind} records to the trash?", len(ids))
        answer = QMessageBox.question(parent, tr("Delete"), asked.format(n=len(ids), kind=tr(kind)))
        if answer != QMessageBox.StandardButton.Yes:
            return False
    ctx = context_for(window)
    try:
        command = DeleteRecordsCommand(ctx, kind, list(ids))
    except KbaseError as exc:
        QMessageBox.warning(parent, tr("Delete"), user_message(exc))
        return False
    window.undo_stack.push(command)
    return not command.failed


__all__ = ["open_editor", "make_editor", "new_record", "edit_record", "delete_records", "EDITABLE_KINDS"]
