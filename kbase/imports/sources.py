"""The import's entry point for each bibliographic format (BibTeX, RIS, CSL-JSON, spreadsheets): read the
file with its reader in kbase.formats, make the plan, and hand it to import_records."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.errors import ImportProblem, InvalidInput
from kbase.formats.bibtex.mapping import PubData, to_publication
from kbase.formats.bibtex.parse import BadValue, parse_text
from kbase.formats.encoding import read_bib
from kbase.i18n import N_
from kbase.imports.names import NameCache
from kbase.imports.writing import _SAME_AS, ON_DUPLICATE, BibReport, Planned, find_files, import_records
from kbase.library import models as m
from kbase.text import clean_text, fold, fold_words


def import_bib(cat: Catalogue, path: str | Path, *, dry_run: bool = False, roots: list[Path] | None = None,
               on_duplicate: str = "link", batch_id: int | None = None) -> BibReport:
    """Import one .bib file: its entries are committed together or not at all.

    Entries that cannot be read are refused with their line; the others still come in. Without a
    batch_id the file gets a batch of its own, so that it can be undone. The PDFs its `file` fields
    name are left in report.to_attach for the import pipeline (kbase.imports.pipeline.import_bib_file)."""
    on_duplicate = _SAME_AS.get(on_duplicate, on_duplicate)
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(N_("on_duplicate must be one of {choices} (got {got})").format(
            choices=', '.join(ON_DUPLICATE), got=repr(on_duplicate)))
    path = Path(path)
    try:
        decoded = read_bib(path)
    except OSError as exc:
        raise ImportProblem(N_("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror or exc)) from exc
    report = BibReport(str(path), dry_run, encoding=decoded.encoding)
    report.notes += [(1, "", w) for w in decoded.warnings]
    # the boundary: NUL and control characters go, text is NFC; a form feed or vertical tab would become a
    # line break in clean_text and shift every later line number
    parsed = parse_text(unicodedata.normalize("NFC", clean_text(decoded.text.replace("\f", " ").replace("\v", " "))))
    for line, key, reason in parsed.problems:
        if reason.startswith("@string"):  # a macro definition, not an entry: its uses say what they lost
            report.notes.append((line, key, reason))
        else:
            report.refused.append((line, key, reason))
    report.notes += parsed.notes  # about the file: a broken @comment, a macro defined twice
    if not parsed.entries and not parsed.problems:
        macros = "@string" in decoded.text.lower()
        report.problems.append((1, "", "only @string definitions, no entries" if macros
                                else "no BibTeX entries found (is this a .bib file?)"))
    roots = [Path(r) for r in (roots or [path.parent])]
    bases = [path.parent / Path(d).expanduser() for d in parsed.file_dirs]  # JabRef's; relative ones to the .bib
    plans: list[Planned] = []
    for entry in parsed.entries:
        try:
            data = to_publication(entry)
        except BadValue as exc:
            report.refused.append((entry.line, entry.key, str(exc)))
            continue
        report.notes += [(entry.line, entry.key, n) for n in data.notes]
        plans.append(Planned(data, *find_files(data, path.parent, roots, report, bases)))
    return import_records(cat, report, plans, on_duplicate=on_duplicate, batch_id=batch_id)


# the bibliographic formats `kbase import` reads, and the suffixes it looks at to find them
FORMATS = ("bibtex", "ris", "csl-json")


def bibliography_format(path: str | Path) -> str | None:
    """"bibtex", "ris" or "csl-json" for a file the import reads as a bibliography; None for anything else.

    .bib and .ris go by their suffix (the reader says if the text is not what it claims); .json is
    CSL-JSON only when it is an array of items with CSL's keys or {"items": [...]}; .txt only when it
    starts with RIS tags (as Web of Science and catalogues save RIS)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".bib":
        return "bibtex"
    if suffix in (".ris", ".csljson"):
        return "ris" if suffix == ".ris" else "csl-json"
    if suffix not in (".json", ".txt"):
        return None
    try:
        with open(path, "rb") as f:
            head = decode_head(f.read(16384))
    except OSError:
        return None
    from kbase.formats.csljson import looks_like_csl_json
    from kbase.formats.ris import looks_like_ris

    if suffix == ".json":
        return "csl-json" if looks_like_csl_json(head) else None
    return "ris" if looks_like_ris(head) else None


def decode_head(data: bytes) -> str:
    """The start of a file as text, for sniffing (a multi-byte character cut at the end is dropped)."""
    from kbase.formats.encoding import decode_bytes

    for cut in range(4):
        try:
            return data[:len(data) - cut].decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
    return decode_bytes(data).text


