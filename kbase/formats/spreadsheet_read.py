"""Reading a spreadsheet's cells: CSV (delimiter and encoding found), TSV and XLSX, and the header row
looked for among the first rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbase.errors import ImportProblem
from kbase.formats.spreadsheet_columns import guess_field
from kbase.i18n import N_
from kbase.text import clean_line, clean_text, fold

SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")


_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\r?\n", re.I)
_DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 65536
MAX_HEADER_SEARCH = 20  # the header row is looked for among this many rows at the top


@dataclass
class Sheet:
    """A spreadsheet's rows as text: the header row's cells (made unique) and each row after it, numbered."""

    path: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet program shows it, cells)
    header_row: int = 0  # 0: no header row found
    kind: str = "csv"  # csv | xlsx
    encoding: str = ""  # a CSV file's, as read
    delimiter: str = ""  # a CSV file's
    sheet: str = ""  # an XLSX workbook's sheet read
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False  # read with max_rows and there is more

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"header_row": self.header_row}
        if self.kind == "csv":
            out |= {"delimiter": self.delimiter, "encoding": self.encoding}
        else:
            out |= {"sheet": self.sheet, "sheets": self.sheets}
        return out


# -- reading the cells -------------------------------------------------------------------------------------
def is_spreadsheet(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


def read_sheet(path: str | Path, sheet: str | None = None, *, max_rows: int | None = None) -> Sheet:
    """A CSV file's or an XLSX workbook's sheet (the first, or `sheet` by name or 1-based number) as text rows.

    max_rows stops after that many rows below the header (a preview). Raises ImportProblem for a file that
    cannot be read as a spreadsheet (OSError when it cannot be read at all)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportProblem(N_("{path}: an Excel 97-2003 workbook (.xls) cannot be read; save it as .xlsx or "
                               ".csv").format(path=path))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet, max_rows)
    from kbase.formats.encoding import decode_bytes

    decoded = decode_bytes(path.read_bytes())
    table = read_csv_text(decoded.text, str(path), tab=suffix == ".tsv", max_rows=max_rows)
    table.encoding = decoded.encoding
    table.warnings[:0] = decoded.warnings
    if sheet:  # one --sheet for a workbook and a CSV file named together
        table.warnings.append(N_("a CSV file has no sheets; sheet {sheet} is for workbooks and was not looked "
                                 "for").format(sheet=repr(sheet)))
    return table


def read_csv_text(text: str, path: str = "", *, tab: bool = False, max_rows: int | None = None) -> Sheet:
    """CSV text (any of , ; tab |) as a Sheet; Excel's `sep=;` first line is obeyed and skipped."""
    # the boundary: control characters go, text is NFC (once for the whole file); a form feed or vertical tab
    # would end a row in clean_text
    text = unicodedata.normalize("NFC", clean_text(text.removeprefix("\ufeff").replace("\f", " ").replace("\v", " ")))
    offset = 0
    declared = _SEP_LINE.match(text)
    if declared:
        delimiter = declared.group(1)
        text = text[declared.end():]
        offset = 1
    else:
        delimiter = sniff_delimiter(text, prefer="\t" if tab else None)
    if csv.field_size_limit() < 16 * 2**20:
        csv.field_size_limit(16 * 2**20)  # an abstract or a pasted report can be long
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        skipinitialspace=False, strict=False)
    warns: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        for i, row in enumerate(reader, start=1 + offset):
            rows.append((i, row))
            if max_rows is not None and len(rows) > max_rows + MAX_HEADER_SEARCH:
                break
    except csv.Error as exc:
        warns.append(N_("row {n}: {reason}; the rest of the file was not read").format(
            n=len(rows) + 1 + offset, reason=exc))
    table = _with_header(rows, max_rows)
    table.path, table.kind, table.delimiter = path, "csv", delimiter
    table.warnings = warns + table.warnings
    return table


def sniff_delimiter(text: str, prefer: str | None = None) -> str:
    """The delimiter: csv.Sniffer's, checked against how evenly each candidate splits the first rows."""
    sample = text[:_SAMPLE]
    if len(text) > _SAMPLE and "\n" in sample:
        sample = sample[:sample.rindex("\n")]
    scores = {d: _split_score(sample, d) for d in _DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    best = max(scores.values())
    if prefer and scores[prefer] >= best:
        return prefer
    if sniffed in scores and scores[sniffed] >= best:
        return sniffed
    if best[0] == 0:  # one column whatever the delimiter: the sniffer's guess, else a comma
        return sniffed if sniffed in scores else (prefer or ",")
    return max(_DELIMITERS, key=lambda d: scores[d])


def _split_score(sample: str, delimiter: str) -> tuple[int, float, int]:
    """(splits at all, share of rows with the commonest number of columns, that number)."""
    counts: dict[int, int] = {}
    try:
        for n, row in enumerate(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)):
            if n >= 50:
                break
            if any(c.strip() for c in row):
                counts[len(row)] = counts.get(len(row), 0) + 1
    except csv.Error:
        return (0, 0.0, 0)
    if not counts:
        return (0, 0.0, 0)
    common = max(counts, key=lambda k: (counts[k], k))
    share = counts[common] / sum(counts.values())
    return (int(common >= 2), round(share, 1), common)


