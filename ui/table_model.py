"""The record table's Qt model: it holds only ids and loads rows in blocks when the view paints them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, Qt

from kbase.errors import user_message
from ui.i18n import date_label, language, timestamp, tr, tr_message

BLOCK = 64  # rows loaded per database round trip; a screenful or two
QUICK_ROWS = 4 * BLOCK  # a quick first query reads this many ids, the rest come from a worker

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()  # a table's rows have no parent

if TYPE_CHECKING:
    from kbase.catalogue import query
    from kbase.catalogue.records import Catalogue

# The core's query modules are imported where used: the launch paints its first rows (ui/launch.py) with
# COLUMNS and row_texts() before SQLAlchemy is loaded.


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # English; translated when shown
    sort: str | None = None  # the core's sort key (kbase.catalogue.query.SORTS), None = not sortable
    shown: bool = True  # visible by default
    width: int = 120


def _table_date(year: int | None, month: int | None, month_end: int | None) -> str:
    """A month range with short month names ("Jan – Feb 2021", "janv. – févr. 2021"), so that it fits the
    column; the details pane spells the months out."""
    if year and month and month_end and month_end != month and 1 <= month <= 12 and 1 <= month_end <= 12:
        locale = QLocale(QLocale.Language.French if language() == "fr" else QLocale.Language.English)
        short = QLocale.FormatType.ShortFormat
        return f"{locale.monthName(month, short)} – {locale.monthName(month_end, short)} {year}"
    return date_label(year, month, month_end)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


COLUMNS: dict[str, list[Column]] = {
    "publication": [
        Column("title", "Title", "title", width=420),
        Column("authors", "Authors", None, width=170),
        Column("date", "Date", "year", width=135),  # "janv. – févr. 2021"
        Column("type", "Type", "type", width=100),
        Column("series", "Series", None, width=125),
        Column("number", "Number", None, shown=False, width=70),
        Column("language", "Language", None, shown=False, width=70),
        Column("visibility", "Visibility", None, shown=False, width=90),
        Column("id", "ID", "id", shown=False, width=60),
        Column("updated", "Modified", "updated", shown=False, width=150),
    ],
    "project": [
        Column("title", "Title", "title", width=420),
        Column("short_name", "Short name", None, width=120),
        Column("start", "Start", "start", width=100),
        Column("end", "End", None, width=100),
        Column("visibility", "Visibility", None, shown=False, width=90),
        Column("id", "ID", "id", shown=False, width=60),
    ],
    "organisation": [
        Column("name", "Name", "name", width=380),
        Column("acronym", "Acronym", None, width=110),
        Column("kind", "Kind", "kind", width=130),
        Column("country", "Country", None, width=120),
        Column("id", "ID", "id", shown=False, width=60),
    ],
    "person": [
        Column("name", "Name", "name", width=260),
        Column("role", "Role", "role", width=160),
        Column("title", "Position", None, width=240),
        Column("email", "E-mail", None, shown=False, width=200),
        Column("id", "ID", "id", shown=False, width=60),
    ],
    "event": [
        Column("date", "Date", "date", width=100),
        Column("title", "Title", "title", width=420),
        Column("kind", "Kind", None, width=120),
        Column("place", "Place", None, width=140),
        Column("id", "ID", "id", shown=False, width=60),
    ],
    "region": [
        Column("name", "Name", "name", width=260),
        Column("level", "Level", None, width=120),
        Column("name_fr", "French name", None, width=200),
        Column("id", "ID", "id", shown=False, width=60),
    ],
}


class RecordTableModel(QAbstractTableModel):
    """Rows of one record kind matching a core Filter, sorted by the core."""

    def __init__(self, catalogue: Catalogue, kind: str = "publication", parent: Any = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.kind = kind
        self.columns = COLUMNS[kind]
        from kbase.catalogue import query

        self.filter = query.Filter()
        self.sort_column = 0
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.ids: list[int] = []
        self._rows: dict[int, dict[str, str]] = {}  # record id -> column texts
        self._generation = 0  # bumped by every query, so a late background result is recognised
        self.error = ""  # the last query problem (shown by the window), "" when fine
        # quick_start: the next query reads only the first QUICK_ROWS ids (and the count); complete() reads
        # the rest in a worker. Start-up shows a large catalogue without waiting for 50,000 ids.
        self.quick_start = False
        self.partial = False  # ids past QUICK_ROWS are still None

    # -- what is shown -----------------------------------------------------------------------
    def set_kind(self, kind: str, filter: query.Filter | None = None) -> None:
        from kbase.catalogue import query

        self.beginResetModel()
        self.kind, self.columns = kind, COLUMNS[kind]
        self.filter = filter or query.Filter()
        self.sort_column, self.sort_order = 0, Qt.SortOrder.AscendingOrder
        self._query()
        self.endResetModel()

    def set_filter(self, filter: query.Filter) -> None:
        self.beginResetModel()
        self.filter = filter
        self._query()
        self.endResetModel()

    def set_text(self, text: str) -> None:
        """The quick filter above the table: words in the title or name, through the core."""
        self.set_filter(replace(self.filter, text=text.strip() or None))

    def retranslate(self) -> None:
        """Texts of loaded rows (types, dates) are in the old language: forget them; the view asks again."""
        self._rows.clear()
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(self.columns) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)

    def reload(self) -> None:
        """Query again and forget loaded rows (after edits)."""
        self.beginResetModel()
        self._query()
        self.endResetModel()

    def reload_in_background(self, then: Callable[[], Any] | None = None) -> None:
        """Like reload(), with the query in a worker: the GUI stays free while a large catalogue is read.

        A newer query (sort, filter, another kind) made meanwhile wins; the late result is dropped."""
        from ui import tasks

        self._generation += 1
        generation, kind = self._generation, self.kind
        column = self.columns[self.sort_column] if self.sort_column < len(self.columns) else self.columns[0]
        descending = self.sort_order == Qt.SortOrder.DescendingOrder

        def done(ids: list[int]) -> None:
            if generation != self._generation or kind != self.kind:
                return
            self.beginResetModel()
            self.ids, self.error, self.partial = ids, "", False
            self._rows.clear()
            self.endResetModel()
            if then is not None:
                then()

        def failed(message: str) -> None:  # the rows read so far stay; the window says why the rest did not come
            if generation != self._generation or kind != self.kind:
                return
            self.error = message
            if self.ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(self.columns) - 1))
            if then is not None:
                then()

        tasks.run(_find_ids, self.catalogue.library, kind, replace(self.filter), column.sort or None, descending,
                  on_result=done, on_error=failed, parent=self)

    def _query(self) -> None:
        from kbase.catalogue import query
        from kbase.errors import KbaseError

        self._generation += 1
        self._rows.clear()
        column = self.columns[self.sort_column] if self.sort_column < len(self.columns) else self.columns[0]
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        quick, self.quick_start, self.partial = self.quick_start, False, False
        try:
            if quick:
                ids: list[Any] = query.find_ids(self.catalogue, self.kind, self.filter, sort=column.sort or None,
                                                descending=descending, limit=QUICK_ROWS)
                if len(ids) == QUICK_ROWS:
                    total = query.count(self.catalogue, self.kind, self.filter)
                    ids += [None] * (total - len(ids))
                    self.partial = total > QUICK_ROWS
                self.ids = ids
            else:
                self.ids = query.find_ids(self.catalogue, self.kind, self.filter, sort=column.sort or None,
                                          descending=descending)
            self.error = ""
        except KbaseError as exc:
            self.ids, self.error = [], str(exc)

    def complete(self, then: Callable[[], Any] | None = None) -> None:
        """After a quick first query: read all the ids in a worker (nothing to do when they are all here)."""
        if self.partial:
            self.reload_in_background(then)

    # -- sorting (through the core) ------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sort:
            return
        if (column, order) == (self.sort_column, self.sort_order) and self.ids:
            return
        self.layoutAboutToBeChanged.emit()
        # keep selections and the current row on the same records after the re-sort
        old = self.persistentIndexList()
        old_ids = [self.id_at(i.row()) for i in old]
        self.sort_column, self.sort_order = column, order
        self._query()
        where = {rid: row for row, rid in enumerate(self.ids)}
        new = [self.index(where[rid], i.column()) if rid in where else QModelIndex()
               for i, rid in zip(old, old_ids, strict=True)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self.columns) and bool(self.columns[column].sort)

    # -- lookups for the window -----------------------------------------------------------------
    def id_at(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def row_of(self, record_id: int) -> int:
        try:
            return self.ids.index(record_id)
        except ValueError:
            return -1

    # -- Qt model interface ------------------------------------------------------------------------
    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return tr(self.columns[section].title)
            if role == Qt.ItemDataRole.ToolTipRole and not self.columns[section].sort:
                return tr("This column cannot be sorted")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (not index.isValid() or not (0 <= index.row() < len(self.ids))
                or not (0 <= index.column() < len(self.columns))):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            record_id = self.ids[index.row()]
            if record_id is None:  # past a quick first query: blank until complete() has the ids, unless it failed
                row = self._problem(self._unreadable(self.error)) if self.error else {}
            else:
                row = self._rows.get(record_id)
                if row is None:
                    self._fetch_block(index.row())
                    row = self._rows.get(record_id, {})
            text = row.get(self.columns[index.column()].key, "")
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 40 else None
            return text
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[index.row()]
        return None

    # -- block loading ---------------------------------------------------------------------------
    def _fetch_block(self, row: int) -> None:
        start = row - row % BLOCK
        ids = [i for i in self.ids[start:start + BLOCK] if i is not None and i not in self._rows]
        if not ids:
            return
        from kbase.catalogue import views

        try:
            rows = views.table_rows(self.catalogue, self.kind, ids, authors=self._shows("authors"))
        except Exception as exc:  # noqa: BLE001 - a lost connection or a damaged catalogue: said in the rows
            problem = self._problem(self._unreadable(user_message(exc)))
            self._rows.update({rid: problem for rid in ids})
            return
        for found in rows:
            self._rows[found["id"]] = self._texts(found)
        for missing in set(ids) - {r["id"] for r in rows}:  # deleted meanwhile, by another window or user
            self._rows[missing] = self._problem(tr("⚠ this record is no longer in the catalogue"))

    def _shows(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)

    @staticmethod
    def _unreadable(message: str) -> str:
        return tr("⚠ could not read this record: {message}").format(message=tr_message(message))

    def _problem(self, text: str) -> dict[str, str]:
        """A row that says why it is empty, in its first column."""
        return {self.columns[0].key: text}

    def _texts(self, row: dict[str, Any]) -> dict[str, str]:
        return row_texts(self.kind, self.columns, row)


def row_texts(kind: str, columns: list[Column], row: dict[str, Any]) -> dict[str, str]:
    """The texts a table shows for one record's row (as kbase.catalogue.views.table_rows gives it)."""
    texts = {c.key: _text(row.get(c.key)) for c in columns}
    if kind == "publication":
        texts["date"] = _table_date(row["year"], row["month"], row["month_end"])
        texts["type"] = tr(row["type"]) if row["type"] else ""
        texts["visibility"] = tr(row["visibility"])
        texts["series"] = row["series"] or ""
        if row["series_id"] and row["number"]:
            texts["series"] += f" {row['number']}"
        texts["updated"] = timestamp(row["updated"]) if row["updated"] else ""
        if "authors" in row:
            texts["authors"] = _authors(row["authors"])
    elif kind in ("organisation", "person", "event", "region", "project"):
        for key in ("kind", "role", "level", "visibility"):
            if texts.get(key):
                texts[key] = tr(texts[key])
    return texts


def _find_ids(library: Any, kind: str, f: query.Filter, sort: str | None, descending: bool) -> list[int]:
    """Worker thread: the ids on a catalogue of its own."""
    from kbase.catalogue import query
    from kbase.catalogue.records import Catalogue

    return query.find_ids(Catalogue(library), kind, f, sort=sort, descending=descending)


def _authors(names: list[str]) -> str:
    if len(names) > 3:
        return f"{names[0]}, {names[1]}, {names[2]} " + tr("et al.")
    return "; ".join(names)


__all__ = ["RecordTableModel", "Column", "COLUMNS", "BLOCK", "row_texts"]
