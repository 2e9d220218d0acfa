"""Application start: QApplication, settings, language, opening the library (with a clear error dialog)."""
# ruff: noqa: E402  (Python's own import function is kept before PySide6 is imported: see load_core)

from __future__ import annotations

import argparse
import builtins
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# SQLAlchemy, SQLModel and the models are imported after the first paint: ui/launch.py paints the window
# with the first publications read through sqlite3 (the ORM's import alone takes longer than a launch may).
PLAIN_IMPORT = builtins.__import__  # before PySide6 puts its import hook in its place (see load_core)
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog, QLabel, QVBoxLayout

from kbase.errors import KbaseError
from kbase.library.location import default_location, is_url
from ui import i18n
from ui.i18n import tr

if TYPE_CHECKING:
    from kbase.library.db import Library
    from ui.launch import LaunchWindow
    from ui.main_window import MainWindow

ORGANISATION = "Kbase"
APPLICATION = "Kbase"
KEY_LIBRARY = "library/location"  # a folder or a postgresql+psycopg:// URL
KEY_LANGUAGE = "ui/language"  # "en" or "fr"; unset = the system's language when we have it
KEY_MAX_PDF_MB = "import/max_pdf_mb"
KEY_MAX_PAGES = "import/max_pages"


def settings() -> QSettings:
    """The user's settings (INI file under the user config folder; KBASE_SETTINGS_DIR overrides, for tests)."""
    folder = os.environ.get("KBASE_SETTINGS_DIR")
    if folder:
        return QSettings(str(Path(folder) / "kbase.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The app's own options (`--library`); Qt's (-platform, -style…) are left for QApplication."""
    parser = argparse.ArgumentParser(prog="kbase-app", description="The Kbase desktop app.")
    parser.add_argument("--library", metavar="PATH-or-URL",
                        help="the library to open (default: KBASE_LIBRARY, else the one chosen in Settings)")
    known, _qt_options = parser.parse_known_args(list(argv)[1:])
    return known


def chosen_location(store: QSettings, explicit: str | None = None) -> str:
    """--library wins, then KBASE_LIBRARY, then the location chosen in Settings, then the platform default."""
    if explicit:
        return explicit
    if os.environ.get("KBASE_LIBRARY"):
        return os.environ["KBASE_LIBRARY"]
    saved = store.value(KEY_LIBRARY)
    return str(saved) if saved else default_location()


def load_core() -> None:
    """Import the core's ORM modules past PySide6's import hook, which reads the source of every module
    imported after PySide6 for its feature switches (about 0.1 s of CPU for SQLAlchemy and the models);
    the core never imports Qt (tests/test_core_without_qt.py), so it has no switches to find."""
    hooked = builtins.__import__
    builtins.__import__ = PLAIN_IMPORT
    try:
        import kbase.catalogue.query  # noqa: F401  (the table and the navigator)
        import kbase.catalogue.records  # noqa: F401
        import kbase.catalogue.views  # noqa: F401  (the details pane)
        import kbase.library.db  # noqa: F401
    finally:
        builtins.__import__ = hooked


def first_start(location: str, explicit: bool = False) -> bool:
    """No library yet at the default location: the app makes it (a named one is only opened, never made)."""
    return (not explicit and not os.environ.get("KBASE_LIBRARY") and location == default_location()
            and not (Path(location) / "catalogue.sqlite").exists())


def open_or_create(location: str, explicit: bool = False) -> Library:
    """Open the library; at the default location on first start, make it and load the demo catalogue.

    A library named on the command line (explicit) or by KBASE_LIBRARY is only opened, never made."""
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library

    if not first_start(location, explicit):
        return open_library(location)
    from kbase.catalogue.demo import load_demo

    lib = open_library(location, create=True)
    load_demo(Catalogue(lib))
    return lib


def make_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    from ui.resources import icon, stylesheet

    app.setWindowIcon(icon("kbase"))
    app.setStyleSheet(stylesheet())
    return app


class LibraryProblem(QDialog):
    """Says why the library cannot be opened and offers another folder (a plain dialog, sized before it shows)."""

    def __init__(self, problem: str):
        super().__init__()
        self.setObjectName("library_problem")
        self.setWindowTitle(tr("Kbase"))
        self.setMinimumSize(520, 180)
        self.heading = QLabel(tr("The library cannot be opened."), self)
        self.heading.setObjectName("heading")
        self.detail = QLabel(problem, self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.choose = self.buttons.addButton(tr("Choose another library folder…"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.buttons)


def ask_for_library(problem: str, store: QSettings) -> Library | None:
    """Say why the library cannot be opened; let the user pick another folder or quit."""
    from kbase.library.db import open_library

    while True:
        box = LibraryProblem(problem)
        if box.exec() != QDialog.DialogCode.Accepted:
            return None
        folder = QFileDialog.getExistingDirectory(None, tr("Library folder"))
        if not folder:
            return None
        try:
            lib = open_library(folder, create=True)
        except KbaseError as exc:
            problem = str(exc)
            continue
        store.setValue(KEY_LIBRARY, folder)
        return lib


def open_window(location: str, explicit: bool, store: QSettings,
                shell: LaunchWindow | None = None) -> MainWindow | None:
    """The library opened (or another one the user picks) in the main window, shown; None when the user quits.

    With a launch window on screen the main window takes its place and closes it once painted."""
    load_core()
    lib: Library | None
    try:
        lib = open_or_create(location, explicit=explicit)
    except KbaseError as exc:
        if shell is not None:
            shell.close()
        lib = ask_for_library(str(exc), store)
    if lib is None:
        return None
    from kbase.catalogue.records import Catalogue
    from kbase.catalogue.trash import empty_expired
    from ui.first_paint import after_first_paint
    from ui.main_window import MainWindow

    catalogue = Catalogue(lib)
    # what stayed in the trash longer than trash_days goes for good, as `kbase` does on opening a library;
    # after the first paint, so the window does not wait for it (the launch window's paint, when it has one)
    if shell is not None:
        empty_expired(catalogue)
    else:
        QTimer.singleShot(0, lambda: empty_expired(catalogue))
    window = MainWindow(catalogue, store)
    if shell is not None and shell.isVisible():
        window.restoreGeometry(shell.saveGeometry())  # where the launch window is, moved or not
        after_first_paint(window.table.viewport(), shell.close)
        # a click on the launch window's close button while the catalogue loaded: the app closes
        shell.closed_by_user.connect(window.close)
    window.show()
    return window


def main(argv: Sequence[str]) -> int:
    started = time.perf_counter()
    options = parse_arguments(argv)
    app = make_application(argv)
    store = settings()
    i18n.set_language(str(store.value(KEY_LANGUAGE) or i18n.system_language()))
    location, explicit = chosen_location(store, options.library), bool(options.library)
    timing = bool(os.environ.get("KBASE_STARTUP_TIMING"))
    shell = None
    if not is_url(location) and not first_start(location, explicit):
        from ui.launch import launch_window

        shell = launch_window(location, Path(location).expanduser().name or location, store)
    opened: list[MainWindow | None] = []
    if shell is None:
        opened.append(open_window(location, explicit, store))
        if opened[0] is None:
            return 1
    else:
        from ui.first_paint import after_first_paint

        def then() -> None:  # the catalogue, once the first rows are on screen
            if timing:
                print(f"first rows painted after {time.perf_counter() - started:.3f} s", file=sys.stderr)
            opened.append(open_window(location, explicit, store, shell))
            if opened[0] is None:
                app.exit(1)

        shell.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the main window's closing ends the app
        after_first_paint(shell.table.viewport(), then, fallback_ms=300)
        shell.show()
    if timing:
        QTimer.singleShot(0, lambda: print(f"window shown after {time.perf_counter() - started:.3f} s",
                                           file=sys.stderr))
    code = app.exec()
    if shell is not None:
        shell.close()
    window = opened[0] if opened else None
    if window is not None:
        window.catalogue.library.close()
    return code


__all__ = ["main", "parse_arguments", "settings", "chosen_location", "open_or_create", "open_window",
           "make_application", "KEY_LIBRARY", "KEY_LANGUAGE", "KEY_MAX_PDF_MB", "KEY_MAX_PAGES"]