def _read_xlsx(path: Path, sheet: str | None, max_rows: int | None) -> Sheet:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
            raise ImportProblem(N_("{path}: not an XLSX workbook that can be read ({error}: {reason})").format(
                path=path, error=type(exc).__name__, reason=exc)) from exc
        try:
            names = list(wb.sheetnames)
            ws = _pick_sheet(wb, names, sheet, path)
            rows: list[tuple[int, list[str]]] = []
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                rows.append((i, [_cell_text(v) for v in values]))
                if max_rows is not None and len(rows) > max_rows + MAX_HEADER_SEARCH:
                    break
            title = ws.title
        finally:
            wb.close()
    for w in caught:  # openpyxl's: a style it does not know, an extension it drops; nothing for the records
        text = str(w.message)
        if text not in notes:
            notes.append(text)
    table = _with_header(rows, max_rows)
    table.path, table.kind, table.sheet, table.sheets = str(path), "xlsx", title, names
    table.warnings = [f"openpyxl: {n}" for n in notes] + table.warnings
    if len(names) > 1 and not sheet:
        table.warnings.append(N_("read the first sheet, {title}, of {n} ({sheets}); another one with --sheet "
                                 "NAME").format(title=repr(title), n=len(names), sheets=', '.join(names)))
    return table


def _pick_sheet(wb: Any, names: list[str], sheet: str | None, path: Path) -> Any:
    if not names:
        raise ImportProblem(N_("{path}: the workbook has no sheets").format(path=path))
    if not sheet:
        return wb[names[0]]
    if sheet in names:
        return wb[sheet]
    folded = {fold(n): n for n in names}
    if fold(sheet) in folded:
        return wb[folded[fold(sheet)]]
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return wb[names[int(sheet) - 1]]
    raise ImportProblem(N_("{path}: no sheet named {sheet} (its sheets: {names})").format(
        path=path, sheet=repr(sheet), names=', '.join(names)))


def _cell_text(v: Any) -> str:
    """A cell's value as text: whole numbers without '.0', dates as ISO dates, text cleaned."""
    if v is None:
        return ""
    if isinstance(v, str):
        v = clean_text(v)
        return v if v.isascii() or unicodedata.is_normalized("NFC", v) else unicodedata.normalize("NFC", v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(timespec="minutes")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return clean_text(str(v))


def _with_header(rows: list[tuple[int, list[str]]], max_rows: int | None) -> Sheet:
    """Find the header row among the first rows; the rows below it are the data."""
    width = max((_last_filled(cells) for _n, cells in rows), default=0)
    rows = [(n, (cells + [""] * (width - len(cells)))[:width]) for n, cells in rows]
    at = header_index(rows)
    if at is None:
        return Sheet("", [], [], warnings=["the sheet is empty"])
    number, cells = rows[at]
    data = rows[at + 1:]
    truncated = max_rows is not None and len(data) > max_rows
    if max_rows is not None:
        data = data[:max_rows]
    return Sheet("", unique_headers(cells), data, header_row=number, truncated=truncated)


def _last_filled(cells: list[str]) -> int:
    for i in range(len(cells) - 1, -1, -1):
        if cells[i].strip():
            return i + 1
    return 0


def header_index(rows: list[tuple[int, list[str]]]) -> int | None:
    """The header row's index: among the first rows, the one most of whose cells are known headers; without
    any, the first row at least half as wide as the widest, all text; else the first row with anything in it."""
    top = [(i, cells) for i, (_n, cells) in enumerate(rows[:MAX_HEADER_SEARCH]) if any(c.strip() for c in cells)]
    if not top:
        return None
    best, best_score = None, 0
    for i, cells in top:
        score = sum(1 for c in cells if c.strip() and guess_field(c) is not None)
        if score > best_score:
            best, best_score = i, score
    if best is not None and (best_score >= 2 or best == top[0][0]):
        return best
    widest = max(sum(1 for c in cells if c.strip()) for _i, cells in top)
    for i, cells in top:
        filled = [c for c in cells if c.strip()]
        if len(filled) >= max(2, widest / 2) and not any(_is_number(c) for c in filled):
            return i
    return best if best is not None else top[0][0]


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*-?[\d.,]+\s*", text))


def unique_headers(cells: list[str]) -> list[str]:
    """Headers as one-line text; an empty one is named by its column letter, a repeated one gets (2), (3) …"""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = " ".join(clean_line(cell).split()) or f"Column {column_letter(i)}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(name)
    return out


def column_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters
