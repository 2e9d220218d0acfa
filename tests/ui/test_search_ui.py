"""Search from the window: grouped hits with page snippets, facets that narrow, inline query errors."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from kbase.library import models as m
from tests.ui.conftest import import_pdfs

PAGES = {
    "gold": ["Gold traders of Kamituga\nArtisanal gold sites were surveyed.",
             "Cobalt and gold compared\nThe cobalt refiners buy from traders.",
             "Annex\nNo further remarks."],
    "cobalt": ["Cobalt supply chains\nCobalt from Kolwezi reaches refiners.",
               "Child labour\nChildren work at cobalt pits."],
}


def _search(qtbot, window, text: str) -> None:
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.query == text or bool(panel.error), timeout=30000)


def test_typed_search_shows_hits_grouped_by_publication(qtbot, make_window, sqlite_demo, tmp_path: Path):
    atts = import_pdfs(sqlite_demo, tmp_path / "pdfs", PAGES)
    window = make_window(sqlite_demo)
    _search(qtbot, window, "refiners")
    panel = window.search_panel
    assert window.stack.currentWidget() is panel
    hits = panel.hits
    assert hits.rowCount() == 2  # one row per publication, not per page
    pages = {}
    for row in range(hits.rowCount()):
        parent = hits.index(row, 0)
        hit, _ = hits.hit_at(parent)
        pages[hit.title] = [hits.hit_at(hits.index(r, 0, parent))[1].page for r in range(hits.rowCount(parent))]
        child = hits.index(0, 0, parent)
        assert child.data().startswith("p. ")
        assert "refiners" in child.data().lower()
    by_att = {sqlite_demo.get(m.Attachment, a).publication_id: name for name, a in atts.items()}
    titles = {sqlite_demo.get(m.Publication, pid).title: name for pid, name in by_att.items()}
    assert {titles[t]: p for t, p in pages.items()} == {"gold": [2], "cobalt": [1]}
    assert "2" in panel.message.text()


def test_facet_click_narrows_the_hits(qtbot, make_window, sqlite_demo, tmp_path: Path):
    import_pdfs(sqlite_demo, tmp_path / "pdfs", PAGES)
    window = make_window(sqlite_demo)
    _search(qtbot, window, "cobalt")
    panel = window.search_panel
    before = panel.result.total
    assert before >= 3  # the two PDFs and demo publications about cobalt
    facets = panel.facets
    # pick a value that holds fewer publications than the whole result
    target = None
    for g in range(facets.rowCount()):
        group = facets.index(g, 0)
        for r in range(facets.rowCount(group)):
            name, value = facets.facet_at(facets.index(r, 0, group))
            count = int(facets.index(r, 1, group).data())
            if 0 < count < before and name in ("type", "year", "subject"):
                target = (facets.index(r, 0, group), name, value, count)
                break
        if target:
            break
    assert target is not None
    index, name, value, count = target
    view = panel.facet_view
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: panel.filters == {name: value} and panel.result.total == count, timeout=30000)
    assert panel.hits.rowCount() == count
    assert panel.clear_filters_button.isVisible()
    # the chosen value shows as checked, and clicking it again widens the result back
    chosen = next(facets.index(r, 0, facets.index(g, 0)) for g in range(facets.rowCount())
                  for r in range(facets.rowCount(facets.index(g, 0)))
                  if facets.facet_at(facets.index(r, 0, facets.index(g, 0))) == (name, value))
    assert chosen.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    view.scrollTo(chosen)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(chosen).center())
    qtbot.waitUntil(lambda: not panel.filters and panel.result.total == before, timeout=30000)


def test_invalid_query_gives_an_inline_message(qtbot, window):
    _search(qtbot, window, 'title:"unclosed')
    panel = window.search_panel
    assert panel.error
    assert panel.message.isVisible()
    assert panel.message.text().startswith("Invalid query")
    assert panel.message.property("error") is True
    assert panel.hits.rowCount() == 0
    assert window.count_label.text() == ""  # not the table's count under the message
    # a good query afterwards clears the message
    _search(qtbot, window, "gold")
    assert not panel.error
    assert panel.message.property("error") is False


def test_selecting_a_hit_shows_its_publication(qtbot, make_window, sqlite_demo, tmp_path: Path):
    import_pdfs(sqlite_demo, tmp_path / "pdfs", PAGES)
    window = make_window(sqlite_demo)
    _search(qtbot, window, "Kolwezi")
    panel = window.search_panel
    assert panel.hits.rowCount() == 1
    panel.hit_view.setCurrentIndex(panel.hits.index(0, 0))
    hit, _ = panel.hits.hit_at(panel.hits.index(0, 0))
    assert window.details.current == ("publication", hit.publication_id)
    assert window.selected_ids() == [] or window.selected_ids() == [hit.publication_id]


def test_a_saved_search_appears_in_the_navigator_and_runs_again(qtbot, make_window, sqlite_demo, tmp_path: Path):
    from ui.navigator import ROLE_TARGET

    import_pdfs(sqlite_demo, tmp_path / "pdfs", PAGES)
    window = make_window(sqlite_demo)
    _search(qtbot, window, "cobalt")
    panel = window.search_panel
    facets = panel.facets
    name, value = facets.facet_at(facets.index(0, 0, facets.index(0, 0)))
    before = panel.result.total
    panel.toggle_facet(name, value)
    qtbot.waitUntil(lambda: panel._task.done and panel.result is not None, timeout=30000)
    narrowed = panel.result.total
    assert panel.filters == {name: value} and narrowed < before
    panel.save_search("Cobalt, narrowed")
    nav = window.navigator
    saved = nav._heads["saved"]
    qtbot.waitUntil(lambda: nav.loaded and nav._heads["saved"].rowCount() == 1, timeout=20000)
    saved = nav._heads["saved"]
    item = saved.child(0)
    assert item.text() == "Cobalt, narrowed"
    window.show_browse()
    window.search_field.clear()
    window.show_target(item.data(ROLE_TARGET)[1])
    qtbot.waitUntil(lambda: panel._task is not None and panel._task.done, timeout=30000)
    assert not panel.error, panel.error
    assert panel.filters == {name: value} and panel.result.total == narrowed
    assert window.search_field.text() == "cobalt"
    assert window.stack.currentWidget() is panel


def test_results_can_be_sorted_newest_first(qtbot, window):
    panel = window.search_panel
    _search(qtbot, window, "mining")
    assert panel.sort_box.currentData() == "relevance"
    by_relevance = panel.result
    panel.sort_box.setCurrentIndex(panel.sort_box.findData("date"))
    qtbot.waitUntil(lambda: panel.result is not None and panel.result is not by_relevance, timeout=30000)
    dates = [(h.year or 0) * 100 + (h.month or 0) for h in panel.result.hits]
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)
