"""CSL-JSON (Zotero, Better BibTeX, citation.js, pandoc, Mendeley, Crossref) to publication records.

A file is an array of items or {"items": [...]}. JSON has no line per record: each item's line is found
by reading the array one item at a time (the same C scanner json.loads uses), so problems name the line
the item starts on and its index ("item 12"). Invalid JSON is one problem with the line and column
json gives.

The CSL type is kept in extra["csl_type"], so `kbase export csl-json` writes the same type back; what has
no column is kept in extra["fields"] under its BibTeX name where there is one (volume, issn, edition,
urldate …), else under its CSL name. Zotero's `note` extras (`PMID: 123`, `original-date: 1950`,
`Citation Key: smith2019`, old-style `{:DOI: 10.1/x}`) are read line by line.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kbase.catalogue.citekeys import base_key
from kbase.formats.bibtex.mapping import _VIDEO_HOSTS, _WEB_WORDS, PubData, _keep, _read_date, _read_year, clean_doi
from kbase.formats.bibtex.names import Name
from kbase.formats.ris import classify_sn
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_line, clean_text, fold

# CSL type → our type; the inverse of kbase.formats.exporters._CSL_TYPES (with the genre saying which
# report-like, map or web type)
CSL_TYPES: dict[str, str] = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "review": "article", "review-book": "article",
    "book": "book", "classic": "book", "collection": "book",
    "chapter": "book chapter", "paper-conference": "book chapter", "entry": "book chapter",
    "entry-dictionary": "book chapter", "entry-encyclopedia": "book chapter",
    "report": "report", "periodical": "bulletin",
    "map": "static maps", "motion_picture": "video", "broadcast": "video",
    "webpage": "other", "post": "other", "post-weblog": "other", "document": "other", "thesis": "other",
    "manuscript": "other", "dataset": "other", "software": "other", "speech": "other", "interview": "other",
    "personal_communication": "other", "graphic": "other", "figure": "other", "song": "other",
    "musical_score": "other", "pamphlet": "report", "standard": "report", "legislation": "other",
    "legal_case": "other", "bill": "other", "hearing": "other", "regulation": "other", "treaty": "other",
    "patent": "other", "event": "other", "performance": "other",
}
_GENRE_TYPES = {"report", "other", "bulletin", "static maps", "video"}  # types a genre may refine
_WEB_CSL = {"webpage", "post", "post-weblog", "document", "dataset", "software", "map", "graphic"}
_TYPE_WORDS = {fold(t): t for t in m.PUBLICATION_TYPES} | {
    "policy brief": "briefing", "briefing paper": "briefing", "briefing note": "briefing",
    "case study": "case studies", "web map": "webmap", "static map": "static maps",
}
NAME_ROLES = ("author", "editor")
# other name variables, kept as text ("A and B") in extra["fields"]
_OTHER_NAMES = {"translator": "translator", "collection-editor": "serieseditor", "container-author": "bookauthor",
                "director": "director", "interviewer": "interviewer", "recipient": "recipient",
                "reviewed-author": "reviewedauthor", "composer": "composer", "illustrator": "illustrator",
                "original-author": "origauthor", "editorial-director": "editorialdirector",
                "chair": "chair", "compiler": "compiler", "contributor": "contributor", "curator": "curator",
                "executive-producer": "executiveproducer", "guest": "guest", "host": "host",
                "narrator": "narrator", "organizer": "organizer", "performer": "performer", "producer": "producer",
                "script-writer": "scriptwriter", "series-creator": "seriescreator"}
# CSL variables kept under a BibTeX name
KEPT_NAMES = {"volume": "volume", "ISSN": "issn", "edition": "edition", "title-short": "shorttitle",
              "container-title-short": "shortjournal", "journalAbbreviation": "shortjournal",
              "number-of-pages": "pagetotal", "number-of-volumes": "volumes", "event-place": "venue",
              "event": "eventtitle", "event-title": "eventtitle", "original-title": "origtitle",
              "collection-number": "seriesnumber", "note": "note", "genre": "type", "archive": "archive",
              "archive_location": "archive_location", "medium": "medium", "PMID": "pmid", "PMCID": "pmcid",
              "call-number": "call_number", "source": "source", "status": "pubstate", "version": "version",
              "references": "references", "section": "section", "dimensions": "dimensions", "scale": "scale",
              "chapter-number": "chapter", "annote": "annote", "authority": "authority"}
FIELD_OF_KEPT = {v: k for k, v in KEPT_NAMES.items() if k not in ("journalAbbreviation", "event")}
_DATES = {"accessed": "urldate", "original-date": "origdate", "event-date": "eventdate", "submitted": "submitted",
          "available-date": "availabledate"}
# read into columns and links; the rest is kept
_READ = {"id", "type", "title", "author", "editor", "issued", "container-title", "collection-title", "page",
         "page-first", "issue", "number", "ISBN", "ISSN", "DOI", "URL", "publisher", "publisher-place", "language",
         "abstract", "keyword", "citation-key", "citation-label", "accessed"}
_IGNORED = {"system_id", "_graph", "id_", "custom", "seeAlso", "citation-number", "first-reference-note-number",
            "locator", "label", "position", "dummy"}
_NOTE_LINE = re.compile(r"^\s*\{?:?([A-Za-z][\w .-]{0,40}?):\s*(.+?)\}?\s*$")
_DECODER = json.JSONDecoder(strict=False)  # a tab or line break inside a string is cleaned later, not refused
_PAGE_RANGE = re.compile(r"^(\w+)\s*(?:--?|–)\s*(\w+)$")
_PLACEHOLDER = re.compile(r"^(temp_id_\d+|\d+|item-?\d+|ITEM-\d+)$")  # citation.js's and others' made-up ids
_KEYLIKE = re.compile(r"^[^\s/{}(),\\\"'#%~=]{1,100}$")
# note keys Zotero and Better BibTeX use, folded, → the CSL variable they stand for
_NOTE_KEYS = {"citation key": "citation-key", "citationkey": "citation-key", "doi": "DOI", "isbn": "ISBN",
              "issn": "ISSN", "pmid": "PMID", "pmcid": "PMCID", "original date": "original-date",
              "original-date": "original-date", "publisher place": "publisher-place",
              "publisher-place": "publisher-place", "type": "type", "issued": "issued", "url": "URL"}


@dataclass
class CslResult:
    records: list[PubData] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, reason): items not read
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # the file's own: invalid JSON, no items


def looks_like_csl_json(head: str) -> bool:
    """True for the start of an array of objects with CSL's keys, or of {"items": [...]}."""
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        body = text[1:].lstrip()
        if not body.startswith("{"):
            return body.startswith("]")
        window = body[:4000]
        return sum(f'"{k}"' in window for k in ("type", "title", "id", "author", "issued")) >= 2
    if text.startswith("{"):
        return bool(re.match(r'\{\s*"items"\s*:\s*\[', text)) or (
            '"type"' in text[:4000] and '"title"' in text[:4000] and '"id"' in text[:4000])
    return False


