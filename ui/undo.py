"""Undoable catalogue edits: QUndoCommands that re-apply the old or new values through the Catalogue API."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kbase.catalogue.editing import RecordState, create_record, write_state
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from ui.i18n import tr, tr_n
from ui.tasks import user_message


class UndoContext:
    """What commands share: the catalogue, how to refresh the window, and IDs re-created by a redo."""

    def __init__(self, cat: Catalogue, refresh: Callable[[], Any] | None = None, parent: QWidget | None = None):
        self.cat = cat
        self.refresh = refresh or (lambda: None)
        self.parent = parent
        self._ids: dict[tuple[str, int], int] = {}

    def resolve(self, kind: str, record_id: int) -> int:
        """The record's current ID: a deleted-then-restored record comes back under a new one."""
        seen = set()
        while (kind, record_id) in self._ids and record_id not in seen:
            seen.add(record_id)
            record_id = self._ids[(kind, record_id)]
        return record_id

    def moved(self, kind: str, old_id: int, new_id: int) -> None:
        if old_id != new_id:
            self._ids[(kind, old_id)] = new_id

    def fail(self, command: QUndoCommand, exc: BaseException, first: bool = False) -> None:
        # a command that cannot be made (a record still in use) or replayed (merged away, conflict) leaves the stack
        command.setObsolete(True)
        if first:
            title, lead = command.text(), tr("The change could not be made:")
        else:
            title, lead = tr("Undo"), tr("The change could not be replayed:")
        QMessageBox.warning(self.parent, title, lead + "\n" + user_message(exc))


def context_for(window: Any) -> UndoContext:
    """The window's shared UndoContext (made on first use)."""
    ctx = getattr(window, "_undo_context", None)
    if ctx is None or ctx.cat is not window.catalogue:
        refresh = getattr(window, "refresh", None)
        ctx = UndoContext(window.catalogue, refresh, window if isinstance(window, QWidget) else None)
        window._undo_context = ctx
    return ctx


class _Command(QUndoCommand):
    """Runs _redo/_undo inside an error guard; the first redo is skipped when the edit was already made."""

    def __init__(self, ctx: UndoContext, text: str, done: bool):
        super().__init__(text)
        self.ctx = ctx
        self._skip_redo = done
        self._ran = done  # made at least once: a failure after that is a failed replay
        self.failed = False  # a Python flag: Qt may delete an obsolete command right after push()

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._guard(self._redo)

    def undo(self) -> None:
        self._guard(self._undo)

    def _guard(self, step: Callable[[], None]) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a batch of thousands takes a second
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - shown to the user, the window carries on
            QApplication.restoreOverrideCursor()
            self.failed = True
            self.ctx.fail(self, exc, first=not self._ran)
        else:
            QApplication.restoreOverrideCursor()
            self._ran = True
        self.ctx.refresh()

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


# which kind of record an ID in a state refers to, so IDs of records deleted and restored by undo follow them
_REF_FIELDS = {"series_id": "series", "publisher_id": "organisation", "programme_id": "programme",
               "parent_id": "region", "project_id": "project"}
_REF_LINKS = {"projects": "project", "regions": "region", "subjects": "subject", "partners": "organisation",
              "funders": "organisation", "organisations": "organisation", "people": "person",
              "organisers": "organisation", "hosts": "organisation", "supporters": "organisation"}


def remap(ctx: UndoContext, state: RecordState) -> RecordState:
    """state with every referenced ID replaced by the record's current ID."""
    out = state.copy()
    for key, kind in _REF_FIELDS.items():
        if out.fields.get(key) is not None:
            out.fields[key] = ctx.resolve(kind, out.fields[key])
    for key, kind in _REF_LINKS.items():
        if key in out.links:
            out.links[key] = [ctx.resolve(kind, i) for i in out.links[key]]
    if "contributors" in out.links:
        out.links["contributors"] = [(role, kind, ctx.resolve(kind, i)) for role, kind, i in out.links["contributors"]]
    if "assignments" in out.links:
        out.links["assignments"] = {y: [ctx.resolve("organisation", i) for i in c]
                                    for y, c in out.links["assignments"].items()}
    return out


