"""Full-text search: the query language, text analysis (English and French), the documents built
from the catalogue, the local Whoosh index kept in sync with the change log, ranking, snippets
and facets. `search.whoosh` holds the segment writer and posting reader that replace Whoosh's
slow paths."""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing itself takes milliseconds to import: a shell's search does without it
if TYPE_CHECKING:
    from typing import Any

__all__ = ['SearchResult', 'search']
_WHERE = {'SearchResult': 'api', 'search': 'api'}


def __getattr__(name: str) -> Any:
    # lazy, so that importing the package stays cheap (the CLI's start-up) and has no side effects
    if name in _WHERE:
        return getattr(import_module(f"kbase.search.{_WHERE[name]}"), name)
    raise AttributeError(name)
