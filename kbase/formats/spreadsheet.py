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
import csv
import datetime as dt
import io
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from kbase.catalogue.citekeys import base_key
from kbase.errors import ImportProblem, InvalidInput
from kbase.formats.bibtex.mapping import PubData, _keep, _read_date, _read_month, _read_year, clean_doi
from kbase.formats.bibtex.names import Name
from kbase.formats.bibtex.parse import month_number
from kbase.library import models as m
from kbase.text import clean_line, clean_text, fold, fold_words

SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")
IGNORE = "ignore"
# the fields a column can be read as, in the order a mapping dialog offers them, with their labels
FIELDS: dict[str, str] = {
    "title": "Title", "subtitle": "Subtitle", "type": "Type", "date": "Date", "year": "Year", "month": "Month",
    "authors": "Authors", "editors": "Editors", "series": "Series", "number": "Number",
    "container": "In (book or journal)", "volume": "Volume", "pages": "Pages", "publisher": "Publisher",
    "place": "Place", "isbn": "ISBN", "doi": "DOI", "url": "URL", "file": "File path", "language": "Language",
    "abstract": "Abstract", "subjects": "Subjects", "projects": "Projects", "programme": "Programme",
    "regions": "Regions", "visibility": "Visibility", "key": "Citation key", "note": "Note",
    "extra": "Other field (kept as it is)",
}
# fields several columns may feed (Author 1, Author 2 …); the others take the first column that has a value
LIST_FIELDS = {"authors", "editors", "subjects", "projects", "regions", "file", "note", "extra"}
# other words for the fields, as --map may spell them
FIELD_ALIASES = {"author": "authors", "editor": "editors", "subject": "subjects", "keywords": "subjects",
                 "keyword": "subjects", "project": "projects", "region": "regions", "files": "file",
                 "path": "file", "journal": "container", "booktitle": "container", "citekey": "key",
                 "program": "programme", "notes": "note", "skip": IGNORE, "none": IGNORE, "-": IGNORE}

# headers (folded: lower case, no accents, no punctuation) → field
_HEADERS: dict[str, tuple[str, ...]] = {
    "title": ("title", "titre", "publication title", "titre de la publication", "intitule", "document title",
              "titre du document", "report title", "titre du rapport"),
    "subtitle": ("subtitle", "sous titre", "soustitre"),
    "type": ("type", "publication type", "type de publication", "document type", "type de document", "item type",
             "type of reference", "genre", "category", "categorie", "kind", "format"),
    "date": ("date", "publication date", "date of publication", "date de publication", "date de parution",
             "parution", "issued", "published", "date published", "publie le"),
    "year": ("year", "annee", "publication year", "annee de publication", "year of publication", "an", "yr",
             "year published", "annee de parution"),
    "month": ("month", "mois", "mois de publication"),
    "authors": ("author", "authors", "auteur", "auteurs", "auteur s", "author s", "auteur e s", "creator",
                "creators", "written by", "by", "par", "autrices", "auteures"),
    "editors": ("editor", "editors", "editor s", "editeur scientifique", "editeurs scientifiques", "secondary authors",
                "directeur de publication", "directeurs de publication", "sous la direction de", "ed", "eds"),
    "series": ("series", "serie", "collection", "series title", "titre de la serie", "publication series"),
    "number": ("number", "numero", "no", "n", "num", "nr", "issue", "series number", "numero dans la serie",
               "report number", "numero du rapport", "numero de serie"),
    "container": ("journal", "revue", "journal title", "book title", "titre de l ouvrage", "titre du livre",
                  "container", "in", "dans", "published in", "publie dans", "periodical", "periodique",
                  "source title", "magazine"),
    "volume": ("volume", "vol", "tome"),
    "pages": ("pages", "page", "pp", "page range", "pagination"),
    "publisher": ("publisher", "editeur", "editeurs", "maison d edition", "published by", "publie par",
                  "edite par", "edition", "publishing house", "institution"),
    "place": ("place", "lieu", "place of publication", "lieu de publication", "lieu d edition",
              "place published", "city", "ville"),
    "isbn": ("isbn", "isbn 13", "isbn 10", "isbn13", "isbn10"),
    "doi": ("doi",),
    "url": ("url", "link", "lien", "links", "liens", "web link", "lien web", "website", "site web", "web address",
            "adresse web", "hyperlink", "online", "en ligne", "web"),
    "file": ("file", "fichier", "file path", "chemin", "chemin du fichier", "path", "pdf", "attachment",
             "attachments", "piece jointe", "pieces jointes", "fichiers", "files", "pdf file", "fichier pdf"),
    "language": ("language", "langue", "lang", "languages", "langues"),
    "abstract": ("abstract", "resume", "summary", "description", "synopsis", "abstract summary"),
    "subjects": ("subject", "subjects", "sujet", "sujets", "keyword", "keywords", "key words", "mot cle",
                 "mots cles", "mot clef", "mots clefs", "mot cles", "tags", "tag", "theme", "themes",
                 "thematique", "thematiques", "topic", "topics"),
    "projects": ("project", "projects", "projet", "projets", "project name", "nom du projet", "project title",
                 "titre du projet"),
    "programme": ("programme", "program", "programmes", "programs", "research programme", "programme de recherche"),
    "regions": ("region", "regions", "country", "countries", "pays", "zone", "zones", "area", "areas",
                "geographic focus", "focus geographique", "zone geographique", "zones geographiques",
                "province", "provinces", "territoire", "geography", "geographie", "localisation"),
    "visibility": ("visibility", "visibilite", "access", "acces"),
    "key": ("key", "citation key", "cle", "cle de citation", "citekey", "bibtex key", "cle bibtex"),
    "note": ("note", "notes", "comment", "comments", "commentaire", "commentaires", "remarks", "remarques",
             "remarque"),
}
_BY_HEADER = {h: f for f, heads in _HEADERS.items() for h in heads}
# spelled out inside a longer header ("Titre du rapport (FR)", "Authors, separated by ;") these still say the field;
# short or ambiguous words count only as the whole header
_LOOSE = sorted(((h, f) for h, f in _BY_HEADER.items()
                 if len(h) >= 4 and h not in {"kind", "web", "area", "page", "dans", "edition", "format",
                                              "source title", "online"}),
                key=lambda hf: -len(hf[0]))
