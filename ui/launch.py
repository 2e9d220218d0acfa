"""The launch's first paint: the main window's layout with the first screenful of publications, read without
the ORM (kbase.catalogue.firstpage), shown while the catalogue and the real window (ui/main_window.py) load.

Importing SQLAlchemy, SQLModel and the models takes longer than a launch may; this window needs none of
them. It takes the real window's geometry, splitter, table header and sort from the settings, so the real
window comes up on top of it in the same place and closes it once it has painted.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.firstpage import FirstPage, first_page
from ui.i18n import tr, tr_n
from ui.resources import icon
from ui.table_model import COLUMNS, QUICK_ROWS, Column, row_texts

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
# the navigator's first level as ui/navigator.py builds it (that module needs the models)
NAVIGATOR = [("publication", "Publications"), ("project", "Projects"), ("organisation", "Organisations"),
             ("person", "People"), ("event", "Events"), ("region", "Regions"), ("programme", "Programmes"),
             ("series", "Publication series"), ("subject", "Subjects"), ("collection", "Collections"),
             ("saved", "Saved searches"), ("trash", "Trash")]
TOOLBAR = ["back", "forward", None, "new", "edit", "delete", None, "import", "report"]  # ui/window_actions.py's
IDLE = {"back", "forward", "edit", "delete"}  # disabled in the real window until there is something to do


class FirstRows(QAbstractTableModel):
    """total rows; the first ones' texts as the record table shows them, the rest blank until the real table."""

    def __init__(self, columns: list[Column], page: FirstPage, parent: Any = None):
        super().__init__(parent)
        self.columns, self.total, self.rows = columns, page.total, page.rows
        self.texts: dict[int, dict[str, str]] = {}  # formatted when the view first asks (a screenful)

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.columns[section].title)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if role != Qt.ItemDataRole.DisplayRole or not 0 <= row < len(self.rows):
            return None
        if row not in self.texts:
            self.texts[row] = row_texts("publication", self.columns, self.rows[row])
        return self.texts[row].get(self.columns[index.column()].key, "")


def _header_sort(table: QTableView, columns: list[Column], settings: QSettings) -> tuple[str, bool]:
    """Set the header up as ui/record_table.py does; the core's sort key and direction it shows."""
    header = table.horizontalHeader()
    for col, c in enumerate(columns):
        header.setSectionHidden(col, not c.shown)
        header.resizeSection(col, c.width)
    state = settings.value("table/publication/header")
    if isinstance(state, QByteArray) and not state.isEmpty():
        header.restoreState(state)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
    if not (0 <= column < len(columns) and columns[column].sort):
        column, order = 0, Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, order)
    return columns[column].sort or "title", order == Qt.SortOrder.DescendingOrder


