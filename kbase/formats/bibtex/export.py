"""`kbase export bibtex`: the catalogue as BibTeX or biblatex that imports back into the same records."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from kbase.catalogue.citekeys import ensure_keys
from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, LibraryError, NotFound
from kbase.formats.bibtex.latex import to_latex
from kbase.formats.bibtex.mapping import REPORT_LIKE, WEB_LIKE, default_publisher_field, publication_type
from kbase.formats.bibtex.names import display_of, organisation_to_bibtex, person_to_bibtex
from kbase.formats.bibtex.parse import MONTH_NAMES, VERBATIM
from kbase.formats.exporters.records import load_publications, publication_ids
from kbase.i18n import N_

FLAVOURS = ("bibtex", "biblatex")
_DEFAULT_TYPES = {
    "bibtex": {"article": "article", "book": "book", "book chapter": "incollection", "other": "misc"}
    | {t: "techreport" for t in REPORT_LIKE} | {t: "misc" for t in WEB_LIKE},
    "biblatex": {"article": "article", "book": "book", "book chapter": "incollection", "other": "misc"}
    | {t: "report" for t in REPORT_LIKE} | {t: "online" for t in WEB_LIKE},
}
_ORDER = ("author", "editor", "title", "subtitle", "type", "howpublished", "journal", "journaltitle", "booktitle",
          "publisher", "institution", "organization", "school", "series", "number", "volume", "pages", "year",
          "month", "day", "date", "address", "location", "isbn", "doi", "url", "language", "abstract", "keywords",
          "projects", "regions", "visibility")
_PROTECT = re.compile(r"(?<![\\\w])([^\W\d_][\w'-]*)")
_TITLE_FIELDS = {"title", "subtitle", "booktitle", "journal", "journaltitle", "series"}


def _protect_caps(latex: str) -> str:
    """Braces around words with inner capitals (DRC, iPhone) so styles do not lower-case them."""
    if "{" in latex or "}" in latex:
        return latex
    return _PROTECT.sub(lambda m: "{" + m.group(1) + "}" if any(c.isupper() for c in m.group(1)[1:]) else m.group(1),
                        latex)


def _list_item(value: str, ascii_only: bool) -> str:
    """One keyword, project or region; braced when it holds a separator so it stays one item."""
    latex = to_latex(value, ascii_only)
    return "{" + latex + "}" if ("," in latex or ";" in latex) else latex


def _person(c: dict[str, Any], ascii_only: bool) -> str:
    # the BibTeX spelling kept at import (von/Jr parts) when it still reads as the same person
    for form in c.get("bibtex_forms", []):
        if display_of(form) == c["name"]:
            return person_to_bibtex(c["name"], form, ascii_only)
    return person_to_bibtex(c["name"], None, ascii_only)


def _names(rec: dict[str, Any], role: str, ascii_only: bool) -> str:
    out = [_person(c, ascii_only) if c["kind"] == "person" else organisation_to_bibtex(c["name"], ascii_only)
           for c in rec["contributors"] if c["role"] == role]
    if role in rec["extra"].get("others", []):
        out.append("others")
    return " and ".join(out)


def entry_fields(rec: dict[str, Any], flavour: str, ascii_only: bool = False) -> tuple[str, dict[str, str]]:
    """(entry type, {field: LaTeX value}) for one loaded publication."""
    extra = rec["extra"]
    f: dict[str, str] = {}
    for role in ("author", "editor"):
        names = _names(rec, role, ascii_only)
        if names:
            f[role] = names
    plain = _plain_columns(rec, flavour)  # values still to be escaped
    for name, key, sep in (("keywords", "subjects", ", "), ("projects", "projects", "; "),
                           ("regions", "regions", "; ")):
        if rec.get(key):
            f[name] = sep.join(_list_item(v, ascii_only) for v in rec[key])
    if rec.get("visibility") and rec["visibility"] != "public":
        plain["visibility"] = rec["visibility"]
    if rec.get("notes"):  # the user's notes, after an annotation kept from the import
        kept = (extra.get("fields") or {}).get("annote")
        plain["annote"] = "\n\n".join([*([str(kept)] if kept else []), *rec["notes"]])
    for k, v in (extra.get("fields") or {}).items():
        if k not in plain and k not in f and k not in ("year", "month", "date", "day"):
            plain[k] = v
    # what was unreadable on import goes back as it was written, so a round trip loses nothing
    raw = {k: v for k, v in (extra.get("raw") or {}).items() if k not in plain and k not in f and isinstance(v, str)}
    _escape(plain, f, ascii_only)
    _dates(rec, flavour, f)
    for k, v in raw.items():
        if k not in f:
            f[k] = v  # as written in the source, LaTeX and all
    return _choose_type(rec, flavour, f), f


def _plain_columns(rec: dict[str, Any], flavour: str) -> dict[str, str]:
    """The columns written as they are (escaped later), under the field names of the flavour."""
    extra = rec["extra"]
    t = rec["type"]
    plain: dict[str, str] = {}
    for col in ("title", "subtitle", "number", "pages", "isbn", "doi", "url", "language", "abstract"):
        if rec.get(col):
            plain[col] = str(rec[col])
    if rec.get("place"):
        plain["location" if flavour == "biblatex" else "address"] = rec["place"]
    if rec.get("series"):
        plain["series"] = rec["series"]
    if rec.get("publisher"):
        plain[extra.get("publisher_field") or default_publisher_field(t)] = rec["publisher"]
    if rec.get("container"):
        default = ("journaltitle" if flavour == "biblatex" else "journal") if t == "article" else "booktitle"
        name = extra.get("container_field") or default
        if name in ("journal", "journaltitle"):
            name = "journaltitle" if flavour == "biblatex" else "journal"
        plain[name] = rec["container"]
    return plain


def _escape(plain: dict[str, str], f: dict[str, str], ascii_only: bool) -> None:
    """Plain values into f as LaTeX; verbatim fields (URLs, DOIs, files) as they are."""
    for k, v in plain.items():
        if k in VERBATIM:
            # a lone brace would end the value early: URLs take it percent-encoded
            f[k] = v.replace("{", "%7B").replace("}", "%7D") if v.count("{") != v.count("}") else v
        else:
            latex = to_latex(v, ascii_only)
            f[k] = _protect_caps(latex) if k in _TITLE_FIELDS else latex


def _dates(rec: dict[str, Any], flavour: str, f: dict[str, str]) -> None:
    y, mo, end, day = rec.get("year"), rec.get("month"), rec.get("month_end"), rec.get("day")
    if y is None:
        return
    if flavour == "biblatex":
        first = f"{y}" + (f"-{mo:02d}" if mo else "") + (f"-{day:02d}" if mo and day and not end else "")
        f["date"] = first + (f"/{y}-{end:02d}" if mo and end else "")
        return
    f["year"] = str(y)
    if mo:
        f["month"] = MONTH_NAMES[mo - 1][:3] + (f' # "--" # {MONTH_NAMES[end - 1][:3]}' if end else "")
        if day and not end:
            f["day"] = str(day)


def _choose_type(rec: dict[str, Any], flavour: str, f: dict[str, str]) -> str:
    """The entry type kept at import if it still says the same; else ours, with `type` naming it."""
    t = rec["type"]
    default = _DEFAULT_TYPES[flavour][t]
    original: str | None = rec["extra"].get("entrytype")
    label = t[:1].upper() + t[1:]
    for candidate in ([original] if original else []) + [default]:
        if publication_type(candidate, f)[0] == t:
            return candidate
        if "type" not in f:
            f["type"] = label
            if publication_type(candidate, f)[0] == t:
                return candidate
            del f["type"]
    return default


def _write_entry(key: str, etype: str, fields: dict[str, str]) -> str:
    order = {name: i for i, name in enumerate(_ORDER)}
    lines = [f"@{etype}{{{key},"]
    for name in sorted(fields, key=lambda n: (order.get(n, len(order)), n)):
        value = fields[name]
        if name == "month":
            lines.append(f"  {name} = {value},")
        else:
            lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def export_bib(cat: Catalogue, filter: Filter | None = None, flavour: str = "bibtex",
               include_confidential: bool = False, ascii_only: bool = False,
               files_to: Path | None = None, bib_dir: Path | None = None) -> str:
    """The filtered publications as one .bib text; citation keys are made once and then reused.

    With files_to, every attachment is copied to files_to/<key>/<file name> and named in a
    `file` field relative to bib_dir (where the .bib will be written), as Zotero's
    "export files" does, so that importing the .bib elsewhere brings the PDFs along.
    """
    if flavour not in FLAVOURS:
        raise InvalidInput(N_("unknown BibTeX flavour {flavour} (bibtex or biblatex)").format(flavour=repr(flavour)))
    ids = publication_ids(cat, filter, include_confidential)
    keys = ensure_keys(cat, ids)
    records = load_publications(cat, ids, include_confidential)
    out = []
    for rec in records:
        etype, fields = entry_fields(rec, flavour, ascii_only)
        if files_to is not None and rec["attachments"]:
            fields["file"] = _copy_files(cat, rec, keys[rec["id"]], files_to, bib_dir or files_to.parent)
        out.append(_write_entry(keys[rec["id"]], etype, fields))
    return "\n\n".join(out) + ("\n" if out else "")


def _file_part(text: str) -> str:
    """A description or path inside a JabRef-style file field: `:` and `;` escaped."""
    return text.replace("\\", "\\\\").replace(":", "\\:").replace(";", "\\;")


def _copy_files(cat: Catalogue, rec: dict[str, Any], key: str, files_to: Path, bib_dir: Path) -> str:
    from kbase.files.store import ensure_local, file_sha256

    items = []
    folder = files_to / re.sub(r"[^\w.-]", "_", key)
    for att in rec["attachments"]:
        name = re.sub(r"[{}\\/]", "_", Path(att["filename"]).name) or f"{att['sha256'][:12]}.pdf"
        target = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if target.exists() and file_sha256(target) != att["sha256"]:  # same name, other file
                target = folder / f"{target.stem}-{att['sha256'][:8]}{target.suffix}"
            if not target.exists():
                shutil.copyfile(ensure_local(cat.library, att["sha256"]), target)
        except (OSError, NotFound) as exc:
            raise LibraryError(N_("cannot export the file of {key} ({name}): {reason}").format(
                key=key, name=name, reason=exc)) from exc
        rel = os.path.relpath(target, bib_dir).replace(os.sep, "/")
        items.append(f"{_file_part(target.name)}:{_file_part(rel)}:{att.get('mime') or 'application/pdf'}")
    return ";".join(items)