# headers that look like a field but say something else
_NOT_FIELDS = {"number of pages", "nombre de pages", "page count", "pages count", "nb pages", "year of birth",
               "author email", "author affiliation", "affiliation", "id", "no.", "ref", "reference",
               "date added", "date modified", "date de creation", "date d ajout", "date de modification",
               "date accessed", "date de consultation", "accessed", "created", "modified",
               # Scopus: ids, names with ids in brackets and affiliations beside its Authors column; Open Access is
               # a licence, not our visibility; a conference's date is not the publication's
               "author s id", "author id", "author ids", "authors id", "author full names",
               "authors with affiliations", "open access", "conference date", "conference location",
               "conference name"}

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
# words that make a name an organisation's (folded)
_ORG_WORDS = set("""institute institut institution service services university universite universidad centre center
centro ministry ministere agency agence office bureau council conseil commission committee comite association
foundation fondation fundacion network reseau group groupe bank banque programme program project projet company
ltd inc llc sa sarl asbl vzw ngo ong organisation organization society societe federation union department
departement observatory observatoire initiative alliance coalition partnership platform plateforme forum trust
fund fonds nations international internationale research recherche watch consortium secretariat authority
autorite school ecole college laboratory laboratoire unit unite cooperation cooperative corps world global
national nationale republic republique government gouvernement parliament parlement assembly assemblee court
cour police army armee mission museum musee library bibliotheque press presse news media editions publishing
publications team equipe collective collectif campaign campagne movement mouvement church eglise""".split())
_PARTICLES = {"van", "von", "de", "der", "den", "du", "des", "di", "da", "dos", "das", "del", "della", "la", "le",
              "ten", "ter", "bin", "ibn", "al", "el", "mac", "st", "saint"}
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$")
_SPLIT_NAMES = re.compile(r"\s*[;\n]\s*")
_SPLIT_LIST = re.compile(r"\s*[;\n]\s*")
_SPLIT_SUBJECTS = re.compile(r"\s*[;,\n]\s*")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[./-](\d{4})$")
_ISO_LIKE = re.compile(r"^\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?(?:T[\d:.,+Z-]*)?(?:/.*)?[?~%]?$")
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
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


@dataclass
class SheetResult:
    records: list[PubData] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (row, key, reason)
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # the file's own


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
        raise ImportProblem(f"{path}: an Excel 97-2003 workbook (.xls) cannot be read; save it as .xlsx or .csv")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet, max_rows)
    from kbase.formats.encoding import decode_bytes

    decoded = decode_bytes(path.read_bytes())
    table = read_csv_text(decoded.text, str(path), tab=suffix == ".tsv", max_rows=max_rows)
    table.encoding = decoded.encoding
    table.warnings[:0] = decoded.warnings
    if sheet:  # one --sheet for a workbook and a CSV file named together
        table.warnings.append(f"a CSV file has no sheets; sheet {sheet!r} is for workbooks and was not looked for")
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
        warns.append(f"row {len(rows) + 1 + offset}: {exc}; the rest of the file was not read")
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
            raise ImportProblem(f"{path}: not an XLSX workbook that can be read ({type(exc).__name__}: {exc})") from exc
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
        table.warnings.append(f"read the first sheet, {title!r}, of {len(names)} ({', '.join(names)}); "
                              "another one with --sheet NAME")
    return table


