"""The bottom layer: opening a library (SQLite folder or PostgreSQL URL), its schema migrations and its tables.

Everything else stands on `open_library` and the SQLModel tables in `models`; nothing here imports
from the packages above it except the team library's reconnect watch."""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing itself takes milliseconds to import: a shell's search does without it
if TYPE_CHECKING:
    from typing import Any

__all__ = ['Library', 'open_library', 'redact', 'upgrade_if_needed']
_WHERE = {'Library': 'db', 'open_library': 'db', 'redact': 'db', 'upgrade_if_needed': 'schema'}


def __getattr__(name: str) -> Any:
    # lazy, so that importing the package stays cheap (the CLI's start-up) and has no side effects
    if name in _WHERE:
        return getattr(import_module(f"kbase.library.{_WHERE[name]}"), name)
    raise AttributeError(name)
