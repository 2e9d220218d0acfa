"""The ways into a library: File → Import's pickers (every source the import reads) and the first-run panel an
empty library shows instead of an empty table (import a bibliography, a spreadsheet, a folder, or the demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kbase.i18n import N_
from ui import i18n, tasks
from ui.i18n import tr
from ui.resources import icon

# What kbase.imports.paths.collect routes: PDFs; .bib; RIS (.ris, or .txt with RIS tags); CSL-JSON (.json,
# .csljson); spreadsheets when named (.csv, .tsv, .xlsx, .xlsm); a Zotero database (.sqlite). Names translated,
# patterns never.
DOCUMENTS = ("Documents", "*.pdf")
BIBTEX = ("BibTeX", "*.bib")
RIS = ("RIS", "*.ris *.txt")
CSL_JSON = ("CSL-JSON", "*.json *.csljson")
SPREADSHEETS = ("Spreadsheets", "*.csv *.tsv *.xlsx *.xlsm")
ZOTERO = ("Zotero library", "*.sqlite")
SOURCES = (DOCUMENTS, BIBTEX, RIS, CSL_JSON, SPREADSHEETS, ZOTERO)
IMPORTABLE = tuple(p[1:] for _name, patterns in SOURCES for p in patterns.split())  # ".pdf", ".bib", …


def file_filters(sources: tuple[tuple[str, str], ...] = SOURCES, everything: str = N_("All supported files")) -> str:
    """A file dialog's filters: everything the sources take first (the default), then one per source."""
    def one(name: str, patterns: str) -> str:
        return f"{tr(name)} ({patterns})"

    every = " ".join(dict.fromkeys(p for _n, patterns in sources for p in patterns.split()))
    entries = ([one(everything, every)] if len(sources) > 1 else []) + [one(n, p) for n, p in sources]
    return ";;".join(entries)


def _parent(window: Any) -> QWidget | None:
    return window if isinstance(window, QWidget) else None


def ask_files(window: Any) -> list[str]:
    """File → Import…: files of any source the import reads; [] when cancelled."""
    files, _ = QFileDialog.getOpenFileNames(_parent(window), tr("Import files"), "", file_filters())
    return files


def ask_bibliographies(window: Any) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(_parent(window), tr("Import a BibTeX, RIS or CSL-JSON file"), "",
                                            file_filters((BIBTEX, RIS, CSL_JSON), N_("Bibliographies")))
    return files


def ask_spreadsheets(window: Any) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(_parent(window), tr("Import a spreadsheet"), "",
                                            file_filters((SPREADSHEETS,)))
    return files


def zotero_database(home: Path | None = None) -> Path | None:
    """Zotero's database where Zotero keeps it unless told otherwise (~/Zotero/zotero.sqlite), if it is there."""
    found = (home or Path.home()) / "Zotero" / "zotero.sqlite"
    return found if found.is_file() else None


def ask_zotero(window: Any) -> list[str]:
    """The picker opens on ~/Zotero/zotero.sqlite, chosen already, when Zotero keeps it there."""
    start = zotero_database()
    file, _ = QFileDialog.getOpenFileName(_parent(window), tr("Import a Zotero library"),
                                          str(start or Path.home()), file_filters((ZOTERO,)))
    return [file] if file else []


def ask_folder(window: Any) -> list[str]:
    """A folder to import (its PDFs and bibliographies, sub-folders too); [] when cancelled."""
    folder = QFileDialog.getExistingDirectory(_parent(window),
                                              tr("Folder to import (PDFs and bibliographies inside it)"))
    return [folder] if folder else []


def import_files(window: Any, paths: list[str]) -> None:
    """Hand files or folders to the import dialog (as a drop does); nothing when paths is empty."""
    if paths:
        window.import_paths([Path(p) for p in paths])


def can_import(window: Any) -> bool:
    """The import dialog is there and the library is writable."""
    action = getattr(window, "action_import", None)
    return action is not None and bool(action.property("hooked")) and not window.catalogue.library.read_only


def _load_demo(library: Any) -> dict[str, int]:
    """Worker thread: the demo catalogue into this library, through the core (refused if it has records)."""
    from kbase.catalogue.demo import load_demo
    from kbase.catalogue.records import Catalogue

    return load_demo(Catalogue(library))


def open_demo(window: Any) -> tasks.Task:
    """Load the demo catalogue in the background; the window refreshes (navigator too) once it is in."""
    panel: FirstRunPanel | None = getattr(window, "first_run", None)

    def done(_counts: Any) -> None:
        window.navigator.populate()  # regions, programmes, series and subjects are new
        window.refresh()
        if panel is not None:
            panel.set_busy(False)

    def failed(message: str) -> None:
        if panel is not None:
            panel.set_busy(False, i18n.tr_message(message))

    if panel is not None:
        panel.set_busy(True)
    task = tasks.run(_load_demo, window.catalogue.library, on_result=done, on_error=failed, parent=window)
    window.track(task, tr("Loading the demo library…"))
    return task