class EditRecordCommand(_Command):
    """One record's fields and link sets, before and after an edit."""

    def __init__(self, ctx: UndoContext, kind: str, record_id: int, before: RecordState, after: RecordState,
                 text: str = "", done: bool = True):
        super().__init__(ctx, text or tr("Edit {kind}").format(kind=tr(kind)), done)
        self.kind, self.record_id = kind, record_id
        self.before, self.after = before.copy(), after.copy()

    def _redo(self) -> None:
        write_state(self.ctx.cat, self.kind, self.ctx.resolve(self.kind, self.record_id), remap(self.ctx, self.after))

    def _undo(self) -> None:
        write_state(self.ctx.cat, self.kind, self.ctx.resolve(self.kind, self.record_id), remap(self.ctx, self.before))


class CreateRecordCommand(_Command):
    """A new record: undo deletes it, redo makes it again (under a new ID, remembered by the context)."""

    def __init__(self, ctx: UndoContext, kind: str, record_id: int, state: RecordState, done: bool = True):
        super().__init__(ctx, tr("New {kind}").format(kind=tr(kind)), done)
        self.kind, self.record_id, self.state = kind, record_id, state.copy()

    def _redo(self) -> None:
        new_id = create_record(self.ctx.cat, self.kind, remap(self.ctx, self.state))
        self.ctx.moved(self.kind, self.record_id, new_id)

    def _undo(self) -> None:
        rid = self.ctx.resolve(self.kind, self.record_id)
        self.ctx.cat.delete(m.RECORD_TYPES[self.kind], rid)


class DeleteRecordsCommand(_Command):
    """Deleted records go to the trash (kbase.catalogue.trash) with every link, note and attachment;
    undo takes them back out: same IDs, dates and links."""

    def __init__(self, ctx: UndoContext, kind: str, ids: list[int]):
        super().__init__(ctx, tr_n("Delete {n} record", "Delete {n} records", len(ids)).format(n=len(ids)), done=False)
        self.kind = kind
        self.ids = list(ids)
        self.trashed: list[int] = []  # the IDs as they went to the trash

    def _redo(self) -> None:
        from kbase.catalogue.trash import move_to_trash

        cat = self.ctx.cat
        trashed = []
        with cat.transaction():  # all or none: a refused delete leaves every record in place
            for rid in self.ids:
                current = self.ctx.resolve(self.kind, rid)
                move_to_trash(cat, self.kind, current)
                trashed.append(current)
        self.trashed = trashed

    def _undo(self) -> None:
        from kbase.catalogue.trash import restore_from_trash

        cat = self.ctx.cat
        with cat.transaction():
            for rid, current in zip(self.ids, self.trashed, strict=True):  # one trashed ID per record
                self.ctx.moved(self.kind, rid, restore_from_trash(cat, self.kind, current))


class BatchEditCommand(_Command):
    """Several publications at once: fields set to one value, links added or removed.

    Only what actually changed is kept (old values, links that were really added or removed),
    so undo puts back exactly the state before.
    """

    def __init__(self, ctx: UndoContext, ids: list[int], set_fields: dict[str, Any],
                 add_links: dict[str, list[int]], remove_links: dict[str, list[int]]):
        super().__init__(ctx, tr_n("Batch edit of {n} publication", "Batch edit of {n} publications",
                                   len(ids)).format(n=len(ids)), done=False)
        self.ids = list(ids)
        self.set_fields = dict(set_fields)
        self.add_links, self.remove_links = add_links, remove_links
        self.old_fields: dict[int, dict[str, Any]] = {}
        self.added: list[tuple[str, int, int]] = []
        self.removed: list[tuple[str, int, int]] = []

    def _redo(self) -> None:
        from kbase.catalogue.batch import apply_batch

        self.old_fields, self.added, self.removed = apply_batch(
            self.ctx.cat, [self.ctx.resolve("publication", i) for i in self.ids],
            self.set_fields, self.add_links, self.remove_links)

    def _undo(self) -> None:
        from kbase.catalogue.batch import revert_batch

        revert_batch(self.ctx.cat, self.old_fields, self.added, self.removed)


def push_edit(stack: QUndoStack, ctx: UndoContext, kind: str, record_id: int | None,
              before: RecordState | None, after: RecordState, expected_version: int | None = None) -> int:
    """Save an editor's result now (errors reach the caller) and put it on the undo stack; returns the ID."""
    if record_id is None:
        new_id = create_record(ctx.cat, kind, after)
        stack.push(CreateRecordCommand(ctx, kind, new_id, after))
        return new_id
    write_state(ctx.cat, kind, record_id, after, expected_version=expected_version)
    stack.push(EditRecordCommand(ctx, kind, record_id, before or after, after))
    return record_id


__all__ = ["UndoContext", "context_for", "EditRecordCommand", "CreateRecordCommand", "DeleteRecordsCommand",
           "BatchEditCommand", "push_edit"]
