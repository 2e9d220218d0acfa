"""An empty library's first screen offers the ways in; File → Import offers every source the import reads."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from ui import first_run, i18n

TINY_BIB = """@article{mukendi2022,
  author = {Mukendi, Aline and Kabila, Jean},
  title = {Tin traders of Maniema},
  journal = {Extractive Industries and Society},
  year = {2022},
}
"""


@pytest.fixture
def empty(templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalogue]:
    """A real new library on SQLite: the schema and nothing else."""
    from tests.conftest import make_location

    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    c = Catalogue(open_library(make_location("sqlite", templates, tmp_path / "new", demo=False)))
    assert c.count(m.Publication) == 0
    yield c
    c.library.close()


def _shows_panel(window) -> bool:
    return window.browse_pages.currentWidget() is window.first_run and window.first_run.isVisible()


def _shows_table(window) -> bool:
    return window.browse_pages.currentWidget() is not window.first_run and window.table.isVisible()


def _import_dialog(qtbot, window):
    from ui.dialogs.import_dialog import ImportDialog

    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is not None, timeout=5000)
    dialog = window.findChild(ImportDialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    return dialog


def test_an_empty_library_shows_its_ways_in_and_the_demo_library_its_table(qtbot, make_window, empty, sqlite_demo):
    window = make_window(empty)
    assert _shows_panel(window)
    panel = window.first_run
    texts = [b.text() for b in panel.buttons()]
    assert texts == ["Import from Zotero…", "Import a BibTeX, RIS or CSL-JSON file…", "Import a spreadsheet…",
                     "Import a folder of documents…", "Open the demo library"]
    assert all(b.isVisible() and b.isEnabled() for b in panel.buttons())
    assert panel.hint.isVisible() and "drop" in panel.hint.text()
    assert not window.table.isVisible() and not window.filter_field.isVisible()

    demo = make_window(sqlite_demo)
    assert _shows_table(demo) and not demo.first_run.isVisible()
    assert demo.model.rowCount() > 0


def test_the_panel_is_in_french_too(qtbot, make_window, empty):
    window = make_window(empty)
    i18n.set_language("fr")
    panel = window.first_run
    catalogue = i18n.load_catalogue("fr")
    assert panel.title.text() == "Bienvenue dans Kbase"
    assert panel.demo_button.text() == "Ouvrir la bibliothèque de démonstration"
    for label in [b.text() for b in panel.buttons()] + [panel.text.text(), panel.hint.text()]:
        assert label in catalogue.values(), label
    assert window.action_import_folder.text() == "Importer un &dossier…"
    i18n.set_language("en")
    assert panel.title.text() == "Welcome to Kbase"


def test_open_the_demo_library_loads_it_and_the_table_comes_back(qtbot, make_window, empty):
    import json

    from kbase.catalogue.demo import demo_path

    window = make_window(empty)
    assert _shows_panel(window)
    qtbot.mouseClick(window.first_run.demo_button, Qt.MouseButton.LeftButton)  # loads in the background
    expected = len(json.loads(demo_path().read_text(encoding="utf-8"))["publications"])
    qtbot.waitUntil(lambda: window.model.rowCount() == expected, timeout=30000)
    qtbot.waitUntil(lambda: _shows_table(window), timeout=5000)
    assert empty.count(m.Publication) == expected
    assert empty.count(m.Project) > 0
    # the navigator lists the demo's regions now
    nav = window.navigator.model_

    def regions() -> list[str]:
        return [nav.item(r).child(c).text() for r in range(nav.rowCount()) for c in range(nav.item(r).rowCount())]

    qtbot.waitUntil(lambda: any("Democratic Republic of the Congo" in t for t in regions()), timeout=10000)
    assert all(b.isEnabled() for b in window.first_run.buttons())


def test_the_demo_is_refused_by_a_library_with_projects_and_the_panel_says_why(qtbot, make_window, empty):
    empty.add(m.Project, title="A project, no publications yet")
    window = make_window(empty)
    assert _shows_panel(window)  # no publications: the ways in are shown
    first_run.open_demo(window)
    qtbot.waitUntil(lambda: window.first_run.status.isVisible(), timeout=30000)
    assert "already has records" in window.first_run.status.text()
    assert empty.count(m.Publication) == 0
    assert window.first_run.demo_button.isEnabled()


def test_a_file_imported_from_the_panel_brings_the_table_back_and_undoing_it_the_panel(qtbot, make_window, empty,
                                                                                        tmp_path):
    from kbase.imports.batches import undo_batch

    window = make_window(empty)
    assert _shows_panel(window)
    bib = tmp_path / "tiny.bib"
    bib.write_text(TINY_BIB, encoding="utf-8")
    first_run.import_files(window, [str(bib)])  # what the button does with the file its picker gave
    dialog = _import_dialog(qtbot, window)
    assert dialog.report.batch is not None
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
    assert _shows_table(window)
    assert empty.count(m.Publication) == 1
    dialog.close()

    undo_batch(empty, dialog.report.batch)
    assert empty.count(m.Publication) == 0
    window.refresh()
    qtbot.waitUntil(lambda: _shows_panel(window), timeout=10000)


def test_an_empty_filtered_list_or_another_kind_stays_a_table(qtbot, make_window, sqlite_demo, empty):
    from kbase.catalogue.query import Filter
    from ui.navigator import Target

    window = make_window(sqlite_demo)
    window.show_target(Target("publication", Filter(text="no such title anywhere")))
    assert window.model.rowCount() == 0
    assert _shows_table(window)

    bare = make_window(empty)
    bare.show_target(Target("project"))
    assert _shows_table(bare)
    bare.show_target(Target("publication"))
    assert _shows_panel(bare)


def test_the_import_picker_names_every_source_and_a_folder_entry_picks_a_folder(qtbot, make_window, empty,
                                                                                monkeypatch):
    window = make_window(empty)
    asked: list[tuple[str, str]] = []

    def files(_parent, caption, _dir, filters):
        asked.append((caption, filters))
        return [], ""

    def folder(_parent, caption, *args):
        asked.append((caption, "folder"))
        return ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(files))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
    window.action_import.trigger()
    filters = asked[-1][1].split(";;")
    assert filters[0].startswith("All supported files (")  # the default
    for wanted in ("*.pdf", "*.bib", "*.ris", "*.txt", "*.json", "*.csv", "*.tsv", "*.xlsx", "*.sqlite"):
        assert wanted in filters[0]
    assert filters[1:] == ["Documents (*.pdf)", "BibTeX (*.bib)", "RIS (*.ris *.txt)", "CSL-JSON (*.json *.csljson)",
                           "Spreadsheets (*.csv *.tsv *.xlsx *.xlsm)", "Zotero library (*.sqlite)"]
    assert window.action_import_folder in window.menu_file.actions()
    assert window.action_import_folder.isEnabled()
    window.action_import_folder.trigger()
    assert asked[-1][1] == "folder"
    # the panel's buttons ask for their own sources
    window.first_run.sheet_button.click()
    assert asked[-1][1] == "Spreadsheets (*.csv *.tsv *.xlsx *.xlsm)"
    window.first_run.bib_button.click()
    assert asked[-1][1].split(";;")[0] == "Bibliographies (*.bib *.ris *.txt *.json *.csljson)"
    window.first_run.folder_button.click()
    assert asked[-1][1] == "folder"
    from ui.dialogs.import_dialog import ImportDialog

    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog)]  # all cancelled

    i18n.set_language("fr")
    window.action_import.trigger()
    assert asked[-1][1].split(";;")[0].startswith("Tous les fichiers pris en charge (")
    assert "Tableurs (*.csv *.tsv *.xlsx *.xlsm)" in asked[-1][1].split(";;")


def test_dropping_takes_every_source(make_window, empty, tmp_path):
    window = make_window(empty)
    names = ["a.pdf", "b.bib", "c.ris", "d.json", "e.csv", "f.tsv", "g.xlsx", "notes.txt", "wos.txt", "h.docx"]
    for name in names:
        (tmp_path / name).write_text("TY  - JOUR\nTI  - A title\nER  - \n" if name == "wos.txt" else "x",
                                     encoding="utf-8")
    taken = {p.name for p in window.importable([tmp_path / n for n in names])}
    assert taken == {"a.pdf", "b.bib", "c.ris", "d.json", "e.csv", "f.tsv", "g.xlsx", "wos.txt"}