def _pick_sheet(wb: Any, names: list[str], sheet: str | None, path: Path) -> Any:
    if not names:
        raise ImportProblem(f"{path}: the workbook has no sheets")
    if not sheet:
        return wb[names[0]]
    if sheet in names:
        return wb[sheet]
    folded = {fold(n): n for n in names}
    if fold(sheet) in folded:
        return wb[folded[fold(sheet)]]
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return wb[names[int(sheet) - 1]]
    raise ImportProblem(f"{path}: no sheet named {sheet!r} (its sheets: {', '.join(names)})")


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


# -- the mapping -------------------------------------------------------------------------------------------
def header_key(header: str) -> str:
    """A header as compared: no accents, case, punctuation or column number ('Auteur(s) 2' → 'auteur s')."""
    key = fold_words(header.replace("_", " "))  # publication_year, as pandas-made files name columns
    return re.sub(r"(?:\s+\d+|\s*\(\d+\))$", "", key).strip() or key


def guess_field(header: str) -> str | None:
    """The field a header names, or None."""
    key = header_key(header)
    if not key or key in _NOT_FIELDS or fold_words(header) in _NOT_FIELDS:
        return None
    if key in _BY_HEADER:
        return _BY_HEADER[key]
    padded = f" {key} "
    if any(f" {n} " in padded for n in _NOT_FIELDS if len(n) > 3):
        return None
    for words, fld in _LOOSE:  # the longest header words found in it
        if f" {words} " in padded:
            return fld
    return None


def propose_mapping(headers: Iterable[str]) -> dict[str, str]:
    """{column: field or "ignore"} from the headers; a field that takes one column goes to the first that names it."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for h in headers:
        fld = guess_field(h)
        if fld is None or (fld in taken and fld not in LIST_FIELDS):
            out[h] = IGNORE
            continue
        taken.add(fld)
        out[h] = fld
    if "date" in taken and "year" in taken and "month" not in taken:
        pass  # the date gives the month and day, the year column the year
    return out


def field_name(name: str) -> str:
    """A field's name as given (--map, a mapping file): its key, or InvalidInput naming the fields."""
    key = fold_words(name).replace(" ", "_")
    key = FIELD_ALIASES.get(key, key)
    if key in FIELDS or key == IGNORE:
        return key
    by_label = {fold_words(label): k for k, label in FIELDS.items()}
    if fold_words(name) in by_label:
        return by_label[fold_words(name)]
    raise InvalidInput(f"unknown field {name!r}; the fields are: {', '.join(FIELDS)}, or {IGNORE}")


def resolve_mapping(headers: list[str], explicit: dict[str, str] | None) -> dict[str, str]:
    """The whole mapping: the columns `explicit` names take its fields, the others what propose_mapping says
    (less the one-column fields explicit already gave). A column explicit names must be in the sheet."""
    proposed = propose_mapping(headers)
    if not explicit:
        return proposed
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(fold(h), h)
        by_key.setdefault(header_key(h), h)
    chosen: dict[str, str] = {}
    for column, fld in explicit.items():
        header = column if column in proposed else by_key.get(fold(column)) or by_key.get(header_key(column))
        if header is None:
            letter = column.strip().upper()
            if re.fullmatch(r"[A-Z]{1,3}", letter):  # a column letter: C, AB
                index = sum((ord(ch) - 64) * 26 ** p for p, ch in enumerate(reversed(letter))) - 1
                header = headers[index] if index < len(headers) else None
        if header is None:
            raise InvalidInput(f"no column {column!r} in the sheet (its columns: {', '.join(headers)})")
        chosen[header] = field_name(fld)
    given = {f for f in chosen.values() if f not in LIST_FIELDS}
    out = {}
    for h in headers:
        if h in chosen:
            out[h] = chosen[h]
        else:
            out[h] = IGNORE if proposed[h] in given else proposed[h]
    return out