def _items_with_lines(text: str) -> tuple[list[Any], list[int], str | None]:
    """(items, the line each starts on, a shape problem or None); raises json.JSONDecodeError."""
    data = _DECODER.decode(text)
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        items = data["items"]
        start = re.search(r'"items"\s*:\s*\[', text)
        pos = start.end() if start else None
    elif isinstance(data, list):
        items = data
        pos = text.index("[") + 1
    elif isinstance(data, dict) and ("type" in data or "title" in data):
        return [data], [text[:text.index("{")].count("\n") + 1], None
    else:
        return [], [], "not CSL-JSON: neither an array of items nor {\"items\": [...]}"
    lines: list[int] = []
    if pos is not None:
        decoder = _DECODER
        line, last = 1 + text.count("\n", 0, pos), pos
        space = re.compile(r"[\s,]*")
        try:
            for _ in items:
                gap = space.match(text, pos)  # matches the empty string: never None
                pos = gap.end() if gap else pos
                line += text.count("\n", last, pos)
                lines.append(line)
                last = pos
                _value, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, ValueError, AttributeError):
            lines = []
    if len(lines) != len(items):
        lines = [1] * len(items)
    return items, lines, None


def read_csl_json(text: str) -> CslResult:
    """Every item of a CSL-JSON text as PubData, with what was refused and noted (line, key, reason)."""
    text = text.removeprefix("\ufeff")
    out = CslResult()
    try:
        items, lines, problem = _items_with_lines(text)
    except json.JSONDecodeError as exc:
        out.problems.append((exc.lineno, "", N_("not valid JSON: {reason} (line {line}, column {column})").format(
            reason=exc.msg, line=exc.lineno, column=exc.colno)))
        return out
    except RecursionError:
        out.problems.append((1, "", N_("not valid JSON: nested too deeply")))
        return out
    if problem:
        out.problems.append((1, "", problem))
        return out
    if not items:
        out.problems.append((1, "", N_("no items in the file")))
    for i, (item, line) in enumerate(zip(items, lines, strict=True)):
        if not isinstance(item, dict):
            out.refused.append((line, "", N_("item {n} is not an object but {name}").format(
                n=i, name=type(item).__name__)))
            continue
        try:
            data = to_publication(item, line, i)
        except Exception as exc:  # a bug must cost this item, not the import of the file
            why = N_("item {n} cannot be read: {error}: {reason}").format(n=i, error=type(exc).__name__, reason=exc)
            out.refused.append((line, str(item.get("id", ""))[:100], why))
            continue
        if isinstance(data, str):
            out.refused.append((line, str(item.get("id", ""))[:100], data))
            continue
        out.records.append(data)
    return out


