"""RIS files (Zotero, EndNote, Mendeley, Scopus, Web of Science, library catalogues) to publication records.

The lines are split here, not by rispy, so that every record and every problem knows its line, and so
that one damaged line costs that line only: rispy's parser glues any line that is not `XX  - value`
to the previous tag and cannot say where a record began. rispy's tables name the tags we keep
(AN → accession_number …) and the reference types (RPRT → "Report").

What a record says that has no column is kept in extra["fields"] under its BibTeX name where there is
one (volume, issn, edition, note, urldate …), else under rispy's name; the RIS type is kept in
extra["ris_type"], so `kbase export ris` writes the same type back.

A line that is not `XX  - value` inside a record:
- after a free-text tag (AB, N1, N2, titles, KW …) it continues that value, as EndNote writes
  multi-line abstracts and notes; nothing is said;
- after any other tag (AU, PY, SN, SP …) it is kept in extra["raw"] under "line N", the record is
  flagged "damaged line" and a note names the line. The record is kept: refusing it would lose every
  good field for the sake of one unreadable line, and the note says exactly what was not read.
A record with nothing to import (no title, name, date, container or identifier) is refused with its line.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlparse

from rispy.config import TAG_KEY_MAPPING, TYPE_OF_REFERENCE_MAPPING

from kbase.catalogue.citekeys import base_key
from kbase.formats.bibtex.mapping import (
    _VIDEO_HOSTS,
    _WEB_WORDS,
    PubData,
    _keep,
    _read_month,
    _read_year,
    clean_doi,
)
from kbase.formats.bibtex.names import Name
from kbase.formats.ris_lines import (
    _PARAGRAPH_TAGS,
    _READ,
    KEPT_NAMES,
    KNOWN_TAGS,
    RisRecord,
    looks_like_ris,
    split_records,
)
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_line, clean_text, fold

__all__ = ["TY_TYPES", "DEFAULT_TY", "KEPT_NAMES", "TAG_OF_FIELD", "KNOWN_TAGS", "RisRecord", "RisResult",
           "looks_like_ris", "split_records", "read_ris", "ris_type", "parse_name", "classify_sn", "to_publication"]


# RIS reference type → our type; what is not here is "other"
TY_TYPES: dict[str, str] = {
    "JOUR": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article", "ABST": "article",
    "INPR": "article", "JFULL": "bulletin", "SER": "bulletin",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "DICT": "book", "ENCYC": "book", "CTLG": "book",
    "CHAP": "book chapter", "ECHAP": "book chapter", "CONF": "book chapter", "CPAPER": "book chapter",
    "RPRT": "report", "GOVDOC": "report", "PAMP": "report", "STAND": "report",
    "VIDEO": "video", "MPCT": "video", "ADVS": "video",
    "MAP": "static maps",
}
# types whose M3 (type of work), notes or URL may say what kind of web resource a record is
_WEB_TY = {"ELEC", "WEB", "BLOG", "ICOMM", "MULTI", "GEN", "DATA", "DBASE", "AGGR", "COMP", "UNPB", "MAP"}
_TYPE_WORDS = {fold(t): t for t in m.PUBLICATION_TYPES} | {
    "policy brief": "briefing", "briefing paper": "briefing", "briefing note": "briefing",
    "case study": "case studies", "web map": "webmap", "static map": "static maps", "thesis": "other",
}
# our type → the RIS type written when the record has no RIS type of its own that still fits
DEFAULT_TY: dict[str, str] = {
    "article": "JOUR", "book": "BOOK", "book chapter": "CHAP", "static maps": "MAP", "video": "VIDEO",
    "webmap": "ELEC", "dashboard": "ELEC", "other": "GEN",
    **{t: "RPRT" for t in ("report", "summary report", "briefing", "bulletin", "insight", "review paper",
                          "case studies", "workshop report")},
}
_BOOKISH = {"BOOK", "EBOOK", "EDBOOK", "RPRT", "GOVDOC", "PAMP", "STAND", "THES", "DICT", "ENCYC", "CTLG"}


_RISPY_NAMES = {t: n for t, n in TAG_KEY_MAPPING.items() if t not in KEPT_NAMES and t not in _READ and t != "UK"}
TAG_OF_FIELD: dict[str, str] = {n: t for t, n in _RISPY_NAMES.items()} | {
    n: t for t, n in KEPT_NAMES.items() if t not in ("JA",)} | {"issn": "SN", "urls": "UR", "sn": "SN"}


_MULTI_KEPT = {"A3", "A4", "N1", "UR", "L2"}  # repeated kept tags are joined, not dropped
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_ISBN = re.compile(r"^(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]$")
# several numbers in one SN: `;` or `,` between them, or a qualifier after each: (Print), (ISSN), (pbk.) …
_SN_SPLIT = re.compile(r"\s*[;,]\s*|\s+(?=\d{4}-?\d{3}[\dXx]\b)|\s*\([^)]*\)\s*", re.I)
_PAGE_RANGE = re.compile(r"^(\w+)\s*(?:--?|–)\s*(\w+)$")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_RIS_DATE = re.compile(r"^(\d{4})(?:[/-](\d{0,2}))?(?:[/-](\d{0,2}))?(?:/(.*))?$")
_URL_SPLIT = re.compile(r"\s*;\s*(?=[a-z][a-z0-9+.-]*://)|\s+(?=[a-z][a-z0-9+.-]*://)", re.I)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_INITIALS = re.compile(r"^(?:[A-Z]{1,3}|(?:[A-Z]\.-?){1,3})$")
_KEYLIKE = re.compile(r"^[^\s/{}(),\\\"'#%~=]{1,100}$")


@dataclass
class RisResult:
    records: list[PubData] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, reason): records not read
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # the file's own: no records at all


def read_ris(text: str) -> RisResult:
    """Every record of a RIS text as PubData, with what was refused and noted (line, key, reason)."""
    text = unicodedata.normalize("NFC", clean_text(text.removeprefix("\ufeff").replace("\f", " ").replace("\v", " ")))
    records, notes = split_records(text)
    out = RisResult(notes=notes)
    if not records:
        out.problems.append((1, "", N_("no RIS records found (no line starts with `TY  - `)")))
        return out
    for i, rec in enumerate(records):
        try:
            data = to_publication(rec, last=i == len(records) - 1)
        except Exception as exc:  # a bug must cost this record, not the import of the file
            out.refused.append((rec.line, "", N_("cannot be read: {error}: {reason}").format(
                error=type(exc).__name__, reason=exc)))
            continue
        if isinstance(data, str):
            out.refused.append((rec.line, "", data))
            continue
        out.records.append(data)
    return out


def ris_type(ty: str, m3: str = "", hints: str = "", url: str = "") -> tuple[str, bool]:
    """Our type for a RIS type, and whether M3 (type of work) is what said so (then it is not kept)."""
    base = TY_TYPES.get(ty, "other")
    said = fold(m3)
    if said in _TYPE_WORDS and (base in ("report", "other", "bulletin", "static maps") or ty in _WEB_TY):
        return _TYPE_WORDS[said], True
    if ty in _WEB_TY and base == "other":
        words = f"{said} {fold(hints)}"
        for word, kind in _WEB_WORDS:
            if word in words:
                return kind, False
        if _VIDEO_HOSTS.match(url):
            return "video", False
    return base, False


def _one_line(v: str) -> str:
    """A value as one line: read_ris cleaned and normalised the whole text, so only breaks and tabs are left."""
    return " ".join(v.split()) if ("\t" in v or "\n" in v or "  " in v) else v.strip()


@lru_cache(maxsize=65536)
def parse_name(raw: str) -> Name | None:
    """'Last, First', 'Last, First, Jr.', 'Org name,' (EndNote's corporate author), 'Smith JA', or an
    organisation written in one piece (as Zotero writes single-field names)."""
    text = " ".join(clean_line(raw).split())
    if not any(ch.isalnum() for ch in text):
        return None
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        family, given = parts[0], parts[1] if len(parts) > 1 else ""
        suffix = ", ".join(p for p in parts[2:] if p)
        if not given and not suffix:
            return Name("organisation", family)
        if not family:
            return Name("person", given)
        display = " ".join(x for x in (given, family, suffix) if x)
        return Name("person", display, ", ".join(x for x in (family, suffix, given) if x))
    words = text.split()
    if 2 <= len(words) <= 4 and _INITIALS.match(words[-1]) and all(w[:1].isupper() for w in words):
        family, given = " ".join(words[:-1]), words[-1]  # Medline style: Smith JA
        return Name("person", f"{given} {family}", f"{family}, {given}")
    if 2 <= len(words) <= 4 and _INITIALS.match(words[0].rstrip(".") + ".") and words[0].endswith(".") \
            and all(w[:1].isupper() for w in words):
        given, family = " ".join(words[:-1]), words[-1]  # J. Smith, J. A. Smith
        return Name("person", text, f"{family}, {given}")
    return Name("organisation", text)


def classify_sn(value: str) -> tuple[list[str], list[str], list[str]]:
    """(ISBNs, ISSNs, other) in an SN value, which may hold several."""
    isbns, issns, other = [], [], []
    pieces: list[str] = []
    for piece in _SN_SPLIT.split(value):
        words = piece.split()
        if len(words) > 1 and all(_ISSN.match(w) or _ISBN.match(w) for w in words):
            pieces += words  # "9780306406157 0306406152": several numbers on one line
        else:
            pieces.append(piece)
    for piece in pieces:
        piece = piece.strip().strip(".")
        if not piece:
            continue
        bare = piece.upper().removeprefix("ISSN").removeprefix("ISBN").strip(": ")
        if _ISSN.match(bare):
            issns.append(bare if "-" in bare else f"{bare[:4]}-{bare[4:]}")
        elif _ISBN.match(bare):
            isbns.append(bare)
        else:
            other.append(piece)
    return isbns, issns, other


def _file_path(value: str) -> str | None:
    """A local file named by L1/L4 (file:// URLs decoded; web links are not files)."""
    value = value.strip()
    if value.lower().startswith("file:"):
        parsed = urlparse(value)
        path = unquote(parsed.path)
        if re.match(r"^/[A-Za-z]:/", path):
            path = path[1:]  # file:///C:/…
        return path or None
    if _URL.match(value) or value.lower().startswith("internal-pdf:"):
        return None
    return value or None


def _split_urls(value: str) -> list[str]:
    return [u for u in _URL_SPLIT.split(value.strip()) if u]


def _date(cols: dict[str, Any], values: dict[str, list[tuple[str, int]]], data: PubData) -> None:
    """Year from PY/Y1/DA, month and day from DA or from a `2019/05/03/` PY or Y1."""
    for tag in ("PY", "Y1", "DA"):
        for value, _line in values.get(tag, []):
            text = value.strip()
            if not text:
                continue
            found = _RIS_DATE.match(text)
            if found:
                year, month, day, rest = found.groups()
                if "year" not in cols:
                    cols["year"] = int(year)
                elif cols["year"] != int(year):
                    continue  # a second date (DA of another year): the first stands
                if month and "month" not in cols:
                    if 1 <= int(month) <= 12:
                        cols["month"] = int(month)
                    else:
                        _keep(data, tag.lower(), text, N_("unreadable date"), N_("{tag} {text}: month {month} kept as "
                                                          "text").format(tag=tag, text=repr(text), month=month))
                if day and "day" not in cols and cols.get("month"):
                    if 1 <= int(day) <= _DAYS[cols["month"] - 1] and (int(day) < 29 or cols["month"] != 2
                                                                        or calendar.isleap(int(year))):
                        cols["day"] = int(day)
                    else:
                        _keep(data, tag.lower(), text, N_("unreadable date"), N_("{tag} {text}: day {day} kept as "
                                                          "text").format(tag=tag, text=repr(text), day=day))
                if rest and rest.strip() and rest.strip() != "/":
                    data.extra.setdefault("fields", {}).setdefault("date_note", rest.strip())
                continue
            if tag == "DA" and "year" in cols and not re.search(r"\d{4}", text):
                probe: dict[str, Any] = {}
                _read_month(probe, text, PubData("", 0, {}), False)  # Web of Science: DA  - MAY or JUN 15
                if probe.get("month") and "month" not in cols:
                    cols["month"] = probe["month"]
                    if probe.get("day") and "day" not in cols:
                        cols["day"] = probe["day"]
                    continue
            if "year" not in cols:
                _read_year(cols, text, data, tag.lower())
            else:
                data.extra.setdefault("raw", {}).setdefault(tag.lower(), text)


def _first(values: dict[str, list[tuple[str, int]]], *tags: str) -> str:
    """The first value of the first of tags that has one, on one line."""
    for t in tags:
        for v, _l in values.get(t, ()):
            return _one_line(v)  # values are never empty here
    return ""


def to_publication(rec: RisRecord, last: bool = False) -> PubData | str:
    """One record's PubData, or the reason it is refused."""
    values: dict[str, list[tuple[str, int]]] = {}
    for tag, value, line in rec.tags:
        if value:
            values.setdefault(tag, []).append((value, line))
    ty = rec.ty
    url_list = [u for v, _l in values.get("UR", []) for u in _split_urls(v)]
    hints = " ".join(v for v, _ in values.get("N1", ())) if ty in _WEB_TY else ""  # folded only where it may matter
    ptype, m3_said = ris_type(ty, _first(values, "M3"), hints, url_list[0] if url_list else "")
    raw_id = _first(values, "ID")
    cols: dict[str, Any] = {"type": ptype}
    data = PubData(raw_id, rec.line, cols)
    data.extra["ris_type"] = ty or "GEN"
    _record_notes(rec, data, ty, ptype, last)
    _contributors(values, data)
    _title_and_container(values, data, ty, url_list)
    _date(cols, values, data)
    _pages(values, cols)
    kept: dict[str, str] = {}
    _numbers(values, cols, kept, ty, ptype)
    _links(values, data, kept, url_list)
    _texts(values, data)
    _keep_the_rest(values, data, kept, m3_said)
    if kept:
        data.extra.setdefault("fields", {}).update(kept)

    if not any(tag not in ("TY", "ER", "ID") for tag in values) and not rec.bad_lines:
        return "nothing to import: a TY line with no fields" + (" but an ID" if raw_id else "")
    data.key = raw_id if _KEYLIKE.match(raw_id) and any(ch.isalpha() for ch in raw_id) else _key(data)
    cols["citekey"] = data.key
    if raw_id and raw_id != data.key:
        data.extra["ris_id"] = raw_id
    return data


def _record_notes(rec: RisRecord, data: PubData, ty: str, ptype: str, last: bool) -> None:
    """What the record's lines said about themselves: an unknown type, a missing TY or ER, damaged lines."""
    if ty and ty not in TYPE_OF_REFERENCE_MAPPING and ty not in ("WEB",):
        data.notes.append(N_("unknown RIS type {type}; imported as {ptype}").format(type=repr(ty), ptype=ptype))
    if rec.implicit:
        data.notes.append(N_("tag lines with no `TY  - ` line before them; read as a record of its own"))
    elif not rec.closed:
        data.notes.append(N_("no `ER  - ` line; the record ends at the end of the file") if last
                          else N_("no `ER  - ` line; the record ends at the next `TY  - `"))
    for n, text, after in rec.bad_lines:
        data.extra.setdefault("raw", {})[f"line {n}"] = text
        if "damaged line" not in data.extra.setdefault("flags", []):
            data.extra["flags"].append(N_("damaged line"))
        said = (N_("line {n} is not a `XX  - value` line (after {tag}); kept as text: {text}") if after
                else N_("line {n} is not a `XX  - value` line; kept as text: {text}"))
        data.notes.append(said.format(n=n, tag=after, text=repr(text[:80])))


def _contributors(values: dict[str, list[tuple[str, int]]], data: PubData) -> None:
    """Authors and editors (the same name twice in one role is one contributor)."""
    seen: set[tuple[str, Name]] = set()
    role_tags: tuple[tuple[tuple[str, ...], str], ...] = ((("AU", "A1"), "author"), (("A2", "ED"), "editor"))
    for tags, role in role_tags:
        for t in tags:
            for v, line in values.get(t, []):
                for piece in (v.split(";") if ";" in v and "," in v else [v]):
                    name = parse_name(piece)
                    if name is None:
                        _keep(data, t.lower(), v, "unreadable names",
                              N_("line {line}: name {name} has no letters; left out").format(line=line, name=repr(v)))
                    elif (role, name) not in seen:
                        seen.add((role, name))
                        data.contributors.append((role, name))


def _title_and_container(values: dict[str, list[tuple[str, int]]], data: PubData, ty: str,
                         url_list: list[str]) -> None:
    """The title, and the journal or book it sits in, or its series (T2 says which by the type)."""
    cols = data.columns
    title = _first(values, "TI", "T1", "CT") or (_first(values, "BT") if ty in _BOOKISH else "")
    container_tags: tuple[str, ...] = ("T2", "JF", "JO", "BT") if ty not in _BOOKISH else ("JF", "JO")
    container = _first(values, *container_tags)
    series = _first(values, "T3")
    if ty in _BOOKISH and _first(values, "T2"):
        if not series:
            series = _first(values, "T2")
        elif not container:
            container = _first(values, "T2")
    if not container and ty not in _BOOKISH:
        container = _first(values, "JA", "J2")
    if container:
        cols["container"] = container
    if series:
        data.series = series
    cols["title"] = title or _stand_in(data, container or series, _first(values, "N1", "N2", "AB", "KW"), url_list)


def _pages(values: dict[str, list[tuple[str, int]]], cols: dict[str, Any]) -> None:
    sp, ep = _first(values, "SP"), _first(values, "EP")
    if sp and ep and ep != sp:
        cols["pages"] = f"{sp}–{ep}"
    elif sp or ep:
        span = _PAGE_RANGE.match(sp or ep)  # "1-20" in SP alone, as PubMed and Rayyan write it
        cols["pages"] = f"{span.group(1)}–{span.group(2)}" if span else sp or ep


def _numbers(values: dict[str, list[tuple[str, int]]], cols: dict[str, Any], kept: dict[str, str], ty: str,
             ptype: str) -> None:
    """The issue or report number, ISBNs and ISSNs (SN holds any of them)."""
    number = _first(values, "IS")
    isbns: list[str] = []
    issns: list[str] = []
    for v, _l in values.get("SN", []):
        b, s, other = classify_sn(_one_line(v))
        isbns += b
        issns += s
        for o in other:
            if ty in ("RPRT", "GOVDOC") and not number:
                number = o  # Zotero writes a report's number in SN
            elif ptype == "article":
                issns.append(o)  # a journal's SN is its ISSN, however written
            else:
                kept["sn"] = "; ".join(x for x in (kept.get("sn"), o) if x)  # neither an ISBN nor an ISSN: kept
    if isbns:
        cols["isbn"] = isbns[0]
        if len(isbns) > 1:
            kept["isbns"] = "; ".join(dict.fromkeys(isbns))
    if issns:
        kept["issn"] = "; ".join(dict.fromkeys(issns))
    if number:
        cols["number"] = number


def _links(values: dict[str, list[tuple[str, int]]], data: PubData, kept: dict[str, str],
           url_list: list[str]) -> None:
    """The DOI, the URL (a doi.org URL gives the DOI too), the files named in L1/L4 and their web links."""
    cols = data.columns
    if _first(values, "DO"):
        cols["doi"] = clean_doi(_first(values, "DO"))
    if url_list:
        cols["url"] = _one_line(url_list[0])
        if "doi" not in cols and re.match(r"^https?://(dx\.)?doi\.org/10\.", url_list[0], re.I):
            cols["doi"] = clean_doi(url_list[0])
        if len(url_list) > 1:
            kept["urls"] = " ".join(dict.fromkeys(_one_line(u) for u in url_list[1:]))
    files = [p for t in ("L1", "L4") for v, _l in values.get(t, []) for u in v.split(";") if (p := _file_path(u))]
    if files:
        data.files = list(dict.fromkeys(files))
    web = [u for t in ("L1", "L4") for v, _l in values.get(t, []) for u in v.split(";") if _URL.match(u.strip())
           and not u.strip().lower().startswith("file:")]
    if web:
        kept.setdefault("fulltext_url", " ".join(dict.fromkeys(_one_line(u) for u in web)))


def _texts(values: dict[str, list[tuple[str, int]]], data: PubData) -> None:
    """The abstract, language, place, publisher and keywords."""
    cols = data.columns
    abstract = next((v.strip() for t in ("AB", "N2") for v, _l in values.get(t, ()) if v.strip()), "")
    if abstract:
        cols["abstract"] = abstract
    for col, tags in (("language", ("LA",)), ("place", ("CY",))):
        if _first(values, *tags):
            cols[col] = _first(values, *tags)
    if _first(values, "PB"):
        data.publisher = _first(values, "PB")
    subjects: list[str] = []
    for v, _l in values.get("KW", []):
        for piece in v.split(";"):
            piece = _one_line(piece).strip()
            if piece and any(ch.isalnum() for ch in piece):
                subjects.append(piece)
    data.subjects = list(dict.fromkeys(subjects))


def _keep_the_rest(values: dict[str, list[tuple[str, int]]], data: PubData, kept: dict[str, str],
                   m3_said: bool) -> None:
    """Every tag not read into a column is kept, by its BibTeX name where it has one."""
    for tag, items in values.items():
        if tag in _READ or (tag == "M3" and m3_said):
            continue
        field_name = KEPT_NAMES.get(tag) or _RISPY_NAMES.get(tag) or f"ris_{tag.lower()}"
        texts = [v.strip() if tag in _PARAGRAPH_TAGS else _one_line(v) for v, _l in items]  # read_ris cleaned them
        texts = [t for t in texts if t]
        if not texts or field_name in kept:
            continue
        if tag in ("A3", "A4"):
            kept[field_name] = " and ".join(texts)
        elif tag in _MULTI_KEPT:
            kept[field_name] = ("\n" if tag == "N1" else " ").join(dict.fromkeys(texts))
        else:
            kept[field_name] = texts[0]
            if len(texts) > 1:
                data.notes.append(N_("{tag} given {n} times; the first kept").format(tag=tag, n=len(texts)))


def _key(data: PubData) -> str:
    who = data.contributors[0][1] if data.contributors else None
    family = who.sortable.split(",")[0] if who and who.sortable else (who.display if who else None)
    return base_key(family, bool(who and who.kind == "person"), None, data.columns.get("year"), data.columns["title"])


def _stand_in(data: PubData, container: str, note: str, urls: list[str]) -> str:
    """A title from the container, a note, or the URL (as the BibTeX reader does); else "[untitled]"."""
    note = " ".join(note.split())
    for name, text in (("container", container), ("note", note), ("url", urls[0] if urls else "")):
        if text and any(ch.isalnum() for ch in text):
            text = text if len(text) <= 250 else text[:249] + "…"
            _keep(data, "title", None, N_("title from {name}").format(name=name),
                  N_("no title; the {name} stands for it: {text}").format(name=name, text=repr(text)))
            return text
    _keep(data, "title", None, "untitled", "no title; stored as [untitled]")
    return "[untitled]"
