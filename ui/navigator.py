"""The navigator on the left: record kinds, the region tree, programmes, series, subjects and saved searches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from kbase import models as m
from kbase import query
from kbase.catalogue import Catalogue
from ui import tasks
from ui.i18n import language, tr
from ui.resources import icon

ROLE_TARGET = Qt.ItemDataRole.UserRole + 1
ROLE_LABEL = Qt.ItemDataRole.UserRole + 2  # the untranslated or record name, before the count

KINDS = [("publication", "Publications"), ("project", "Projects"), ("organisation", "Organisations"),
         ("person", "People"), ("event", "Events")]
# group key, English heading, record model, Filter field the entries set
GROUPS = [("region", "Regions", m.Region, "region"), ("programme", "Programmes", m.Programme, "programme"),
          ("series", "Publication series", m.Series, "series"), ("subject", "Subjects", m.Subject, "subject")]


@dataclass
class Target:
    """What a navigator entry shows when chosen."""

    kind: str = "publication"
    filter: query.Filter = field(default_factory=query.Filter)
    saved_search: int | None = None  # id of a SavedSearch
    heading: str = ""  # group heading entries only do nothing


class Navigator(QTreeView):
    chosen = Signal(object)  # Target

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
        self.populate()

    # -- building ------------------------------------------------------------------------
    def populate(self) -> None:
        """Rebuild the tree from the catalogue (cheap: names only; counts come from a background task)."""
        expanded = self._expanded_keys()
        self.model_.clear()
        root = self.model_.invisibleRootItem()
        for kind, title in KINDS:
            root.appendRow(self._item(title, ("kind", kind), Target(kind), icon(kind), translate=True))
        for key, title, model, _field in GROUPS:
            head = self._item(title, ("group", key), Target(heading=key), icon(key), translate=True)
            head.setSelectable(False)
            root.appendRow(head)
            self._fill_group(head, key, model)
        saved = self._item("Saved searches", ("group", "saved"), Target(heading="saved"), icon("saved"), translate=True)
        saved.setSelectable(False)
        root.appendRow(saved)
        for s in self.catalogue.all(m.SavedSearch):
            saved.appendRow(self._item(s.name, ("saved", s.id), Target(saved_search=s.id), icon("search")))
        for row in range(root.rowCount()):
            item = root.child(row)
            if item.data(ROLE_LABEL) and self._key(item) in expanded:
                self.setExpanded(item.index(), True)
        self._show_counts()
        self.refresh_counts()

    def _fill_group(self, head: QStandardItem, key: str, model: type) -> None:
        records = self.catalogue.all(model)
        if key == "region":
            items: dict[int, QStandardItem] = {}
            for r in sorted(records, key=lambda r: (r.path.count("/"), r.name)):
                item = self._item(self._region_name(r), ("region", r.id), Target("publication", query.Filter(region=str(r.id))))
                items[r.id] = item
                (items.get(r.parent_id) or head).appendRow(item)
            return
        for rec in sorted(records, key=lambda r: r.name.lower()):
            target = Target("publication", query.Filter(**{key: str(rec.id)}))
            head.appendRow(self._item(rec.name, (key, rec.id), target))

    def _region_name(self, region: m.Region) -> str:
        return (region.name_fr if language() == "fr" and region.name_fr else region.name)

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
        if self._count_task is not None and not self._count_task.done:
            self._count_task.cancel()
        jobs: list[tuple[tuple[str, Any], str, query.Filter]] = []
        for item in self._walk():
            key, target, _ = item.data(ROLE_TARGET)
            if key[0] in ("kind", "region", "programme", "series", "subject"):
                jobs.append((key, target.kind, target.filter))
        self._count_task = tasks.run(_count_all, self.catalogue.library, jobs, on_result=self._got_counts,
                                     pass_control=True, parent=self)

    def _got_counts(self, counts: dict[tuple[str, Any], int] | None) -> None:
        if counts:
            self._counts = counts
            self._show_counts()

    def _show_counts(self) -> None:
        for item in self._walk():
            key, _target, translate = item.data(ROLE_TARGET)
            label = item.data(ROLE_LABEL)
            text = tr(label) if translate else label
            n = self._counts.get(key)
            item.setText(f"{text}  ({n})" if n is not None else text)

    # -- behaviour ---------------------------------------------------------------------------------
    def _on_clicked(self, index: QModelIndex) -> None:
        item = self.model_.itemFromIndex(index)
        if item is None:
            return
        _key, target, _ = item.data(ROLE_TARGET)
        if target.heading:
            self.setExpanded(index, not self.isExpanded(index))
            return
        self.chosen.emit(target)

    def select_kind(self, kind: str) -> None:
        for item in self._walk():
            if self._key(item) == ("kind", kind):
                self.setCurrentIndex(item.index())
                return

    def retranslate(self) -> None:
        self.populate()


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
