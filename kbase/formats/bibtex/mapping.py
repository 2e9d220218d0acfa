"""BibTeX entries to publication records: entry types, dates, names, subjects and kept fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kbase.library import models as m
from kbase.formats.bibtex.latex import to_unicode
from kbase.formats.bibtex.names import Name, parse_names
from kbase.formats.bibtex.parse import VERBATIM, BadValue, RawEntry, parse_month
from kbase.text import fold

# entry type → publication type before the fields refine it
ENTRY_TYPES: dict[str, str] = {
    "article": "article", "suppperiodical": "article",
    "book": "book", "mvbook": "book", "collection": "book", "mvcollection": "book",
    "proceedings": "book", "mvproceedings": "book", "reference": "book", "mvreference": "book",
    "inbook": "book chapter", "incollection": "book chapter", "inproceedings": "book chapter",
    "conference": "book chapter", "bookinbook": "book chapter", "suppbook": "book chapter",
    "suppcollection": "book chapter", "inreference": "book chapter",
    "techreport": "report", "report": "report", "manual": "report",
    "periodical": "bulletin", "video": "video", "movie": "video",
}
# entry types whose `type`/howpublished fields may say what kind of web resource they are
_WEB_TYPES = {"misc", "online", "electronic", "www", "dataset", "software"}
_WEB_WORDS = (("dashboard", "dashboard"), ("web map", "webmap"), ("webmap", "webmap"),
              ("interactive map", "webmap"), ("online map", "webmap"), ("static map", "static maps"),
              ("video", "video"), ("film", "video"))
_VIDEO_HOSTS = re.compile(r"https?://(www\.)?(youtube\.com|youtu\.be|vimeo\.com|dailymotion\.com)/", re.I)
_TYPE_WORDS = {fold(t): t for t in m.PUBLICATION_TYPES} | {
    "policy brief": "briefing", "briefing paper": "briefing", "briefing note": "briefing",
    "case study": "case studies", "web map": "webmap", "static map": "static maps",
}
CONTAINER_FIELDS = ("journaltitle", "journal", "booktitle", "maintitle")
ORG_FIELDS = ("publisher", "institution", "organization", "school")
# fields that become columns or links; everything else is kept in extra["fields"]
CONSUMED = {"title", "subtitle", "year", "month", "day", "date", "series", "number", "language",
            "abstract", "url", "address", "location", "isbn", "doi", "pages", "author", "editor",
            "keywords", "projects", "regions", "visibility", "file", "xdata"}
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)


@dataclass
class PubData:
    """A publication as read from one entry, with links still as names."""

    key: str
    line: int
    columns: dict[str, Any]
    contributors: list[tuple[str, Name]] = field(default_factory=list)  # (role, name)
    series: str | None = None
    publisher: str | None = None
    subjects: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    files: str | None = None  # the raw `file` field
    extra: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def publication_type(entry_type: str, fields: dict[str, str]) -> tuple[str, bool]:
    """Our type for an entry, and whether its `type` field was what said so (then it is not kept)."""
    base = ENTRY_TYPES.get(entry_type, "other")
    said = fold(to_unicode(fields.get("type", "")))
    if said in _TYPE_WORDS and (base in ("report", "other", "bulletin") or entry_type in _WEB_TYPES):
        return _TYPE_WORDS[said], True
    if entry_type in _WEB_TYPES:
        hints = " ".join(fold(to_unicode(fields.get(k, ""))) for k in ("type", "howpublished", "entrysubtype", "note"))
        for word, kind in _WEB_WORDS:
            if word in hints:
                return kind, False
        if _VIDEO_HOSTS.match(fields.get("url", "")):
            return "video", False
    return base, False


def split_list(latex: str, seps: str = ",;") -> list[str]:
    """Items of a keyword-like field, split outside braces (so `{Business, human rights}` is one) and then read."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(latex):
        if ch == "{" and latex[i - 1:i] != "\\":
            depth += 1
        elif ch == "}" and latex[i - 1:i] != "\\":
            depth -= 1
        elif ch in seps and depth == 0:
            items.append(latex[start:i])
            start = i + 1
    items.append(latex[start:])
    return list(dict.fromkeys(t for t in (to_unicode(i).strip() for i in items) if t))


