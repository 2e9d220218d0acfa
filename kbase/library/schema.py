"""Schema migrations (Alembic), run when a library is opened."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kbase.errors import LibraryError
from kbase.i18n import N_

if TYPE_CHECKING:
    from kbase.library.db import Library

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_head: str | None = None


def _config() -> Any:
    from alembic.config import Config


    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    global _head
    if _head is None:
        from alembic.script import ScriptDirectory

        _head = ScriptDirectory.from_config(_config()).get_current_head() or ""
    return _head


def newest_revision_file() -> str:
    """The head read from the file names ("0003_….py" → "0003"): no Alembic import at start-up."""

    names = sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    return names[-1] if names else ""


def stored_revision(lib: "Library") -> str | None:
    try:
        with lib.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None  # a new library: no version table yet


def current_revision(lib: "Library") -> str | None:
    from alembic.runtime.migration import MigrationContext

    with lib.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(lib: "Library", revision: str = "head") -> None:
    from alembic import command

    cfg = _config()
    with lib.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def upgrade_if_needed(lib: "Library") -> None:
    if stored_revision(lib) == newest_revision_file():
        return  # the common case, answered without loading Alembic
    if current_revision(lib) == head_revision():
        return
    if lib.read_only:
        raise LibraryError(N_("library {folder} needs a schema upgrade but is read-only").format(folder=lib.folder))
    upgrade(lib)
