"""Start-up: the table shows its first screenful from a quick query and reads the other ids after the first paint."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kbase.catalogue import query
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from ui import table_model
from ui.table_model import RecordTableModel


@pytest.fixture
def many(sqlite_demo: Catalogue) -> Catalogue:
    with sqlite_demo.transaction():
        for i in range(40):
            sqlite_demo.add(m.Publication, title=f"Generated publication {i:04d}", type="report", year=2000 + i % 20)
    return sqlite_demo


def test_a_quick_first_query_then_the_rest_from_a_worker(qtbot, qtmodeltester, many: Catalogue, monkeypatch) -> None:
    monkeypatch.setattr(table_model, "QUICK_ROWS", 16)
    model = RecordTableModel(many, "publication")
    model.quick_start = True
    model.reload()
    full = query.find_ids(many, "publication", sort="title")
    assert model.rowCount() == len(full) > 16 and model.partial
    assert model.ids[:16] == full[:16] and model.ids[16:] == [None] * (len(full) - 16)
    assert model.index(0, 0).data() and model.index(20, 0).data() == "" and model.id_at(20) is None
    qtmodeltester.check(model)
    model.complete()
    qtbot.waitUntil(lambda: not model.partial, timeout=20000)
    assert model.ids == full and model.index(20, 0).data()
    model.reload()  # only the first query is quick
    assert model.ids == full


def test_a_small_catalogue_is_whole_at_once(sqlite_demo: Catalogue) -> None:
    model = RecordTableModel(sqlite_demo, "publication")
    model.quick_start = True
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert not model.partial and None not in model.ids
    assert model.ids == query.find_ids(sqlite_demo, "publication", sort="title", descending=True)


def test_the_window_completes_its_table_after_the_first_paint(qtbot, make_window, many: Catalogue, monkeypatch) -> None:
    monkeypatch.setattr(table_model, "QUICK_ROWS", 16)
    window = make_window(many)
    qtbot.waitUntil(lambda: not window.model.partial, timeout=20000)
    assert window.model.ids == query.find_ids(many, "publication", sort="title")
    assert window.count_label.text().startswith(f"{window.model.rowCount()}")
    qtbot.waitUntil(lambda: window.navigator.loaded, timeout=20000)  # its groups wait for the first paint too