def parse_map_option(text: str) -> dict[str, str]:
    """--map 'title=Titre,year=Année,authors=Auteurs' → {column: field}; 'Titre=title' is read too."""
    out: dict[str, str] = {}
    for piece in re.split(r",(?=[^,=]+=)", text):
        if not piece.strip():
            continue
        if "=" not in piece:
            raise InvalidInput(f"--map: {piece.strip()!r} is not FIELD=COLUMN (as in title=Titre,year=Année)")
        left, _, right = (p.strip() for p in piece.partition("="))
        try:
            fld, column = field_name(left), right
        except InvalidInput:
            try:
                fld, column = field_name(right), left  # the other way round
            except InvalidInput:
                field_name(left)  # says which field is unknown
                raise
        if not column:
            raise InvalidInput(f"--map: no column given for {left!r}")
        out[column] = fld
    return out


def mapping_json(columns: dict[str, str], sheet: str | None = None) -> dict[str, Any]:
    """The JSON a mapping is saved as (the GUI's Save mapping…, `kbase import --map-file`)."""
    out: dict[str, Any] = {"format": "kbase spreadsheet mapping", "version": 1, "columns": dict(columns)}
    if sheet:
        out["sheet"] = sheet
    return out


def read_mapping_file(path: str | Path) -> tuple[dict[str, str], str | None]:
    """A saved mapping: ({column: field}, sheet or None). {"columns": {...}} or a plain {column: field}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the mapping file: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise InvalidInput(f"{path}: not a JSON mapping file: {exc}") from exc
    columns = data.get("columns", data) if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(k, str) and isinstance(v, (str, type(None)))
                                               for k, v in columns.items()):
        raise InvalidInput(f"{path}: a mapping file holds {{\"columns\": {{column: field}}}}")
    cols = {k: field_name(v or IGNORE) for k, v in columns.items() if k not in ("format", "version", "sheet")}
    sheet = data.get("sheet") if isinstance(data.get("sheet"), str) else None
    return cols, sheet


def describe_mapping(columns: dict[str, str]) -> str:
    """'Titre → title, Année → year; ignored: Remarques'."""
    used = [f"{c} → {f}" for c, f in columns.items() if f != IGNORE]
    ignored = [c for c, f in columns.items() if f == IGNORE]
    return (", ".join(used) or "no column read") + (f"; ignored: {', '.join(ignored)}" if ignored else "")


# -- rows to records ---------------------------------------------------------------------------------------
def read_rows(table: Sheet, columns: dict[str, str]) -> SheetResult:
    """Every row as PubData (its row number the line, 'row12' the key unless a column gives one).

    An empty row is no record and is passed over; a row with text only in ignored columns is noted."""
    out = SheetResult()
    if not table.headers:
        out.problems.append((1, "", "the sheet is empty: no header row, no rows"))
        return out
    plan = [(i, h, columns.get(h, IGNORE)) for i, h in enumerate(table.headers)]
    used = [(i, h, f) for i, h, f in plan if f != IGNORE]
    if not used:
        out.problems.append((table.header_row, "", "no column is read (every column is ignored)"))
        return out
    if not any(f == "title" for _i, _h, f in used):
        out.notes.append((table.header_row, "", "no column is read as the title; each row's title is taken from "
                                               "another column or is [untitled]"))
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        values: dict[str, list[tuple[str, str]]] = {}
        for i, header, fld in used:
            text = cells[i].strip() if i < len(cells) else ""
            if text:
                values.setdefault(fld, []).append((header, text))
        if not values:
            out.notes.append((number, f"row{number}", "text only in ignored columns; not a record"))
            continue
        try:
            out.records.append(to_publication(number, values))
        except Exception as exc:  # a bug must cost this row, not the import of the file
            out.refused.append((number, f"row{number}", f"cannot be read: {type(exc).__name__}: {exc}"))
    if not out.records and not out.refused:
        out.problems.append((table.header_row or 1, "", "no rows under the header row"))
    return out


def _one_line(text: str) -> str:
    """A cell as one line: cells were cleaned and made NFC as the sheet was read, only breaks and tabs are left."""
    return " ".join(text.split()) if ("\n" in text or "\t" in text or "  " in text) else text.strip()


@lru_cache(maxsize=65536)
def parse_name(raw: str) -> Name | None:
    """'Verweijen, Judith', 'Judith Verweijen', 'J. Verweijen', 'Ludwig van Beethoven' are people; an acronym,
    a name in braces, a name with an organisation's word or more than four words is an organisation."""
    text = " ".join(clean_line(raw).split()).strip(" .,")
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1].strip()
        return Name("organisation", inner) if any(ch.isalnum() for ch in inner) else None
    if not any(ch.isalnum() for ch in text):
        return None
    words = text.replace(",", " ").split()
    folded = [fold_words(w) for w in words]
    if any(w in _ORG_WORDS for w in folded) or (len(words) == 1 and _is_acronym(words[0])) or \
            any(ch.isdigit() for ch in text) or "&" in text:
        return Name("organisation", text)
    if "," in text:
        family, _, given = (p.strip() for p in text.partition(","))
        given = given.strip(" ,")
        if family and given and len(given.split()) <= 4 and len(family.split()) <= 4:
            return Name("person", f"{given} {family}", f"{family}, {given}")
        return Name("organisation", text)
    if len(words) == 1:
        return Name("person", text)  # a family name alone
    if len(words) > 4:
        return Name("organisation", text)
    if len(words) <= 3 and _INITIALS.match(words[-1]) and not _INITIALS.match(words[0]):  # Medline: Smith JA
        family, given = " ".join(words[:-1]), words[-1]
        return Name("person", f"{given} {family}", f"{family}, {given}")
    if not all(w[:1].isupper() or fold(w) in _PARTICLES for w in words):
        return Name("organisation", text)
    cut = len(words) - 1
    while cut > 1 and fold(words[cut - 1]) in _PARTICLES:
        cut -= 1  # the particles before the family name belong to it: van Beethoven
    given, family = " ".join(words[:cut]), " ".join(words[cut:])
    return Name("person", text, f"{family}, {given}")