class LaunchWindow(QMainWindow):
    """Looks like the main window with its list of publications; does nothing but show them."""

    closed_by_user = Signal()  # the window's close button: the main window, once there, closes too

    def __init__(self, location: str, title: str, settings: QSettings):
        super().__init__()
        self.setObjectName("launch_window")
        self.setMinimumSize(900, 560)  # as the main window
        self.setWindowTitle(title + " — " + tr("Kbase"))
        self.page: FirstPage | None = None
        self.table = QTableView(self)
        self.table.setObjectName("records")
        columns = COLUMNS["publication"]
        self.table.setModel(FirstRows(columns, FirstPage(0), self.table))  # the header needs its columns
        self._style_table()
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # as ui/record_table.py, before the saved state
        header.setSortIndicatorShown(True)
        sort, descending = _header_sort(self.table, columns, settings)
        self.page = first_page(location, QUICK_ROWS, sort, descending)
        if self.page is None:
            return
        state = header.saveState()
        self.table.setModel(FirstRows(columns, self.page, self.table))
        header.restoreState(state)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._build(settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous():
            self.closed_by_user.emit()
        super().closeEvent(event)

    def _style_table(self) -> None:
        t = self.table
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.setShowGrid(False)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(24)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = t.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setHighlightSections(False)

    def _build(self, settings: QSettings) -> None:
        bar = self.menuBar()
        for title in ("&File", "&Edit", "&View", "&Help"):
            bar.addMenu(tr(title))  # empty: the main window's menus come with it
        toolbar = QToolBar(self)
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        for name in TOOLBAR:
            if name is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(icon(name), "").setEnabled(name not in IDLE)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        search = QLineEdit(self)
        search.setObjectName("search_field")
        search.setMinimumWidth(360)
        search.setPlaceholderText(tr("Search the full text (e.g. cobalt AND year:2021)"))
        toolbar.addWidget(search)
        self.addToolBar(toolbar)

        navigator = QTreeView(self)
        navigator.setObjectName("navigator")
        navigator.setHeaderHidden(True)
        navigator.setUniformRowHeights(True)
        navigator.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        items = QStandardItemModel(navigator)
        for key, title in NAVIGATOR:
            items.appendRow(QStandardItem(icon(key), tr(title)))
        navigator.setModel(items)
        navigator.setCurrentIndex(items.index(0, 0))

        browse = QWidget(self)
        lay = QVBoxLayout(browse)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        top = QWidget(browse)
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(6, 6, 6, 0)
        heading = QLabel(tr("Publications"), top)
        heading.setObjectName("heading")
        filter_field = QLineEdit(top)
        filter_field.setObjectName("filter_field")
        filter_field.setPlaceholderText(tr("Filter by title or name"))
        top_lay.addWidget(heading)
        top_lay.addWidget(filter_field)
        lay.addWidget(top)
        lay.addWidget(self.table)
        tabs = QTabWidget(self)
        tabs.setObjectName("tabs")
        tabs.setDocumentMode(True)
        tabs.addTab(browse, icon("publication"), tr("Library"))

        details = QTabWidget(self)
        details.setObjectName("details_tabs")
        details.setDocumentMode(True)
        empty = QTextBrowser(details)
        empty.setObjectName("details")
        empty.document().setDefaultStyleSheet("p.empty { color: #6b7785; }")  # ui/details.py's
        empty.setHtml(f"<p class='empty'>{html.escape(tr('Select a record to see its details.'))}</p>")
        details.addTab(empty, tr("Details"))
        details.addTab(QWidget(details), tr("History"))

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("main_splitter")
        for pane in (navigator, tabs, details):
            splitter.addWidget(pane)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 900, 400])
        splitter.setChildrenCollapsible(False)
        sizes = settings.value("window/splitter")
        if isinstance(sizes, QByteArray) and not sizes.isEmpty():
            splitter.restoreState(sizes)
        self.setCentralWidget(splitter)

        assert self.page is not None
        n = self.page.total
        count = QLabel(tr_n("{n} publication", "{n} publications", n).format(n=f"{n:,}".replace(",", "\u202f")), self)
        self.statusBar().addWidget(count, 1)
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 900)
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)


def launch_window(location: str, title: str, settings: QSettings) -> LaunchWindow | None:
    """The shell with the library's first publications, or None when the fast read cannot serve this library
    (PostgreSQL, no catalogue yet, an empty one, which shows the first-run panel, or an unexpected schema)."""
    window = LaunchWindow(location, title, settings)
    if window.page is None or window.page.total == 0:
        window.deleteLater()
        return None
    return window





def shoot_launch(app: Any, location: str, lang: str, out: Any) -> None:
    """launch-window-LANG.png for ui/screenshots.py: what the launch paints before the main window comes."""
    from ui import i18n
    from ui.app import settings
    from ui.screenshots import SIZE, save, settle

    i18n.set_language(lang)
    window = launch_window(location, "library", settings())
    assert window is not None, "the screenshots' library has publications"
    window.resize(*SIZE)
    window.show()
    settle(app)
    save(window, out / f"launch-window-{lang}.png")
    window.close()
    window.deleteLater()
__all__ = ["LaunchWindow", "launch_window", "FirstRows", "shoot_launch"]
