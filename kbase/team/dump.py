"""Table-by-table reading, writing and fingerprinting of a whole catalogue, for copies and backups."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator

from sqlalchemy import Date, DateTime, Integer, LargeBinary, MetaData, Table, func, select, text
from sqlalchemy.engine import Connection

from kbase.errors import LibraryError
from kbase.i18n import N_
from kbase.library.db import Library
from kbase.text import clean_text

SKIP_TABLES = {"alembic_version"}
BATCH = 500


def user_tables(conn: Connection) -> list[Table]:
    """The library's tables as they are in the database, parents before children."""
    meta = MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name not in SKIP_TABLES]


def data_columns(table: Table) -> list[str]:
    """Columns that travel as rows; binary ones (file contents) travel as files."""
    return [c.name for c in table.columns if not isinstance(c.type, LargeBinary)]


@contextmanager
def snapshot(lib: Library) -> Iterator[Connection]:
    """A connection that sees one consistent state of the catalogue while it is read."""
    if lib.is_shared:
        with lib.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            with conn.begin():
                yield conn
        return
    with lib.engine.connect() as conn:
        # pysqlite only opens a transaction before writes; a read transaction pins the WAL snapshot
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def read_rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Rows in key order (parents first for tables that point at themselves), without binary columns."""
    cols = [table.c[name] for name in data_columns(table)]
    stmt = select(*cols).order_by(*table.primary_key.columns)
    self_refs = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table.name == table.name]
    result = conn.execution_options(stream_results=True, yield_per=1000).execute(stmt)
    if not self_refs:
        for row in result:
            yield dict(row._mapping)
        return
    yield from _parents_first([dict(r._mapping) for r in result], self_refs)


def _parents_first(rows: list[dict[str, Any]], refs: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    done: set[tuple[str, Any]] = set()
    waiting = rows
    while waiting:
        later = []
        for row in waiting:
            if all(row[child] is None or (parent, row[child]) in done or row[child] == row[parent]
                   for child, parent in refs):
                for _child, parent in refs:
                    done.add((parent, row[parent]))
                yield row
            else:
                later.append(row)
        if len(later) == len(waiting):  # a cycle or a dangling parent: keep the rest in key order
            yield from later
            return
        waiting = later


def clean_row(row: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The row with its text fit for any catalogue (kbase.text.clean_text: no NUL, no control
    characters, no lone surrogates), and how many values that changed; the row itself when none.

    An older library, or one written around the catalogue API, may hold what PostgreSQL refuses."""
    changed: dict[str, Any] | None = None
    for name, value in row.items():
        if isinstance(value, str):
            fixed = clean_text(value)
            if fixed is not value:
                if changed is None:
                    changed = {}
                changed[name] = fixed
    if changed is None:
        return row, 0
    return {**row, **changed}, len(changed)


def clean_rows(rows: Iterable[dict[str, Any]], counts: dict[str, int], table: str) -> Iterator[dict[str, Any]]:
    """clean_row over rows; counts[table] gets the number of values changed (when there are any)."""
    for row in rows:
        row, n = clean_row(row)
        if n:
            counts[table] = counts.get(table, 0) + n
        yield row


def plain(value: Any) -> Any:
    """A JSON value for a column value; times in UTC without a zone, as the catalogue stores them."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Column values back from their JSON form, for the columns this table has."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name not in table.c:
            continue  # a column a later schema dropped
        kind = table.c[name].type
        if isinstance(value, str) and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Date):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def row_line(row: dict[str, Any]) -> str:
    return json.dumps({k: plain(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def insert_rows(conn: Connection, table: Table, rows: Iterable[dict[str, Any]], size: int = BATCH) -> int:
    # a copied change log keeps its numbers, times and checksums: the triggers that number and
    # chain new changes (migration 0010) and log rows written outside Kbase (0011: the copied
    # records already have their changes) stand aside while the owner copies
    paused = conn.dialect.name == "postgresql"
    if paused:
        conn.execute(text(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER'))
    try:
        return _insert_rows(conn, table, rows, size)
    finally:
        if paused:
            conn.execute(text(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER'))


def _insert_rows(conn: Connection, table: Table, rows: Iterable[dict[str, Any]], size: int) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            conn.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """After rows arrive with their IDs, PostgreSQL's counters must start past the largest one."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        conn.execute(text(
            f'SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX("{pk[0].name}"), 0) + 1, false) '
            f'FROM "{table.name}"'
        ), {"t": table.name, "c": pk[0].name})


def summarize(lib: Library) -> dict[str, dict[str, Any]]:
    """Row count and a digest of every table's rows (binary columns by their SHA-256)."""
    out: dict[str, dict[str, Any]] = {}
    with snapshot(lib) as conn:
        for table in user_tables(conn):
            digest = hashlib.sha256()
            n = 0
            for row in read_rows(conn, table):
                digest.update(row_line(row).encode())
                digest.update(b"\n")
                n += 1
            out[table.name] = {"rows": n, "digest": digest.hexdigest()}
    return out


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """What differs between two summaries, one line per table."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        e, a = expected.get(name), actual.get(name)
        if e is None or a is None:
            problems.append((N_("table {name} exists only in the target") if e is None
                             else N_("table {name} exists only in the source")).format(name=name))
        elif e["rows"] != a["rows"]:
            problems.append(N_("table {name}: {rows} rows expected, {found} found").format(
                name=name, rows=e['rows'], found=a['rows']))
        elif e["digest"] != a["digest"]:
            problems.append(N_("table {name}: same number of rows ({rows}) but different contents").format(
                name=name, rows=a['rows']))
    return problems


def ensure_empty(lib: Library) -> None:
    """Refuse to pour a library into one that already holds records."""
    with lib.engine.connect() as conn:
        for table in user_tables(conn):
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise LibraryError(N_("the target library is not empty (table {name} has rows); use a new "
                                      "library").format(name=table.name))