_FAMILY_INITIALS = re.compile(r"^[^\d,;]+ (?:[A-Z]\.?-?){1,3}$")


def _comma_names(text: str) -> list[str]:
    """'Liu R., Adler D.G.' (Embase's list, commas between names) as two names; 'Marx, Karl' stays one."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 1 and all(_FAMILY_INITIALS.match(p) for p in parts):
        return parts
    return [text]


def _is_acronym(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


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
            _keep(data, "date", text, "approximate date", f"date {text!r}: day and month can be read either way; "
                                                          f"read as {year}")
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
    given_key = _one_line(_first(values, "key", data))
    if given_key and re.fullmatch(r"[^\s{}(),\\\"'#%~=]{1,100}", given_key):
        data.key = given_key
    elif given_key:
        data.extra.setdefault("fields", {})["key"] = given_key
        data.notes.append(f"citation key {given_key!r} has spaces or signs a key cannot hold; a key is made")
    data.written_key = data.key

    kind = _one_line(_first(values, "type", data))
    if kind:
        ptype = publication_type(kind)
        if ptype is None:
            cols["type"] = "other"
            _keep(data, "type", kind, "unknown type", f"unknown type {kind!r}; imported as other")
        else:
            cols["type"] = ptype
    else:
        cols["type"] = "other"

    for role, name in (("author", "authors"), ("editor", "editors")):
        for piece in [n for p in _items(values, name, _SPLIT_NAMES) for n in _comma_names(p)]:
            who = parse_name(piece)
            if who is not None and (role, who) not in data.contributors:
                data.contributors.append((role, who))

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
                  f"unknown visibility {single['visibility']!r}; the library's default is used")
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

    year = _one_line(_first(values, "year", data))
    if year:
        _read_year(cols, year, data)
    date = _one_line(_first(values, "date", data))
    if date:
        when: dict[str, Any] = {}
        _read_date_cell(when, date, data)
        if cols.get("year") and when.get("year") and when["year"] != cols["year"]:
            _keep(data, "date", date, "unreadable date", f"date {date!r} beside year {cols['year']}; kept as text")
        else:
            for k, v in when.items():
                cols.setdefault(k, v)
    month = _one_line(_first(values, "month", data))
    if month and cols.get("month") is None:
        _read_month(cols, month, data, cols.get("day") is not None)
    elif month and str(cols.get("month")) != month.lstrip("0") and month_number(month) != cols.get("month"):
        _keep(data, "month", month, "unreadable date", f"month {month!r} beside date {date!r}; kept as text")

    title = single["title"]
    if title:
        cols["title"] = title
    else:
        cols["title"] = _stand_in(data, files)
    cols["citekey"] = data.key if data.key != f"row{row}" else _make_key(data)
    return data


def _stand_in(data: PubData, files: list[str]) -> str:
    """A title from the container, the series and number, a file name or the URL; else "[untitled]"."""
    series = " ".join(x for x in (data.series or "", data.columns.get("number") or "") if x)
    stem = next((Path(f.replace("\\", "/")).stem for f in files if Path(f.replace("\\", "/")).stem), "")
    for name, text in (("container", data.columns.get("container") or ""), ("series", series), ("file", stem),
                       ("url", data.columns.get("url") or "")):
        if text and any(ch.isalnum() for ch in text):
            text = text if len(text) <= 250 else text[:249] + "…"
            _keep(data, "title", None, f"title from {name}", f"no title; the {name} stands for it: {text!r}")
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
