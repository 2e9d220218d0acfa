"""Many rows in one statement: multi-row INSERT on SQLite, INSERT … SELECT FROM unnest(arrays) on PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, text
from sqlmodel import Session

if TYPE_CHECKING:
    from kbase.catalogue.records import Catalogue


def insert_rows(s: Session, model: type, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ without declaring it
    if s.get_bind().dialect.name == "postgresql":
        _pg_unnest_insert(s, table, rows)
    else:
        _sqlite_executemany(s, table, rows)


def insert_returning_ids(s: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """One multi-row INSERT; the new IDs in the order of rows."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ without declaring it
    if s.get_bind().dialect.name == "postgresql":
        # IDs taken from the sequence first, so the rows can go in as arrays in one statement
        ids = list(s.scalars(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                             {"t": table.name, "n": len(rows)}))
        _pg_unnest_insert(s, table, [{**r, "id": i} for r, i in zip(rows, ids, strict=True)])
        return ids
    # SQLite: the first row's INSERT takes the write lock and gives max(id) + 1; nobody else can
    # insert until we commit, so the following IDs are ours and the rest go in one executemany
    first = s.execute(insert(table).returning(table.c.id), rows[0]).scalar_one()
    ids = list(range(first, first + len(rows)))
    if len(rows) > 1:
        _sqlite_executemany(s, table, [{**r, "id": i} for r, i in zip(rows[1:], ids[1:], strict=True)])
    return ids


def _sqlite_executemany(s: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """The driver's executemany with each column's own bind conversion: SQLAlchemy's per-row
    parameter handling costs more than SQLite's work for tens of thousands of rows."""
    dialect = s.get_bind().dialect
    cols = list(rows[0])
    convert = [table.c[c].type._cached_bind_processor(dialect) for c in cols]
    sql = f'INSERT INTO "{table.name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) ' \
          f'VALUES ({", ".join("?" for _ in cols)})'
    params = [tuple(v if f is None or v is None else f(v)
                    for f, v in zip(convert, (r.get(c) for c in cols), strict=True))
              for r in rows]
    s.connection().exec_driver_sql(sql, params)


def _pg_unnest_insert(s: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT … SELECT FROM unnest(arrays): one short statement for thousands of rows.

    psycopg's executemany sends one statement per row and a multi-VALUES statement with
    thousands of placeholders is slow to prepare; arrays avoid both, and unlike COPY they
    work under row-level security.
    """
    dialect = s.get_bind().dialect
    cols = list(rows[0])
    casts = ", ".join(f"CAST(:c{i} AS {table.c[c].type.compile(dialect=dialect)}[])" for i, c in enumerate(cols))
    names = ", ".join(f'"{c}"' for c in cols)
    s.execute(text(f'INSERT INTO "{table.name}" ({names}) SELECT * FROM unnest({casts})'),
              {f"c{i}": [r.get(c) for r in rows] for i, c in enumerate(cols)})


def log_inserts(cat: Catalogue, s: Session, kind: str, ids: list[int]) -> None:
    """Change rows for new records, as Catalogue.log_change writes them, in one statement."""
    cat.log_changes(s, kind, ids, "insert")


def update_column(s: Session, model: type, column: str, values: dict[int, Any], only_if_null: bool = True) -> None:
    """Set one column of many rows by ID in one statement (rows where it is already set are left alone)."""
    if not values:
        return
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ without declaring it
    guard = f' AND t."{column}" IS NULL' if only_if_null else ""
    if s.get_bind().dialect.name == "postgresql":
        kind = table.c[column].type.compile(dialect=s.get_bind().dialect)
        s.execute(text(f'UPDATE "{table.name}" AS t SET "{column}" = v.value '
                       f"FROM unnest(CAST(:ids AS INTEGER[]), CAST(:vals AS {kind}[])) AS v(id, value) "
                       f"WHERE t.id = v.id{guard}"), {"ids": list(values), "vals": list(values.values())})
    else:
        s.execute(text(f'UPDATE "{table.name}" AS t SET "{column}" = :value WHERE t.id = :id{guard}'),
                  [{"id": i, "value": v} for i, v in values.items()])