def _date(cols: dict[str, Any], f: dict[str, str]) -> None:
    """year/month/day columns from biblatex `date` or from year, month and day."""
    date = f.get("date", "").strip()
    if date:
        first, _, last = date.partition("/")
        m1, m2 = _DATE.match(first.strip()), _DATE.match(last.strip()) if last else None
        if not m1 or (last and not m2):
            raise BadValue(f"bad date {date!r}")
        cols["year"] = int(m1.group(1))
        cols["month"] = int(m1.group(2)) if m1.group(2) else None
        cols["day"] = int(m1.group(3)) if m1.group(3) and not m2 else None
        if m2 and (m2.group(1) != m1.group(1) or not m2.group(2) or not cols["month"]):
            raise BadValue(f"date range {date!r} spans more than one year; not supported")
        if m2 and int(m2.group(2)) != cols["month"]:
            cols["month_end"] = int(m2.group(2))
            if cols["month_end"] < cols["month"]:
                raise BadValue(f"bad date range {date!r}")
    else:
        year = f.get("year", "")
        if year:
            found = _YEAR.match(to_unicode(year))
            if not found or not 1000 <= int(found.group(1)) <= 2999:
                raise BadValue(f"bad year {year!r}")
            cols["year"] = int(found.group(1))
        if f.get("month"):
            cols["month"], cols["month_end"] = parse_month(to_unicode(f["month"]))
        if f.get("day", "").strip().isdigit():
            cols["day"] = int(f["day"])
    if not 1 <= (cols.get("month") or 1) <= 12 or not 1 <= (cols.get("month_end") or 12) <= 12:
        raise BadValue(f"bad month in {date or f.get('month')!r}")
    if cols.get("day") is not None and not (1 <= cols["day"] <= 31 and cols.get("month")):
        raise BadValue(f"bad day {cols['day']!r}")


def clean_doi(doi: str) -> str:
    return _DOI_PREFIX.sub("", doi.strip())


def to_publication(e: RawEntry) -> PubData:
    """Everything an entry says about one publication; raises BadValue for what cannot be read."""
    f = e.fields
    u = {k: (v if k in VERBATIM else to_unicode(v)) for k, v in f.items()}
    ptype, type_said = publication_type(e.type, f)
    cols: dict[str, Any] = {"type": ptype, "citekey": e.key}
    title = u.get("title", "").strip()
    if not title:
        raise BadValue("no title")
    cols["title"] = title
    _date(cols, f)
    for col, names in (("subtitle", ("subtitle",)), ("number", ("number",)), ("language", ("language",)),
                       ("abstract", ("abstract",)), ("url", ("url",)), ("place", ("location", "address")),
                       ("isbn", ("isbn",)), ("pages", ("pages",))):
        for name in names:
            if u.get(name):
                cols[col] = u[name]
                break
    if u.get("doi"):
        cols["doi"] = clean_doi(u["doi"])
    if u.get("visibility") in m.VISIBILITIES:
        cols["visibility"] = u["visibility"]
    data = PubData(e.key, e.line, cols, notes=list(e.notes))
    extra_fields: dict[str, str] = {}
    used: set[str] = set(CONSUMED) | ({"type"} if type_said else set())
    if u.get("visibility") and "visibility" not in cols:
        used.discard("visibility")
    for name in CONTAINER_FIELDS:
        if u.get(name):
            cols["container"] = u[name]
            canon = "journal" if name == "journaltitle" else name  # the same field in each flavour
            if canon != _default_container(ptype):
                data.extra["container_field"] = canon
            used.add(name)
            break
    for name in ORG_FIELDS:
        if u.get(name):
            data.publisher = u[name]
            if name != default_publisher_field(ptype):
                data.extra["publisher_field"] = name
            used.add(name)
            break
    others: list[str] = []
    for role in ("author", "editor"):
        if f.get(role):
            try:
                names, more = parse_names(f[role])
            except ValueError as exc:
                raise BadValue(f"{role}: {exc}") from None
            data.contributors += [(role, n) for n in names]
            if more:
                others.append(role)
    if others:
        data.extra["others"] = others
    data.series = u.get("series") or None
    data.subjects = split_list(f.get("keywords", ""))
    data.projects = split_list(f.get("projects", ""), ";")
    data.regions = split_list(f.get("regions", ""), ";")
    data.files = f.get("file") or None
    data.extra["entrytype"] = e.type
    for name, value in u.items():
        if name not in used and value != "":
            extra_fields[name] = value
    if extra_fields:
        data.extra["fields"] = extra_fields
    return data


def default_publisher_field(ptype: str) -> str:
    return "institution" if ptype in REPORT_LIKE else "publisher"


def _default_container(ptype: str) -> str:
    return {"article": "journal"}.get(ptype, "booktitle")


REPORT_LIKE = {"report", "summary report", "briefing", "bulletin", "insight", "review paper",
               "case studies", "workshop report"}
WEB_LIKE = {"webmap", "dashboard", "static maps", "video"}
