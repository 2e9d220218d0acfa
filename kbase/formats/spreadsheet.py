"""Spreadsheets (CSV with any delimiter and encoding, XLSX) to publication records, one row each.

An institute's own publication list usually lives in a spreadsheet: a header row (perhaps under a title
and a blank row), then one publication per row. `read_sheet` finds the delimiter (csv.Sniffer, checked
against how many columns each row gets), the encoding (kbase.formats.encoding.decode_bytes, which names
it and warns), the sheet (the first, or a named one) and the header row; `propose_mapping` says which
column holds which field from its header, in English or French (accents and case ignored); `read_rows`
turns each row into a PubData, the row number as its line and "row12" as its key.

A mapping is {column header: field}; the fields are FIELDS' keys, or "ignore". Saved as JSON
(`mapping_json`), it is what `kbase import --map-file` reads.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbase.catalogue.citekeys import base_key
from kbase.formats.bibtex.mapping import PubData, _keep, _read_date, _read_month, _read_year, clean_doi
from kbase.formats.bibtex.parse import month_number
from kbase.formats.spreadsheet_columns import (
    FIELD_ALIASES,
    FIELDS,
    IGNORE,
    LIST_FIELDS,
    describe_mapping,
    field_name,
    guess_field,
    header_key,
    mapping_json,
    parse_map_option,
    propose_mapping,
    read_mapping_file,
    resolve_mapping,
)
from kbase.formats.spreadsheet_names import _SPLIT_NAMES, _comma_names, parse_name
from kbase.formats.spreadsheet_read import (
    MAX_HEADER_SEARCH,
    SUFFIXES,
    Sheet,
    column_letter,
    header_index,
    is_spreadsheet,
    read_csv_text,
    read_sheet,
    sniff_delimiter,
    unique_headers,
)
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_text, fold_words

__all__ = ["SUFFIXES", "IGNORE", "FIELDS", "LIST_FIELDS", "FIELD_ALIASES", "MAX_HEADER_SEARCH", "Sheet",
           "SheetResult", "is_spreadsheet", "read_sheet", "read_csv_text", "sniff_delimiter", "header_index",
           "unique_headers", "column_letter", "header_key", "guess_field", "propose_mapping", "field_name",
           "resolve_mapping", "parse_map_option", "mapping_json", "read_mapping_file", "describe_mapping",
           "read_rows", "parse_name", "publication_type", "to_publication", "read_spreadsheet"]


# types as people write them (folded) → our type
_TYPE_WORDS: dict[str, str] = {fold_words(t): t for t in m.PUBLICATION_TYPES} | {
    "rapport": "report", "technical report": "report", "rapport technique": "report", "research report": "report",
    "rapport de recherche": "report", "working paper": "report", "document de travail": "report",
    "study": "report", "etude": "report", "reports": "report", "rapports": "report",
    "rapport de synthese": "summary report", "synthese": "summary report", "executive summary": "summary report",
    "resume executif": "summary report",
    "policy brief": "briefing", "briefing note": "briefing", "briefing paper": "briefing", "brief": "briefing",
    "note d information": "briefing", "note de politique": "briefing", "note de synthese": "briefing",
    "note d orientation": "briefing", "note": "briefing", "briefings": "briefing",
    "newsletter": "bulletin", "lettre d information": "bulletin", "bulletins": "bulletin",
    "insights": "insight", "eclairage": "insight",
    "review": "review paper", "literature review": "review paper", "revue de litterature": "review paper",
    "revue de la litterature": "review paper",
    "case study": "case studies", "etude de cas": "case studies", "etudes de cas": "case studies",
    "livre": "book", "ouvrage": "book", "monograph": "book", "monographie": "book", "edited volume": "book",
    "ouvrage collectif": "book", "books": "book", "livres": "book",
    "chapter": "book chapter", "chapitre": "book chapter", "chapitre d ouvrage": "book chapter",
    "chapitre de livre": "book chapter", "book section": "book chapter", "section": "book chapter",
    "journal article": "article", "article de revue": "article", "article scientifique": "article",
    "paper": "article", "magazine article": "article", "newspaper article": "article",
    "article de presse": "article", "op ed": "article", "tribune": "article", "articles": "article",
    "rapport d atelier": "workshop report", "compte rendu d atelier": "workshop report",
    "workshop": "workshop report", "atelier": "workshop report",
    "web map": "webmap", "interactive map": "webmap", "carte interactive": "webmap", "carte web": "webmap",
    "online map": "webmap", "carte en ligne": "webmap",
    "tableau de bord": "dashboard",
    "static map": "static maps", "map": "static maps", "maps": "static maps", "carte": "static maps",
    "cartes": "static maps", "carte statique": "static maps", "cartes statiques": "static maps",
    "film": "video", "documentary": "video", "documentaire": "video", "videos": "video",
    "autre": "other", "divers": "other", "misc": "other",
    "conference paper": "book chapter", "communication": "book chapter",  # as RIS's CONF and CPAPER are read
    "jour": "article", "chap": "book chapter", "rprt": "report",  # RIS type codes (ASReview's type_of_reference)
}
_VISIBILITY = {"public": "public", "publique": "public", "internal": "internal", "interne": "internal",
               "confidential": "confidential", "confidentiel": "confidential", "confidentielle": "confidential"}


_SPLIT_LIST = re.compile(r"\s*[;\n]\s*")
_SPLIT_SUBJECTS = re.compile(r"\s*[;,\n]\s*")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[./-](\d{4})$")
_ISO_LIKE = re.compile(r"^\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?(?:T[\d:.,+Z-]*)?(?:/.*)?[?~%]?$")
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


@dataclass
class SheetResult:
    records: list[PubData] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (row, key, reason)
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # the file's own


# -- rows to records ---------------------------------------------------------------------------------------
def read_rows(table: Sheet, columns: dict[str, str]) -> SheetResult:
    """Every row as PubData (its row number the line, 'row12' the key unless a column gives one).

    An empty row is no record and is passed over; a row with text only in ignored columns is noted."""
    out = SheetResult()
    if not table.headers:
        out.problems.append((1, "", N_("the sheet is empty: no header row, no rows")))
        return out
    plan = [(i, h, columns.get(h, IGNORE)) for i, h in enumerate(table.headers)]
    used = [(i, h, f) for i, h, f in plan if f != IGNORE]
    if not used:
        out.problems.append((table.header_row, "", N_("no column is read (every column is ignored)")))
        return out
    if not any(f == "title" for _i, _h, f in used):
        out.notes.append((table.header_row, "", N_("no column is read as the title; each row's title is taken from "
                                                   "another column or is [untitled]")))
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        values: dict[str, list[tuple[str, str]]] = {}
        for i, header, fld in used:
            text = cells[i].strip() if i < len(cells) else ""
            if text:
                values.setdefault(fld, []).append((header, text))
        if not values:
            out.notes.append((number, f"row{number}", N_("text only in ignored columns; not a record")))
            continue
        try:
            out.records.append(to_publication(number, values))
        except Exception as exc:  # a bug must cost this row, not the import of the file
            out.refused.append((number, f"row{number}", N_("cannot be read: {error}: {reason}").format(
                error=type(exc).__name__, reason=exc)))
    if not out.records and not out.refused:
        out.problems.append((table.header_row or 1, "", N_("no rows under the header row")))
    return out


def _one_line(text: str) -> str:
    """A cell as one line: cells were cleaned and made NFC as the sheet was read, only breaks and tabs are left."""
    return " ".join(text.split()) if ("\n" in text or "\t" in text or "  " in text) else text.strip()


def publication_type(text: str) -> str | None:
    return _TYPE_WORDS.get(fold_words(text))


def _read_date_cell(cols: dict[str, Any], text: str, data: PubData) -> None:
    """A date as people type it: ISO, 15/03/2021, 03/2021, 'March 2021', '15 mars 2021'; else as years are read."""
    text = " ".join(text.split())
    if _ISO_LIKE.match(text):
        _read_date(cols, text, data, "date")
        return
    dmy = _DMY.match(text)
    if dmy:
        a, b, year = (int(g) for g in dmy.groups())
        cols["year"] = year
        if a > 12 >= b:
            cols["month"], day = b, a
        elif b > 12 >= a:
            cols["month"], day = a, b
        elif a == b:
            cols["month"], day = a, a
        else:
            _keep(data, "date", text, N_("approximate date"), N_("date {text}: day and month can be read either way; "
                                         "read as {year}").format(text=repr(text), year=year))
            return
        if 1 <= day <= 31:
            cols["day"] = day
        return
    my = _MY.match(text)
    if my and 1 <= int(my.group(1)) <= 12:
        cols["year"], cols["month"] = int(my.group(2)), int(my.group(1))
        return
    words = [w for w in re.split(r"[\s,./-]+", text) if w]
    years = [w for w in words if _YEAR.fullmatch(w)]
    months = [month_number(w) for w in words if not w.isdigit() and month_number(w)]
    days = [int(w.rstrip("er")) for w in words if re.fullmatch(r"\d{1,2}(?:er)?", w)]
    if len(years) == 1 and len(months) == 1 and len(words) <= 3 + (1 if days else 0):
        cols["year"], cols["month"] = int(years[0]), months[0]
        if len(days) == 1 and 1 <= days[0] <= 31:
            cols["day"] = days[0]
        return
    _read_year(cols, text, data, "date")


def _first(values: dict[str, list[tuple[str, str]]], name: str, data: PubData) -> str:
    """The first column's value for a one-column field; another column's different value is kept as a field."""
    found = values.get(name) or []
    if not found:
        return ""
    for header, text in found[1:]:
        if text != found[0][1]:
            data.extra.setdefault("fields", {})[_extra_name(header)] = _one_line(text)
    return found[0][1]


def _extra_name(header: str) -> str:
    return fold_words(header).replace(" ", "_") or "column"


def _items(values: dict[str, list[tuple[str, str]]], name: str, split: re.Pattern[str]) -> list[str]:
    found = values.get(name)
    if not found:
        return []
    out: list[str] = []
    for _h, text in found:
        listed = _python_list(text)
        parts = listed if listed is not None else split.split(text)
        out += [_one_line(p) for p in parts if p.strip()]
    return list(dict.fromkeys(p for p in out if _LETTER_OR_DIGIT.search(p)))


_PY_LIST = re.compile(r"""^\[\s*(?:(['"]).*\1)?\s*\]$""", re.S)


def _python_list(text: str) -> list[str] | None:
    """A cell pandas wrote from a Python list ("['Marx, Karl', 'Lindgren, Astrid']", as ASReview does), or None."""
    if not _PY_LIST.match(text):
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None


def to_publication(row: int, values: dict[str, list[tuple[str, str]]]) -> PubData:
    """One row's PubData from {field: [(column, text)]}; what cannot be read is kept raw, flagged and noted."""
    key = f"row{row}"
    cols: dict[str, Any] = {}
    data = PubData(key, row, cols)
    _key_and_type(values, data)
    _contributors(values, data)
    single = _single_fields(values, data)
    files = _lists(values, data)
    _dates(values, data)

    title = single["title"]
    if title:
        cols["title"] = title
    else:
        cols["title"] = _stand_in(data, files)
    cols["citekey"] = data.key if data.key != f"row{row}" else _make_key(data)
    return data


def _key_and_type(values: dict[str, list[tuple[str, str]]], data: PubData) -> None:
    """The row's own citation key when a key can be it, and its type (unknown: other, the text kept)."""
    cols = data.columns
    given_key = _one_line(_first(values, "key", data))
    if given_key and re.fullmatch(r"[^\s{}(),\\\"'#%~=]{1,100}", given_key):
        data.key = given_key
    elif given_key:
        data.extra.setdefault("fields", {})["key"] = given_key
        data.notes.append(N_("citation key {key} has spaces or signs a key cannot hold; a key is made").format(
            key=repr(given_key)))
    data.written_key = data.key

    kind = _one_line(_first(values, "type", data))
    if kind:
        ptype = publication_type(kind)
        if ptype is None:
            cols["type"] = "other"
            _keep(data, "type", kind, N_("unknown type"), N_("unknown type {kind}; imported as other").format(
                kind=repr(kind)))
        else:
            cols["type"] = ptype
    else:
        cols["type"] = "other"


def _contributors(values: dict[str, list[tuple[str, str]]], data: PubData) -> None:
    for role, name in (("author", "authors"), ("editor", "editors")):
        for piece in [n for p in _items(values, name, _SPLIT_NAMES) for n in _comma_names(p)]:
            who = parse_name(piece)
            if who is not None and (role, who) not in data.contributors:
                data.contributors.append((role, who))


def _single_fields(values: dict[str, list[tuple[str, str]]], data: PubData) -> dict[str, str]:
    """The fields with one value each, on one line; returned for the title and its stand-ins."""
    cols = data.columns
    single = {k: _one_line(_first(values, k, data)) for k in
              ("title", "subtitle", "series", "number", "container", "pages", "place", "language", "publisher",
               "isbn", "doi", "visibility", "volume", "programme")}
    for name in ("subtitle", "number", "container", "pages", "place", "language"):
        if single[name]:
            cols[name] = single[name]
    if single["series"]:
        data.series = single["series"]
    if single["publisher"]:
        data.publisher = single["publisher"]
    if single["isbn"]:
        pieces = [p for p in re.split(r"[;,]\s*|\s+(?=97[89])", single["isbn"]) if p.strip()]
        cols["isbn"] = pieces[0].strip()
        if len(pieces) > 1:
            data.extra.setdefault("fields", {})["isbns"] = "; ".join(p.strip() for p in pieces)
    if single["doi"]:
        cols["doi"] = clean_doi(single["doi"])
    for name in ("volume", "programme"):
        if single[name]:
            data.extra.setdefault("fields", {})[name] = single[name]
    if single["visibility"]:
        vis = _VISIBILITY.get(fold_words(single["visibility"]))
        if vis:
            cols["visibility"] = vis
        else:
            _keep(data, "visibility", single["visibility"], None,
                  N_("unknown visibility {visibility}; the library's default is used").format(
                      visibility=repr(single['visibility'])))
    return single


def _lists(values: dict[str, list[tuple[str, str]]], data: PubData) -> list[str]:
    """URLs, abstract, subjects, projects, regions, files, notes and other columns; returns the files."""
    cols = data.columns
    urls = _items(values, "url", re.compile(r"\s*[;\s]\s*"))
    if urls:
        cols["url"] = urls[0]
        if len(urls) > 1:
            data.extra.setdefault("fields", {})["urls"] = "; ".join(urls)
    abstract = _first(values, "abstract", data)
    if abstract:
        cols["abstract"] = unicodedata.normalize("NFC", clean_text(abstract)).strip()
    data.subjects = _items(values, "subjects", _SPLIT_SUBJECTS)
    data.projects = _items(values, "projects", _SPLIT_LIST)
    data.regions = _items(values, "regions", _SPLIT_LIST)
    # a relative path typed on Windows (docs\\report.pdf) is the same path here; C:\\… is said to be Windows's
    files = [f if _DRIVE.match(f) else f.replace("\\", "/") for f in _items(values, "file", _SPLIT_LIST)]
    data.files = files or None
    notes = [clean_text(t).strip() for _h, t in values.get("note") or []]
    if notes:
        data.extra.setdefault("fields", {})["note"] = "\n".join(notes)
    for header, text in values.get("extra") or []:
        data.extra.setdefault("fields", {})[_extra_name(header)] = _one_line(text)

    return files


def _dates(values: dict[str, list[tuple[str, str]]], data: PubData) -> None:
    """Year, date and month columns, each checked against the others."""
    cols = data.columns
    year = _one_line(_first(values, "year", data))
    if year:
        _read_year(cols, year, data)
    date = _one_line(_first(values, "date", data))
    if date:
        when: dict[str, Any] = {}
        _read_date_cell(when, date, data)
        if cols.get("year") and when.get("year") and when["year"] != cols["year"]:
            _keep(data, "date", date, N_("unreadable date"), N_("date {date} beside year {year}; kept as text").format(
                date=repr(date), year=cols['year']))
        else:
            for k, v in when.items():
                cols.setdefault(k, v)
    month = _one_line(_first(values, "month", data))
    if month and cols.get("month") is None:
        _read_month(cols, month, data, cols.get("day") is not None)
    elif month and str(cols.get("month")) != month.lstrip("0") and month_number(month) != cols.get("month"):
        _keep(data, "month", month, N_("unreadable date"), N_("month {month} beside date {date}; kept as text").format(
            month=repr(month), date=repr(date)))


def _stand_in(data: PubData, files: list[str]) -> str:
    """A title from the container, the series and number, a file name or the URL; else "[untitled]"."""
    series = " ".join(x for x in (data.series or "", data.columns.get("number") or "") if x)
    stem = next((Path(f.replace("\\", "/")).stem for f in files if Path(f.replace("\\", "/")).stem), "")
    for name, text in (("container", data.columns.get("container") or ""), ("series", series), ("file", stem),
                       ("url", data.columns.get("url") or "")):
        if text and any(ch.isalnum() for ch in text):
            text = text if len(text) <= 250 else text[:249] + "…"
            _keep(data, "title", None, N_("title from {name}").format(name=name),
                  N_("no title; the {name} stands for it: {text}").format(name=name, text=repr(text)))
            return text
    _keep(data, "title", None, "untitled", "no title; stored as [untitled]")
    return "[untitled]"


def _make_key(data: PubData) -> str:
    who = data.contributors[0][1] if data.contributors else None
    family = who.sortable.split(",")[0] if who and who.sortable else (who.display if who else None)
    return base_key(family, bool(who and who.kind == "person"), None, data.columns.get("year"), data.columns["title"])


def read_spreadsheet(path: str | Path, mapping: dict[str, str] | None = None,
                     sheet: str | None = None) -> tuple[Sheet, dict[str, str], SheetResult]:
    """A file's sheet, the mapping used (explicit columns, the rest proposed) and its rows as records."""
    table = read_sheet(path, sheet)
    columns = resolve_mapping(table.headers, mapping)
    return table, columns, read_rows(table, columns)
