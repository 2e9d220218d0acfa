"""Before a spreadsheet is imported: its first rows, and per column what it holds (proposed from its header).

The import dialog shows this page for each .csv/.tsv/.xlsx file it was given; the choices become the import's
sheet_options (kbase.imports.records.spreadsheet_options), then the matches are reviewed as a .bib file's are.
"Save mapping…" writes the JSON `kbase import --map-file` reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbase.errors import KbaseError, user_message
from kbase.formats.spreadsheet import (
    FIELDS,
    IGNORE,
    LIST_FIELDS,
    SUFFIXES,
    mapping_json,
    read_mapping_file,
    read_sheet,
    resolve_mapping,
)
from ui.dialogs.import_review import Check, Match, MatchReview, unreadable
from ui.i18n import tr, tr_message

PREVIEW_ROWS = 8
IGNORED = QColor("#8a8a8a")
ERROR_STYLE = "color: #a4161a;"


def spreadsheet_files(paths: list[str]) -> list[str]:
    """The spreadsheets among the paths the user named (a folder's are not imported, as the core says)."""
    return list(dict.fromkeys(str(p) for p in (Path(raw).expanduser() for raw in paths)
                              if p.suffix.lower() in SUFFIXES and p.is_file()))


def field_label(name: str) -> str:
    return tr("— ignore —") if name == IGNORE else tr(FIELDS[name])


class MappingPage(QWidget):
    """A spreadsheet's first rows under a combo box per column: the field it holds, or ignore."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("spreadsheet_mapping")
        self.path: str | None = None
        self.headers: list[str] = []
        self.sheets: list[str] = []
        self.sheet: str | None = None
        self.error: str | None = None
        self.combos: dict[str, QComboBox] = {}

        self.heading = QLabel(self)
        self.heading.setObjectName("mapping_heading")
        self.heading.setWordWrap(True)
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.hint = QLabel(tr("Choose what each column holds; a column set to “— ignore —” is not imported. "
                              "The proposal comes from the column headers."), self)
        self.hint.setWordWrap(True)
        self.details = QLabel(self)
        self.details.setObjectName("mapping_details")
        self.details.setWordWrap(True)
        self.sheet_label = QLabel(tr("Sheet:"), self)
        self.sheet_box = QComboBox(self)
        self.sheet_box.setObjectName("mapping_sheet")
        self.sheet_box.activated.connect(lambda i: self.load(self.path or "", self.sheet_box.itemText(i)))

        self.table = QTableWidget(self)
        self.table.setObjectName("mapping_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.warning = QLabel(self)
        self.warning.setObjectName("mapping_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(ERROR_STYLE)

        self.save_button = QPushButton(tr("Save mapping…"), self)
        self.save_button.setObjectName("save_mapping")
        self.save_button.setToolTip(tr("Save these choices as a file, for the next import of this list or for "
                                       "kbase import --map-file"))
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.save_mapping())
        self.load_button = QPushButton(tr("Load mapping…"), self)
        self.load_button.setObjectName("load_mapping")
        self.load_button.setToolTip(tr("Use the choices saved for an earlier import"))
        self.load_button.setAutoDefault(False)
        self.load_button.clicked.connect(lambda: self.load_mapping())

        top = QHBoxLayout()
        top.addWidget(self.details, 1)
        top.addWidget(self.sheet_label)
        top.addWidget(self.sheet_box)
        tools = QHBoxLayout()
        tools.addWidget(self.warning, 1)
        tools.addWidget(self.load_button)
        tools.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(tools)

    # -- reading the file -----------------------------------------------------------------------------
    def load(self, path: str, sheet: str | None = None, mapping: dict[str, str] | None = None) -> bool:
        """Show the file's first rows and the proposed (or given) mapping; False when the file cannot be read."""
        self.path, self.error = path, None
        self.heading.setText(tr("How should {name} be read?").format(name=Path(path).name))
        try:
            table = read_sheet(path, sheet, max_rows=PREVIEW_ROWS)
            columns = resolve_mapping(table.headers, mapping)
        except (OSError, KbaseError) as exc:
            self.error = user_message(exc) if isinstance(exc, KbaseError) else str(exc)
            self.headers, self.combos = [], {}
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.details.clear()
            self.warning.setText(tr("This file cannot be read: {message}").format(message=tr_message(self.error)))
            self.save_button.setEnabled(False)
            self.load_button.setEnabled(False)
            self.changed.emit()
            return False
        self.headers, self.sheets = table.headers, table.sheets
        self.sheet = table.sheet or None
        self.sheet_box.clear()
        self.sheet_box.addItems(table.sheets)
        if table.sheet:
            self.sheet_box.setCurrentText(table.sheet)
        several = len(table.sheets) > 1
        self.sheet_label.setVisible(several)
        self.sheet_box.setVisible(several)
        if table.kind == "csv":
            names = {",": tr("comma"), ";": tr("semicolon"), "\t": tr("tab"), "|": tr("vertical bar")}
            self.details.setText(tr("Header in row {row} · columns separated by: {delimiter} · encoding: {encoding}")
                                 .format(row=table.header_row, delimiter=names.get(table.delimiter, table.delimiter),
                                         encoding=table.encoding))
        else:
            self.details.setText(tr("Header in row {row} of the sheet “{sheet}”").format(
                row=table.header_row, sheet=table.sheet))
        self._fill(table, columns)
        self.save_button.setEnabled(bool(self.headers))
        self.load_button.setEnabled(bool(self.headers))
        self._check()
        self.changed.emit()
        return True

    def _fill(self, table: Any, columns: dict[str, str]) -> None:
        self.table.clear()
        self.combos = {}
        self.table.setColumnCount(len(table.headers))
        self.table.setRowCount(1 + len(table.rows))
        self.table.setHorizontalHeaderLabels(table.headers)
        self.table.setVerticalHeaderLabels([tr("Read as")] + [str(n) for n, _cells in table.rows])
        for col, header in enumerate(table.headers):
            combo = QComboBox(self.table)
            combo.setObjectName(f"field_{col}")
            combo.addItem(field_label(IGNORE), IGNORE)
            for name in FIELDS:
                combo.addItem(field_label(name), name)
            combo.setCurrentIndex(max(combo.findData(columns.get(header, IGNORE)), 0))
            combo.setToolTip(tr("What the column “{column}” holds").format(column=header))
            combo.currentIndexChanged.connect(lambda _i, c=col: self._field_changed(c))
            self.table.setCellWidget(0, col, combo)
            self.combos[header] = combo
            for row, (_n, cells) in enumerate(table.rows, start=1):
                text = cells[col] if col < len(cells) else ""
                item = QTableWidgetItem(" ".join(text.split())[:200])
                if len(text) > 60:
                    item.setToolTip(text[:1000])
                self.table.setItem(row, col, item)
            self._shade(col)
        self._fit_columns(table)
        if self.combos:
            first = next(iter(self.combos.values()))
            self.table.setRowHeight(0, max(self.table.rowHeight(0), first.sizeHint().height() + 4))

    def _fit_columns(self, table: Any) -> None:
        """Each column as wide as its header, its combo box's choice and its first rows, within bounds."""
        metrics = self.table.fontMetrics()
        for col, header in enumerate(table.headers):
            texts = [header] + [cells[col][:80] for _n, cells in table.rows if col < len(cells)]
            width = max(metrics.horizontalAdvance(t) for t in texts) + 24
            width = max(width, metrics.horizontalAdvance(self.combos[header].currentText()) + 48)
            self.table.setColumnWidth(col, max(90, min(220, width)))

    def _field_changed(self, col: int) -> None:
        self._shade(col)
        self._check()
        self.changed.emit()

    def _shade(self, col: int) -> None:
        """An ignored column's cells are grey: what will not be imported is seen at a glance."""
        combo = self.table.cellWidget(0, col)
        ignored = isinstance(combo, QComboBox) and combo.currentData() == IGNORE
        for row in range(1, self.table.rowCount()):
            item = self.table.item(row, col)
            if item is not None:
                item.setForeground(QBrush(IGNORED) if ignored else QBrush())

    def _check(self) -> None:
        chosen = self.mapping()
        counts: dict[str, int] = {}
        for name in chosen.values():
            counts[name] = counts.get(name, 0) + 1
        said = []
        if self.headers and "title" not in counts:
            said.append(tr("No column is read as the title: each row's title comes from another column, "
                           "or is “[untitled]”."))
        twice = [field_label(n) for n, k in counts.items() if k > 1 and n != IGNORE and n not in LIST_FIELDS]
        if twice:
            said.append(tr("Chosen for more than one column: {fields}. The first column with a value is used, "
                           "the others are kept as extra fields.").format(fields=", ".join(twice)))
        self.warning.setText(" ".join(said))

    # -- the choices ----------------------------------------------------------------------------------
    def mapping(self) -> dict[str, str]:
        """{column header: field or "ignore"} as chosen now."""
        return {h: str(c.currentData()) for h, c in self.combos.items()}

    def set_field(self, column: str, name: str) -> None:
        combo = self.combos[column]
        combo.setCurrentIndex(combo.findData(name))

    def options(self) -> dict[str, Any]:
        """This file's sheet_options: the whole mapping and the sheet."""
        out: dict[str, Any] = {"mapping": self.mapping()}
        if self.sheet and len(self.sheets) > 1:
            out["sheet"] = self.sheet
        return out

    def save_mapping(self, path: str | None = None) -> Path | None:
        """Write the choices as the JSON `kbase import --map-file` reads (asks where when path is None)."""
        if path is None:
            suggested = str(Path(self.path or "mapping").with_suffix("")) + "-mapping.json"
            path, _ = QFileDialog.getSaveFileName(self, tr("Save mapping"), suggested,
                                                  tr("Mappings (*.json);;All files (*)"))
            if not path:
                return None
        target = Path(path)
        try:
            target.write_text(json.dumps(mapping_json(self.mapping(), self.sheet if len(self.sheets) > 1 else None),
                                         ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            self.warning.setText(tr("The mapping could not be saved: {message}").format(message=exc.strerror or exc))
            return None
        self.warning.setText("")
        self.details.setText(tr("Mapping saved to {path}").format(path=str(target)))
        return target

    def load_mapping(self, path: str | None = None) -> bool:
        """Apply a saved mapping to the columns it names (the others keep their choice)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, tr("Load mapping"), str(Path(self.path or ".").parent),
                                                  tr("Mappings (*.json);;All files (*)"))
            if not path:
                return False
        try:
            columns, sheet = read_mapping_file(path)
            if sheet and sheet != self.sheet and sheet in self.sheets:
                self.load(self.path or "", sheet)
            resolved = resolve_mapping(self.headers, {**self.mapping(), **columns})
        except KbaseError as exc:
            self.warning.setText(tr_message(user_message(exc)))
            return False
        for header, name in resolved.items():
            self.set_field(header, name)
        return True


# -- the review after the mapping: which rows match records already in the library -------------------------
def _shape(data: Any) -> dict[str, Any]:
    """The comparison's values for one row (the keys import_review.cell_text reads)."""
    cols = data.columns
    raw: dict[str, Any] = {k: cols.get(k) for k in ("title", "subtitle", "type", "container", "number", "pages",
                                                     "place", "doi", "isbn", "url", "language", "abstract",
                                                     "citekey", "year", "month", "month_end")}
    raw["contributors"] = [(role, name.display) for role, name in data.contributors]
    raw["publisher"], raw["series"] = data.publisher, data.series
    raw["volume"] = (data.extra.get("fields") or {}).get("volume")
    return raw


def check_sheets(library: Any, paths: list[str], options: dict[str, Any]) -> Check:
    """A dry run of the spreadsheets' import with their mappings: the rows that match existing records."""
    from kbase.catalogue.records import Catalogue
    from kbase.formats.spreadsheet import read_spreadsheet
    from kbase.imports.pipeline import import_paths
    from kbase.imports.records import spreadsheet_options
    from kbase.library import models as m

    cat = Catalogue(library)
    report = import_paths(cat, paths, dry_run=True, on_duplicate="update", sheet_options=options)
    matches: list[Match] = []
    entries = 0
    titles: dict[int, str] = {}
    for f in report.files:
        entries += f.created + f.matched + f.refused
        found = [r for r in f.records if r.get("action") == "match" and r.get("target")]
        if not found:
            continue
        own = spreadsheet_options(f.path, options)
        try:
            _t, _c, result = read_spreadsheet(f.path, own.get("mapping"), own.get("sheet"))
            rows = {d.line: d for d in result.records}
        except (OSError, KbaseError):
            rows = {}
        for r in found:
            data = rows.get(r["line"])
            target = int(r["target"])
            if target not in titles:
                try:
                    titles[target] = cat.get(m.Publication, target).title
                except KbaseError as exc:
                    titles[target] = unreadable(exc)
            changes = {("date" if c in ("year", "month", "month_end", "day") else c) for c in r.get("changes") or []}
            matches.append(Match(f.path, r["line"], r.get("key") or "", target, r.get("reason") or "",
                                 title=(data.columns.get("title") if data else r.get("title")) or "",
                                 existing_title=titles[target], incoming=_shape(data) if data else {},
                                 changes=changes))
    return Check(matches, entries)


def check_imports(library: Any, bibs: list[str], sheets: list[str], options: dict[str, Any]) -> Check:
    """The .bib files' and the spreadsheets' matches, in one review."""
    from ui.dialogs.import_review import check_bibs

    parts = ([check_bibs(library, bibs)] if bibs else []) + ([check_sheets(library, sheets, options)] if sheets else [])
    return Check([match for part in parts for match in part.matches], sum(part.entries for part in parts))


class ImportReview(MatchReview):
    """The review of import_review, whose comparison names the spreadsheet when the match comes from one."""

    def _show(self, item: Any) -> None:
        super()._show(item)
        match = self.selected_match() if item is not None else None
        if match is not None and Path(match.file).suffix.lower() in SUFFIXES:
            self.compare.setHorizontalHeaderLabels([tr("Field"), tr("In the spreadsheet"), tr("In the library")])
            self.compare_label.setText(tr("Row {line} of {file} and the library's record ID {id}: {why}.").format(
                line=match.line, file=Path(match.file).name, id=match.target, why=tr_message(match.reason)))


__all__ = ["MappingPage", "spreadsheet_files", "check_sheets", "check_imports", "ImportReview", "PREVIEW_ROWS"]