def _text(value: Any, line: bool = True) -> str:
    """A CSL value as clean text: strings as they are, numbers written, lists joined."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, list):
        return "; ".join(t for t in (_text(v, line) for v in value) if t)
    if isinstance(value, dict):
        return _text(value.get("literal") or value.get("raw") or "", line)
    text = clean_text(value if isinstance(value, str) else str(value))  # the same string back when clean
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if line and ("\n" in text or "\t" in text or "  " in text):
        return " ".join(text.split())
    return text.strip()


def csl_type(ctype: str, genre: str = "", hints: str = "", url: str = "") -> tuple[str, bool]:
    """Our type for a CSL type, and whether the genre is what said so (then it is not kept)."""
    base = CSL_TYPES.get(ctype, "other")
    said = fold(genre)
    if said in _TYPE_WORDS and (base in _GENRE_TYPES or ctype in _WEB_CSL):
        return _TYPE_WORDS[said], True
    if base == "other" and ctype in _WEB_CSL:
        words = f"{said} {fold(hints)}"
        for word, kind in _WEB_WORDS:
            if word in words:
                return kind, False
        if _VIDEO_HOSTS.match(url):
            return "video", False
    return base, False


def parse_name(value: Any) -> Name | None:
    """A CSL name object (family, given, particles, suffix, or literal) as a Name; strings too."""
    if isinstance(value, str):
        text = clean_line(value).strip()
        if "," in text:
            family, _, given = text.partition(",")
            value = {"family": family.strip(), "given": given.strip()}
        else:
            value = {"literal": text}
    if not isinstance(value, dict):
        return None
    return _name(*(value.get(k) if isinstance(value.get(k), (str, int, float, type(None))) else str(value.get(k))
                   for k in ("literal", "family", "given", "dropping-particle", "non-dropping-particle", "suffix")))


@lru_cache(maxsize=65536)
def _name(literal: Any, family: Any, given: Any, dropping: Any, particle: Any, suffix: Any) -> Name | None:
    """parse_name's work, cached: the same people recur across a library."""
    literal = _text(literal)
    if literal:
        return Name("organisation", literal) if any(ch.isalnum() for ch in literal) else None
    family, given, dropping, particle, suffix = (_text(x) for x in (family, given, dropping, particle, suffix))
    if not family and not given:
        return None
    display = " ".join(x for x in (given, dropping, particle, family, suffix) if x)
    if not any(ch.isalnum() for ch in display):
        return None
    if not family:
        return Name("person", display)
    last = " ".join(x for x in (dropping, particle, family) if x)
    sortable = ", ".join(x for x in (last, suffix, given) if x)
    return Name("person", display, sortable if given or suffix else None)


def _names(value: Any) -> list[Name]:
    items = value if isinstance(value, list) else [value]
    return [n for n in (parse_name(v) for v in items) if n is not None]


