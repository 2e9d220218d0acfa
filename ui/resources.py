"""Icons and the style sheet, read from plain files under resources/ (no compiled .qrc)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from kbase.resources import resource


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """resources/icons/<name>.svg as an icon; an empty icon if the file is missing."""
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def stylesheet() -> str:
    path = resource("style.qss")
    return path.read_text(encoding="utf-8") if path.exists() else ""


__all__ = ["icon", "stylesheet"]
