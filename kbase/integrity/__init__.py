"""`kbase check`: the catalogue, the file store and the index compared, and drift repaired.
It sits above the packages it checks."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ['check_library']
_WHERE = {'check_library': 'check'}


def __getattr__(name: str) -> Any:
    # lazy, so that importing the package stays cheap (the CLI's start-up) and has no side effects
    if name in _WHERE:
        return getattr(import_module(f"kbase.integrity.{_WHERE[name]}"), name)
    raise AttributeError(name)
