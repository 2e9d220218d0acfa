"""The main window over the demo library: browsing, sorting, filtering, details links, layout memory."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kbase import models as m
from kbase import query


def test_window_lists_publications_sorted_by_title(window, sqlite_demo):
    expected = query.find_ids(sqlite_demo, "publication", sort="title")
    assert window.model.ids == expected
    assert window.current_kind() == "publication"
    first = window.model.index(0, 0).data()
    assert first == sqlite_demo.get(m.Publication, expected[0]).title
