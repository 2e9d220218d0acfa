"""Bringing things in: the import pipeline (plan, then one transaction per file, in batches that
can be undone), the extraction worker pool, PDF text and metadata, and the child processes that
keep a caller's event loop free. Formats are read by `kbase.formats`; this package decides
what becomes of each record."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ['ImportProgress', 'ImportReport', 'import_paths']
_WHERE = {'ImportProgress': 'pipeline', 'ImportReport': 'pipeline', 'import_paths': 'pipeline'}


def __getattr__(name: str) -> Any:
    # lazy, so that importing the package stays cheap (the CLI's start-up) and has no side effects
    if name in _WHERE:
        return getattr(import_module(f"kbase.imports.{_WHERE[name]}"), name)
    raise AttributeError(name)
