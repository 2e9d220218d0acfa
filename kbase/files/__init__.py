"""The managed file store: every attachment once, named by its SHA-256, written atomically."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ['file_sha256', 'path_for']
_WHERE = {'file_sha256': 'blobs', 'path_for': 'store'}


def __getattr__(name: str) -> Any:
    # lazy, so that importing the package stays cheap (the CLI's start-up) and has no side effects
    if name in _WHERE:
        return getattr(import_module(f"kbase.files.{_WHERE[name]}"), name)
    raise AttributeError(name)
