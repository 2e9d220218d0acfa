"""Where the main window's cataloguing actions find their dialogs (modules of the editors/dialogs package).

Every hook is a plain function taking the MainWindow; it reads `window.current_kind()`,
`window.selected_ids()`, `window.catalogue`, `window.undo_stack` and calls `window.refresh()` after a change.
The import hook also takes `paths` (files or folders dropped on the window; None = ask).
Every module named here exists (tests/ui/test_dialogs.py checks); a missing one is a bug, not a disabled action.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

HOOKS: dict[str, tuple[str, str]] = {
    "action_new": ("ui.editors", "new_record"),  # new_record(window)
    "action_edit": ("ui.editors", "edit_record"),  # edit_record(window)
    "action_delete": ("ui.editors", "delete_records"),  # delete_records(window)
    "action_import": ("ui.dialogs.import_dialog", "show_import"),  # show_import(window, paths=None)
    "action_import_folder": ("ui.dialogs.import_dialog", "show_import"),  # the same, on a folder asked first
    "action_import_history": ("ui.dialogs.import_history", "show_import_history"),  # show_import_history(window)
    "action_report": ("ui.dialogs.report_dialog", "show_report"),  # show_report(window)
    "action_report_texts": ("ui.dialogs.report_texts", "show_report_texts"),  # show_report_texts(window)
    "action_settings": ("ui.dialogs.settings", "show_settings"),  # show_settings(window)
    "action_shortcuts": ("ui.dialogs.shortcuts", "show_shortcuts"),  # show_shortcuts(window)
    "action_merge": ("ui.dialogs.merge", "show_merge"),  # show_merge(window)
    "action_batch_edit": ("ui.dialogs.batch_edit", "show_batch_edit"),  # show_batch_edit(window)
}


def available(action_name: str) -> bool:
    """True when the hook's module file exists (checked without importing it: startup stays fast)."""
    import importlib.util

    module, _ = HOOKS[action_name]
    return importlib.util.find_spec(module) is not None


def find(action_name: str) -> Callable[..., Any] | None:
    """The hook function, imported on first use."""
    module, name = HOOKS[action_name]
    return getattr(importlib.import_module(module), name, None)


__all__ = ["HOOKS", "available", "find"]
