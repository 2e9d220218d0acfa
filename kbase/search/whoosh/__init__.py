"""Whoosh internals we replace for speed: a segment writer and a direct reader of W3 posting
lists and term tables. Pinned to the whoosh-reloaded version they were checked against."""

from __future__ import annotations

__all__: list[str] = []
