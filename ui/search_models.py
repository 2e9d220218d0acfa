"""Qt models for search: hits grouped by publication (pages as children) and facets with counts."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from kbase.i18n import N_
from ui.i18n import tr

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: a top row's parent
ROLE_HIT = Qt.ItemDataRole.UserRole + 1  # (publication_id, attachment_id | None, page | None)
ROLE_HTML = Qt.ItemDataRole.UserRole + 2  # the snippet with <b> marks, for the delegate
NO_PARENT = 0xFFFFFFFF  # internal id of a top-level (publication) row

_TAGS = re.compile(r"<[^>]+>")


def strip_tags(html_text: str) -> str:
    return (_TAGS.sub("", html_text or "").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&"))


def marked_terms(html_text: str) -> list[str]:
    """The words a snippet highlights (<b>, <em>, <mark>), in order, without repeats."""
    found = re.findall(r"<(b|em|mark|strong)[^>]*>(.*?)</\1>", html_text or "", flags=re.S | re.I)
    return list(dict.fromkeys(strip_tags(text).strip() for _tag, text in found if strip_tags(text).strip()))


FACET_HEADERS = (N_("Facet"), N_("Count"))


class _TwoLevelModel(QAbstractItemModel):
    """A tree two levels deep: top rows, each with its children; a child's internal id is its parent's row."""

    def _children(self) -> list[int]:
        """How many children each top row has."""
        raise NotImplementedError

    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, NO_PARENT)
        if parent.internalId() != NO_PARENT:
            return QModelIndex()
        return self.createIndex(row, column, parent.row())

    def parent(self, index: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == NO_PARENT:
            return QModelIndex()
        return self.createIndex(int(index.internalId()), 0, NO_PARENT)

    def rowCount(self, parent: Index = ROOT) -> int:
        children = self._children()
        if not parent.isValid():
            return len(children)
        if parent.internalId() == NO_PARENT and parent.column() == 0 and 0 <= parent.row() < len(children):
            return children[parent.row()]
        return 0


class HitsModel(_TwoLevelModel):
    """Top level: one row per publication; children: its pages with a snippet."""

    COLUMNS = ("Title", "Date", "Type")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.hits: list[Any] = []
        self.total = 0

    def set_result(self, hits: list[Any], total: int) -> None:
        self.beginResetModel()
        self.hits, self.total = list(hits), total
        self.endResetModel()

    def clear(self) -> None:
        self.set_result([], 0)

    # -- structure -------------------------------------------------------------------------
    def _children(self) -> list[int]:
        return [len(hit.pages) for hit in self.hits]

    def columnCount(self, parent: Index = ROOT) -> int:
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return tr(self.COLUMNS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- content -----------------------------------------------------------------------------
    def hit_at(self, index: Index) -> tuple[Any, Any]:
        """(PubHit, PageHit or None) for an index."""
        if not index.isValid():
            return None, None
        if index.internalId() == NO_PARENT:
            return self.hits[index.row()], None
        hit = self.hits[int(index.internalId())]
        return hit, hit.pages[index.row()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractItemModel.CheckIndexOption.IndexIsValid):
            return None
        hit, page = self.hit_at(index)
        col = index.column()
        if role == ROLE_HIT:
            return (hit.publication_id, page.attachment_id if page else None, page.page if page else None)
        if page is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                if col == 0:
                    return hit.title
                if col == 1:
                    return str(hit.year or "")
                if col == 2:
                    return tr(hit.type) if hit.type else ""
            if role == ROLE_HTML and col == 0:
                return getattr(hit, "snippet", "") or ""
            return None
        if col != 0:
            return None
        label = tr("p. {n}").format(n=page.page)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{label}  {strip_tags(page.snippet_html)}"
        if role == ROLE_HTML:
            return f"<span class='page'>{label}</span>&nbsp;&nbsp;{page.snippet_html}"  # grey unless selected
        if role == Qt.ItemDataRole.ToolTipRole:
            return strip_tags(page.snippet_html)
        return None


class FacetModel(_TwoLevelModel):
    """Facet names at the top, their values with counts below; chosen values are checked."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.groups: list[tuple[str, list[tuple[str, str, int]]]] = []
        self.chosen: dict[str, str] = {}

    def set_facets(self, facets: dict[str, list[tuple[Any, str, int]]], chosen: dict[str, str]) -> None:
        self.beginResetModel()
        self.groups = [(name, [(str(v), str(label), int(n)) for v, label, n in values])
                       for name, values in facets.items() if values]
        self.chosen = dict(chosen)
        self.endResetModel()

    def _children(self) -> list[int]:
        return [len(values) for _name, values in self.groups]

    def columnCount(self, parent: Index = ROOT) -> int:
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 2:
            return tr(FACET_HEADERS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def facet_at(self, index: Index) -> tuple[str, str | None]:
        """(facet name, value) of a value row; (facet name, None) for a heading."""
        if not index.isValid():
            return "", None
        if index.internalId() == NO_PARENT:
            return self.groups[index.row()][0], None
        name, values = self.groups[int(index.internalId())]
        return name, values[index.row()][0]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractItemModel.CheckIndexOption.IndexIsValid):
            return None
        if index.internalId() == NO_PARENT:
            name = self.groups[index.row()][0]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return tr(FACET_TITLES.get(name, name.capitalize()))
            return None
        name, values = self.groups[int(index.internalId())]
        value, label, count = values[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return tr(label) if name in ("type", "language") else label
            return str(count)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return label
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            return Qt.CheckState.Checked if self.chosen.get(name) == value else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


FACET_TITLES = {"type": "Type", "year": "Year", "series": "Series", "project": "Project", "programme": "Programme",
                "region": "Region", "organisation": "Organisation", "subject": "Subject", "language": "Language"}

__all__ = ["HitsModel", "FacetModel", "marked_terms", "strip_tags", "ROLE_HIT", "ROLE_HTML"]
