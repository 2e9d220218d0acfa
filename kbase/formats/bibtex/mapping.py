"""BibTeX entries to publication records: entry types, dates, names, subjects and kept fields."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbase.formats.bibtex.files import file_paths
from kbase.formats.bibtex.latex import to_unicode
from kbase.formats.bibtex.names import Name, read_names
from kbase.formats.bibtex.parse import VERBATIM, BadValue, RawEntry, month_number, parse_month
from kbase.i18n import N_
from kbase.library import models as m
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
_WEB_TYPES = {"misc", "online", "electronic", "www", "webpage", "dataset", "software"}
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
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_YEAR_IN = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_FORTHCOMING = re.compile(r"forthcoming|in press|to appear|in preparation|submitted|accepted|under review"
                          r"|sous presse|à paraître|a paraitre|im druck|en prensa", re.I)
_SEASONS = {"spring", "summer", "autumn", "fall", "winter", "printemps", "été", "ete", "automne", "hiver"}
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er)?\.?$")
_DAY_RANGE = re.compile(r"^(\d{1,2})\s*(?:--|–|-|/)\s*(\d{1,2})$")
_MONTH_DAY = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+)?([^\W\d_]+)\.?(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?,?$")
# where a title comes from when an entry has none, in order (a whole issue is named by its journal)
_TITLE_STAND_INS = ("booktitle", "maintitle", "journaltitle", "journal", "howpublished", "note", "file", "url")
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
    files: str | list[str] | None = None  # the raw `file` field, or paths
    written_key: str | None = None  # the citation key as the source wrote it (key may be a renamed one)
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


def _keep(data: PubData, name: str, value: str | None, flag: str | None, note: str) -> None:
    """Something an entry says that could not be read: its text kept in extra["raw"], a flag and a note."""
    if value:
        data.extra.setdefault("raw", {})[name] = value
    if flag and flag not in data.extra.setdefault("flags", []):
        data.extra["flags"].append(flag)
    data.notes.append(note)


def _valid_day(year: int | None, month: int | None, day: int) -> bool:
    if not month:
        return False
    return 1 <= day <= calendar.monthrange(year or 2000, month)[1]  # 2000: a leap year, so 29 Feb passes


def _when(cols: dict[str, Any]) -> str:
    parts = [str(cols[k]) for k in ("year", "month", "day") if cols.get(k)]
    return "-".join(parts) + (f" to month {cols['month_end']}" if cols.get("month_end") else "") if parts else "nothing"


def _read_year(cols: dict[str, Any], text: str, data: PubData, name: str = "year") -> None:
    if text.isdigit() and len(text) == 4 and 1000 <= int(text) <= 2999:
        cols["year"] = int(text)
        return
    if _ISO.match(text):  # Mendeley and others write a whole date into year
        _read_date(cols, text, data, name)
        return
    years = _YEAR_IN.findall(text)
    if years:
        cols["year"] = int(years[0])
    if _FORTHCOMING.search(text):
        said = N_("{name} {text} kept as text; year {year}") if years else N_("{name} {text} kept as text")
        _keep(data, name, text, N_("forthcoming"),
              said.format(name=name, text=repr(text), year=years[0] if years else ""))
    elif re.fullmatch(r"\d{4}[a-z]", text) and years:
        _keep(data, name, text, None, N_("{name} {text} read as {year}").format(
            name=name, text=repr(text), year=years[0]))  # 2019a: a label, not a date
    elif years:
        _keep(data, name, text, N_("approximate date"), N_("{name} {text} read as {year}").format(
            name=name, text=repr(text), year=years[0]))
    else:
        _keep(data, name, text, N_("unreadable date"), N_("unreadable {name} {text} kept as text").format(
            name=name, text=repr(text)))


def _iso(part: str) -> tuple[int, int | None, int | None, bool] | None:
    """'2021-02-03', '2021-02~', '2021?', '2021-02-03T10:00' → (year, month, day, approximate)."""
    bare = part.strip()
    marked = bare.rstrip("?~%") != bare  # EDTF: uncertain or approximate
    m = _ISO.match(re.sub(r"T[\d:.,+Z-]*$", "", bare.rstrip("?~%")))  # a time of day says nothing more here
    if not m or not 1000 <= int(m.group(1)) <= 2999:
        return None
    month, day = (int(g) if g else None for g in m.group(2, 3))
    return int(m.group(1)), month, day, marked


def _read_date(cols: dict[str, Any], text: str, data: PubData, name: str = "date") -> None:
    """biblatex's date (ISO 8601 with `/` ranges and EDTF's ?~ marks); what cannot be read is kept raw."""
    first, _, last = text.partition("/")
    one = _iso(first)
    if one is None:
        years = _YEAR_IN.findall(text)
        if years:
            cols["year"] = int(years[0])
            _keep(data, name, text, N_("approximate date"), N_("{name} {text} read as {year}").format(
                name=name, text=repr(text), year=years[0]))
        else:
            _keep(data, name, text, N_("unreadable date"), N_("unreadable {name} {text} kept as text").format(
                name=name, text=repr(text)))
        return
    year, month, day, approx = one
    cols["year"] = year
    unreadable = False
    if month is not None:
        if 1 <= month <= 12:
            cols["month"] = month
        elif 21 <= month <= 24:
            approx = True  # EDTF seasons: spring … winter
        else:
            unreadable = True
    if day is not None:
        if _valid_day(year, cols.get("month"), day):
            cols["day"] = day
        else:
            unreadable = True
    end = last.strip()
    if end and end != "..":
        two = _iso(end)
        if two is None:
            unreadable = True
        else:
            year2, month2, _day2, approx2 = two
            approx = approx or approx2
            if year2 != year or not month2 or not cols.get("month"):
                approx = True  # the range spans years or has no months: the first date stands for it
            elif month2 > cols["month"]:
                cols["month_end"] = month2
            elif month2 < cols["month"]:
                unreadable = True
            if cols.get("day") is not None:
                approx = True
                cols.pop("day")
    elif end == ".." or (text.rstrip().endswith("/") and not end):
        approx = True  # an open range
    if unreadable:
        _keep(data, name, text, N_("unreadable date"), N_("{name} {text} not fully readable; read as {when}").format(
            name=name, text=repr(text), when=_when(cols)))
    elif approx:
        _keep(data, name, text, N_("approximate date"), N_("{name} {text} read as {when}").format(
            name=name, text=repr(text), when=_when(cols)))


def _read_month(cols: dict[str, Any], text: str, data: PubData, has_day: bool) -> None:
    try:
        cols["month"], cols["month_end"] = parse_month(text)
        return
    except BadValue:
        pass
    m = _MONTH_DAY.match(text.lower())
    if m and month_number(m.group(2)) and not (m.group(1) and m.group(3)):
        cols["month"] = month_number(m.group(2))
        day = m.group(1) or m.group(3)
        if day and not has_day:  # "January 5", "5 jan": the day is part of the month field
            cols["day"] = int(day)
        return
    pieces = [month_number(p) for p in re.split(r"--|–|/|-", text) if p.strip()]
    if len(pieces) == 2 and all(pieces):
        cols["month"] = pieces[0]  # dec--jan: across the year's end
        _keep(data, "month", text, N_("approximate date"), N_("month {text} read as {month}").format(
            text=repr(text), month=pieces[0]))
    elif text.strip().rstrip(".").lower() in _SEASONS:
        _keep(data, "month", text, N_("approximate date"), N_("month {text} kept as text").format(text=repr(text)))
    else:
        _keep(data, "month", text, N_("unreadable date"), N_("unreadable month {month} kept as text").format(
            month=repr(text)))


def _read_day(cols: dict[str, Any], text: str, data: PubData) -> None:
    m = _DAY.match(text) or _DAY_RANGE.match(text)
    if m is None:
        _keep(data, "day", text, N_("unreadable date"), N_("unreadable day {text} kept as text").format(
            text=repr(text)))
        return
    cols["day"] = int(m.group(1))
    if m.re is _DAY_RANGE:
        _keep(data, "day", text, N_("approximate date"), N_("day {text} read as {day}").format(
            text=repr(text), day=m.group(1)))


def _date(cols: dict[str, Any], f: dict[str, str], data: PubData) -> None:
    """year/month/day columns from biblatex `date` or from year, month and day; never fails."""
    date = re.sub(r"[{}]", "", f.get("date", "")).strip()  # not to_unicode: EDTF's `~` is no space here
    if date:
        _read_date(cols, date, data)
        # a month or day given beside `date` is not lost: it fills what the date lacks, else it is kept raw
        for name in ("year", "month", "day"):
            value = to_unicode(f.get(name, "")).strip()
            if not value:
                continue
            if name == "month" and cols.get("year") and cols.get("month") is None:
                _read_month(cols, value, data, bool(f.get("day")))
            elif name == "day" and cols.get("month") and cols.get("day") is None:
                _read_day(cols, value, data)
            elif str(cols.get(name)) != value.lstrip("0"):
                _keep(data, name, value, N_("unreadable date"), N_("{name} {text} beside date {date}; kept as "
                                            "text").format(name=name, text=repr(value), date=repr(date)))
        return
    year, month, day = (to_unicode(f.get(k, "")).strip() for k in ("year", "month", "day"))
    if year:
        _read_year(cols, year, data)
    if month:
        _read_month(cols, month, data, bool(day))
    if day:
        _read_day(cols, day, data)
    if cols.get("day") is not None and not _valid_day(cols.get("year"), cols.get("month"), cols["day"]):
        cols.pop("day")
        _keep(data, "day", day or month, N_("unreadable date"),
              N_("day {day} does not fit the month {month}; kept as text").format(
                  day=repr(day or month), month=cols.get('month') or N_('(none)')))


def clean_doi(doi: str) -> str:
    return _DOI_PREFIX.sub("", doi.strip())


def to_publication(e: RawEntry) -> PubData:
    """Everything an entry says about one publication; what cannot be read is kept raw, flagged and noted.

    Raises BadValue only for an entry that cannot be read at all (none is known)."""
    try:
        return _to_publication(e)
    except BadValue:
        raise
    except Exception as exc:  # a bug must cost this entry, not the import of the file
        raise BadValue(N_("cannot be read: {error}: {reason}").format(error=type(exc).__name__, reason=exc)) from exc


def _readable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _title(u: dict[str, str], f: dict[str, str], data: PubData) -> str:
    """The title, else one taken from another field (a whole issue, a web page), else "[untitled]"."""
    title = u.get("title", "").strip()
    if title:
        return title
    if f.get("title", "").strip():
        data.extra.setdefault("raw", {})["title"] = f["title"]
    for name in _TITLE_STAND_INS:
        text = " ".join(u.get(name, "").split())
        if name == "file" and text:
            text = next((Path(p).stem for p in file_paths(f["file"]) if Path(p).stem), "")
        if _readable(text):
            text = text if len(text) <= 250 else text[:249] + "…"
            _keep(data, "title", None, N_("title from {name}").format(name=name),
                  N_("no title; the {name} stands for it: {text}").format(name=name, text=repr(text)))
            return text
    _keep(data, "title", None, "untitled", N_("no title; stored as [untitled]"))
    return "[untitled]"


def _links(e: RawEntry, u: dict[str, str], data: PubData, used: set[str]) -> None:
    """Contributors, publisher, series and subjects; names that read as nothing are kept raw and left out."""
    f = e.fields
    others: list[str] = []
    for role in ("author", "editor"):
        if not f.get(role, "").strip():
            continue
        names, more, bad = read_names(f[role])
        data.contributors += [(role, n) for n in names]
        if more:
            others.append(role)
        if bad:
            why = "; ".join(reason for _piece, reason in bad)
            _keep(data, role, f[role], N_("unreadable names"), N_("{role}: {why}; the field is kept as written").format(
                role=role, why=why))
    if others:
        data.extra["others"] = others
    for name in ORG_FIELDS:
        value = u.get(name, "").strip()
        if not f.get(name, "").strip():
            continue
        used.add(name)
        if not _readable(value):
            _keep(data, name, f[name], N_("unreadable names"), N_("{name} {text} has no letters; kept as "
                                          "written").format(name=name, text=repr(f[name])))
            continue
        if data.publisher is None:
            data.publisher = value
            if name != default_publisher_field(data.columns["type"]):
                data.extra["publisher_field"] = name
        else:
            used.discard(name)  # a second organisation stays a plain field
    series = u.get("series", "").strip()
    if _readable(series):
        data.series = series
    elif f.get("series", "").strip():
        _keep(data, "series", f["series"], None, N_("series {series} has no letters; kept as written").format(
            series=repr(f['series'])))
    for name, attr, seps in (("keywords", "subjects", ",;"), ("projects", "projects", ";"),
                             ("regions", "regions", ";")):
        items = split_list(f.get(name, ""), seps)
        good = [i for i in items if _readable(i)]
        setattr(data, attr, good)
        if len(good) < len(items):
            _keep(data, name, f[name], None, N_("{name}: {names} have no letters; left out").format(
                name=name, names=', '.join(repr(i) for i in items if i not in good)))


def _to_publication(e: RawEntry) -> PubData:
    f = e.fields
    u = {k: (v if k in VERBATIM else to_unicode(v)) for k, v in f.items()}
    ptype, type_said = publication_type(e.type, f)
    cols: dict[str, Any] = {"type": ptype, "citekey": e.key}
    data = PubData(e.key, e.line, cols, notes=list(e.notes),
                   written_key=e.key if e.written_key is None else e.written_key)
    if e.raw:
        data.extra["raw"] = dict(e.raw)
    if e.flags:
        data.extra["flags"] = list(e.flags)
    cols["title"] = _title(u, f, data)
    _date(cols, f, data)
    for col, names in (("subtitle", ("subtitle",)), ("number", ("number",)), ("language", ("language",)),
                       ("abstract", ("abstract",)), ("url", ("url",)), ("place", ("location", "address")),
                       ("isbn", ("isbn",)), ("pages", ("pages",))):
        for name in names:
            if u.get(name, "").strip():
                cols[col] = u[name]
                break
    if u.get("doi", "").strip():
        cols["doi"] = clean_doi(u["doi"])
    if u.get("visibility") in m.VISIBILITIES:
        cols["visibility"] = u["visibility"]
    extra_fields: dict[str, str] = {}
    used: set[str] = set(CONSUMED) | ({"type"} if type_said else set())
    if u.get("visibility") and "visibility" not in cols:
        used.discard("visibility")
    for name in CONTAINER_FIELDS:
        if u.get(name, "").strip():
            cols["container"] = u[name]
            canon = "journal" if name == "journaltitle" else name  # the same field in each flavour
            if canon != _default_container(ptype):
                data.extra["container_field"] = canon
            used.add(name)
            break
    _links(e, u, data, used)
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
