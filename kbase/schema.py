"""Schema migrations (Alembic), run when a library is opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from kbase.errors import LibraryError

if TYPE_CHECKING:
    from kbase.db import Library

_script: ScriptDirectory | None = None


def _config() -> Config:
    from kbase.db import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    global _script
    if _script is None:
        _script = ScriptDirectory.from_config(_config())
    return _script.get_current_head() or ""


def current_revision(lib: "Library") -> str | None:
    with lib.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(lib: "Library", revision: str = "head") -> None:
    cfg = _config()
    with lib.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def upgrade_if_needed(lib: "Library") -> None:
    current = current_revision(lib)
    if current == head_revision():
        return
    if lib.read_only:
        raise LibraryError(f"library {lib.folder} needs a schema upgrade but is read-only")
    upgrade(lib)
