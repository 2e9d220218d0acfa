"""The first screen's "Import from Zotero…": the picker opens on ~/Zotero/zotero.sqlite, and the library comes in."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from PySide6.QtWidgets import QFileDialog

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from tests.zotero_db import ZoteroDB
from ui import first_run, i18n


@pytest.fixture
def empty(templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalogue]:
    from tests.conftest import make_location

    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    c = Catalogue(open_library(make_location("sqlite", templates, tmp_path / "new", demo=False)))
    yield c
    c.library.close()


def test_import_from_zotero_finds_the_database_in_its_usual_place(qtbot, make_window, empty, tmp_path, monkeypatch):
    from ui.dialogs.import_dialog import ImportDialog

    home = tmp_path / "home"
    zdb = ZoteroDB(home / "Zotero", "124")
    item = zdb.item("report", {"title": "Gold flows from eastern DRC", "date": "2019-00-00 2019"},
                    [("author", "Ken", "Matthysen")], tags=["gold"])
    zdb.stored_pdf(item, "gold.pdf", ["Gold from Kamituga"])
    zdb.note("<p>Site visits</p>", item)
    zdb.close()
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    assert first_run.zotero_database() == home / "Zotero" / "zotero.sqlite"
    asked: list[tuple[str, str, str]] = []

    def pick(_parent, caption, start, filters):
        asked.append((caption, start, filters))
        return start, filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    window = make_window(empty)
    panel = window.first_run
    assert panel.buttons()[0] is panel.zotero_button and panel.zotero_button.isEnabled()
    panel.zotero_button.click()
    assert asked == [("Import a Zotero library", str(home / "Zotero" / "zotero.sqlite"), "Zotero library (*.sqlite)")]
    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is not None, timeout=5000)
    dialog = window.findChild(ImportDialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    (f,) = dialog.report.files
    assert f.status == "zotero" and f.created == 1 and f.zotero["notes"]["added"] == 1
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
    assert empty.count(m.Publication) == 1
    dialog.close()


def test_without_zotero_the_picker_starts_at_home_and_cancel_does_nothing(qtbot, make_window, empty, tmp_path,
                                                                          monkeypatch):
    home = tmp_path / "nobody"
    home.mkdir()
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda _p, _c, start, _f: (asked.append(start), ("", ""))[1]))
    window = make_window(empty)
    assert first_run.zotero_database() is None
    window.first_run.zotero_button.click()
    assert asked == [str(home)] and empty.count(m.Publication) == 0
    i18n.set_language("fr")
    try:
        assert window.first_run.zotero_button.text() == "Importer depuis Zotero…"
    finally:
        i18n.set_language("en")
