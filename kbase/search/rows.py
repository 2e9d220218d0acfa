"""The few catalogue rows a search shows, read in one round trip.

On PostgreSQL a search keeps one connection between its queries, in autocommit: each check-out
from the pool costs a round trip (the pool's ping), a transaction two more (BEGIN, ROLLBACK),
and on a busy server every round trip waits for the server and then for the client to get a
CPU again. A kept connection that the server dropped is replaced once, quietly (reading is
safe to repeat); it is closed when the library's engine is disposed (the library closed)."""

from __future__ import annotations

import threading
import weakref
from typing import Any, Sequence

from sqlalchemy import event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from kbase.catalogue.records import Catalogue
from kbase.errors import LibraryError

_KEPT: weakref.WeakKeyDictionary[Engine, Connection] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def read_rows(cat: Catalogue, sql: str, params: dict[str, Any]) -> Sequence[Any]:
    """The rows of one plain SQL statement (SQLite: through the catalogue's own session)."""
    if not cat.library.is_shared:
        with cat.reading() as session:
            return list(session.execute(sql_text(sql), params))
    engine = cat.library.engine
    conn, kept = _take(engine)
    try:
        rows = list(conn.execute(sql_text(sql), params))
    except (DBAPIError, LibraryError) as exc:
        dropped = conn.invalidated
        conn.close()
        if not (kept and dropped):
            raise _plain(exc) from exc
        conn, _kept = _take(engine, fresh=True)  # the server dropped the kept one: once more
        try:
            rows = list(conn.execute(sql_text(sql), params))
        except (DBAPIError, LibraryError) as again:
            conn.close()
            raise _plain(again) from again
    _keep(engine, conn)
    return rows


def _plain(exc: Exception) -> Exception:
    if isinstance(exc, LibraryError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    return LibraryError(f"the catalogue could not be read: {str(orig).splitlines()[0]}")


def _take(engine: Engine, fresh: bool = False) -> tuple[Connection, bool]:
    with _LOCK:
        conn = None if fresh else _KEPT.pop(engine, None)
    if conn is not None:
        return conn, True
    if not event.contains(engine, "engine_disposed", _forget):
        event.listen(engine, "engine_disposed", _forget)
    conn = engine.connect()  # the pool pings it
    conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn, False


def _keep(engine: Engine, conn: Connection) -> None:
    with _LOCK:
        if engine not in _KEPT:
            _KEPT[engine] = conn
            return
    conn.close()  # another thread kept one meanwhile


def _forget(engine: Engine) -> None:
    with _LOCK:
        conn = _KEPT.pop(engine, None)
    if conn is not None:
        conn.invalidate()  # closed now: the disposed pool would keep it open once given back
        conn.close()
