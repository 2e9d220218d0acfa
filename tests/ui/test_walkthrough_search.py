"""Search facets: a long name (a project, an organisation, a country) wraps onto more lines instead of being cut."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_long_facet_names_wrap_instead_of_being_cut(qtbot, window):
    window.run_search("mining")
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.query == "mining", timeout=30000)
    panel.splitter.setSizes([240, 700])
    view, model = panel.facet_view, panel.facets
    view.expandAll()
    qtbot.waitUntil(lambda: view.columnWidth(0) > 0)
    line = view.fontMetrics().lineSpacing()
    rows = []
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        for r in range(model.rowCount(group)):
            index = model.index(r, 0, group)
            rows.append((str(index.data(Qt.ItemDataRole.DisplayRole)), view.visualRect(index).height()))
    longest = max(rows, key=lambda row: len(row[0]))
    shortest = min(rows, key=lambda row: len(row[0]))
    assert view.fontMetrics().horizontalAdvance(longest[0]) > view.columnWidth(0)  # it cannot fit on one line
    assert longest[1] >= 2 * line, longest
    assert shortest[1] < 2 * line, shortest
    # a wider pane takes the lines back
    panel.splitter.setSizes([900, 300])
    qtbot.waitUntil(lambda: view.visualRect(model.index(0, 0)).isValid())
    assert all(view.visualRect(model.index(r, 0, model.index(g, 0))).height() < 2 * line
               for g in range(model.rowCount()) for r in range(model.rowCount(model.index(g, 0)))
               if view.fontMetrics().horizontalAdvance(str(model.index(r, 0, model.index(g, 0)).data())) < 500)