def import_bibliography(cat: Catalogue, path: str | Path, *, fmt: str | None = None, dry_run: bool = False,
                        roots: list[Path] | None = None, on_duplicate: str = "link",
                        batch_id: int | None = None, sheet_options: Mapping[str, Any] | None = None) -> BibReport:
    """Import a BibTeX, RIS or CSL-JSON file (fmt, else told by bibliography_format) or a spreadsheet (.csv,
    .tsv, .xlsx: import_spreadsheet with sheet_options, see spreadsheet_options) through one plan and one
    transaction, as import_bib does."""
    from kbase.formats.spreadsheet import is_spreadsheet

    if fmt == "spreadsheet" or (fmt is None and is_spreadsheet(path)):
        report = import_spreadsheet(cat, path, dry_run=dry_run, roots=roots, on_duplicate=on_duplicate,
                                    batch_id=batch_id, **spreadsheet_options(path, sheet_options))
        report.format = "spreadsheet"
        return report
    fmt = fmt or bibliography_format(path) or ("csl-json" if Path(path).suffix.lower() == ".json" else "bibtex")
    if fmt == "bibtex":
        return import_bib(cat, path, dry_run=dry_run, roots=roots, on_duplicate=on_duplicate, batch_id=batch_id)
    if fmt not in FORMATS:
        raise InvalidInput(N_("unknown bibliography format {fmt} (one of {formats})").format(
            fmt=repr(fmt), formats=', '.join(FORMATS)))
    report = _import_read(cat, path, fmt, dry_run=dry_run, roots=roots, on_duplicate=on_duplicate, batch_id=batch_id)
    report.format = fmt
    return report


def import_ris(cat: Catalogue, path: str | Path, *, dry_run: bool = False, roots: list[Path] | None = None,
               on_duplicate: str = "link", batch_id: int | None = None) -> BibReport:
    """Import one RIS file: what import_bib does for a .bib file (refused records named with their line)."""
    return _import_read(cat, path, "ris", dry_run=dry_run, roots=roots, on_duplicate=on_duplicate, batch_id=batch_id)


def import_csl_json(cat: Catalogue, path: str | Path, *, dry_run: bool = False, roots: list[Path] | None = None,
                    on_duplicate: str = "link", batch_id: int | None = None) -> BibReport:
    """Import one CSL-JSON file: what import_bib does for a .bib file (each item's line found by a scan)."""
    return _import_read(cat, path, "csl-json", dry_run=dry_run, roots=roots, on_duplicate=on_duplicate,
                        batch_id=batch_id)


