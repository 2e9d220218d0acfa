"""A database server that goes away: one clear LibraryError, then a fresh connection on the next try."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError

from kbase.errors import LibraryError
from kbase.i18n import N_

# SQLSTATEs that mean the connection is gone: class 08 (connection exception),
# 57P01-57P03 (server shutting down, crashed, or not accepting connections yet)
LOST_STATES = ("08", "57P01", "57P02", "57P03")
LOST_WORDS = ("connection is closed", "server closed the connection", "connection refused",
              "consuming input failed", "the connection is lost", "terminating connection",
              "could not receive data", "could not send data", "connection failed")


class ConnectionLost(LibraryError):
    """The database server cannot be reached; nothing was written, the next action reconnects."""


class NotAllowed(LibraryError):
    """The login's database role may not do this (a reader writing, a hidden record)."""


def _server(engine: Engine) -> str:
    url = engine.url
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def is_lost(exc: BaseException) -> bool:
    state = getattr(exc, "sqlstate", None) or ""
    if any(state.startswith(s) for s in LOST_STATES):
        return True
    message = str(exc).lower()
    return any(w in message for w in LOST_WORDS)


def _reason(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return first.split(": ", 1)[-1] if first.startswith("connection failed") else first


def _on_error(ctx: ExceptionContext) -> Any:
    if ctx.is_pre_ping:
        return None  # the pool is checking a connection and reconnects by itself
    orig = ctx.original_exception
    if getattr(orig, "sqlstate", None) == "42501":  # insufficient_privilege, incl. row-level security
        user = ctx.engine.url.username if ctx.engine is not None else None
        return NotAllowed(N_("the database refused this for user {user}: {reason} (ask an administrator for the "
                             "librarian role)").format(user=user or '?', reason=_reason(orig)))
    if not (ctx.is_disconnect or is_lost(orig)):
        return None
    ctx.is_disconnect = True  # drop this connection and the rest of the pool: they all died with the server
    ctx.invalidate_pool_on_disconnect = True
    where = _server(ctx.engine) if ctx.engine is not None else N_("the server")
    if ctx.connection is None:
        return ConnectionLost(N_("the database server at {server} cannot be reached ({reason}); nothing was changed — "
                                 "try again once it is back").format(server=where, reason=_reason(orig)))
    return ConnectionLost(N_("lost the connection to the database server at {server} ({reason}); the last action was "
                             "not saved — try again, Kbase reconnects by itself").format(
        server=where, reason=_reason(orig)))


def watch_connection(engine: Engine) -> None:
    """Turn a lost server into ConnectionLost for every use of this engine (idempotent)."""
    if not event.contains(engine, "handle_error", _on_error):
        event.listen(engine, "handle_error", _on_error)


def is_connected(engine: Engine) -> bool:
    """Whether the server answers now (a fresh check, for a status light)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except (LibraryError, DBAPIError):
        return False


def wait_until_back(engine: Engine, timeout: float = 30.0, interval: float = 0.5) -> bool:
    """Poll the server until it answers or timeout seconds pass; True when it is back."""
    deadline = time.monotonic() + timeout
    while True:
        if is_connected(engine):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


__all__ = ["ConnectionLost", "NotAllowed", "watch_connection", "is_connected", "wait_until_back", "is_lost"]