class FirstRunPanel(QScrollArea):
    """What an empty library shows instead of an empty table: a welcome line and its ways in.

    (A scroll area: a narrow middle pane scrolls the panel rather than widening the window's minimum.)"""

    def __init__(self, window: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ref = window
        self.setObjectName("first_run")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setStyleSheet("""
            QScrollArea#first_run, QWidget#first_run_page { background: #fcfcfd; }
            QLabel#first_run_title { font-size: 20px; font-weight: 600; color: #1f3347; }
            QLabel#first_run_text { font-size: 14px; color: #33475b; }
            QLabel#first_run_hint { color: #5b6b7b; }
            QLabel#first_run_status { color: #a4161a; font-weight: 600; }
            QPushButton[way="true"] { font-size: 14px; text-align: left; padding: 10px 16px; }
        """)
        self.title = QLabel(self)
        self.title.setObjectName("first_run_title")
        self.text = QLabel(self)
        self.text.setObjectName("first_run_text")
        self.text.setWordWrap(True)
        self.zotero_button = self._button("import_zotero", "import", lambda: import_files(window, ask_zotero(window)))
        self.bib_button = self._button("import_bibliography", "import",
                                       lambda: import_files(window, ask_bibliographies(window)))
        self.sheet_button = self._button("import_spreadsheet", "import",
                                         lambda: import_files(window, ask_spreadsheets(window)))
        self.folder_button = self._button("import_folder", "import", lambda: import_files(window, ask_folder(window)))
        self.demo_button = self._button("open_demo", "kbase", lambda: open_demo(window))
        self.hint = QLabel(self)
        self.hint.setObjectName("first_run_hint")
        self.hint.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("first_run_status")
        self.status.setWordWrap(True)
        self.status.hide()

        column = QWidget(self)
        column.setMaximumWidth(580)  # as wide as that when there is room: the welcome line on one line
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(column)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.setSpacing(10)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addSpacing(8)
        for button in self.buttons():
            if button is self.demo_button:
                lay.addSpacing(6)  # not an import: a little apart
            lay.addWidget(button)
        lay.addSpacing(8)
        lay.addWidget(self.hint)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 12)
        row.addStretch(1)
        page = QWidget(self)
        page.setObjectName("first_run_page")
        outer = QVBoxLayout(page)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setWidget(page)
        i18n.notifier().changed.connect(self.retranslate)  # a bound slot is disconnected when the panel goes
        self.retranslate()

    def _button(self, name: str, icon_name: str, slot: Any) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setProperty("way", True)
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(22, 22))
        button.setMinimumHeight(46)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def buttons(self) -> list[QPushButton]:
        return [self.zotero_button, self.bib_button, self.sheet_button, self.folder_button, self.demo_button]

    def retranslate(self, _lang: str = "") -> None:
        self.title.setText(tr("Welcome to Kbase"))
        self.text.setText(tr("This library has no publications yet. Bring them in:"))
        self.zotero_button.setText(tr("Import from Zotero…"))
        self.zotero_button.setToolTip(tr("A whole Zotero library: its items, PDFs, notes, collections and tags"))
        self.bib_button.setText(tr("Import a BibTeX, RIS or CSL-JSON file…"))
        self.sheet_button.setText(tr("Import a spreadsheet…"))
        self.folder_button.setText(tr("Import a folder of documents…"))
        self.demo_button.setText(tr("Open the demo library"))
        self.demo_button.setToolTip(
            tr("Fill this library with sample publications, projects and partners to try Kbase"))
        self.hint.setText(tr("You can also drop PDFs, bibliographies, spreadsheets or folders onto this window."))

    def update_enabled(self) -> None:
        writable = not self.window_ref.catalogue.library.read_only
        importing = can_import(self.window_ref)
        for button in (self.zotero_button, self.bib_button, self.sheet_button, self.folder_button):
            button.setEnabled(importing)
        self.demo_button.setEnabled(writable)
        self.hint.setVisible(importing)

    def set_busy(self, busy: bool, error: str = "") -> None:
        """The demo is loading (buttons off), or it finished (error: why it did not)."""
        for button in self.buttons():
            button.setEnabled(not busy)
        if not busy:
            self.update_enabled()
        self.status.setText(error)
        self.status.setVisible(bool(error))


def importable(paths: list[Path]) -> list[Path]:
    """Folders and the files the import reads (a .txt only with RIS tags): what a drop on the window takes."""
    from kbase.imports.records import bibliography_format

    return [p for p in paths if p.is_dir() or (p.suffix.lower() in IMPORTABLE and
                                               (p.suffix.lower() != ".txt" or bibliography_format(p)))]


__all__ = ["FirstRunPanel", "IMPORTABLE", "importable", "ask_files", "ask_folder", "ask_zotero", "file_filters",
           "import_files", "open_demo", "zotero_database"]
