"""Help › Keyboard shortcuts: the window's actions and their keys, read from the actions themselves."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr

# the common actions first, in the order a newcomer needs them
ORDER = ("action_search", "action_filter", "action_new", "action_edit", "action_delete", "action_import",
         "action_undo", "action_redo", "action_back", "action_forward", "action_batch_edit", "action_merge",
         "action_report", "action_settings", "action_shortcuts", "action_quit")


def shortcut_rows(window: Any) -> list[tuple[str, str]]:
    """(action label, its keys) for every action of the window that has a shortcut."""
    seen: set[int] = set()
    actions: list[QAction] = []
    for name in ORDER:
        action = getattr(window, name, None)
        if isinstance(action, QAction):
            actions.append(action)
            seen.add(id(action))
    if isinstance(window, QWidget):
        actions += [a for a in window.findChildren(QAction)
                    if id(a) not in seen and a.objectName().startswith("action_")]
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                if not k.isEmpty() and _typeable(k)]
        if not keys:
            continue
        label = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
        rows.append((label, ", ".join(dict.fromkeys(keys))))
    return rows


def _typeable(keys: QKeySequence) -> bool:
    """Keys on an ordinary keyboard: the platform's standard shortcuts also name media keys (Undo, F14)."""
    text = keys.toString(QKeySequence.SequenceFormat.PortableText)
    if any(mod in text for mod in ("Ctrl+", "Alt+", "Shift+", "Meta+")):
        return True
    return re.fullmatch(r"F([1-9]|1[0-2])|Del|Delete|Backspace|Return|Enter|Esc|.", text) is not None


class ShortcutsDialog(QDialog):
    def __init__(self, window: Any, parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle(tr("Keyboard shortcuts"))
        self.setMinimumSize(460, 420)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(tr("Filter"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcuts_table")
        self.table.setHorizontalHeaderLabels([tr("Action"), tr("Shortcut")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for r, (label, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(label))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _filter(self, text: str) -> None:
        needle = text.casefold()
        for r in range(self.table.rowCount()):
            cells = (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            self.table.setRowHidden(r, bool(needle) and not any(needle in c.casefold() for c in cells))


def open_shortcuts(window: Any) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def show_shortcuts(window: Any) -> ShortcutsDialog:
    """Hook for Help › Keyboard shortcuts."""
    return open_shortcuts(window)


__all__ = ["ShortcutsDialog", "open_shortcuts", "show_shortcuts", "shortcut_rows"]
