"""Starting the app: first start makes the demo library; a library that cannot open is a clear dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import default_location, open_library


def test_first_start_creates_the_default_library_with_the_demo(tmp_path: Path, monkeypatch):
    from ui.app import open_or_create

    monkeypatch.delenv("KBASE_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    location = default_location()
    assert location.startswith(str(tmp_path / "data"))
    lib = open_or_create(location)
    demo_count = Catalogue(lib).count(m.Publication)
    assert demo_count > 10
    lib.close()
    # the second start opens it as it is (no second demo load)
    lib = open_or_create(location)
    assert Catalogue(lib).count(m.Publication) == demo_count
    lib.close()


def test_a_library_named_by_kbase_library_is_not_created(tmp_path: Path, monkeypatch):
    from kbase.errors import LibraryError
    from ui.app import chosen_location, open_or_create, settings

    monkeypatch.setenv("KBASE_LIBRARY", str(tmp_path / "nowhere"))
    assert chosen_location(settings()) == str(tmp_path / "nowhere")
    try:
        open_or_create(chosen_location(settings()))
    except LibraryError as exc:
        assert "nowhere" in str(exc)
    else:
        raise AssertionError("a missing library was created")
    assert not (tmp_path / "nowhere").exists()


def test_main_shows_a_clear_dialog_when_the_library_cannot_open(qtbot, tmp_path: Path, monkeypatch):
    from ui.app import LibraryProblem, main

    monkeypatch.setenv("KBASE_LIBRARY", str(tmp_path / "missing"))
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, LibraryProblem):
            QTimer.singleShot(50, answer)
            return
        seen.append(box.heading.text() + "\n" + box.detail.text())
        box.buttons.button(QDialogButtonBox.StandardButton.Close).click()

    QTimer.singleShot(50, answer)
    assert main(["kbase"]) == 1
    assert "cannot be opened" in seen[0]
    assert str(tmp_path / "missing") in seen[0]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_main_opens_the_window_on_the_library(qtbot, tmp_path: Path, monkeypatch, demo_location, backend):
    from ui.app import main
    from ui.main_window import MainWindow

    monkeypatch.setenv("KBASE_LIBRARY", demo_location)
    shown: list[int] = []

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, check)
            return
        shown.append(windows[0].model.rowCount())
        windows[0].close()
        QApplication.instance().quit()

    QTimer.singleShot(50, check)
    assert main(["kbase"]) == 0
    # closing the last window posts a second quit; left queued it would end every later test's event loops
    QCoreApplication.removePostedEvents(None, QEvent.Type.Quit)
    count = Catalogue(open_library(demo_location)).count(m.Publication)
    assert shown == [count]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_app_empties_what_stayed_in_the_trash_too_long(qtbot, tmp_path: Path, monkeypatch, demo_location, backend):
    from datetime import timedelta

    from sqlalchemy import update

    from kbase.catalogue import trash
    from ui.app import main
    from ui.main_window import MainWindow

    cat = Catalogue(open_library(demo_location))
    old, new = (cat.add(m.Person, name=name).id for name in ("Old One", "New One"))
    trash.move_to_trash(cat, "person", old)
    trash.move_to_trash(cat, "person", new)
    with cat.transaction() as s:  # the first went to the trash 40 days ago; the library keeps 30
        s.execute(update(m.TrashEntry.__table__).where(m.TrashEntry.record_id == old)
                  .values(deleted=m.utcnow() - timedelta(days=40)))
    cat.library.close()
    monkeypatch.setenv("KBASE_LIBRARY", demo_location)

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, check)
            return
        windows[0].close()
        QApplication.instance().quit()

    QTimer.singleShot(200, check)
    assert main(["kbase"]) == 0
    QCoreApplication.removePostedEvents(None, QEvent.Type.Quit)
    reopened = Catalogue(open_library(demo_location))
    assert [e["id"] for e in trash.trash_entries(reopened)] == [new]
    reopened.library.close()
