"""Typed handles on the tables for queries.

SQLModel types a column attribute as its value (`Publication.year: int | None`), so a query names it
through `sqlmodel.col()`; keys get `key()`, which says they are never NULL in a row read back. A
record type chosen at run time (`type[SQLModel]`) has no typed columns at all: its Table has them."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col


def table_of(model: type[SQLModel]) -> Table:
    """The Table behind a table model (SQLModel's typing does not declare __table__)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table")
    return table


def key(column: int | None) -> Mapped[int]:
    """An ID or foreign key column: Optional on the model (a new object has no ID yet), set in any stored row."""
    return cast("Mapped[int]", col(column))


def stored_id(value: int | None) -> int:
    """The ID of a record read from the database or flushed (None only before its INSERT)."""
    if value is None:
        raise ValueError("the record has no ID yet: it was never written")
    return value


__all__ = ["table_of", "key", "stored_id"]
