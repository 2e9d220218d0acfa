"""Before a .bib import: the entries that match records already in the library, side by side, and one choice for all.

The plan comes from a dry run of the import (kbase.imports.pipeline.import_paths(dry_run=True)); the entries'
own fields are read again with the importer's parser, since the plan names entries only by key and line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import date_label, tr, tr_message, tr_n

CHOICES = ("link", "update", "skip", "new")  # on_duplicate's words, in the order they are offered
_CHOICE_LABELS = {
    "link": ("Link to the existing record",
             "Nothing new is created: the entry's files are attached to the existing record, which gets the "
             "entry's citation key if it has none"),
    "update": ("Update empty fields",
               "Also fill the existing record's empty fields from the entry (the fields marked in the comparison)"),
    "skip": ("Skip", "Leave these entries out: the existing records stay as they are"),
    "new": ("Import as new records", "Create a record for each entry anyway, next to the existing one"),
}
# the rows of the comparison: key, label (the editor's words where it has them)
ROWS = (("title", "Title"), ("subtitle", "Subtitle"), ("contributors", "Authors and editors"), ("type", "Type"),
        ("date", "Date"), ("container", "In (book or journal)"), ("volume", "Volume"), ("number", "Number"),
        ("pages", "Pages"), ("publisher", "Publisher"), ("series", "Series"), ("place", "Place"), ("doi", "DOI"),
        ("isbn", "ISBN"), ("url", "URL"), ("language", "Language"), ("abstract", "Abstract"),
        ("citekey", "Citation key"))
_PLAIN = ("title", "subtitle", "type", "container", "number", "pages", "place", "doi", "isbn", "url", "language",
          "abstract", "citekey")
_DATE_PARTS = {"year", "month", "month_end", "day"}
DIFFERS = QColor("#fff0c2")
FILLS = QColor("#dcf0d5")


@dataclass
class Match:
    """One entry of a .bib file that matches a record already in the library."""

    file: str
    line: int
    key: str
    target: int
    reason: str
    title: str = ""  # the entry's
    existing_title: str = ""
    incoming: dict[str, Any] = field(default_factory=dict)  # the comparison's raw values (see _shape)
    changes: set[str] = field(default_factory=set)  # comparison rows an update would fill


@dataclass
class Check:
    matches: list[Match]
    entries: int  # entries read in all the files


# -- in the worker thread ----------------------------------------------------------------------------
def bib_files(paths: list[str]) -> list[str]:
    """The .bib files the import will read: those given and those inside the folders given (as the importer walks)."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_file() and p.suffix.lower() == ".bib":
            out.append(str(p))
        elif p.is_dir():
            for folder, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out += [str(Path(folder) / n) for n in sorted(files)
                        if not n.startswith(".") and n.lower().endswith(".bib")]
    return list(dict.fromkeys(out))


def _shape_incoming(data: Any) -> dict[str, Any]:
    cols = data.columns
    raw: dict[str, Any] = {k: cols.get(k) for k in _PLAIN + ("year", "month", "month_end")}
    raw["contributors"] = [(role, name.display) for role, name in data.contributors]
    raw["publisher"], raw["series"] = data.publisher, data.series
    raw["volume"] = (data.extra.get("fields") or {}).get("volume")
    return raw


