"""Work that must wait for a widget's first paint (so start-up shows the window before anything else)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _Watcher(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], object], fallback_ms: int):
        super().__init__(widget)
        self.widget, self.callback, self.fired = widget, callback, False
        widget.installEventFilter(self)
        # a widget that is never shown (tests, a hidden pane) still gets its work done
        QTimer.singleShot(fallback_ms, self, self._fire)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.widget and event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self, self._fire)  # once the paint (of the whole window) is done
        return False

    def _fire(self) -> None:
        if self.fired:
            return
        self.fired = True
        self.widget.removeEventFilter(self)
        self.callback()
        self.deleteLater()


def after_first_paint(widget: QWidget, callback: Callable[[], object], fallback_ms: int = 1500) -> None:
    """Call callback once widget has been painted (at the latest after fallback_ms); at once if it already was."""
    if getattr(widget, "_kbase_painted", False):
        callback()
        return

    def fire() -> None:
        widget._kbase_painted = True  # type: ignore[attr-defined]
        callback()

    _Watcher(widget, fire, fallback_ms)


__all__ = ["after_first_paint"]