def _import_read(cat: Catalogue, path: str | Path, fmt: str, *, dry_run: bool, roots: list[Path] | None,
                 on_duplicate: str, batch_id: int | None) -> BibReport:
    on_duplicate = _SAME_AS.get(on_duplicate, on_duplicate)
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(N_("on_duplicate must be one of {choices} (got {got})").format(
            choices=', '.join(ON_DUPLICATE), got=repr(on_duplicate)))
    path = Path(path)
    try:
        decoded = read_bib(path)  # BOMs, UTF-16, a declared or guessed encoding: the same for every format
    except OSError as exc:
        raise ImportProblem(N_("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror or exc)) from exc
    report = BibReport(str(path), dry_run, encoding=decoded.encoding)
    report.notes += [(1, "", w) for w in decoded.warnings]
    if fmt == "ris":
        from kbase.formats.ris import read_ris

        result: Any = read_ris(decoded.text)  # cleaned there, line by line numbers kept
    else:
        from kbase.formats.csljson import read_csl_json

        result = read_csl_json(decoded.text)  # each value cleaned as it is read
    report.refused += result.refused
    report.notes += result.notes
    report.problems += result.problems
    roots = [Path(r) for r in (roots or [path.parent])]
    plans: list[Planned] = []
    for data in result.records:
        report.notes += [(data.line, data.key, n) for n in data.notes]
        plans.append(Planned(data, *find_files(data, path.parent, roots, report)))
    return import_records(cat, report, plans, on_duplicate=on_duplicate, batch_id=batch_id)


NEW_NAMES = ("create", "refuse")


def spreadsheet_options(path: str | Path, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """import_spreadsheet's mapping, sheet and new_names for one file out of the options of a whole import:
    {"mapping": {column: field}, "sheet": name, "new_names": "create"|"refuse", "files": {path: {...}}},
    where "files" gives one file (by its path as given or resolved) options of its own (the GUI's mapping)."""
    if not options:
        return {}
    out = {k: options[k] for k in ("mapping", "sheet", "new_names") if options.get(k) is not None}
    files = options.get("files") or {}
    own = files.get(str(path)) or files.get(str(Path(path).resolve())) or {}
    out.update({k: own[k] for k in ("mapping", "sheet", "new_names") if own.get(k) is not None})
    return out


def import_spreadsheet(cat: Catalogue, path: str | Path, *, mapping: Mapping[str, str] | None = None,
                       sheet: str | None = None, new_names: str = "create", dry_run: bool = False,
                       roots: list[Path] | None = None, on_duplicate: str = "link",
                       batch_id: int | None = None) -> BibReport:
    """Import a publication list kept in a spreadsheet (.csv with any delimiter and encoding, .tsv, .xlsx):
    one row, one record, through the plan and the one transaction import_bib uses.

    mapping is {column header: field} (kbase.formats.spreadsheet.FIELDS, or "ignore"); the columns it does
    not name are read as propose_mapping guesses from their headers, and the mapping used is in
    report.mapping. sheet names an XLSX workbook's sheet (default: the first). The projects and regions a
    row names that are not in the library are created (new_names="create", listed in the plan's new_names)
    or the row is refused ("refuse"): they are authority records a librarian keeps. People and
    organisations are always created."""
    from kbase.formats.spreadsheet import describe_mapping, read_rows, read_sheet, resolve_mapping

    on_duplicate = _SAME_AS.get(on_duplicate, on_duplicate)
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(N_("on_duplicate must be one of {choices} (got {got})").format(
            choices=', '.join(ON_DUPLICATE), got=repr(on_duplicate)))
    if new_names not in NEW_NAMES:
        raise InvalidInput(N_("new_names must be one of {choices} (got {got})").format(
            choices=', '.join(NEW_NAMES), got=repr(new_names)))
    path = Path(path)
    try:
        table = read_sheet(path, sheet)
    except OSError as exc:
        raise ImportProblem(N_("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror or exc)) from exc
    report = BibReport(str(path), dry_run, encoding=table.encoding)
    report.notes += [(1, "", w) for w in table.warnings]
    columns = resolve_mapping(table.headers, dict(mapping) if mapping else None)
    report.mapping = {"columns": columns, "proposed": not mapping, "described": describe_mapping(columns),
                      **table.describe()}
    result = read_rows(table, columns)
    report.refused += result.refused
    report.notes += result.notes
    report.problems += result.problems
    with cat.reading() as s:
        known = NameCache(cat, dry_run=True)
        known.load(s)
        canonical = {"organisation": dict(s.execute(select(col(m.Organisation.id), col(m.Organisation.name))).all()),
                     "person": dict(s.execute(select(col(m.Person.id), col(m.Person.name))).all())}
    records = []
    for data in result.records:
        _name_kinds(data, known, canonical)
        missing = _new_authorities(data, known) if new_names == "refuse" else []
        if missing:
            report.refused.append((data.line, data.key, N_("{missing} not in the library (--new-names refuse: create "
                                                           "them first, or import with --new-names create)").format(
                missing='; '.join(missing))))
        else:
            records.append(data)
    roots = [Path(r) for r in (roots or [path.parent])]
    plans: list[Planned] = []
    for data in records:
        report.notes += [(data.line, data.key, n) for n in data.notes]
        plans.append(Planned(data, *find_files(data, path.parent, roots, report)))
    return import_records(cat, report, plans, on_duplicate=on_duplicate, batch_id=batch_id)


_folded_words = lru_cache(maxsize=65536)(fold_words)  # a list names the same people on thousands of rows


def _name_kinds(data: PubData, known: NameCache, canonical: dict[str, dict[int, str]]) -> None:
    """A spreadsheet says nothing of whether a name is a person's: one the library knows as an organisation
    (and not as a person) is that organisation, and the other way round. A name the library knows under an
    alias ("IPIS") is written as the library's record is named, so that the row matches the records it
    already has by that name (matching compares names as written)."""
    from kbase.formats.bibtex.names import Name

    for i, (role, n) in enumerate(data.contributors):
        key = _folded_words(n.display)
        pid = known.person.get(key) or (known.person.get(_folded_words(n.sortable)) if n.sortable else None)
        oid = known.org.get(key)
        if n.kind == "person" and pid is None and oid is not None:
            n = Name("organisation", n.display)
        elif n.kind == "organisation" and oid is None and pid is not None:
            n = Name("person", n.display)
        if n.kind == "organisation" and oid is not None and canonical["organisation"].get(oid, n.display) != n.display:
            n = Name("organisation", canonical["organisation"][oid])
        elif n.kind == "person" and pid is not None and pid > 0 and \
                _folded_words(canonical["person"].get(pid, n.display)) != key:
            n = Name("person", canonical["person"][pid])
        data.contributors[i] = (role, n)


def _new_authorities(data: PubData, known: NameCache) -> list[str]:
    """The projects and regions a record names that the library has under no name (title, short name, alias)."""
    missing = [N_("project {name}").format(name=repr(p)) for p in data.projects if fold(p) not in known.project]
    missing += [N_("region {name}").format(name=repr(r)) for r in data.regions if _folded_words(r) not in known.region]
    return missing