def _shape_existing(described: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {k: described.get(k) for k in _PLAIN + ("year", "month", "month_end")}
    raw["contributors"] = [(c.get("role") or "author", c.get("label") or "")
                           for c in described.get("contributors") or []]
    raw["publisher"] = (described.get("publisher") or {}).get("label")
    raw["series"] = (described.get("series") or {}).get("label")
    extra = described.get("extra") or {}
    raw["volume"] = (extra.get("fields") or {}).get("volume") if isinstance(extra, dict) else None
    return raw


def _entries(path: str) -> dict[int, Any]:
    """The file's entries as the importer reads them, by line."""
    from kbase.formats.bibtex.mapping import to_publication
    from kbase.formats.bibtex.parse import BadValue, parse_text
    from kbase.formats.encoding import read_bib
    from kbase.text import clean_text

    out: dict[int, Any] = {}
    for entry in parse_text(clean_text(read_bib(path).text)).entries:
        try:
            out[entry.line] = to_publication(entry)
        except BadValue:
            continue
    return out


def check_bibs(library: Any, paths: list[str]) -> Check:
    """A dry run of the files' import: the entries that match existing records, with both sides to compare.

    The dry run asks for "update" so that each match's plan names the fields an update would fill."""
    from kbase.catalogue.records import Catalogue
    from kbase.errors import KbaseError
    from kbase.imports.pipeline import import_paths
    from kbase.library import models as m

    cat = Catalogue(library)
    report = import_paths(cat, paths, dry_run=True, on_duplicate="update")
    matches: list[Match] = []
    entries = 0
    titles: dict[int, str] = {}
    for f in report.files:
        entries += f.created + f.matched + f.refused
        found = [r for r in f.records if r.get("action") == "match" and r.get("target")]
        if not found:
            continue
        try:
            read = _entries(f.path)
        except (OSError, KbaseError):
            read = {}
        for r in found:
            data = read.get(r["line"])
            target = int(r["target"])
            if target not in titles:
                try:
                    titles[target] = cat.get(m.Publication, target).title
                except KbaseError as exc:  # deleted meanwhile, or the catalogue cannot be read: said in the row
                    titles[target] = unreadable(exc)
            changes = {("date" if c in _DATE_PARTS else c) for c in r.get("changes") or []}
            matches.append(Match(f.path, r["line"], r.get("key") or "", target, r.get("reason") or "",
                                 title=(data.columns.get("title") if data else "") or "",
                                 existing_title=titles[target],
                                 incoming=_shape_incoming(data) if data else {}, changes=changes))
    return Check(matches, entries)


# -- display -------------------------------------------------------------------------------------------
def unreadable(exc: BaseException) -> str:
    """What a record that could not be read says in its place."""
    from kbase.errors import NotFound, user_message

    if isinstance(exc, NotFound):
        return tr("⚠ this record is no longer in the catalogue")
    return tr("⚠ could not read this record: {message}").format(message=tr_message(user_message(exc)))


def cell_text(raw: dict[str, Any], key: str) -> str:
    if key == "date":
        return date_label(raw.get("year"), raw.get("month"), raw.get("month_end"))
    value = raw.get(key)
    if key == "contributors":
        return "; ".join(name + (f" ({tr(role)})" if role and role != "author" else "") for role, name in value or [])
    if key == "type" and value:
        return tr(str(value))
    return "" if value in (None, "") else str(value)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class MatchReview(QWidget):
    """The review step: matches in a list, the selected one side by side, and what to do with all of them."""

    def __init__(self, catalogue: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("match_review")
        self.catalogue = catalogue
        self.check: Check | None = None
        self._described: dict[int, dict[str, Any] | None] = {}

        self.heading = QLabel(self)
        self.heading.setObjectName("review_heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.hint = QLabel(tr("Check each match below, then choose what to do with all of them."), self)
        self.hint.setWordWrap(True)

        self.matches = QTreeWidget(self)
        self.matches.setObjectName("review_matches")
        self.matches.setRootIsDecorated(False)
        self.matches.setUniformRowHeights(True)
        self.matches.setAlternatingRowColors(True)
        self.matches.setHeaderLabels([tr("Entry"), tr("Title in the file"), tr("Existing record"), tr("Why")])
        self.matches.currentItemChanged.connect(lambda item, _old: self._show(item))
        header = self.matches.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        self.compare_label = QLabel(self)
        self.compare_label.setObjectName("review_compare_label")
        self.compare_label.setWordWrap(True)
        self.compare = QTableWidget(self)
        self.compare.setObjectName("review_compare")
        self.compare.setColumnCount(3)
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.compare.verticalHeader().hide()
        self.compare.setWordWrap(True)
        ch = self.compare.horizontalHeader()
        ch.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        ch.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ch.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # rows are fitted to their text once the columns have their real width (and again when it changes)
        self._fit_timer = QTimer(self, singleShot=True, interval=0, timeout=self._fit_rows)
        ch.sectionResized.connect(lambda *_a: self._fit_timer.start())
        self.legend = QLabel(self)
        self.legend.setObjectName("review_legend")
        self.legend.setWordWrap(True)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.compare_label)
        lower_layout.addWidget(self.compare, 1)
        lower_layout.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.matches)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        self.choice_box = QGroupBox(tr("For every match"), self)
        self.choice = QButtonGroup(self)
        row = QHBoxLayout(self.choice_box)
        self.choice_buttons: dict[str, QRadioButton] = {}
        for i, name in enumerate(CHOICES):
            label, tip = _CHOICE_LABELS[name]
            button = QRadioButton(tr(label), self.choice_box)
            button.setObjectName(f"choice_{name}")
            button.setToolTip(tr(tip))
            self.choice.addButton(button, i)
            self.choice_buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        self.choice_buttons["link"].setChecked(True)
        self.choice.idToggled.connect(lambda _i, on: on and self._show(self.matches.currentItem()))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.choice_box)

    # -- data ----------------------------------------------------------------------------------------
    def set_check(self, check: Check) -> None:
        self.check = check
        self.heading.setText(tr_n("{n} of {total} entries matches a record already in the library.",
                                  "{n} of {total} entries match records already in the library.",
                                  len(check.matches)).format(
            n=len(check.matches), total=check.entries))
        self.matches.clear()
        many_files = len({m.file for m in check.matches}) > 1
        for i, match in enumerate(check.matches):
            key = f"{Path(match.file).name}: {match.key}" if many_files else match.key
            existing = tr("ID {id}").format(id=match.target) + f" · {match.existing_title}"
            item = QTreeWidgetItem([key, match.title, existing, tr_message(match.reason)])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setToolTip(0, tr("{file}, line {line}").format(file=match.file, line=match.line))
            for col in (1, 2, 3):
                item.setToolTip(col, item.text(col))
            self.matches.addTopLevelItem(item)
        self.matches.setColumnWidth(0, min(max(self.matches.sizeHintForColumn(0) + 16, 110), 220))
        self.matches.setColumnWidth(3, min(max(self.matches.sizeHintForColumn(3) + 16, 140), 320))
        if check.matches:
            self.matches.setCurrentItem(self.matches.topLevelItem(0))

    def choice_value(self) -> str:
        return CHOICES[max(self.choice.checkedId(), 0)]

    def set_choice(self, name: str) -> None:
        self.choice_buttons[name].setChecked(True)

    def selected_match(self) -> Match | None:
        item = self.matches.currentItem()
        if item is None or self.check is None:
            return None
        return self.check.matches[int(item.data(0, Qt.ItemDataRole.UserRole))]

    def _existing(self, target: int) -> dict[str, Any] | None:
        """The record as the details pane reads it (one record: quick enough for the GUI thread, as there)."""
        if target not in self._described:
            from kbase.catalogue.views import describe
            from kbase.errors import KbaseError

            try:
                self._described[target] = _shape_existing(describe(self.catalogue, "publication", target))
            except KbaseError as exc:  # the comparison says why the library's side is empty
                self._described[target] = {"title": unreadable(exc)}
        return self._described[target]

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        # the list as high as its rows (up to eight), the comparison gets the rest
        rows = min(max(self.matches.topLevelItemCount(), 3), 8)
        wanted = self.matches.header().height() + rows * (self.matches.sizeHintForRow(0) if rows else 20) + 6
        total = sum(self.splitter.sizes())
        if total > wanted:
            self.splitter.setSizes([wanted, total - wanted])
        self._fit_timer.start()

    def _fit_rows(self) -> None:
        """Long values wrap, up to five lines (an abstract should not take the whole table)."""
        self.compare.resizeRowsToContents()
        cap = 5 * self.compare.fontMetrics().height() + 8
        for row in range(self.compare.rowCount()):
            if self.compare.rowHeight(row) > cap:
                self.compare.setRowHeight(row, cap)

    # -- the comparison --------------------------------------------------------------------------------
    def _show(self, item: QTreeWidgetItem | None) -> None:
        match = self.selected_match() if item is not None else None
        self.compare.clearContents()
        self.compare.setRowCount(0)
        if match is None:
            self.compare_label.clear()
            self.legend.clear()
            return
        existing = self._existing(match.target) or {}
        self.compare_label.setText(tr("Entry {key} (line {line}) and the library's record ID {id}: {why}.").format(
            key=match.key, line=match.line, id=match.target, why=tr_message(match.reason)))
        self.compare.setHorizontalHeaderLabels([tr("Field"), tr("In the .bib file"), tr("In the library")])
        updating = self.choice_value() == "update"
        rows = []
        for key, label in ROWS:
            mine, theirs = cell_text(match.incoming, key), cell_text(existing, key)
            if mine or theirs:
                rows.append((key, label, mine, theirs))
        self.compare.setRowCount(len(rows))
        differing = filling = 0
        for row, (key, label, mine, theirs) in enumerate(rows):
            fills = key in match.changes and bool(mine) and not theirs
            differs = bool(mine and theirs) and not _same(mine, theirs)
            name = QTableWidgetItem(tr(label))
            left = QTableWidgetItem(mine)
            right = QTableWidgetItem(theirs)
            if fills:
                filling += 1
                right.setText(tr("(empty: filled by “Update empty fields”)") if not updating
                              else tr("(empty: will be filled)"))
                italic = QFont(right.font())
                italic.setItalic(True)
                right.setFont(italic)
                for it in (name, left, right):
                    it.setBackground(QBrush(FILLS))
            elif differs:
                differing += 1
                for it in (name, left, right):
                    it.setBackground(QBrush(DIFFERS))
            for it in (left, right):
                it.setToolTip(it.text() if len(it.text()) > 60 else "")
            self.compare.setItem(row, 0, name)
            self.compare.setItem(row, 1, left)
            self.compare.setItem(row, 2, right)
        self._fit_rows()
        self.legend.setText(
            f"<span style='background:{DIFFERS.name()}'>&nbsp;&nbsp;&nbsp;&nbsp;</span> "
            + tr("differs ({n})").format(n=differing) + "&nbsp;&nbsp;&nbsp; "
            + f"<span style='background:{FILLS.name()}'>&nbsp;&nbsp;&nbsp;&nbsp;</span> "
            + tr("empty in the library, an update would fill it ({n})").format(n=filling))


__all__ = ["MatchReview", "Match", "Check", "check_bibs", "bib_files", "CHOICES", "cell_text"]
