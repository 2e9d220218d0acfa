"""Opening a library: a folder (SQLite + files + index) or a PostgreSQL URL plus a local folder."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session, create_engine

from kbase.errors import LibraryError
from kbase.i18n import N_
from kbase.library.location import default_location as default_location  # default_location: re-exported
from kbase.library.location import is_url

CATALOGUE_FILE = "catalogue.sqlite"


def redact(location: str) -> str:
    """The location without its password, for messages."""
    if not is_url(location):
        return location
    try:
        return make_url(location).render_as_string(hide_password=True)
    except Exception:  # a URL we cannot parse is shown as given minus credentials
        return location.split("@")[-1]


def display_name(location: str) -> str:
    """A library's short name for a window title: its folder's name, or a PostgreSQL database and its host."""
    if not is_url(location):
        path = Path(location).expanduser()
        return path.name or str(path)
    try:
        url = make_url(location)
    except Exception:  # a URL we cannot parse is named as redact() shows it
        return redact(location)
    return f"{url.database} @ {url.host}" if url.host else str(url.database or redact(location))


@dataclass
class Library:
    location: str
    engine: Engine
    folder: Path
    read_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def files_dir(self) -> Path:
        return self.folder / "files"

    @property
    def index_dir(self) -> Path:
        return self.folder / "index"

    @property
    def thumbs_dir(self) -> Path:
        return self.folder / "thumbs"

    @property
    def templates_dir(self) -> Path:
        return self.folder / "templates"

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Library({redact(self.location)!r})"


def _writable(path: Path) -> bool:
    """Write permission as the owner set it (root's os.access says yes to everything)."""
    import stat

    mode = path.stat().st_mode
    return os.access(path, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError:
        pass  # read-only libraries keep their journal mode
    cur.close()


def _begin_before_savepoint(conn: Connection, _name: str) -> None:
    """Python's sqlite3 opens a transaction only before a write. A SAVEPOINT coming first opens SQLite's
    own, which the savepoint's RELEASE then commits: the rest of the unit of work (an import's batch
    items, say) would commit apart, or not at all after a crash. So a transaction is begun first."""
    raw = conn.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("BEGIN")


def _sqlite_engine(folder: Path, read_only: bool) -> Engine:
    db_path = folder / CATALOGUE_FILE
    if read_only:
        url = f"sqlite:///file:{db_path}?mode=ro&immutable=1&uri=true"
    else:
        url = f"sqlite:///{db_path}"
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "savepoint", _begin_before_savepoint)
    return engine


def local_folder_for(url: str) -> Path:
    """Where a desktop keeps its files cache and index for a shared library."""
    env = os.environ.get("KBASE_LOCAL_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(redact(url).encode()).hexdigest()[:16]
    return Path(user_cache_dir("kbase", appauthor=False)) / digest


def _pg_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise LibraryError(N_("not a valid database URL: {url}").format(url=redact(url))) from exc
    if not parsed.drivername.startswith("postgresql"):
        raise LibraryError(N_("unsupported database URL {url}: use postgresql+psycopg://…").format(url=redact(url)))
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=5,
        connect_args={"connect_timeout": 5, "application_name": "kbase"},  # the change log names the client (0011)
    )
    from kbase.team.reconnect import watch_connection

    watch_connection(engine)  # a server that goes away becomes one clear LibraryError
    return engine


def open_library(location: str | None = None, create: bool = False, migrate: bool = True) -> Library:
    """Open (or with create=True, make) the library at location; bring its schema up to date."""
    location = location or default_location()
    if is_url(location):
        engine = _pg_engine(location)
        folder = local_folder_for(location)
        read_only = False
    else:
        folder = Path(location).expanduser()
        db_file = folder / CATALOGUE_FILE
        if not db_file.exists():
            if not create:
                raise LibraryError(N_("no library at {folder} (create one with `kbase init {path}`)").format(
                    folder=folder, path=folder))
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(N_("cannot create library folder {folder}: {reason}").format(
                    folder=folder, reason=exc.strerror)) from exc
        if not folder.is_dir():
            raise LibraryError(N_("library path {folder} is not a folder").format(folder=folder))
        read_only = not _writable(folder) or (db_file.exists() and not _writable(db_file))
        if read_only and create and not db_file.exists():
            raise LibraryError(N_("library folder {folder} is read-only").format(folder=folder))
        engine = _sqlite_engine(folder, read_only)
    lib = Library(location=location, engine=engine, folder=folder, read_only=read_only)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise LibraryError(N_("cannot open library {library}: {reason}").format(
            library=redact(location), reason=reason)) from exc
    if not read_only:
        for sub in (lib.files_dir, lib.index_dir, lib.thumbs_dir):
            try:
                sub.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(N_("cannot write to {folder}: {reason}").format(
                    folder=sub, reason=exc.strerror)) from exc
    if migrate:
        from kbase.library.schema import upgrade_if_needed

        try:
            upgrade_if_needed(lib)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise LibraryError(N_("cannot prepare the catalogue of {library}: {error}: {reason}").format(
                library=redact(location), error=exc.__class__.__name__, reason=str(exc).splitlines()[0])) from exc
    return lib
