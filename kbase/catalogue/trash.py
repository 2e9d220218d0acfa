"""The trash: a deleted record is kept, with every row that went with it, until restored or emptied."""

from __future__ import annotations

import base64
import getpass
import json
import os
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col

from kbase.catalogue import restore
from kbase.catalogue.columns import key, table_of
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, KbaseError, NotFound
from kbase.i18n import N_
from kbase.library import models as m

__all__ = ["move_to_trash", "trash_entries", "restore_from_trash", "empty_trash", "empty_expired",
           "trash_days", "set_trash_days", "TRASH_DAYS_SETTING", "DEFAULT_TRASH_DAYS"]

TRASH_DAYS_SETTING = "trash_days"
DEFAULT_TRASH_DAYS = 30


# -- rows as JSON: dates, times and bytes tagged so they come back as they were ------------------
def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot keep a {type(value).__name__} in the trash")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        (tag, value), = obj.items()
        if tag == "$datetime":
            return datetime.fromisoformat(value)
        if tag == "$date":
            return date.fromisoformat(value)
        if tag == "$bytes":
            return base64.b64decode(value)
    return obj


def _who(cat: Catalogue) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return user


def _label(obj: Any) -> str:
    for name in ("title", "name", "filename"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return f"#{obj.id}"


def move_to_trash(cat: Catalogue, kind: str, record_id: int) -> dict[str, Any]:
    """Delete the record into the trash; returns its trash entry. Refused, as a deletion is, while
    other records still use it (see Catalogue.delete)."""
    model = m.RECORD_TYPES.get(kind)
    if model is None or kind == "attachment":
        raise InvalidInput(N_("records of type {kind} do not go to the trash").format(kind=repr(kind)))
    with cat.transaction() as s:
        obj = s.get(model, record_id)
        if obj is None:
            raise NotFound(N_("no {kind} with ID {id}").format(kind=kind, id=record_id))
        label = _label(obj)
        # a publication's attachments are deleted with it, and their page texts with them
        extra: list[tuple[str, list[dict[str, Any]]]] = []
        if model is m.Publication:
            att_table = table_of(m.Attachment)
            for att_id in s.scalars(select(key(m.Attachment.id)).where(col(m.Attachment.publication_id) == record_id)):
                extra.extend(restore.take(s, att_table, att_id).dependants)
        snap = cat.delete(model, record_id)
        rows = [(snap.table, [snap.row]), *snap.dependants, *extra]
        entry = m.TrashEntry(kind=kind, record_id=record_id, label=label[:300], user=_who(cat),
                             snapshot=json.dumps(rows, default=_encode, ensure_ascii=False))
        s.add(entry)
        s.flush()
        return _entry_row(entry)


def _entry_row(e: m.TrashEntry) -> dict[str, Any]:
    return {"trash_id": e.id, "kind": e.kind, "id": e.record_id, "label": e.label, "deleted": e.deleted,
            "user": e.user}


def trash_entries(cat: Catalogue, kind: str | None = None) -> list[dict[str, Any]]:
    """What the trash holds, newest first."""
    q = select(m.TrashEntry).order_by(col(m.TrashEntry.deleted).desc(), col(m.TrashEntry.id).desc())
    if kind:
        q = q.where(col(m.TrashEntry.kind) == kind)
    with cat.reading() as s:
        return [_entry_row(e) for e in s.scalars(q)]


def _put_back(s: Session, rows: list[tuple[str, list[dict[str, Any]]]]) -> dict[tuple[str, int], int]:
    """Insert the rows again, in order, a table's rows in one statement. A row whose ID was given to a new
    record meanwhile (SQLite hands out the highest ID again) takes a new one, and the rows after it follow
    it there. Returns {(table, old ID): new ID} for the moved ones."""
    tables = SQLModel.metadata.tables
    moved: dict[tuple[str, int], int] = {}
    for name, table_rows in rows:
        table = tables[name]
        keys = list(table.primary_key.columns)
        fixed = []
        for raw in table_rows:
            row = dict(raw)
            for fk in table.foreign_keys:
                column, target = fk.parent.name, fk.column.table.name
                if row.get(column) is not None and (target, row[column]) in moved:
                    row[column] = moved[(target, row[column])]
            if name in restore.BY_KIND and (row["kind"], row["record_id"]) in moved:
                row["record_id"] = moved[(row["kind"], row["record_id"])]
            fixed.append(row)
        if [k.name for k in keys] == ["id"]:
            ids = [r["id"] for r in fixed]
            taken: set[int] = set()
            for i in range(0, len(ids), 500):
                taken.update(s.scalars(select(table.c.id).where(table.c.id.in_(ids[i:i + 500]))))
            free = [r for r in fixed if r["id"] not in taken]
            if free:
                s.execute(insert(table), free)
            for row in (r for r in fixed if r["id"] in taken):
                old = row.pop("id")
                moved[(name, old)] = int(s.execute(insert(table).values(**row).returning(table.c.id)).scalar_one())
        else:
            for row in fixed:
                if s.execute(select(keys[0]).where(*[k == row[k.name] for k in keys])).first() is None:
                    s.execute(insert(table).values(**row))  # else the same link is there already
    return moved


def restore_from_trash(cat: Catalogue, kind: str, record_id: int) -> int:
    """Put the record back with its links, notes and attachments; returns its ID (a new one only
    when a record made since took the old one)."""
    with cat.transaction() as s:
        T = m.TrashEntry
        entry = s.scalars(select(T).where(col(T.kind) == kind, col(T.record_id) == record_id)
                          .order_by(col(T.deleted).desc(), col(T.id).desc())).first()
        if entry is None:
            raise NotFound(N_("no {kind} {id} in the trash").format(kind=kind, id=record_id))
        rows = [(name, list(table_rows)) for name, table_rows in json.loads(entry.snapshot, object_hook=_decode)]
        moved = _put_back(s, rows)
        new_id = moved.get((kind, record_id), record_id)
        cat.log_change(s, kind, new_id, "restore")  # the history says it came back from the trash
        for name, table_rows in rows:
            if name == "attachment":
                for r in table_rows:
                    cat.log_change(s, "attachment", moved.get(("attachment", r["id"]), r["id"]), "insert")
        s.delete(entry)
        return new_id


def trash_days(cat: Catalogue) -> int:
    """How many days a record stays in the trash (the setting trash_days; 0 keeps it until emptied)."""
    value = cat.get_setting(TRASH_DAYS_SETTING)
    try:
        return max(0, int(value)) if value not in (None, "") else DEFAULT_TRASH_DAYS
    except ValueError:
        return DEFAULT_TRASH_DAYS


def set_trash_days(cat: Catalogue, days: int) -> None:
    if days < 0:
        raise InvalidInput(N_("the trash keeps records for 0 days or more (0: until it is emptied), not {days}").format(
            days=days))
    cat.set_setting(TRASH_DAYS_SETTING, str(int(days)))


def empty_trash(cat: Catalogue, older_than_days: float | None = None) -> int:
    """Delete for good what the trash holds (only what went there more than older_than_days ago);
    returns how many records went."""
    if older_than_days is not None and older_than_days < 0:
        raise InvalidInput(N_("--older-than takes a number of days, 0 or more"))
    T = m.TrashEntry
    where = [] if older_than_days is None else [col(T.deleted) < m.utcnow() - timedelta(days=older_than_days)]
    with cat.reading() as s:
        if not s.scalar(select(func.count()).select_from(m.TrashEntry).where(*where)):
            return 0  # no write transaction for an empty trash: opening a library stays cheap
    with cat.transaction() as s:
        shas: set[str] = set()
        for snapshot in s.scalars(select(col(T.snapshot)).where(*where, col(T.kind) == "publication")):
            for name, rows in json.loads(snapshot, object_hook=_decode):
                shas.update(r["sha256"] for r in rows if name == "attachment")
        deleted = cast(CursorResult[Any], s.execute(delete(T).where(*where)))  # a DELETE's result: its row count
        gone = int(deleted.rowcount or 0)
        for sha in shas:  # a file no attachment holds any more: `kbase check --repair` then removes it from the store
            if s.scalar(select(func.count()).select_from(m.Attachment).where(col(m.Attachment.sha256) == sha)) == 0 \
                    and s.scalar(select(func.count()).select_from(m.TrashEntry)
                                 .where(col(m.TrashEntry.snapshot).contains(sha))) == 0:
                s.execute(delete(m.StoredFile).where(col(m.StoredFile.sha256) == sha))
        return gone


def empty_expired(cat: Catalogue) -> int:
    """Empty what has been in the trash longer than the setting says; called when a library opens."""
    if cat.library.read_only:
        return 0
    days = trash_days(cat)
    try:
        return empty_trash(cat, days) if days > 0 else 0
    except (KbaseError, DBAPIError):  # a team's reader may not delete: a librarian's next start empties it
        return 0

