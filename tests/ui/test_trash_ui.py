"""The GUI's Delete puts records in the trash; the navigator's Trash lists them, restores them and empties."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kbase.catalogue import query, trash
from kbase.library import models as m
from ui.editors import delete_records
from ui.navigator import ROLE_TARGET
from ui.notes_panel import Ask
from ui.trash_dialog import TrashDialog


def test_delete_then_restore_from_the_trash_window(qtbot, window) -> None:
    cat = window.catalogue
    first, second = window.model.ids[:2]
    titles = {p: cat.get(m.Publication, p).title for p in (first, second)}
    assert delete_records(window, "publication", [first, second], confirm=False)
    qtbot.waitUntil(lambda: first not in window.model.ids and second not in window.model.ids, timeout=10000)

    nav = window.navigator
    qtbot.waitUntil(lambda: nav.loaded, timeout=20000)
    item = next(i for i in nav._walk() if i.data(ROLE_TARGET)[0] == ("trash", 0))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualRect(item.index()).center())
    dialog = window.findChild(TrashDialog)
    assert dialog is not None and dialog.isVisible()
    shown = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert shown == set(titles.values())
    assert not dialog.restore_button.isEnabled()

    row = [r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 1).text() == titles[first]][0]
    dialog.table.selectRow(row)
    assert dialog.restore_button.isEnabled()
    dialog.restore_button.click()
    assert cat.get(m.Publication, first).title == titles[first]
    assert [e["id"] for e in trash.trash_entries(cat)] == [second]
    assert dialog.table.rowCount() == 1
    qtbot.waitUntil(lambda: first in window.model.ids, timeout=10000)

    dialog.empty_button.click()
    [b for b in dialog.findChildren(Ask) if b.isVisible()][0].ok_button.click()
    assert trash.trash_entries(cat) == [] and dialog.table.rowCount() == 0
    assert "empty" in dialog.message.text() or "deleted for good" in dialog.message.text()
    assert second not in query.find_ids(cat, "publication")
    dialog.close()



def test_the_trash_says_how_long_records_stay_in_the_right_number(qtbot, cat) -> None:
    from ui import i18n

    cat.set_setting(trash.TRASH_DAYS_SETTING, "1")
    dialog = TrashDialog(cat)
    qtbot.addWidget(dialog)
    assert dialog.info.text() == "Deleted records stay here 1 day, with their links, notes and files."
    cat.set_setting(trash.TRASH_DAYS_SETTING, "30")
    i18n.set_language("fr")
    try:
        dialog.retranslate()
        assert dialog.info.text().startswith("Les fiches supprimées restent ici 30 jours,")
        cat.set_setting(trash.TRASH_DAYS_SETTING, "1")
        dialog.retranslate()
        assert dialog.info.text().startswith("Les fiches supprimées restent ici 1 jour,")
    finally:
        i18n.set_language("en")
