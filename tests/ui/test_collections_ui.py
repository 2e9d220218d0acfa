"""Collections in the navigator: made and renamed from its menu, filled by dropping table rows, filtering the table."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from kbase.catalogue import collections as coll
from kbase.catalogue import query
from ui.collections_tree import context_menu, records_mime
from ui.navigator import ROLE_TARGET
from ui.notes_panel import Ask


def _item(nav, key):
    return next(i for i in nav._walk() if i.data(ROLE_TARGET)[0] == key)


def _answer(nav, text):
    """Answer the dialog the navigator opened: type text (None: a yes/no question); returns what it offered."""
    dialog = [d for d in nav.findChildren(Ask) if d.isVisible()][0]
    offered = dialog.value()
    if text is not None:
        dialog.field.setText(text)
    dialog.ok_button.click()
    return offered


def _drop(nav, pos, data) -> bool:
    """What a drag does at its end: enter the navigator, move over pos, drop there; whether the drop was taken."""
    point = QPointF(pos)
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(nav.viewport(), QDragEnterEvent(pos, Qt.DropAction.CopyAction, data, buttons, keys))
    QApplication.sendEvent(nav.viewport(), QDragMoveEvent(pos, Qt.DropAction.CopyAction, data, buttons, keys))
    drop = QDropEvent(point, Qt.DropAction.CopyAction, data, buttons, keys)
    QApplication.sendEvent(nav.viewport(), drop)
    return drop.isAccepted()


def _menu_action(menu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def test_new_collection_from_the_menu_then_drop_rows_on_it(qtbot, window) -> None:
    cat = window.catalogue
    nav = window.navigator
    qtbot.waitUntil(lambda: nav.loaded, timeout=20000)
    head = _item(nav, ("group", "collection"))
    menu = context_menu(nav, nav.visualRect(head.index()).center())
    _menu_action(menu, "New collection…").trigger()
    _answer(nav, "Thesis")
    qtbot.waitUntil(lambda: nav.loaded and any(i.data(ROLE_TARGET)[0][0] == "collection" for i in nav._walk()),
                    timeout=20000)
    thesis = coll.find_collection(cat, "Thesis")

    nav.setExpanded(_item(nav, ("group", "collection")).index(), True)
    item = _item(nav, ("collection", thesis))
    menu = context_menu(nav, nav.visualRect(item.index()).center())
    _menu_action(menu, "New sub-collection…").trigger()
    _answer(nav, "Chapter 2")
    qtbot.waitUntil(lambda: nav.loaded and coll.collections(cat)[-1]["path"] == "Thesis/Chapter 2", timeout=20000)

    # rows of the table dropped on "Thesis"
    ids = window.model.ids[:3]
    data = records_mime("publication", ids)
    nav.setExpanded(_item(nav, ("group", "collection")).index(), True)
    pos = nav.visualRect(_item(nav, ("collection", thesis)).index()).center()
    assert _drop(nav, pos, data)
    assert sorted(query.find_ids(cat, "publication", query.Filter(collection=str(thesis)))) == sorted(ids)

    # a click on the collection filters the table
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: sorted(window.model.ids) == sorted(ids), timeout=10000)

    # a drop on something that is not a collection is refused
    assert not _drop(nav, nav.visualRect(_item(nav, ("kind", "person")).index()).center(),
                     records_mime("publication", ids))

    # rename, then delete
    menu = context_menu(nav, pos)
    _menu_action(menu, "Rename…").trigger()
    assert _answer(nav, "Dissertation") == "Thesis"
    qtbot.waitUntil(lambda: nav.loaded and coll.collections(cat)[0]["path"] == "Dissertation", timeout=20000)
    nav.setExpanded(_item(nav, ("group", "collection")).index(), True)
    menu = context_menu(nav, nav.visualRect(_item(nav, ("collection", thesis)).index()).center())
    _menu_action(menu, "Delete collection…").trigger()
    _answer(nav, None)
    assert coll.collections(cat) == []



def test_a_refusal_is_said_in_french(qtbot, window) -> None:
    from ui import i18n

    nav = window.navigator
    qtbot.waitUntil(lambda: nav.loaded, timeout=20000)
    coll.add_collection(window.catalogue, "Thèse")
    i18n.set_language("fr")
    head = _item(nav, ("group", "collection"))
    menu = context_menu(nav, nav.visualRect(head.index()).center())
    _menu_action(menu, "Nouvelle collection…").trigger()
    _answer(nav, "thèse")
    warning = [d for d in nav.findChildren(Ask) if d.isVisible()][0]
    assert warning.label.text() == "il y a déjà une collection « thèse » à cet endroit"
    warning.ok_button.click()
    assert [c["name"] for c in coll.collections(window.catalogue)] == ["Thèse"]
