"""Exports of publications: CSL-JSON for citation processors, RIS (exporters/ris.py), CSV for spreadsheets,
plain JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kbase.catalogue.citekeys import ensure_keys
from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.formats.exporters.records import load_publications, publication_ids

__all__ = ["export_csl_json", "export_csv", "export_json", "export_ris", "csl_item"]

# our type → CSL type (report-like kinds are "report" with a genre); kbase.formats.csljson.CSL_TYPES reads them back
_CSL_TYPES = {
    "article": "article-journal", "book": "book", "book chapter": "chapter", "webmap": "map",
    "static maps": "map", "dashboard": "webpage", "video": "motion_picture", "other": "document",
}
CSV_COLUMNS = ("id", "citekey", "type", "title", "subtitle", "year", "month", "month_end", "authors", "editors",
               "series", "number", "publisher", "place", "container", "pages", "isbn", "doi", "url", "language",
               "visibility", "projects", "regions", "subjects", "abstract")


def _csl_name(c: dict[str, Any]) -> dict[str, str]:
    if c["kind"] == "organisation":
        return {"literal": c["name"]}
    from kbase.formats.bibtex.latex import to_latex
    from kbase.formats.bibtex.names import display_of, parse_names

    form = next((f for f in c.get("bibtex_forms", []) if display_of(f) == c["name"]), None)
    if form is None:
        words = c["name"].split()
        return {"family": words[-1], "given": " ".join(words[:-1])} if len(words) > 1 else {"literal": c["name"]}
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    parts = parse_single_name_into_parts(to_latex(form))
    names, _ = parse_names(to_latex(form))
    out = {"family": " ".join(parts.last), "given": " ".join(parts.first)}
    if parts.von:
        out["non-dropping-particle"] = " ".join(parts.von)
    if parts.jr:
        out["suffix"] = " ".join(parts.jr)
    if names and out["family"] and "\\" in out["family"] + out["given"]:  # LaTeX left over: use the Unicode
        return {"literal": names[0].display}
    return {k: v for k, v in out.items() if v}


def _csl_type(rec: dict[str, Any]) -> tuple[str, str | None]:
    """(CSL type, genre): the CSL type kept at import (extra["csl_type"]) when it still reads as the record's
    type (kbase.formats.csljson.csl_type is the inverse), else ours with the genre naming the kind."""
    from kbase.formats.csljson import csl_type

    t = rec["type"]
    genre = t[:1].upper() + t[1:] if t not in ("article", "book", "book chapter", "other") else None
    kept = (rec["extra"].get("fields") or {}).get("type") if genre is None else None
    original = rec["extra"].get("csl_type")
    if original and csl_type(original, genre or kept or "", "", rec.get("url") or "")[0] == t:
        return original, genre
    return _CSL_TYPES.get(t, "report"), genre


def csl_item(rec: dict[str, Any], key: str) -> dict[str, Any]:
    """One publication as a CSL-JSON item."""
    t = rec["type"]
    ctype, genre = _csl_type(rec)
    item: dict[str, Any] = {"id": key, "type": ctype, "title": rec["title"]}
    if genre:
        item["genre"] = genre
    if rec.get("subtitle"):
        item["title"] = f"{rec['title']}: {rec['subtitle']}"
    for role in ("author", "editor"):
        names = [_csl_name(c) for c in rec["contributors"] if c["role"] == role]
        if names:
            item[role] = names
    if rec.get("year"):
        first = [rec["year"]] + ([rec["month"]] if rec.get("month") else []) \
            + ([rec["day"]] if rec.get("day") and rec.get("month") and not rec.get("month_end") else [])
        parts = [first] + ([[rec["year"], rec["month_end"]]] if rec.get("month_end") else [])
        item["issued"] = {"date-parts": parts}
    simple = {"publisher": "publisher", "place": "publisher-place", "container": "container-title",
              "series": "collection-title", "number": "number", "pages": "page", "isbn": "ISBN", "doi": "DOI",
              "url": "URL", "language": "language", "abstract": "abstract"}
    for ours, theirs in simple.items():
        if rec.get(ours):
            item[theirs] = rec[ours]
    if rec.get("number") and t == "article":
        item["issue"] = item.pop("number")  # CSL's word for a journal's issue; `number` for the rest
    if rec.get("subjects"):
        item["keyword"] = ", ".join(rec["subjects"])
    _csl_kept(rec, item)
    if rec.get("notes"):  # the user's notes after a note kept from the import
        item["note"] = "\n\n".join([*([item["note"]] if item.get("note") else []), *rec["notes"]])
    return item


def _csl_kept(rec: dict[str, Any], item: dict[str, Any]) -> None:
    """Fields kept at import (volume, ISSN, edition, accessed …) back under their CSL names."""
    from kbase.formats.csljson import FIELD_OF_KEPT

    for name, value in (rec["extra"].get("fields") or {}).items():
        if value in (None, ""):
            continue
        if name == "urldate":
            parts = [int(p) for p in str(value).split("-") if p.isdigit()]
            item["accessed"] = {"date-parts": [parts]} if parts and len(str(value).split("-")) == len(parts) \
                else {"raw": str(value)}
        elif name == "type":
            item.setdefault("genre", value)
        elif name in FIELD_OF_KEPT and FIELD_OF_KEPT[name] not in item:
            item[FIELD_OF_KEPT[name]] = value


def export_csl_json(cat: Catalogue, filter: Filter | None = None, include_confidential: bool = False) -> str:
    ids = publication_ids(cat, filter, include_confidential)
    keys = ensure_keys(cat, ids)
    items = [csl_item(r, keys[r["id"]]) for r in load_publications(cat, ids, include_confidential)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def export_ris(cat: Catalogue, filter: Filter | None = None, include_confidential: bool = False) -> str:
    from kbase.formats.exporters.ris import export_ris as export

    return export(cat, filter, include_confidential)


def export_csv(cat: Catalogue, filter: Filter | None = None, include_confidential: bool = False) -> str:
    ids = publication_ids(cat, filter, include_confidential)
    keys = ensure_keys(cat, ids)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    w.writeheader()
    for r in load_publications(cat, ids, include_confidential):
        row = {k: r.get(k) for k in CSV_COLUMNS}
        row["citekey"] = keys.get(r["id"])
        for role in ("author", "editor"):
            row[role + "s"] = "; ".join(c["name"] for c in r["contributors"] if c["role"] == role)
        for k in ("projects", "regions", "subjects"):
            row[k] = "; ".join(r[k])
        w.writerow(row)
    return buf.getvalue()


def export_json(cat: Catalogue, filter: Filter | None = None, include_confidential: bool = False) -> str:
    ids = publication_ids(cat, filter, include_confidential)
    keys = ensure_keys(cat, ids)
    records = load_publications(cat, ids, include_confidential)
    for r in records:
        r["citekey"] = keys.get(r["id"])
        for c in r["contributors"]:
            c.pop("bibtex_forms", None)
    return json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n"
