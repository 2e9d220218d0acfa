"""The form of each record kind (which fields, on which tab) and its validation rules."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from kbase.library import models as m
from kbase.catalogue import views
from kbase.catalogue.editing import RecordState
from kbase.catalogue.records import Catalogue
from ui.editors.base import FieldSpec as F
from ui.editors.pickers import LinkListEditor
from ui.i18n import tr

LANGUAGES = ("en", "fr", "nl", "sw", "pt", "es", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "French", "nl": "Dutch", "sw": "Swahili", "pt": "Portuguese",
                  "es": "Spanish", "de": "German"}


class AssignmentsEditor(QWidget):
    """A project's assignments: one row per year, each with its client organisations."""

    def __init__(self, cat: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.cat = cat
        self._data: dict[int, list[int]] = {}
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


class AttachmentsView(QWidget):
    """A publication's files with their extraction status; Open shows one in the window's viewer."""

    def __init__(self, window: Any, publication_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ref = window
        self.list = QListWidget(self)
        self.list.setObjectName("attachments")
        rows = views.attachment_rows(window.catalogue, publication_id)
        for a in rows:
            pages = tr("{n} pages").format(n=a["pages"]) if a["pages"] else ""
            item = QListWidgetItem(" · ".join(x for x in (a["filename"], tr(a["status"]), pages) if x))
            item.setToolTip(a["message"] or "")
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
                           make=lambda ed: AssignmentsEditor(ed.cat))]),
        ("Links", [F("links.regions", "Regions", "refs:region"), F("links.subjects", "Subjects", "refs:subject")]),
    ],
    "organisation": [("Organisation", [
        F("name", "Name", "text", optional=False), F("acronym", "Acronym", "text"),
        F("kind", "Kind", "enum", m.ORG_KINDS), F("country", "Country", "text"), F("url", "Website", "text"),
        F("links.aliases", "Other names", "aliases"), F("notes", "Notes", "long"),
    ])],
    "person": [("Person", [
        F("name", "Name", "text", optional=False), F("role", "Role", "enum", m.PERSON_ROLES),
        F("title", "Position", "text"), F("email", "E-mail", "text"),
        F("links.organisations", "Affiliations", "refs:organisation"),
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
        F("organiser_id", "Organiser", "ref:organisation"), F("project_id", "Project", "ref:project"),
        F("links.people", "People", "refs:person"), _visibility(), F("description", "Description", "long"),
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


__all__ = ["TABS", "validate", "AssignmentsEditor", "AttachmentsView"]