def _read_csl_date(cols: dict[str, Any], value: Any, data: PubData, name: str) -> None:
    """issued as {"date-parts": [[y, m, d], [y2, m2]]}, {"raw": …}, {"literal": …}, a string, with circa/season."""
    if isinstance(value, (str, int)):
        value = {"raw": str(value)}
    if isinstance(value, list):
        value = {"date-parts": value}
    if not isinstance(value, dict):
        return
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            first = [int(str(p).strip()) for p in parts[0][:3] if str(p).strip() != ""]
            second = [int(str(p).strip()) for p in parts[1][:3] if str(p).strip() != ""] \
                if len(parts) > 1 and isinstance(parts[1], list) else []
        except ValueError:
            first = []
        if first:
            iso = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(first))
            if second:
                iso += "/" + "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(second))
            if value.get("circa"):
                iso = iso.split("/")[0] + "~"
            _read_date(cols, iso, data, name)
            if value.get("season"):
                _keep(data, name, f"season {value['season']} {first[0]}", "approximate date",
                      f"{name}: season {value['season']} of {first[0]}")
            return
    raw = _text(value.get("raw") or value.get("literal") or "")
    if not raw:
        return
    if re.match(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?([/~?].*)?$", raw):
        _read_date(cols, raw, data, name)
    else:
        _read_year(cols, raw, data, name)


def _iso_of(value: Any) -> str:
    """Another date variable (accessed, original-date …) as ISO text, or its raw text."""
    probe: dict[str, Any] = {}
    scratch = PubData("", 0, {})
    _read_csl_date(probe, value, scratch, "date")
    if probe.get("year") and not scratch.extra.get("flags"):
        parts = [probe[k] for k in ("year", "month", "day") if probe.get(k)]
        return "-".join([str(parts[0])] + [f"{p:02d}" for p in parts[1:]])
    return _text(value.get("raw") or value.get("literal")) if isinstance(value, dict) else _text(value)


def _note_extras(note: str) -> tuple[dict[str, str], str]:
    """Zotero's `key: value` lines in a note (the item's Extra field), and the rest of the note."""
    found: dict[str, str] = {}
    rest = []
    for line in note.splitlines():
        hit = _NOTE_LINE.match(line)
        if hit and not hit.group(2).startswith("//") and len(hit.group(1).split()) <= 3:
            found.setdefault(hit.group(1).strip(), hit.group(2).strip())
        else:
            rest.append(line)
    return found, "\n".join(rest).strip()


def to_publication(item: dict[str, Any], line: int, index: int) -> PubData | str:
    """One item's PubData, or the reason it is refused."""
    item = dict(item)
    extras = _note_fields(item)
    ctype = _text(item.get("type")) or "document"
    url = _text(item.get("URL"))
    ptype, genre_said = csl_type(ctype, _text(item.get("genre")), _text(item.get("medium")), url)
    raw_id = _text(item.get("citation-key")) or _text(item.get("id"))
    cols: dict[str, Any] = {"type": ptype}
    data = PubData(raw_id, line, cols)
    data.extra["csl_type"] = ctype
    if ctype not in CSL_TYPES:
        data.notes.append(N_("item {n}: unknown CSL type {type}; imported as {ptype}").format(
            n=index, type=repr(ctype), ptype=ptype))
    _contributors(item, data, ptype)
    _title(item, data, url)
    if item.get("issued") not in (None, "", {}, []):
        _read_csl_date(cols, item["issued"], data, "issued")
    kept: dict[str, str] = {}
    _numbers(item, cols, kept)
    _texts(item, data, kept, url)
    _keep_the_rest(item, data, kept, genre_said)
    for k, v in extras.items():
        kept.setdefault(fold(k).replace(" ", "_") or k, clean_line(v))
    if kept:
        data.extra["fields"] = kept

    if not any(v not in (None, "", [], {}) for k, v in item.items() if k not in ("id", "type", "citation-key")):
        return N_("item {n}: nothing to import: no fields but its id and type").format(n=index)
    keylike = _KEYLIKE.match(raw_id) and any(ch.isalnum() for ch in raw_id) and not _PLACEHOLDER.match(raw_id)
    data.key = raw_id if keylike else _key(data)
    cols["citekey"] = data.key
    item_id = _text(item.get("id"))
    if item_id and item_id != data.key:
        data.extra["csl_id"] = item_id  # a Zotero item URI, a number: kept, the key is made or given apart
    return data


def _note_fields(item: dict[str, Any]) -> dict[str, str]:
    """Zotero's `key: value` lines in the note fill the item's empty variables (the note keeps the rest);
    the lines that name no variable are returned, to be kept."""
    extras: dict[str, str] = {}
    note = item.get("note")
    if isinstance(note, str) and ":" in note:
        extras, rest = _note_extras(clean_text(note))
        item["note"] = rest or None
        for k, v in list(extras.items()):
            var = _NOTE_KEYS.get(k.lower().replace("_", " "), k if k in KEPT_NAMES or k in _DATES else None)
            if var and item.get(var) in (None, "", []):
                item[var] = {"raw": v} if var in _DATES or var == "issued" else v
                extras.pop(k)
            elif var:
                extras.pop(k)  # the item says it already
    return extras


def _contributors(item: dict[str, Any], data: PubData, ptype: str) -> None:
    for role in NAME_ROLES:
        for n in _names(item.get(role) or []):
            if (role, n) not in data.contributors:
                data.contributors.append((role, n))
    if not any(r == "author" for r, _n in data.contributors) and item.get("director") and ptype == "video":
        data.contributors[:0] = [("author", n) for n in _names(item["director"])]
        item.pop("director")


def _title(item: dict[str, Any], data: PubData, url: str) -> None:
    """The title, container and series; with no title, the container, the note or the URL stands for it."""
    cols = data.columns
    title = _text(item.get("title"))
    container = _text(item.get("container-title"))
    series = _text(item.get("collection-title"))
    if container:
        cols["container"] = container
    if series:
        data.series = series
    if title:
        cols["title"] = title
        return
    note_text = " ".join(_text(item.get("note") or item.get("annote") or "").split())
    for what, text in (("container", container or series), ("note", note_text), ("url", url)):
        if text and any(ch.isalnum() for ch in text):
            cols["title"] = text if len(text) <= 250 else text[:249] + "…"
            _keep(data, "title", None, N_("title from {name}").format(name=what),
                  N_("no title; the {what} stands for it: {title}").format(what=what, title=repr(cols['title'])))
            return
    cols["title"] = "[untitled]"
    _keep(data, "title", None, "untitled", "no title; stored as [untitled]")


def _numbers(item: dict[str, Any], cols: dict[str, Any], kept: dict[str, str]) -> None:
    """Pages, the issue or number, ISBNs and ISSNs."""
    pages = _text(item.get("page") or item.get("page-first"))
    if pages:
        span = _PAGE_RANGE.match(pages)
        cols["pages"] = f"{span.group(1)}–{span.group(2)}" if span else pages
    number = _text(item.get("issue")) or _text(item.get("number"))
    if number:
        cols["number"] = number
    if item.get("issue") not in (None, "") and item.get("number") not in (None, "") and \
            _text(item["number"]) != number:
        kept["number"] = _text(item["number"])
    # ISBN and ISSN as RIS's SN is read: an ISSN in ISBN (Mendeley's BibTeX does it) goes to issn, never isbn
    isbns, issns, other = classify_sn(_text(item.get("ISBN")))
    isbns += other
    more_isbns, more_issns, odd = classify_sn(_text(item.get("ISSN")))
    issns += more_issns + odd
    isbns += [i for i in more_isbns if i not in isbns]
    if isbns:
        cols["isbn"] = isbns[0]
        if len(isbns) > 1:
            kept["isbns"] = "; ".join(dict.fromkeys(isbns))
    if issns:
        kept["issn"] = "; ".join(dict.fromkeys(issns))


def _texts(item: dict[str, Any], data: PubData, kept: dict[str, str], url: str) -> None:
    """DOI, URL, abstract, language, place, publisher, keywords and the date it was read online."""
    cols = data.columns
    if _text(item.get("DOI")):
        cols["doi"] = clean_doi(_text(item["DOI"]))
    if url:
        cols["url"] = url
    abstract = _text(item.get("abstract"), line=False)
    if abstract:
        cols["abstract"] = abstract
    for col, var in (("language", "language"), ("place", "publisher-place")):
        if _text(item.get(var)):
            cols[col] = _text(item[var])
    if _text(item.get("publisher")):
        data.publisher = _text(item["publisher"])
    keywords = item.get("keyword")
    words = keywords if isinstance(keywords, list) else re.split(r"\s*[,;]\s*", _text(keywords))
    data.subjects = list(dict.fromkeys(w for w in (_text(k) for k in words) if w and any(ch.isalnum() for ch in w)))
    if item.get("accessed") not in (None, "", {}, []) and _iso_of(item["accessed"]):
        kept["urldate"] = _iso_of(item["accessed"])


def _keep_the_rest(item: dict[str, Any], data: PubData, kept: dict[str, str], genre_said: bool) -> None:
    """Every variable not read into a column is kept: names and dates as text, structures as written."""
    for var, value in item.items():
        if var in _READ or var in _IGNORED or (var == "genre" and genre_said) or value in (None, "", [], {}):
            continue
        if var in _OTHER_NAMES:
            names = _names(value)
            if names:
                kept.setdefault(_OTHER_NAMES[var], " and ".join(n.display for n in names))
        elif var in _DATES:
            kept.setdefault(_DATES[var], _iso_of(value))
        elif isinstance(value, (dict, list)) and not all(isinstance(v, (str, int, float)) for v in
                                                         (value if isinstance(value, list) else [0])):
            data.extra.setdefault("csl", {})[var] = value  # kept as written: structured, with no column
        else:
            text = _text(value, line=var not in ("note", "annote"))
            if text:
                kept.setdefault(KEPT_NAMES.get(var, var), text)


def _key(data: PubData) -> str:
    who = data.contributors[0][1] if data.contributors else None
    family = who.sortable.split(",")[0] if who and who.sortable else (who.display if who else None)
    return base_key(family, bool(who and who.kind == "person"), None, data.columns.get("year"), data.columns["title"])
