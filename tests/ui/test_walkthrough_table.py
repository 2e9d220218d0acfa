"""The publication table writes a month range with short month names, so that the Date column does not cut it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kbase.library import models as m


def test_a_month_range_fits_the_date_column(window, qtbot):
    from ui import i18n

    cat = window.catalogue
    pub = cat.add(m.Publication, title="Arms trade bulletin", type="bulletin", year=2021, month=1, month_end=2)
    window.refresh()
    qtbot.waitUntil(lambda: window.model.row_of(pub.id) >= 0, timeout=10000)
    column = [c.key for c in window.model.columns].index("date")

    def shown() -> str:
        return str(window.model.index(window.model.row_of(pub.id), column).data(Qt.ItemDataRole.DisplayRole))

    assert shown() == "Jan – Feb 2021"
    width = window.table.horizontalHeader().sectionSize(column)
    assert window.table.fontMetrics().horizontalAdvance(shown()) < width - 8
    i18n.set_language("fr")
    assert shown() == "janv. – févr. 2021"
    assert window.table.fontMetrics().horizontalAdvance(shown()) < width - 8
    details = window.details
    details.show_record("publication", pub.id)
    assert "janvier – février 2021" in details.toPlainText()  # spelled out where there is room
