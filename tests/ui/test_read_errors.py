"""A read that fails reaches the user as text in the table or the window, never as a blank row."""

from __future__ import annotations

import sqlite3
from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from ui.table_model import BLOCK


def _many_publications(cat: Catalogue) -> None:
    """Enough rows that the blocks past the first screen are read only when scrolled to."""
    with cat.transaction():
        for i in range(3 * BLOCK):
            cat.add(m.Publication, title=f"Generated publication {i:04d}", type="report", year=2000 + i % 20)


def _show_row(qtbot: Any, window: Any, row: int) -> str:
    """Scroll the window's table to row and return the text the user sees in its first column."""
    index = window.table.model().index(row, 0)
    window.table.scrollTo(index)
    qtbot.waitUntil(lambda: window.model.id_at(row) in window.model._rows)  # the view painted it
    return index.data()


def _rename_table(cat: Catalogue, table: str) -> None:
    """Another program damages the catalogue behind the window's back."""
    with sqlite3.connect(cat.library.folder / "catalogue.sqlite") as other:
        other.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")


def test_a_record_deleted_by_another_connection_says_so(qtbot, make_window, sqlite_demo: Catalogue) -> None:
    _many_publications(sqlite_demo)
    window = make_window(sqlite_demo)
    row = 2 * BLOCK + 3
    victim = window.model.id_at(row)
    assert victim is not None and victim not in window.model._rows  # not read yet
    elsewhere = Catalogue(open_library(sqlite_demo.library.location))
    try:
        elsewhere.delete(m.Publication, victim)
    finally:
        elsewhere.library.close()
    shown = _show_row(qtbot, window, row)
    assert shown == "⚠ this record is no longer in the catalogue"
    # its neighbours in the same block still read as before
    neighbour = _show_row(qtbot, window, row + 1)
    assert neighbour.startswith("Generated publication")


def test_a_catalogue_that_cannot_be_read_shows_the_reason_in_the_rows(qtbot, make_window,
                                                                      sqlite_demo: Catalogue) -> None:
    _many_publications(sqlite_demo)
    window = make_window(sqlite_demo)
    first = window.model.index(0, 0).data()
    assert first and not first.startswith("⚠")
    _rename_table(sqlite_demo, "contributor")  # the authors column cannot be read any more
    shown = _show_row(qtbot, window, 2 * BLOCK + 3)
    assert shown.startswith("⚠ could not read this record: ")
    assert "contributor" in shown  # the reason, as SQLite gives it
    assert window.model.index(2 * BLOCK + 3, 0).data(3) == shown  # the whole text as a tooltip, too
    assert window.model.index(0, 0).data() == first  # rows read before stay as they were


def test_a_reload_that_fails_is_said_in_the_window(qtbot, window, sqlite_demo: Catalogue) -> None:
    before = list(window.model.ids)
    _rename_table(sqlite_demo, "publication")
    window.refresh()
    qtbot.waitUntil(lambda: bool(window.model.error), timeout=5000)
    assert "could not be read" in window.model.error and "publication" in window.model.error
    assert window.model.error in window.count_label.text()
    assert window.model.ids == before  # the rows already listed stay


def test_a_picker_that_cannot_search_says_why(qtbot, window) -> None:
    from ui.editors.pickers import RecordPicker

    picker = RecordPicker(window.catalogue, "organisation")
    qtbot.addWidget(picker)
    _rename_table(window.catalogue, "organisation_alias")
    qtbot.keyClicks(picker.edit, "Inter")
    assert picker.problem.startswith("⚠ no suggestions: ") and "organisation_alias" in picker.problem
    assert not picker.problem_label.isHidden() and picker.problem_label.text() == picker.problem


def test_an_import_review_of_a_record_deleted_meanwhile_says_so(qtbot, window, tmp_path) -> None:
    from tests.ui.test_import_batches_ui import _review

    dialog, okapi = _review(qtbot, window, tmp_path)
    review = dialog.review
    window.catalogue.delete(m.Publication, okapi.id)
    review._described.clear()  # read again, as when the review is opened after the deletion
    review._show(review.matches.topLevelItem(0))
    rows = {review.compare.item(r, 0).text(): r for r in range(review.compare.rowCount())}
    assert review.compare.item(rows["Title"], 2).text() == "⚠ this record is no longer in the catalogue"
    dialog.cancel_or_close()
