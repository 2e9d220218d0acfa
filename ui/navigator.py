"""The navigator on the left: record kinds, the region tree, programmes, series, subjects and saved searches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from kbase.catalogue import query
from kbase.catalogue.records import Catalogue
from kbase.i18n import N_
from kbase.library import models as m
from ui import tasks
from ui.first_paint import after_first_paint
from ui.i18n import language, tr
from ui.resources import icon

ROLE_TARGET = Qt.ItemDataRole.UserRole + 1
ROLE_LABEL = Qt.ItemDataRole.UserRole + 2  # the untranslated or record name, before the count
ROLE_LABEL_FR = Qt.ItemDataRole.UserRole + 3  # a region's French name, shown in the French interface

KINDS = [("publication", "Publications"), ("project", "Projects"), ("organisation", "Organisations"),
         ("person", "People"), ("event", "Events")]
# group key, English heading, record model, Filter field the entries set
GROUPS = [("region", "Regions", m.Region, "region"), ("programme", "Programmes", m.Programme, "programme"),
          ("series", "Publication series", m.Series, "series"), ("subject", "Subjects", m.Subject, "subject"),
          ("collection", "Collections", m.Collection, "collection")]


@dataclass
class Target:
    """What a navigator entry shows when chosen."""

    kind: str = "publication"
    filter: query.Filter = field(default_factory=query.Filter)
    saved_search: int | None = None  # id of a SavedSearch
    heading: str = ""  # group heading entries only do nothing


class Navigator(QTreeView):
    chosen = Signal(object)  # Target
    ready = Signal()  # the groups are filled

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.model_ = QStandardItemModel(self)
        self.setModel(self.model_)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setObjectName("navigator")
        self._counts: dict[tuple[str, int | str], int] = {}
        self._count_task: tasks.Task | None = None
        self.clicked.connect(self._on_clicked)
        self.activated.connect(self._on_clicked)
        self.expanded.connect(self._count_children)
        from ui import collections_tree

        collections_tree.install(self)  # context menu and drops on collections
        self.populate()

    # -- building ------------------------------------------------------------------------
    def populate(self) -> None:
        """Rebuild the tree: kinds and headings now, the entries of each group from a worker.

        A gazetteer may hold thousands of regions; reading them must not delay the first paint."""
        self._expanded_before = self._expanded_keys() | getattr(self, "_expanded_before", set())
        self.loaded = False
        self.model_.clear()
        root = self.model_.invisibleRootItem()
        for kind, title in KINDS:
            root.appendRow(self._item(title, ("kind", kind), Target(kind), icon(kind), translate=True))
        self._heads: dict[str, QStandardItem] = {}
        for key, title, _model, _field in GROUPS + [("saved", N_("Saved searches"), m.SavedSearch, "")]:
            head = self._item(title, ("group", key), Target(heading=key), icon(key), translate=True)
            head.setSelectable(False)
            root.appendRow(head)
            self._heads[key] = head
        root.appendRow(self._item(N_("Trash"), ("trash", 0), Target(heading="trash"), icon("trash"), translate=True))
        self._show_counts()
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        # after the window's first paint: the table matters first (a worker would take the GIL from the paint)
        after_first_paint(self.viewport(), lambda: QTimer.singleShot(50, self, lambda: tasks.run(
            _group_entries, self.catalogue.library, on_result=lambda e: self._fill(generation, e), parent=self)))

    def _fill(self, generation: int, entries: dict[str, list[tuple[int, str, int | None, str | None]]]) -> None:
        if generation != self._generation:
            return  # a newer populate() is on its way
        for key, rows in entries.items():
            # items are built off the model and attached in one call: thousands of regions, one signal
            top: list[QStandardItem] = []
            if key in ("region", "collection"):
                items: dict[int, QStandardItem] = {}
                for rid, name, parent_id, name_fr in rows:  # parents come first (sorted by depth)
                    item = self._item(name, (key, rid), Target("publication", query.Filter(**{key: str(rid)})),
                                      icon("collection") if key == "collection" else None)
                    if name_fr:
                        item.setData(name_fr, ROLE_LABEL_FR)
                    items[rid] = item
                    parent = items.get(parent_id) if parent_id else None
                    parent.appendRow(item) if parent is not None else top.append(item)
            elif key == "saved":
                top = [self._item(name, ("saved", sid), Target(saved_search=sid), icon("search"))
                       for sid, name, _p, _f in rows]
            else:
                top = [self._item(name, (key, rid), Target("publication", query.Filter(**{key: str(rid)})))
                       for rid, name, _p, _f in rows]
            if top:
                self._heads[key].appendRows(top)
        for item in self._walk():
            if self._key(item) in self._expanded_before:
                self.setExpanded(item.index(), True)
        self._expanded_before = set()
        self.loaded = True
        self._show_counts()
        self.ready.emit()
        # counts run in a worker; wait for the first paint so they do not compete with the start-up
        QTimer.singleShot(200, self, self.refresh_counts)

    def _item(self, label: str, key: tuple[str, Any], target: Target, item_icon: Any = None,
              translate: bool = False) -> QStandardItem:
        item = QStandardItem(tr(label) if translate else label)
        item.setData(label, ROLE_LABEL)
        item.setData((key, target, translate), ROLE_TARGET)
        item.setEditable(False)
        if item_icon is not None:
            item.setIcon(item_icon)
        return item

    @staticmethod
    def _key(item: QStandardItem) -> tuple[str, Any]:
        return item.data(ROLE_TARGET)[0]

    def _walk(self, parent: QStandardItem | None = None) -> list[QStandardItem]:
        parent = parent or self.model_.invisibleRootItem()
        out = []
        for row in range(parent.rowCount()):
            child = parent.child(row)
            out.append(child)
            out.extend(self._walk(child))
        return out

    def _expanded_keys(self) -> set[tuple[str, Any]]:
        return {self._key(i) for i in self._walk() if self.isExpanded(i.index())}

    # -- counts (in the background: tens of queries on a large catalogue) ------------------------
    def refresh_counts(self) -> None:
        """Count what can be seen: kinds, group entries and the children of expanded regions.

        A gazetteer may hold thousands of regions; the rest are counted when their parent opens."""
        if self._count_task is not None and not self._count_task.done:
            self._count_task.cancel()
        jobs = [job for item in self._walk() if self._visible(item) for job in [self._job(item)] if job]
        self._count_task = tasks.run(_count_all, self.catalogue.library, jobs,
                                     on_result=lambda c: self._got_counts(c, replace=True), pass_control=True,
                                     parent=self)

    def _visible(self, item: QStandardItem) -> bool:
        parent = item.parent()
        return parent is None or parent.parent() is None or self.isExpanded(parent.index())

    @staticmethod
    def _job(item: QStandardItem) -> tuple[tuple[str, Any], str, query.Filter] | None:
        key, target, _ = item.data(ROLE_TARGET)
        return (key, target.kind, target.filter) if key[0] in ("kind", "region", "programme", "series", "subject",
                                                                "collection") else None

    def _count_children(self, index: QModelIndex) -> None:
        item = self.model_.itemFromIndex(index)
        if item is None:
            return
        jobs = [job for row in range(item.rowCount()) for job in [self._job(item.child(row))]
                if job and job[0] not in self._counts]
        if jobs:
            tasks.run(_count_all, self.catalogue.library, jobs, on_result=self._got_counts, pass_control=True,
                      parent=self)

    def _got_counts(self, counts: dict[tuple[str, Any], int] | None, replace: bool = False) -> None:
        if counts:
            self._counts = dict(counts) if replace else {**self._counts, **counts}
            self._show_counts()

    def _show_counts(self) -> None:
        for item in self._walk():
            key, _target, translate = item.data(ROLE_TARGET)
            label = item.data(ROLE_LABEL)
            text = tr(label) if translate else label
            if language() == "fr" and item.data(ROLE_LABEL_FR):
                text = item.data(ROLE_LABEL_FR)
            n = self._counts.get(key)
            item.setText(f"{text}  ({n})" if n is not None else text)

    # -- behaviour ---------------------------------------------------------------------------------
    def _on_clicked(self, index: QModelIndex) -> None:
        item = self.model_.itemFromIndex(index)
        if item is None:
            return
        _key, target, _ = item.data(ROLE_TARGET)
        if _key == ("trash", 0):
            self.open_trash()
            return
        if target.heading:
            self.setExpanded(index, not self.isExpanded(index))
            return
        self.chosen.emit(target)

    def open_trash(self) -> Any:
        from ui.trash_dialog import TrashDialog

        dialog = TrashDialog(self.catalogue, self.window())
        dialog.open()
        return dialog

    def select_kind(self, kind: str) -> None:
        for item in self._walk():
            if self._key(item) == ("kind", kind):
                self.setCurrentIndex(item.index())
                return

    def retranslate(self) -> None:
        self._show_counts()  # headings and region names follow the language; no need to rebuild


def _group_entries(library: Any) -> dict[str, list[tuple[int, str, int | None, str | None]]]:
    """Worker thread: (id, name, parent id, French name) of regions, programmes, series, subjects, saved searches."""
    cat = Catalogue(library)
    out: dict[str, list[tuple[int, str, int | None, str | None]]] = {}
    for key, _title, model, _field in GROUPS:
        records = cat.all(model)
        if key == "region":
            records.sort(key=lambda r: (r.path.count("/"), r.name.lower()))
            out[key] = [(r.id, r.name, r.parent_id, r.name_fr) for r in records]
        elif key == "collection":  # in path order: a parent before its children
            from kbase.catalogue.collections import collections

            out[key] = [(c["id"], c["name"], c["parent_id"], None) for c in collections(cat)]
        else:
            out[key] = [(r.id, r.name, None, None) for r in sorted(records, key=lambda r: r.name.lower())]
    out["saved"] = [(s.id, s.name, None, None) for s in sorted(cat.all(m.SavedSearch), key=lambda s: s.name.lower())]
    return out


def _count_all(library: Any, jobs: list[tuple[tuple[str, Any], str, query.Filter]],
               progress: Any = None, cancel: Any = None) -> dict[tuple[str, Any], int] | None:
    """Counts for navigator entries, on a catalogue of its own (the GUI's is not shared across threads)."""
    cat = Catalogue(library)
    out: dict[tuple[str, Any], int] = {}
    for key, kind, f in jobs:
        if cancel and cancel():
            return None
        try:
            out[key] = query.count(cat, kind, f)
        except Exception:  # a record deleted meanwhile: leave that count out
            continue
    return out


__all__ = ["Navigator", "Target"]
