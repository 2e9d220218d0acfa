"""The catalogue's records: create, read, update, delete, link, look up by alias and merge them,
with filtered queries, plain-dict views, batch edits, duplicates, quality checks, citation keys
and the demo catalogue. No Qt, no files, no index."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ['ALIAS_TABLES', 'Catalogue', 'Filter', 'find_ids', 'record_type']
_WHERE = {'ALIAS_TABLES': 'records', 'Catalogue': 'records', 'Filter': 'query', 'find_ids': 'query',
          'record_type': 'records'}


def __getattr__(name: str) -> Any:
    # lazy, so that importing the package stays cheap (the CLI's start-up) and has no side effects
    if name in _WHERE:
        return getattr(import_module(f"kbase.catalogue.{_WHERE[name]}"), name)
    raise AttributeError(name)
