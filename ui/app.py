"""Application start: QApplication, settings, language, opening the library (with a clear error dialog)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Sequence

# The core's modules before PySide6's: once PySide6 is loaded, its import hook reads the source of
# every module imported after it (about 70 ms of CPU at start-up for SQLAlchemy and the models).
import kbase.catalogue.query  # noqa: F401  (the record table and the navigator; SQLAlchemy and its SQLite dialect)
import kbase.catalogue.views  # noqa: F401  (the details pane)
from kbase.catalogue.records import Catalogue
from kbase.catalogue.trash import empty_expired
from kbase.library.db import Library, default_location, open_library
from kbase.errors import KbaseError

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog, QLabel, QVBoxLayout

from ui import i18n
from ui.i18n import tr

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


def open_or_create(location: str, explicit: bool = False) -> Library:
    """Open the library; at the default location on first start, make it and load the demo catalogue.

    A library named on the command line (explicit) or by KBASE_LIBRARY is only opened, never made."""
    first_start = (not explicit and not os.environ.get("KBASE_LIBRARY") and location == default_location()
                   and not (Path(location) / "catalogue.sqlite").exists())
    if not first_start:
        return open_library(location)
    from kbase.catalogue.demo import load_demo

    lib = open_library(location, create=True)
    load_demo(Catalogue(lib))
    return lib


def make_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv))
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    from ui.resources import icon, stylesheet

    app.setWindowIcon(icon("kbase"))
    app.setStyleSheet(stylesheet())
    return app  # type: ignore[return-value]


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
        self.choose = self.buttons.addButton(tr("Choose another library folder…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.buttons)


def ask_for_library(problem: str, store: QSettings) -> Library | None:
    """Say why the library cannot be opened; let the user pick another folder or quit."""
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


def main(argv: Sequence[str]) -> int:
    started = time.perf_counter()
    options = parse_arguments(argv)
    app = make_application(argv)
    store = settings()
    i18n.set_language(str(store.value(KEY_LANGUAGE) or i18n.system_language()))
    try:
        lib = open_or_create(chosen_location(store, options.library), explicit=bool(options.library))
    except KbaseError as exc:
        lib = ask_for_library(str(exc), store)
        if lib is None:
            return 1
    from ui.main_window import MainWindow

    window = MainWindow(Catalogue(lib), store)
    window.show()
    # what stayed in the trash longer than trash_days goes for good, as `kbase` does on opening a library;
    # after the first paint, so the window does not wait for it
    QTimer.singleShot(0, lambda: empty_expired(window.catalogue))
    if os.environ.get("KBASE_STARTUP_TIMING"):
        QTimer.singleShot(0, lambda: print(f"window shown after {time.perf_counter() - started:.3f} s", file=sys.stderr))
    code = app.exec()
    lib.close()
    return code


__all__ = ["main", "parse_arguments", "settings", "chosen_location", "open_or_create", "make_application",
           "KEY_LIBRARY", "KEY_LANGUAGE", "KEY_MAX_PDF_MB", "KEY_MAX_PAGES"]
