"""Which column holds which field: headers in English or French (accents and case ignored), a --map
option or a saved mapping file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable

from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.text import fold, fold_words

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
    raise InvalidInput(N_("unknown field {name}; the fields are: {fields}, or {ignore}").format(
        name=repr(name), fields=', '.join(FIELDS), ignore=IGNORE))


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
            raise InvalidInput(N_("no column {column} in the sheet (its columns: {headers})").format(
                column=repr(column), headers=', '.join(headers)))
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
            raise InvalidInput(N_("--map: {piece} is not FIELD=COLUMN (as in title=Titre,year=Année)").format(
                piece=repr(piece.strip())))
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
            raise InvalidInput(N_("--map: no column given for {field}").format(field=repr(left)))
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
        raise InvalidInput(N_("{path}: cannot read the mapping file: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc
    except ValueError as exc:
        raise InvalidInput(N_("{path}: not a JSON mapping file: {reason}").format(path=path, reason=exc)) from exc
    columns = data.get("columns", data) if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(k, str) and isinstance(v, (str, type(None)))
                                               for k, v in columns.items()):
        raise InvalidInput(N_('{path}: a mapping file holds {{"columns": {{column: field}}}}').format(path=path))
    cols = {k: field_name(v or IGNORE) for k, v in columns.items() if k not in ("format", "version", "sheet")}
    sheet = data.get("sheet") if isinstance(data.get("sheet"), str) else None
    return cols, sheet


def describe_mapping(columns: dict[str, str]) -> str:
    """'Titre → title, Année → year; ignored: Remarques'."""
    used = [f"{c} → {f}" for c, f in columns.items() if f != IGNORE]
    ignored = [c for c, f in columns.items() if f == IGNORE]
    return (", ".join(used) or "no column read") + (f"; ignored: {', '.join(ignored)}" if ignored else "")
