"""Collections in the navigator: new, rename and delete from a context menu, records dropped on one
from the table; and the table's side of that drag."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from kbase.catalogue import collections as coll
from kbase.errors import KbaseError
from ui.i18n import tr
from ui.notes_panel import Ask, _warn, ask, confirm

MIME = "application/x-kbase-records"


def records_mime(kind: str, ids: list[int]) -> QMimeData:
    data = QMimeData()
    data.setData(MIME, json.dumps({"kind": kind, "ids": ids}).encode("utf-8"))
    return data


def read_mime(data: QMimeData) -> tuple[str, list[int]] | None:
    if not data.hasFormat(MIME):
        return None
    try:
        found = json.loads(bytes(data.data(MIME)).decode("utf-8"))
        return str(found["kind"]), [int(i) for i in found["ids"]]
    except (ValueError, KeyError, TypeError):
        return None


# -- the table: a press on a selected row, then a move, drags the selected records -----------------------
class _RecordDrag(QObject):
    def __init__(self, table: Any):
        super().__init__(table)
        self.table = table
        self.start: QPoint | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            index = self.table.indexAt(event.position().toPoint())
            selected = index.isValid() and self.table.selectionModel().isRowSelected(index.row(), index.parent())
            self.start = event.position().toPoint() if selected else None
        elif kind == QEvent.Type.MouseMove and self.start is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if (event.position().toPoint() - self.start).manhattanLength() >= QApplication.startDragDistance():
                self.start = None
                ids = self.table.selected_ids()
                if ids:
                    drag = QDrag(self.table)
                    drag.setMimeData(records_mime(self.table.records.kind, ids))
                    drag.exec(Qt.DropAction.CopyAction)
                    return True
        elif kind == QEvent.Type.MouseButtonRelease:
            self.start = None
        return False


def install_record_drag(table: Any) -> None:
    """Rows of the table can be dragged onto a collection in the navigator."""
    table._record_drag = _RecordDrag(table)  # kept: the filter's Python side must live as long as the table
    table.viewport().installEventFilter(table._record_drag)


# -- the navigator ---------------------------------------------------------------------------------------
def collection_at(nav: Any, pos: QPoint) -> int | None:
    """The collection under a point of the navigator's viewport, if any."""
    item = nav.model_.itemFromIndex(nav.indexAt(pos))
    if item is None:
        return None
    key = nav._key(item)
    return int(key[1]) if key[0] == "collection" else None


class _Drops(QObject):
    def __init__(self, nav: Any):
        super().__init__(nav)
        self.nav = nav

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            found = read_mime(event.mimeData())
            if found and (kind == QEvent.Type.DragEnter or collection_at(self.nav, event.position().toPoint())):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            found = read_mime(event.mimeData())
            target = collection_at(self.nav, event.position().toPoint())
            if found and target is not None:
                put_records(self.nav, target, *found)
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return True
        return False


def put_records(nav: Any, collection_id: int, kind: str, ids: list[int]) -> int:
    try:
        added = coll.put(nav.catalogue, collection_id, kind, ids)
    except KbaseError as exc:
        _warn(nav, exc)
        return 0
    nav.refresh_counts()
    return added


def install(nav: Any) -> None:
    """Context menu and drops on the navigator's collections."""
    nav.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    nav.customContextMenuRequested.connect(lambda pos: context_menu(nav, pos).popup(nav.viewport().mapToGlobal(pos)))
    nav.setAcceptDrops(True)
    nav.viewport().setAcceptDrops(True)
    nav._collection_drops = _Drops(nav)
    nav.viewport().installEventFilter(nav._collection_drops)


def context_menu(nav: Any, pos: QPoint) -> QMenu:
    menu = QMenu(nav)
    menu.setObjectName("collection_menu")
    item = nav.model_.itemFromIndex(nav.indexAt(pos))
    key = nav._key(item) if item is not None else ("", None)
    cid = int(key[1]) if key[0] == "collection" else None
    menu.addAction(tr("New collection…"),
                   lambda: ask_name(nav, tr("New collection"), "", lambda name: _add(nav, name, None)))
    if cid is not None:
        from ui.navigator import ROLE_LABEL

        name = item.data(ROLE_LABEL) or item.text()
        menu.addAction(tr("New sub-collection…"),
                       lambda: ask_name(nav, tr("New sub-collection"), "", lambda n: _add(nav, n, cid)))
        menu.addAction(tr("Rename…"), lambda: ask_name(nav, tr("Rename collection"), name,
                                                        lambda n: _do(nav, coll.rename_collection, cid, n)))
        menu.addAction(tr("Delete collection…"), lambda: confirm(
            nav, tr("Delete the collection “{name}” and those inside it? The records stay.").format(name=name),
            lambda: _do(nav, coll.delete_collection, cid)))
    return menu


def ask_name(parent: QWidget, title: str, current: str, then: Any) -> Ask:
    return ask(parent, title, tr("Name of the collection:"), current, then)


def _add(nav: Any, name: str, parent_id: int | None) -> None:
    _do(nav, lambda cat, n, p: coll.add_collection(cat, n, p), name, parent_id)


def _do(nav: Any, action: Any, *args: Any) -> None:
    try:
        action(nav.catalogue, *args)
    except KbaseError as exc:
        _warn(nav, exc)
        return
    nav.populate()


__all__ = ["install", "install_record_drag", "records_mime", "read_mime", "context_menu", "put_records", "MIME"]
