"""`kbase export ris`: the catalogue as RIS that `kbase import` reads back into the same records.

The RIS type kept at import (extra["ris_type"]) is written when it still says the same type, else ours
(JOUR, BOOK, CHAP, RPRT with M3 naming the kind of report …). Kept fields go back under their tags.
What RIS cannot say is left out: a month range keeps its first month, projects, regions and visibility
are not written (they are the library's own), and the subtitle joins the title after a colon."""

from __future__ import annotations

import re
from typing import Any

from kbase.catalogue.citekeys import ensure_keys
from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.formats.exporters.records import load_publications, publication_ids
from kbase.formats.ris import _BOOKISH, DEFAULT_TY, TAG_OF_FIELD, ris_type

_PAGES = re.compile(r"^\s*([^\s–-]+)\s*(?:–|--?)\s*([^\s–-]+)\s*$")
# kept fields written by hand below, not through TAG_OF_FIELD
_OWN = {"volume", "issn", "isbns", "urls", "note", "serieseditor", "translator", "type", "urldate"}


def _person(c: dict[str, Any]) -> str:
    """'Last, First' or 'Last, First, Jr.' (RIS's order), from the BibTeX form kept at import when it still fits."""
    from kbase.formats.bibtex.names import display_of

    forms: list[str] = c.get("bibtex_forms", [])
    for form in forms:
        if "\\" in form or "{" in form:
            continue
        try:
            same = display_of(form) == c["name"]
        except ValueError:
            same = False
        if same:
            parts = [p.strip() for p in form.split(",")]
            if len(parts) == 3:
                return f"{parts[0]}, {parts[2]}, {parts[1]}"
            return form
    words = c["name"].split()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else c["name"] + ","


def _name(c: dict[str, Any]) -> str:
    return _person(c) if c["kind"] == "person" else c["name"].replace(",", " ").strip() + ","


def _choose_ty(rec: dict[str, Any], m3: str) -> tuple[str, str]:
    """(TY, M3): the RIS type kept at import if it still reads as the record's type, else the default."""
    t = rec["type"]
    label = t[:1].upper() + t[1:]
    url = rec.get("url") or ""
    original = (rec["extra"].get("ris_type") or "").upper()
    for candidate in ([original] if original else []) + [DEFAULT_TY.get(t, "GEN")]:
        if ris_type(candidate, m3, "", url)[0] == t:
            return candidate, m3
        if ris_type(candidate, label, "", url)[0] == t:
            return candidate, label
    return DEFAULT_TY.get(t, "GEN"), label


def ris_lines(rec: dict[str, Any], key: str) -> list[tuple[str, str]]:
    """One loaded publication as (tag, value) pairs, TY first and ER last."""
    extra = rec["extra"]
    fields: dict[str, str] = {k: str(v) for k, v in (extra.get("fields") or {}).items() if v not in (None, "")}
    ty, m3 = _choose_ty(rec, fields.get("type", ""))
    out: list[tuple[str, str]] = [("TY", ty), ("ID", key)]
    out += _names_and_titles(rec, fields, ty)
    out += _date_and_numbers(rec, fields)
    out += _publishing(rec, fields, m3)
    out += _kept(fields)
    out.append(("ER", ""))
    return out


def _names_and_titles(rec: dict[str, Any], fields: dict[str, str], ty: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for role, tag in (("author", "AU"), ("editor", "A2")):
        out += [(tag, _name(c)) for c in rec["contributors"] if c["role"] == role]
    for name, tag in (("serieseditor", "A3"), ("translator", "A4")):
        if fields.get(name):
            out += [(tag, n.strip()) for n in fields[name].split(" and ") if n.strip()]
    title = rec["title"] + (f": {rec['subtitle']}" if rec.get("subtitle") else "")
    out.append(("TI", title))
    if rec.get("container"):
        out.append(("JF" if ty in _BOOKISH else "T2", rec["container"]))
    if rec.get("series"):
        out.append(("T3", rec["series"]))
    return out


def _date_and_numbers(rec: dict[str, Any], fields: dict[str, str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if rec.get("year"):
        y, mo, day = rec["year"], rec.get("month"), rec.get("day")
        out.append(("PY", str(y)))
        if mo:
            out.append(("DA", f"{y}/{mo:02d}/" + (f"{day:02d}" if day else "") + "/"))
    if rec.get("pages"):
        span = _PAGES.match(rec["pages"])
        out += [("SP", span.group(1)), ("EP", span.group(2))] if span else [("SP", rec["pages"])]
    if fields.get("volume"):
        out.append(("VL", fields["volume"]))
    if rec.get("number"):
        out.append(("IS", rec["number"]))
    isbns = [i.strip() for i in fields.get("isbns", "").split(";") if i.strip()] or \
        ([rec["isbn"]] if rec.get("isbn") else [])
    out += [("SN", i) for i in isbns]
    out += [("SN", i.strip()) for i in fields.get("issn", "").split(";") if i.strip()]
    return out


def _publishing(rec: dict[str, Any], fields: dict[str, str], m3: str) -> list[tuple[str, str]]:
    """Publisher, place, language, the type of work, identifiers and links, keywords, abstract and notes."""
    out: list[tuple[str, str]] = []
    for column, tag in (("publisher", "PB"), ("place", "CY"), ("language", "LA")):
        if rec.get(column):
            out.append((tag, rec[column]))
    if m3:
        out.append(("M3", m3))
    for column, tag in (("doi", "DO"), ("url", "UR")):
        if rec.get(column):
            out.append((tag, rec[column]))
    out += [("UR", u) for u in fields.get("urls", "").split() if u]
    if fields.get("urldate"):
        out.append(("Y2", fields["urldate"]))
    out += [("KW", s) for s in rec.get("subjects") or []]
    if rec.get("abstract"):
        out.append(("AB", rec["abstract"]))
    if fields.get("note"):
        out.append(("N1", fields["note"]))
    out += [("N1", note) for note in rec.get("notes") or []]  # the user's notes, one N1 each
    return out


def _kept(fields: dict[str, str]) -> list[tuple[str, str]]:
    """Fields kept at import under a RIS tag's name, written back under that tag."""
    out: list[tuple[str, str]] = []
    for name, value in sorted(fields.items()):
        if name in _OWN:
            continue
        kept_tag = TAG_OF_FIELD.get(name) or (name[4:].upper() if re.fullmatch(r"ris_[a-z][a-z0-9]", name) else None)
        if kept_tag and kept_tag not in ("TY", "ER", "ID"):
            out.append((kept_tag, value))
    return out


def _line(tag: str, value: str) -> str:
    # a value's own line breaks would start untagged lines: abstracts and notes keep them (read back as
    # continuation lines), other values become one line
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if tag not in ("AB", "N1", "N2"):
        text = " ".join(text.split())
    else:
        text = "\n".join(ln if not re.match(r"^[A-Z][A-Z0-9] {1,2}-", ln) else " " + ln for ln in text.split("\n"))
    return f"{tag}  - {text}"


def export_ris(cat: Catalogue, filter: Filter | None = None, include_confidential: bool = False) -> str:
    """The filtered publications as one RIS text; citation keys are made once and written as ID."""
    ids = publication_ids(cat, filter, include_confidential)
    keys = ensure_keys(cat, ids)
    records = load_publications(cat, ids, include_confidential)
    out = []
    for rec in records:
        out.append("\n".join(_line(t, v) for t, v in ris_lines(rec, keys[rec["id"]])))
    return "\n\n".join(out) + ("\n" if out else "")
