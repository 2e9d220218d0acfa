"""The main window's layout remembered between sessions: geometry, docks, the splitter, the table's
columns and the search panel's, kept in the app's QSettings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _saved(window: MainWindow, key: str) -> QByteArray | None:
    value = window.settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def restore_layout(window: MainWindow) -> None:
    """The layout saved last, or the first run's size."""
    geometry = _saved(window, "window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    else:
        window.resize(1500, 900)
    state = _saved(window, "window/state")
    if state is not None:
        window.restoreState(state)
    sizes = _saved(window, "window/splitter")
    if sizes is not None:
        window.splitter.restoreState(sizes)
    window.search_panel.restore_layout(window.settings)


def save_layout(window: MainWindow) -> None:
    window.settings.setValue("window/geometry", window.saveGeometry())
    window.settings.setValue("window/state", window.saveState())
    window.settings.setValue("window/splitter", window.splitter.saveState())
    window.save_header()
    window.search_panel.save_layout(window.settings)
    window.settings.sync()


__all__ = ["restore_layout", "save_layout"]
