"""Notes: Markdown text on any record, several per record, with their times."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_text

__all__ = ["add_note", "edit_note", "delete_note", "get_note", "notes", "note_row", "notes_of",
           "drop_notes", "NOTE_KINDS"]

# every record type can carry notes; collections too
NOTE_KINDS = (*m.RECORD_TYPES, "collection")


def _model(kind: str) -> type:
    return m.Collection if kind == "collection" else m.RECORD_TYPES[kind]


def _check_kind(kind: str) -> str:
    if kind not in NOTE_KINDS:
        raise InvalidInput(N_("notes go on: {note_kinds} (got {kind})").format(
            note_kinds=', '.join(NOTE_KINDS), kind=repr(kind)))
    return kind


def _clean(text: str) -> str:
    text = clean_text(text or "").strip()
    if not text:
        raise InvalidInput(N_("a note needs some text"))
    return text


def note_row(note: m.Note) -> dict[str, Any]:
    return {"id": note.id, "kind": note.kind, "record_id": note.record_id, "text": note.text,
            "created": note.created, "updated": note.updated}


def _changed(cat: Catalogue, s: Session, kind: str, record_id: int) -> None:
    # a publication's notes are in its search document: the index catches up from this change
    cat.log_change(s, kind, record_id, "update")


def add_note(cat: Catalogue, kind: str, record_id: int, text: str) -> dict[str, Any]:
    """A new note on the record; returns it as a row."""
    _check_kind(kind)
    text = _clean(text)
    with cat.transaction() as s:
        if s.get(_model(kind), record_id) is None:
            raise NotFound(N_("no {kind} with ID {id}").format(kind=kind, id=record_id))
        note = m.Note(kind=kind, record_id=record_id, text=text)
        s.add(note)
        s.flush()
        _changed(cat, s, kind, record_id)
        return note_row(note)


def get_note(cat: Catalogue, note_id: int) -> dict[str, Any]:
    with cat.reading() as s:
        note = s.get(m.Note, note_id)
        if note is None:
            raise NotFound(N_("no note with ID {id}").format(id=note_id))
        return note_row(note)


def edit_note(cat: Catalogue, note_id: int, text: str) -> dict[str, Any]:
    text = _clean(text)
    with cat.transaction() as s:
        note = s.get(m.Note, note_id)
        if note is None:
            raise NotFound(N_("no note with ID {id}").format(id=note_id))
        note.text = text
        note.updated = m.utcnow()
        s.add(note)
        s.flush()
        _changed(cat, s, note.kind, note.record_id)
        return note_row(note)


def delete_note(cat: Catalogue, note_id: int) -> dict[str, Any]:
    """Delete a note; returns what it was."""
    with cat.transaction() as s:
        note = s.get(m.Note, note_id)
        if note is None:
            raise NotFound(N_("no note with ID {id}").format(id=note_id))
        row = note_row(note)
        s.delete(note)
        s.flush()
        _changed(cat, s, row["kind"], row["record_id"])
        return row


def notes(cat: Catalogue, kind: str | None = None, record_id: int | None = None) -> list[dict[str, Any]]:
    """Notes of one record (oldest first), of one kind of record, or all of them."""
    q = select(m.Note)
    if kind is not None:
        q = q.where(col(m.Note.kind) == _check_kind(kind))
    if record_id is not None:
        q = q.where(col(m.Note.record_id) == record_id)
    with cat.reading() as s:
        N = m.Note
        return [note_row(n) for n in s.scalars(q.order_by(col(N.kind), col(N.record_id), col(N.created), col(N.id)))]


def notes_of(s: Session, kind: str, record_ids: list[int]) -> dict[int, list[str]]:
    """{record ID: its notes' texts, oldest first} for exports and the search index."""
    out: dict[int, list[str]] = {}
    if not record_ids:
        return out
    for rid, text in s.execute(select(col(m.Note.record_id), col(m.Note.text))
                               .where(col(m.Note.kind) == kind, col(m.Note.record_id).in_(record_ids))
                               .order_by(col(m.Note.record_id), col(m.Note.created), col(m.Note.id))):
        out.setdefault(rid, []).append(text)
    return out


def drop_notes(s: Session, kind: str, record_id: int) -> None:
    s.execute(delete(m.Note).where(col(m.Note.kind) == kind, col(m.Note.record_id) == record_id))
