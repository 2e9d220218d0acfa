"""The main window's actions, menus and toolbar, with their shortcuts and translated labels."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSizePolicy, QToolBar, QWidget

from ui import first_run, hooks
from ui.i18n import tr
from ui.resources import icon

# attribute name, English label, shortcut, icon, status tip
ACTIONS: list[tuple[str, str, Any, str, str]] = [
    ("action_new", "&New…", QKeySequence.StandardKey.New, "new", "Create a record of the kind shown"),
    ("action_edit", "&Edit…", "Ctrl+E", "edit", "Edit the selected record"),
    ("action_delete", "&Delete", QKeySequence.StandardKey.Delete, "delete", "Delete the selected records"),
    ("action_import", "&Import…", "Ctrl+I", "import",
     "Import documents (PDF), bibliographies (BibTeX, RIS, CSL-JSON) or spreadsheets"),
    ("action_import_folder", "Import a &folder…", "", "",
     "Import the PDFs and bibliographies of a folder and its sub-folders"),
    ("action_import_history", "Import &history…", "", "", "List past imports and undo one"),
    ("action_report", "&Report…", "Ctrl+R", "report", "Build the annual report or export the selection"),
    ("action_report_texts", "Report &texts…", "", "",
     "Write the preface, the chair's word and the other texts of the annual report"),
    ("action_finances", "&Finances…", "", "",
     "The year's income by source and expenses by category, for the annual report"),
    ("action_settings", "&Settings…", QKeySequence.StandardKey.Preferences, "settings",
     "Library, language and import limits"),
    ("action_shortcuts", "&Keyboard shortcuts", "F1", "", "List the keyboard shortcuts"),
    ("action_merge", "&Merge duplicates…", "Ctrl+M", "merge",
     "Merge the selected records, or find duplicates of the one selected"),
    ("action_batch_edit", "&Batch edit…", "Ctrl+Shift+E", "batch",
     "Set project, region, series, subject or visibility of the selection"),
    ("action_back", "&Back", QKeySequence.StandardKey.Back, "back", "Go back to the previous record"),
    ("action_forward", "&Forward", QKeySequence.StandardKey.Forward, "forward", "Go forward again"),
    ("action_search", "&Find", QKeySequence.StandardKey.Find, "search", "Search the full text"),
    ("action_filter", "Filter the &list", "Ctrl+L", "", "Filter the list by title or name"),
    ("action_quit", "&Quit", QKeySequence.StandardKey.Quit, "", "Close Kbase"),
    ("action_about", "&About Kbase", "", "", ""),
]
HOOKED = [name for name in hooks.HOOKS]


def build_actions(window: Any) -> None:
    for name, _label, shortcut, icon_name, _tip in ACTIONS:
        action = QAction(window)
        action.setObjectName(name)
        if shortcut:
            if isinstance(shortcut, QKeySequence.StandardKey):
                action.setShortcuts(QKeySequence.keyBindings(shortcut))
            else:
                action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        setattr(window, name, action)
        window.addAction(action)
    # Back/Forward also answer to Alt+Left/Right everywhere and to the mouse's side buttons via the OS bindings
    window.action_back.setShortcuts(list(dict.fromkeys(
        [QKeySequence("Alt+Left"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Back)])))
    window.action_forward.setShortcuts(list(dict.fromkeys(
        [QKeySequence("Alt+Right"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Forward)])))
    # our own undo/redo actions (not QUndoStack.createUndoAction, whose text keeps the language it was made in)
    stack = window.undo_stack
    window.action_undo = QAction(icon("undo"), "", window)
    window.action_undo.setObjectName("action_undo")
    window.action_undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
    window.action_undo.triggered.connect(stack.undo)
    stack.canUndoChanged.connect(window.action_undo.setEnabled)
    stack.undoTextChanged.connect(lambda _t: undo_texts(window))
    window.action_redo = QAction(icon("redo"), "", window)
    window.action_redo.setObjectName("action_redo")
    window.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.action_redo.triggered.connect(stack.redo)
    stack.canRedoChanged.connect(window.action_redo.setEnabled)
    stack.redoTextChanged.connect(lambda _t: undo_texts(window))
    window.action_undo.setEnabled(stack.canUndo())
    window.action_redo.setEnabled(stack.canRedo())
    window.addAction(window.action_undo)
    window.addAction(window.action_redo)
    for name in HOOKED:
        action: QAction = getattr(window, name)
        hooked = hooks.available(name)
        action.setProperty("hooked", hooked)
        action.setEnabled(hooked)
        if name == "action_import":  # files of every source the import reads (ui/first_run.py's pickers)
            action.triggered.connect(lambda _c=False, w=window: first_run.import_files(w, first_run.ask_files(w)))
        elif name == "action_import_folder":
            action.triggered.connect(lambda _c=False, w=window: first_run.import_files(w, first_run.ask_folder(w)))
        else:
            action.triggered.connect(_hook_runner(window, name))
    window.action_back.triggered.connect(window.go_back)
    window.action_forward.triggered.connect(window.go_forward)
    window.action_search.triggered.connect(window.focus_search)
    window.action_filter.triggered.connect(lambda: (window.show_browse(), window.filter_field.setFocus()))
    window.action_quit.triggered.connect(window.close)
    window.action_about.triggered.connect(lambda: _about(window))
    window.action_finances.triggered.connect(lambda: _open_finances(window))
    window.action_back.setEnabled(False)
    window.action_forward.setEnabled(False)
    if window.catalogue.library.read_only:
        for name in ("action_new", "action_import", "action_import_folder"):
            getattr(window, name).setEnabled(False)


def _hook_runner(window: Any, name: str) -> Callable[..., None]:
    return lambda _checked=False: window._run_hook(name)


def build_menus(window: Any) -> None:
    bar = window.menuBar()
    window.menu_file = bar.addMenu("")
    for name in ("action_import", "action_import_folder", "action_import_history", "action_report",
                 "action_report_texts", "action_finances", None,
                 "action_settings", None, "action_quit"):
        _add(window.menu_file, window, name)
    window.menu_edit = bar.addMenu("")
    for name in ("action_undo", "action_redo", None, "action_new", "action_edit", "action_delete", None,
                 "action_batch_edit", "action_merge"):
        _add(window.menu_edit, window, name)
    window.menu_view = bar.addMenu("")
    for name in ("action_back", "action_forward", None, "action_search", "action_filter"):
        _add(window.menu_view, window, name)
    window.menu_columns = window.menu_view.addMenu("")
    window.menu_columns.aboutToShow.connect(lambda: _fill_columns(window))
    window.menu_help = bar.addMenu("")
    for name in ("action_shortcuts", None, "action_about"):
        _add(window.menu_help, window, name)

    toolbar = QToolBar(window)
    toolbar.setObjectName("main_toolbar")
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(20, 20))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    for name in ("action_back", "action_forward", None, "action_new", "action_edit", "action_delete", None,
                 "action_import", "action_report"):
        _add(toolbar, window, name)
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    toolbar.addWidget(window.search_field)
    window.toolbar = toolbar
    window.addToolBar(toolbar)


def _add(container: Any, window: Any, name: str | None) -> None:
    if name is None:
        container.addSeparator()
    else:
        container.addAction(getattr(window, name))


def _fill_columns(window: Any) -> None:
    window.menu_columns.clear()
    for action in window.column_menu().actions():
        action.setParent(window.menu_columns)
        window.menu_columns.addAction(action)


def undo_texts(window: Any) -> None:
    try:
        stack = window.undo_stack
        undo, redo = stack.undoText(), stack.redoText()
    except RuntimeError:  # the stack says it emptied while the window is being destroyed
        return
    window.action_undo.setText(tr("&Undo {action}").format(action=undo).strip() if undo else tr("&Undo"))
    window.action_redo.setText(tr("&Redo {action}").format(action=redo).strip() if redo else tr("&Redo"))


def retranslate_actions(window: Any) -> None:
    for name, label, _shortcut, _icon, tip in ACTIONS:
        action: QAction = getattr(window, name)
        action.setText(tr(label))
        action.setStatusTip(tr(tip) if tip else "")
        plain = tr(label).replace("&", "").rstrip("…")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{plain} ({keys})" if keys else plain)
    undo_texts(window)
    window.menu_file.setTitle(tr("&File"))
    window.menu_edit.setTitle(tr("&Edit"))
    window.menu_view.setTitle(tr("&View"))
    window.menu_columns.setTitle(tr("&Columns"))
    window.menu_help.setTitle(tr("&Help"))
    window.toolbar.setWindowTitle(tr("Toolbar"))


def _about(window: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(window, tr("About Kbase"),
                      tr("Kbase keeps an institute's publications, projects, partners and regions in one catalogue."))


def _open_finances(window: Any) -> None:
    # imported on use: the finances dialog brings kbase.report, and with it matplotlib and numpy
    # (seconds of a launch at a busy machine's load, for a dialog rarely opened)
    from ui.dialogs.finances import open_finances

    open_finances(window)


__all__ = ["build_actions", "build_menus", "retranslate_actions", "ACTIONS"]
