"""The few catalogue rows a search shows, read in one round trip.

On PostgreSQL a search keeps one connection between its queries, in autocommit: each check-out
from the pool costs a round trip (the pool's ping), a transaction two more (BEGIN, ROLLBACK),
and on a busy server every round trip waits for the server and then for the client to get a
CPU again. A kept connection that the server dropped is replaced once, quietly (reading is
safe to repeat); it is closed when the library's engine is disposed (the library closed)."""

from __future__ import annotations

import threading
import weakref
from typing import Any, NoReturn, Sequence

from sqlalchemy import event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import Pool

from kbase.catalogue.records import Catalogue
from kbase.errors import LibraryError
from kbase.i18n import N_

_KEPT: weakref.WeakKeyDictionary[Engine, tuple[Connection, Pool]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def read_rows(cat: Catalogue, sql: str, params: dict[str, Any]) -> Sequence[Any]:
    """The rows of one plain SQL statement (SQLite: through the catalogue's own session)."""
    if not cat.library.is_shared:
        with cat.reading() as session:
            return list(session.execute(sql_text(sql), params))
    engine = cat.library.engine
    conn, pool, kept = _take(engine)
    try:
        rows = list(conn.execute(sql_text(sql), params))
    except (DBAPIError, LibraryError) as exc:
        dropped = conn.invalidated
        conn.close()
        if not (kept and dropped):
            _reraise(exc)
        conn, pool, _kept = _take(engine, fresh=True)  # the server dropped the kept one: once more
        try:
            rows = list(conn.execute(sql_text(sql), params))
        except (DBAPIError, LibraryError) as again:
            conn.close()
            _reraise(again)
    _keep(engine, conn, pool)
    return rows


def _reraise(exc: Exception) -> NoReturn:
    if isinstance(exc, OperationalError):  # as Catalogue.reading() says it
        raise LibraryError(N_("the catalogue could not be read: {reason}").format(
            reason=str(exc.orig).splitlines()[0])) from exc
    raise exc


def _take(engine: Engine, fresh: bool = False) -> tuple[Connection, Pool, bool]:
    with _LOCK:
        found = None if fresh else _KEPT.pop(engine, None)
    if found is not None:
        return found[0], found[1], True
    if not event.contains(engine, "engine_disposed", _forget):
        event.listen(engine, "engine_disposed", _forget)
    pool = engine.pool
    conn = engine.connect()  # the pool pings it
    conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn, pool, False


def _keep(engine: Engine, conn: Connection, pool: Pool) -> None:
    with _LOCK:
        if engine not in _KEPT and engine.pool is pool:
            _KEPT[engine] = (conn, pool)
            return
    _close(conn)  # another thread kept one meanwhile, or the engine was disposed during the search


def _forget(engine: Engine) -> None:
    with _LOCK:
        found = _KEPT.pop(engine, None)
    if found is not None:
        _close(found[0])


def _close(conn: Connection) -> None:
    conn.invalidate()  # closed now: a disposed pool would keep it open once given back
    conn.close()
