"""What deleting a record takes with it, kept so the deletion can be undone exactly.

A snapshot holds the record's row and every row that points at it: link rows that the database
deletes with it (contributors, aliases, project links, assignments and their clients…) and rows
that keep pointing at it (an attachment of a publication). Restoring puts the record back under
its own ID, with its own dates and version, and every one of those rows back as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, delete, insert, select, update
from sqlmodel import Session, SQLModel

__all__ = ["Snapshot", "take", "put_back", "blockers", "take_by_kind", "BY_KIND"]

# tables that point at any record by (kind, record_id) rather than by a foreign key
BY_KIND = ("note", "collection_item")


@dataclass
class Snapshot:
    table: str
    row: dict[str, Any]
    # (table name, rows) in the order they must be put back: parents before their own dependants
    dependants: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)


_REFERENCING: dict[str, list[tuple[Table, Any]]] = {}  # the tables do not change while the program runs


def _referencing(table: Table) -> list[tuple[Table, Any]]:
    """(table, foreign-key column) pairs pointing at table's id."""
    found = _REFERENCING.get(table.name)
    if found is None:
        found = []
        for other in SQLModel.metadata.sorted_tables:  # sorting the tables costs a millisecond: once per table
            for fk in other.foreign_keys:
                if fk.column.table is table and fk.column.name == "id":
                    found.append((other, fk.parent))
        _REFERENCING[table.name] = found
    return found


def _cascades(column: Any) -> bool:
    return any((fk.ondelete or "").upper() == "CASCADE" for fk in column.foreign_keys)


def blockers(s: Session, table: Table, record_id: int, ignore: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    """Rows that point at the record without being deleted with it: {table name: their keys}."""
    found: dict[str, list[Any]] = {}
    for other, column in _referencing(table):
        if _cascades(column) or other.name in ignore:
            continue
        key = list(other.primary_key.columns)[0]
        ids = list(s.scalars(select(key).where(column == record_id).order_by(key).limit(11)))
        if ids:
            found[other.name] = ids
    return found


def _collect(s: Session, table: Table, record_id: int, out: list[tuple[str, list[dict[str, Any]]]],
             depth: int = 0) -> None:
    for other, column in _referencing(table):
        rows = [dict(r) for r in s.execute(select(other).where(column == record_id)).mappings()]
        if not rows:
            continue
        out.append((other.name, rows))
        if depth < 3 and _cascades(column) and "id" in other.c and _referencing(other):  # their dependants too
            for row in rows:
                _collect(s, other, row["id"], out, depth + 1)


def take(s: Session, table: Table, record_id: int) -> Snapshot:
    row = s.execute(select(table).where(table.c.id == record_id)).mappings().one()
    snap = Snapshot(table.name, dict(row))
    _collect(s, table, record_id, snap.dependants)
    return snap


def take_by_kind(s: Session, kind: str, record_id: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """The record's notes and collection memberships, deleted here: no foreign key takes them with it."""
    out = []
    for name in BY_KIND:
        table = SQLModel.metadata.tables[name]
        where = and_(table.c.kind == kind, table.c.record_id == record_id)
        rows = [dict(r) for r in s.execute(select(table).where(where)).mappings()]
        if rows:
            out.append((name, rows))
            s.execute(delete(table).where(where))
    return out


def put_back(s: Session, snap: Snapshot) -> None:
    tables = SQLModel.metadata.tables
    s.execute(insert(tables[snap.table]).values(**snap.row))
    for name, rows in snap.dependants:
        table = tables[name]
        keys = list(table.primary_key.columns)
        for row in rows:
            where = and_(*(k == row[k.name] for k in keys))
            if s.execute(select(keys[0]).where(where)).first() is None:
                s.execute(insert(table).values(**row))
            else:  # still there (it did not go with the record): point it back
                s.execute(update(table).where(where).values(**{k: v for k, v in row.items()
                                                                if k not in {c.name for c in keys}}))
