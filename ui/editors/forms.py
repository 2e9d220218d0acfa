"""The form of each record kind (which fields, on which tab) and its validation rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue import views
from kbase.catalogue.editing import RecordState
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from ui.editors.base import FieldSpec as F
from ui.editors.pickers import LinkListEditor
from ui.i18n import tr, tr_message, tr_n

LANGUAGES = ("en", "fr", "nl", "sw", "pt", "es", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "French", "nl": "Dutch", "sw": "Swahili", "pt": "Portuguese",
                  "es": "Spanish", "de": "German"}


class AssignmentsEditor(QWidget):
    """A project's assignments: one row per year, each with its client organisations.

    What the contract says beyond its clients (its title, reference, how it names a client) is
    kept in `details` and edited in an AssignmentDetails next to it."""

    year_changed = Signal()

    def __init__(self, cat: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.cat = cat
        self._data: dict[int, list[int]] = {}
        self.details: dict[int, dict[str, Any]] = {}
        self.years = QListWidget(self)
        self.years.setMaximumWidth(110)
        self.year = QSpinBox(self)
        self.year.setRange(1990, 2100)
        self.year.setValue(2021)
        add = QPushButton(tr("Add year"), self)
        add.clicked.connect(self._add_year)
        remove = QPushButton(tr("Remove year"), self)
        remove.clicked.connect(self._remove_year)
        self.clients = LinkListEditor(cat, "organisation", self)
        self.clients.changed.connect(self._store)
        self.clients.setEnabled(False)
        self.years.currentItemChanged.connect(self._show)
        left = QVBoxLayout()
        left.addWidget(self.years)
        left.addWidget(self.year)
        left.addWidget(add)
        left.addWidget(remove)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left)
        layout.addWidget(self.clients, 1)

    def set_state(self, value: dict[int, list[int]] | None) -> None:
        self._data = {int(y): list(c) for y, c in (value or {}).items()}
        self._fill()

    def state(self) -> dict[int, list[int]]:
        return dict(sorted(self._data.items()))

    def _fill(self, select: int | None = None) -> None:
        self.years.clear()
        for year in sorted(self._data, reverse=True):
            item = QListWidgetItem(str(year))
            item.setData(Qt.ItemDataRole.UserRole, year)
            self.years.addItem(item)
            if year == select:
                self.years.setCurrentItem(item)
        if select is None and self.years.count():
            self.years.setCurrentRow(0)

    def _current(self) -> int | None:
        item = self.years.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show(self) -> None:
        year = self._current()
        self.clients.setEnabled(year is not None)
        self.clients.set_ids(self._data.get(year, []) if year is not None else [])
        labels = self.details.get(year, {}).get("labels") or {} if year is not None else {}
        for i in range(self.clients.list.count()):  # a client the contract names its own way says so
            item = self.clients.list.item(i)
            named = labels.get(item.data(Qt.ItemDataRole.UserRole))
            if named:
                item.setText(f"{item.text()} — “{named}”")
        self.year_changed.emit()

    def current_year(self) -> int | None:
        return self._current()

    def current_client(self) -> int | None:
        item = self.clients.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _store(self) -> None:
        year = self._current()
        if year is not None:
            self._data[year] = self.clients.ids()

    def _add_year(self) -> None:
        self._data.setdefault(self.year.value(), [])
        self._fill(select=self.year.value())

    def _remove_year(self) -> None:
        year = self._current()
        if year is not None:
            self._data.pop(year, None)
            self._fill()


class AssignmentDetails(QWidget):
    """The selected year's contract: its title as contracted, its reference, and how it names the selected client."""

    def __init__(self, assignments: AssignmentsEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.assignments = assignments
        self.title = QLineEdit(self)
        self.title.setPlaceholderText(tr("The project's title"))
        self.reference = QLineEdit(self)
        self.client_name = QLineEdit(self)
        self.client_name.setPlaceholderText(tr("As the client list prints it"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(tr("Title as contracted"), self.title)
        form.addRow(tr("Reference"), self.reference)
        form.addRow(tr("Selected client named"), self.client_name)
        self.title.textEdited.connect(lambda text: self._put("title", text.strip() or None))
        self.reference.textEdited.connect(lambda text: self._put("reference", text.strip() or None))
        self.client_name.textEdited.connect(self._put_client_name)
        assignments.year_changed.connect(self._show)
        assignments.clients.list.currentItemChanged.connect(lambda *_: self._show_client())
        self._show()

    def set_state(self, value: dict[int, dict[str, Any]] | None) -> None:
        self.assignments.details = {int(y): dict(d, labels=dict(d.get("labels") or {}))
                                    for y, d in (value or {}).items()}
        self.assignments._show()

    def state(self) -> dict[int, dict[str, Any]]:
        return dict(sorted(self.assignments.details.items()))

    def _put(self, key: str, value: Any) -> None:
        year = self.assignments.current_year()
        if year is not None:
            self.assignments.details.setdefault(year, {"labels": {}})[key] = value

    def _put_client_name(self, text: str) -> None:
        year, client = self.assignments.current_year(), self.assignments.current_client()
        if year is None or client is None:
            return
        labels = self.assignments.details.setdefault(year, {"labels": {}}).setdefault("labels", {})
        if text.strip():
            labels[client] = text.strip()
        else:
            labels.pop(client, None)

    def _show(self) -> None:
        year = self.assignments.current_year()
        d = self.assignments.details.get(year, {}) if year is not None else {}
        for w in (self.title, self.reference):
            w.setEnabled(year is not None)
        self.title.setText(d.get("title") or "")
        self.title.setCursorPosition(0)  # a long title shows its beginning
        self.reference.setText(d.get("reference") or "")
        self._show_client()

    def _show_client(self) -> None:
        year, client = self.assignments.current_year(), self.assignments.current_client()
        self.client_name.setEnabled(year is not None and client is not None)
        labels = self.assignments.details.get(year, {}).get("labels") or {} if year is not None else {}
        self.client_name.setText(labels.get(client, "") if client is not None else "")


class RolesEditor(QWidget):
    """A person's roles over time: role, position, start and end (YYYY-MM-DD, empty for open)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([tr("Role"), tr("Position"), tr("From"), tr("Until")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # the role's whole name
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (2, 3):
            self.table.setColumnWidth(col, 110)  # 2021-12-31
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(110)
        add = QPushButton(tr("Add role"), self)
        add.clicked.connect(lambda: self._append(("staff", None, None, None)))
        remove = QPushButton(tr("Remove"), self)
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(side)

    def _append(self, row: tuple[Any, ...]) -> None:
        role, title, start, end = row
        r = self.table.rowCount()
        self.table.insertRow(r)
        combo = QComboBox(self.table)
        for choice in m.PERSON_ROLES:
            combo.addItem(tr(choice), choice)
        combo.setCurrentIndex(max(combo.findData(role), 0))
        self.table.setCellWidget(r, 0, combo)
        for col, value in ((1, title), (2, start), (3, end)):
            self.table.setItem(r, col, QTableWidgetItem(value.isoformat() if isinstance(value, date) else value or ""))

    def set_state(self, value: list[tuple[Any, ...]] | None) -> None:
        self.table.setRowCount(0)
        for row in value or []:
            self._append(tuple(row))

    def state(self) -> list[tuple[Any, ...]]:
        out = []
        for r in range(self.table.rowCount()):
            combo = self.table.cellWidget(r, 0)
            cells = [(self.table.item(r, c).text().strip() if self.table.item(r, c) else "") for c in (1, 2, 3)]
            out.append((combo.currentData(), cells[0] or None, _day(cells[1]), _day(cells[2])))
        return out


def _day(text: str) -> date | str | None:
    """A typed date; text that is not one stays text, so the catalogue names it when saving."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


class AttachmentsView(QWidget):
    """A publication's files with their extraction status; Open shows one in the window's viewer."""

    def __init__(self, window: Any, publication_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ref = window
        self.list = QListWidget(self)
        self.list.setObjectName("attachments")
        rows = views.attachment_rows(window.catalogue, publication_id)
        for a in rows:
            pages = tr_n("{n} page", "{n} pages", a["pages"]).format(n=a["pages"]) if a["pages"] else ""
            item = QListWidgetItem(" · ".join(x for x in (a["filename"], tr(a["status"]), pages) if x))
            item.setToolTip(tr_message(a["message"] or ""))  # stored in English: in the interface's language
            item.setData(Qt.ItemDataRole.UserRole, a["id"])
            self.list.addItem(item)
        if not rows:
            self.list.addItem(tr("No files attached."))
        self.open_button = QPushButton(tr("Open"), self)
        self.open_button.setEnabled(bool(rows) and hasattr(window, "open_attachment"))
        self.open_button.clicked.connect(self.open_selected)
        self.list.itemDoubleClicked.connect(lambda _i: self.open_selected())
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        if rows:
            self.list.setCurrentRow(0)

    def open_selected(self) -> None:
        item = self.list.currentItem()
        aid = item.data(Qt.ItemDataRole.UserRole) if item else None
        if aid is not None and hasattr(self.window_ref, "open_attachment"):
            self.window_ref.open_attachment(aid)


def _visibility() -> F:
    return F("visibility", "Visibility", "enum", m.VISIBILITIES, optional=False)


TABS: dict[str, list[tuple[str, list[F]]]] = {
    "publication": [
        ("Description", [
            F("title", "Title", "text", optional=False), F("subtitle", "Subtitle", "text"),
            F("type", "Type", "enum", m.PUBLICATION_TYPES, optional=False),
            F("year", "Year", "year"), F("month", "Month", "month"), F("month_end", "Until month", "month"),
            F("series_id", "Series", "ref:series"), F("number", "Number", "text"),
            F("language", "Language", "enum", LANGUAGES, labels=LANGUAGE_NAMES), _visibility(),
            F("abstract", "Abstract", "long"),
        ]),
        ("Authors", [F("links.contributors", "Authors and editors", "contributors")]),
        ("Links", [F("links.projects", "Projects", "refs:project"), F("links.regions", "Regions", "refs:region"),
                   F("links.subjects", "Subjects", "refs:subject")]),
        ("Publishing", [
            F("publisher_id", "Publisher", "ref:organisation"), F("place", "Place", "text"),
            F("isbn", "ISBN", "text"), F("doi", "DOI", "text"), F("url", "URL", "text"),
            F("pages", "Pages", "text"), F("container", "In (book or journal)", "text"),
            F("editors_et_al", "More editors", "enum", (False, True), labels={False: "No", True: "Yes, et al."},
              optional=False),
            F("period_start", "Period from", "date"), F("period_end", "Period to", "date"),
            F("links.funders", "Funders", "refs:organisation"),
            F("links.supporters", "Supporters", "refs:organisation"),
        ]),
    ],
    "project": [
        ("Description", [
            F("title", "Title", "text", optional=False), F("short_name", "Short name", "text"),
            F("programme_id", "Programme", "ref:programme"), F("start", "Start", "date"), F("end", "End", "date"),
            F("url", "Project page", "text"), _visibility(), F("summary", "Summary", "long"),
        ]),
        ("Partners", [F("links.partners", "Partners", "refs:organisation"),
                      F("links.funders", "Funders", "refs:organisation")]),
        ("Assignments", [F("links.assignments", "Clients per year", "custom",
                           make=lambda ed: AssignmentsEditor(ed.cat)),
                         F("links.assignment_details", "Contract", "custom",
                           make=lambda ed: AssignmentDetails(ed.widgets["links.assignments"]))]),
        ("Links", [F("links.regions", "Regions", "refs:region"), F("links.subjects", "Subjects", "refs:subject")]),
    ],
    "organisation": [("Organisation", [
        F("name", "Name", "text", optional=False), F("acronym", "Acronym", "text"),
        F("kind", "Kind", "enum", m.ORG_KINDS), F("country", "Country", "text"), F("url", "Website", "text"),
        F("parent_id", "Part of", "ref:organisation"), F("part_kind", "As its", "enum", m.ORG_PART_KINDS),
        F("links.aliases", "Other names", "aliases"), F("notes", "Notes", "long"),
    ])],
    "person": [("Person", [
        F("name", "Name", "text", optional=False), F("role", "Role", "enum", m.PERSON_ROLES),
        F("title", "Position", "text"), F("email", "E-mail", "text"),
        F("links.organisations", "Affiliations", "refs:organisation"),
        F("links.roles", "Roles over time", "custom", make=lambda ed: RolesEditor()),
        F("links.aliases", "Other names", "aliases"), F("notes", "Notes", "long"),
    ])],
    "region": [("Region", [
        F("name", "Name", "text", optional=False), F("name_fr", "French name", "text"),
        F("name_local", "Local name", "text"), F("level", "Level", "enum", m.REGION_LEVELS, optional=False),
        F("parent_id", "Part of", "ref:region"), F("links.aliases", "Other names", "aliases"),
    ])],
    "event": [("Event", [
        F("title", "Title", "text", optional=False), F("kind", "Kind", "enum", m.EVENT_KINDS),
        F("date", "Date", "date"), F("end_date", "Until", "date"), F("place", "Place", "text"),
        F("links.organisers", "Organisers", "refs:organisation"), F("links.hosts", "Hosts", "refs:organisation"),
        F("project_id", "Project", "ref:project"),
        F("links.people", "Speakers", "refs:person"), _visibility(), F("description", "Description", "long"),
    ])],
}

_ISBN = re.compile(r"^(97[89])?\d{9}[\dX]$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_URL = re.compile(r"^https?://\S+\.\S+$", re.IGNORECASE)


def validate(state: RecordState) -> list[tuple[str, str]]:
    """(field, message) for every value the catalogue would refuse or that is clearly mistyped."""
    f: dict[str, Any] = state.fields
    out: list[tuple[str, str]] = []
    for key in ("title", "name"):
        if key in f and not (f[key] or "").strip():
            out.append((key, tr("This field is required.")))
    year = f.get("year")
    if year is not None and not 1000 <= year <= 2999:
        out.append(("year", tr("Give a year between 1000 and 2999, or leave it empty.")))
    if f.get("month_end") is not None:
        if f.get("month") is None:
            out.append(("month_end", tr("A month range needs its first month.")))
        elif f["month_end"] < f["month"]:
            out.append(("month_end", tr("The last month comes before the first.")))
    if f.get("month") is not None and year is None:
        out.append(("year", tr("A month needs a year.")))
    if f.get("isbn") and not _ISBN.match(f["isbn"].replace("-", "").replace(" ", "").upper()):
        out.append(("isbn", tr("An ISBN has 10 or 13 digits (hyphens allowed).")))
    if f.get("doi") and not _DOI.match(f["doi"].removeprefix("https://doi.org/")):
        out.append(("doi", tr("A DOI looks like 10.1234/abc.")))
    if f.get("url") and not _URL.match(f["url"]):
        out.append(("url", tr("A web address starts with http:// or https://.")))
    if f.get("email") and "@" not in f["email"]:
        out.append(("email", tr("Not an e-mail address.")))
    for first, last in (("start", "end"), ("date", "end_date")):
        if f.get(first) and f.get(last) and f[last] < f[first]:
            out.append((last, tr("The end comes before the start.")))
    return out


__all__ = ["TABS", "validate", "AssignmentsEditor", "AssignmentDetails", "AttachmentsView"]
