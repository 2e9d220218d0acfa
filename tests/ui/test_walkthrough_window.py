"""What a new user met first: `--library` ignored, the window's title, Edit greyed out over search hits and viewers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from tests.ui.conftest import import_pdfs
from ui.navigator import Target


def _run_main_and_read_window(argv: list[str]) -> tuple[int, list[tuple[str, int]]]:
    """main(argv) until its window shows; the window's (title, row count)."""
    from ui.app import main
    from ui.main_window import MainWindow

    seen: list[tuple[str, int]] = []

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, look)
            return
        seen.append((windows[0].windowTitle(), windows[0].model.rowCount()))
        windows[0].close()
        QApplication.instance().quit()

    QTimer.singleShot(50, look)
    code = main(argv)
    # closing the last window posts a second quit; left queued it would end every later test's event loops
    QCoreApplication.removePostedEvents(None, QEvent.Type.Quit)
    return code, seen


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_app_opens_the_library_given_with_library(qtbot, tmp_path: Path, monkeypatch, demo_location, backend):
    monkeypatch.delenv("KBASE_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the default library, which must stay unmade
    code, seen = _run_main_and_read_window(["kbase", "--library", demo_location])
    assert code == 0
    count = Catalogue(open_library(demo_location)).count(m.Publication)
    assert seen == [(f"{Path(demo_location).name} — Kbase", count)]
    assert not (tmp_path / "data").exists()


def test_library_on_the_command_line_wins_over_the_environment(tmp_path: Path, monkeypatch):
    from ui.app import chosen_location, parse_arguments, settings

    monkeypatch.setenv("KBASE_LIBRARY", str(tmp_path / "from-env"))
    options = parse_arguments(["kbase", "-platform", "offscreen", f"--library={tmp_path / 'given'}"])
    assert chosen_location(settings(), options.library) == str(tmp_path / "given")
    assert chosen_location(settings(), parse_arguments(["kbase"]).library) == str(tmp_path / "from-env")


def test_a_missing_library_given_with_library_is_not_made_with_a_demo(tmp_path: Path, monkeypatch):
    from kbase.errors import LibraryError
    from kbase.library.db import default_location
    from ui.app import open_or_create

    monkeypatch.delenv("KBASE_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with pytest.raises(LibraryError, match="no library"):
        open_or_create(default_location(), explicit=True)
    assert not Path(default_location()).exists()


def test_the_title_names_the_library_first_and_kbase_once(window, qtbot):
    from ui import i18n

    name = Path(window.catalogue.library.location).name
    assert window.windowTitle() == f"{name} — Kbase"
    i18n.set_language("fr")
    assert window.windowTitle().count("Kbase") == 1 and window.windowTitle().startswith(name)


def _search(qtbot, window, text: str) -> None:
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.query == text, timeout=30000)


def test_edit_works_on_a_search_hit_and_in_the_viewer(qtbot, make_window, sqlite_demo, tmp_path: Path):
    atts = import_pdfs(sqlite_demo, tmp_path / "pdfs", {"quokka": ["Quokkaite at Walikale.", "Page two."]})
    publication_id = sqlite_demo.get(m.Attachment, atts["quokka"]).publication_id
    window = make_window(sqlite_demo)
    window.show_target(Target("person"))  # the table shows people: a hit is still a publication
    assert window.model.kind == "person"
    _search(qtbot, window, "quokkaite")
    panel = window.search_panel
    assert not window.action_edit.isEnabled()  # nothing chosen yet
    panel.hit_view.setCurrentIndex(panel.hits.index(0, 0))
    assert window.action_edit.isEnabled()
    assert (window.current_kind(), window.selected_ids()) == ("publication", [publication_id])

    window.open_attachment(atts["quokka"], 1, "quokkaite")
    qtbot.waitUntil(lambda: window.viewers and window.viewers[0].document.pageCount() == 2, timeout=30000)
    assert window.tabs.currentWidget() is window.viewers[0]
    assert window.action_edit.isEnabled()
    assert not window.action_delete.isEnabled()  # not from a viewer: the tab would show a deleted record
    assert (window.current_kind(), window.selected_ids()) == ("publication", [publication_id])
    window.action_edit.trigger()
    editor = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "publication_editor" and w.isVisible())
    assert (editor.kind, editor.record_id) == ("publication", publication_id)
    editor.reject()

    window.tabs.setCurrentIndex(0)
    window.search_panel.closed.emit()
    assert (window.current_kind(), window.selected_ids()) == ("person", window.table.selected_ids())


def test_a_shared_library_is_named_by_its_database_and_host_without_the_password():
    from kbase.library.db import display_name

    assert display_name("postgresql+psycopg://kbase:s3cret@db.example.org:5433/ipis") == "ipis @ db.example.org"
    assert display_name("/home/ann/Kbase/ipis/") == "ipis"
