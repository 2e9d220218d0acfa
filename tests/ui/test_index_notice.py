"""An altered change log seen by the app: the index is rebuilt and the window says so (issue 19); a closed
window starts nothing more."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.search.indexing import sync
from ui import i18n

# a message box fixes its own size when shown, which the offscreen platform (tests only) warns about
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _erase_newest_change(cat: Catalogue) -> None:
    # as the owner may in psql: the row this desktop read last disappears
    with cat.library.engine.begin() as conn:
        conn.execute(text("DELETE FROM change WHERE seq = (SELECT max(seq) FROM change)"))


def _search(qtbot, window, query: str) -> QMessageBox:  # type: ignore[no-untyped-def]
    panel = window.search_panel
    with qtbot.waitSignal(panel.index_notice, timeout=30000) as said:
        window.search_field.setText(query)
        window.run_search()
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.query == query, timeout=30000)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and boxes[0].text().lower() == said.args[0].lower() + "."
    return boxes[0]


def test_the_window_says_the_index_was_rebuilt(qtbot, make_window, sqlite_demo: Catalogue) -> None:
    pub = sqlite_demo.add(m.Publication, title="Wolframite from Nyabibwe", type="report", year=2020)
    sync(sqlite_demo)
    window = make_window(sqlite_demo)
    qtbot.waitUntil(lambda: window.search_panel._synced, timeout=30000)  # the warm-up sync after launch
    _erase_newest_change(sqlite_demo)
    window.search_panel.mark_stale()
    box = _search(qtbot, window, "wolframite")
    assert box.text().startswith("The change log was altered at change ")
    assert box.text().endswith("; the search index was rebuilt from the catalogue.")
    assert box.icon() == QMessageBox.Icon.Warning and not box.isModal()
    assert [h.publication_id for h in window.search_panel.result.hits] == [pub.id]
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not [b for b in window.findChildren(QMessageBox) if b.isVisible()])



def test_said_in_french(qtbot, make_window, sqlite_demo: Catalogue) -> None:
    sqlite_demo.add(m.Publication, title="Wolframite from Nyabibwe", type="report", year=2020)
    sync(sqlite_demo)
    window = make_window(sqlite_demo)
    qtbot.waitUntil(lambda: window.search_panel._synced, timeout=30000)  # the warm-up sync after launch
    i18n.set_language("fr")
    _erase_newest_change(sqlite_demo)
    window.search_panel.mark_stale()
    box = _search(qtbot, window, "wolframite")
    assert box.text().startswith("Le journal des modifications a été altéré à la modification ")
    assert box.text().endswith(" a disparu ; l’index de recherche a été reconstruit à partir du catalogue.")
    assert box.windowTitle() == "Index de recherche"


def test_a_window_closed_at_once_leaves_its_library_alone(qtbot, make_window, sqlite_demo: Catalogue) -> None:
    """The index warm-up and the OCR resume wait for the first paint; once the window is closed they do
    nothing (on PostgreSQL a connection opened after the library closed was never closed)."""
    from sqlalchemy import event

    window = make_window(sqlite_demo)
    window.close()
    used: list[int] = []
    event.listen(sqlite_demo.library.engine, "checkout", lambda *_a: used.append(1))
    qtbot.wait(2600)  # past the OCR resume's 2 s
    assert used == []


def test_a_closed_window_is_not_retranslated(qtbot, make_window, sqlite_demo: Catalogue) -> None:
    """A language switch after a window closed (its library closed too) reads nothing through it."""
    from sqlalchemy import event

    window = make_window(sqlite_demo)
    window.details.show_record("publication", window.model.ids[0])
    window.close()
    window.close()  # twice: the second close has nothing more to undo
    used: list[int] = []
    event.listen(sqlite_demo.library.engine, "checkout", lambda *_a: used.append(1))
    i18n.set_language("fr")
    assert used == []
