"""Every Qt model of the app passes Qt's own model tester, on real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kbase.catalogue import query
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from tests.ui.conftest import import_pdfs
from ui.search_models import FacetModel, HitsModel
from ui.table_model import BLOCK, RecordTableModel


@pytest.mark.parametrize("kind", ["publication", "project", "organisation", "person", "event", "region"])
def test_record_table_model(qtmodeltester, sqlite_demo: Catalogue, kind: str):
    model = RecordTableModel(sqlite_demo, kind)
    model.set_kind(kind)
    assert model.rowCount() == query.count(sqlite_demo, kind)
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_record_table_model_loads_only_painted_blocks(qtmodeltester, sqlite_demo: Catalogue):
    with sqlite_demo.transaction():
        for i in range(3 * BLOCK):
            sqlite_demo.add(m.Publication, title=f"Generated publication {i:04d}", type="report", year=2000 + i % 20)
    model = RecordTableModel(sqlite_demo, "publication")
    model.set_kind("publication")
    assert model.rowCount() > 3 * BLOCK
    assert model._rows == {}  # nothing loaded before anything is shown
    model.index(2 * BLOCK + 3, 0).data()
    assert len(model._rows) == BLOCK  # one block, the one holding that row
    assert all(rid in model.ids[2 * BLOCK:3 * BLOCK] for rid in model._rows)


def test_sorting_and_filtering_go_through_the_core(qtmodeltester, sqlite_demo: Catalogue):
    model = RecordTableModel(sqlite_demo, "publication")
    model.set_kind("publication")
    date_col = [c.key for c in model.columns].index("date")
    model.sort(date_col, Qt.SortOrder.DescendingOrder)
    assert model.ids == query.find_ids(sqlite_demo, "publication", sort="year", descending=True)
    model.set_text("diamond")
    assert model.ids == query.find_ids(sqlite_demo, "publication", query.Filter(text="diamond"), sort="year",
                                       descending=True)
    assert 0 < model.rowCount() < query.count(sqlite_demo, "publication")
    assert all("diamond" in model.index(r, 0).data().lower() for r in range(model.rowCount()))
    qtmodeltester.check(model)
    # an unsortable column leaves the order alone
    authors_col = [c.key for c in model.columns].index("authors")
    before = list(model.ids)
    model.sort(authors_col)
    assert model.ids == before


def test_sorting_keeps_the_selection_on_the_same_records(qtbot, sqlite_demo: Catalogue):
    from PySide6.QtCore import QItemSelectionModel

    model = RecordTableModel(sqlite_demo, "publication")
    model.set_kind("publication")
    selection = QItemSelectionModel(model)
    chosen = model.ids[2]
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(model.index(2, 0), flags)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    rows = {i.row() for i in selection.selectedIndexes()}
    assert [model.ids[r] for r in rows] == [chosen]


def test_search_models(qtmodeltester, sqlite_demo: Catalogue, tmp_path: Path):
    from kbase.search import api as search
    from kbase.search import indexing

    import_pdfs(sqlite_demo, tmp_path / "pdfs", {
        "one": ["Gold and cobalt\nTraders sell gold.", "More gold here."],
        "two": ["Cobalt only\nNothing else."],
    })
    indexing.sync(sqlite_demo)
    result = search.search(sqlite_demo, "gold OR cobalt", limit=50)
    assert result.hits and result.facets
    hits = HitsModel()
    hits.set_result(result.hits, result.total)
    assert hits.rowCount() == len(result.hits)
    assert any(hits.rowCount(hits.index(r, 0)) for r in range(hits.rowCount()))
    qtmodeltester.check(hits)
    facets = FacetModel()
    first = next(iter(result.facets))
    facets.set_facets(result.facets, {first: result.facets[first][0][0]})
    qtmodeltester.check(facets)
    checked = facets.index(0, 0, facets.index(0, 0))
    assert checked.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    hits.clear()
    qtmodeltester.check(hits)


def test_navigator_model(qtmodeltester, qtbot, sqlite_demo: Catalogue):
    from ui import tasks
    from ui.navigator import ROLE_TARGET, Navigator

    nav = Navigator(sqlite_demo)
    qtbot.addWidget(nav)
    qtbot.waitUntil(lambda: nav.loaded and bool(nav._counts), timeout=20000)
    qtmodeltester.check(nav.model_)
    regions = nav._heads["region"]
    assert regions.rowCount() > 0  # the top of the gazetteer
    assert sum(1 for item in nav._walk() if item.data(ROLE_TARGET)[0][0] == "region") == sqlite_demo.count(m.Region)
    texts = [nav.model_.item(r).text() for r in range(nav.model_.rowCount())]
    n = query.count(sqlite_demo, "publication")
    assert f"Publications  ({n})" in texts
    tasks.wait_all()
