"""When two publications are one work: identifiers (DOI, ISBN, files) and titles normalised into a
WorkKey, the rules that compare them, and PublicationIndex, which matches incoming records against the
catalogue. kbase.catalogue.dedupe builds the duplicate candidates on these; imports match with them."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import fold, fold_words

_DOI_PREFIX = re.compile(r"^(https?://(www\.|dx\.)?doi\.org/|doi:\s*|doi\s+)", re.I)
_CLOSING = {")": "(", "]": "[", "}": "{", ">": "<"}
STOP_WORDS = {"of", "the", "for", "and", "de", "la", "le", "les", "du", "des", "et", "in", "on", "a", "an", "pour",
              "en"}

# whole documents an ISBN can name; a chapter, an article or a paper in proceedings carries its container's
REPORT_LIKE = frozenset({"report", "summary report", "briefing", "bulletin", "insight", "review paper",
                         "case studies", "workshop report"})
ISBN_TYPES = REPORT_LIKE | {"book"}
# columns that are no part of what a work is (or that WorkKey holds in its own attributes)
_NOT_COMPARED = {"id", "version", "created", "updated", "citekey", "title", "title_norm", "type", "year", "doi",
                 "isbn", "number", "pages", "extra", "series_id", "publisher_id"}
_VOLUME_WORDS = frozenset({"vol", "volume", "v", "tome", "t", "band", "bd"})
_ISSUE_WORDS = frozenset({"no", "nr", "n", "num", "number", "issue", "iss", "numero", "heft"})
_DASHES = re.compile(r"\s*(?:-+|[\u2010-\u2015\u2212])\s*")
_PAGE_WORDS = re.compile(r"^(pp?\.?|pages?)\s*", re.I)


def norm_doi(doi: str | None) -> str:
    """A DOI as it compares: lower case, without resolver or doi: prefix, spaces or trailing punctuation."""
    text = (doi or "").strip()
    if "%" in text:
        text = unquote(text)
    text = re.sub(r"\s+", "", _DOI_PREFIX.sub("", text.strip())).rstrip(".,;:")
    while text and text[-1] in _CLOSING and text.count(text[-1]) > text.count(_CLOSING[text[-1]]):
        text = text[:-1].rstrip(".,;:")  # a bracket the DOI does not open: the sentence's, not the DOI's
    return text.lower()


def norm_isbn(isbn: str | None) -> str:
    """Digits of an ISBN, ISBN-10 turned into its ISBN-13 so both spellings compare equal (no checksum test)."""
    digits = re.sub(r"[^0-9Xx]", "", isbn or "").upper()
    if len(digits) == 10:
        return _isbn13("978" + digits[:9])
    return digits


def _isbn13(core: str) -> str:
    """core (12 digits) with its ISBN-13 check digit."""
    return core + str((10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10)


def _valid_one(text: str) -> str | None:
    digits = re.sub(r"[\s\-\u2010-\u2015.]", "", re.sub(r"(?i)^\s*isbn(?:[\s-]*1[03])?\s*:?\s*", "", text))
    if re.fullmatch(r"\d{9}[\dXx]", digits):
        total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(digits))
        return _isbn13("978" + digits[:9]) if total % 11 == 0 else None
    if re.fullmatch(r"97[89]\d{10}", digits):  # 977… is an ISSN written as EAN-13
        return digits if _isbn13(digits[:12]) == digits else None
    return None


def valid_isbn(s: Any) -> str | None:
    """The ISBN-13 of the first ISBN in s whose checksum holds (ISBN-10 or ISBN-13), or None.

    An ISSN (8 characters) or any other number is never an ISBN."""
    if s is None:
        return None
    for part in re.split(r"[,;/|()\[\]]", str(s)):
        found = _valid_one(part)
        if found:
            return found
        for word in part.split():  # two ISBNs with only a space between them
            found = _valid_one(word)
            if found:
                return found
    return None


def norm_value(value: Any) -> str:
    """A value as two entries compare it: case, spacing, braces and accents do not count."""
    if value is None:
        return ""
    text = str(value).replace("{", "").replace("}", "")
    return " ".join(text.lower().split()) if text.isascii() else fold(text)


@lru_cache(maxsize=65536)
def norm_pages(pages: Any) -> str:
    """'pp. 12--34', '12–34' and '12-34' agree; '123-34' is read as 123-134."""
    text = _PAGE_WORDS.sub("", norm_value(pages))
    text = _DASHES.sub("-", text).replace(" ", "")
    start, dash, end = text.partition("-")
    if dash and start.isdigit() and end.isdigit() and len(end) < len(start) and int(end) < int(start):
        end = start[:len(start) - len(end)] + end
    return start + dash + end


@lru_cache(maxsize=65536)
def _norm_numbering(value: Any, words: frozenset[str]) -> str:
    if isinstance(value, int) or isinstance(value, str) and value.isdigit():
        return str(value).lstrip("0") or "0"
    parts = fold_words(norm_value(value)).split()
    while len(parts) > 1 and parts[0] in words:
        parts.pop(0)
    return " ".join(p.lstrip("0") or "0" if p.isdigit() else p for p in parts)


def norm_volume(value: Any) -> str:
    """'Vol. 03' and '3' agree."""
    return _norm_numbering(value, _VOLUME_WORDS)


def norm_issue(value: Any) -> str:
    """'no. 4', 'No 04' and '4' agree."""
    return _norm_numbering(value, _ISSUE_WORDS)


def family_key(name: str | None, kind: str = "person") -> str:
    """What two spellings of a contributor share: a person's last word, an organisation's words."""
    words = fold_words(name).split()
    if not words:
        return ""
    return words[-1] if kind == "person" else " ".join(words)


def title_key(title_norm: str) -> str:
    """A folded title without little words, so 'Gold & the chain' and 'Gold and the chain' agree."""
    return " ".join([w for w in title_norm.split() if w not in STOP_WORDS])


def type_family(ptype: str | None) -> str:
    if not ptype or ptype == "other":
        return "other"
    return "report" if ptype in REPORT_LIKE else ptype


def compatible_types(a: str | None, b: str | None) -> bool:
    """Same type, report-like types among themselves, or "other" (which says nothing) on either side."""
    fa, fb = type_family(a), type_family(b)
    return fa == fb or "other" in (fa, fb)


@dataclass
class WorkKey:
    """What matching needs of one record, every value normalised (see work_key_from_columns)."""

    doi: str | None
    isbn: str | None  # a valid ISBN-13, whatever the type; match() uses it only for books and whole volumes
    type: str
    title_norm: str
    year: int | None
    authors: tuple[str, ...]  # family_key of each contributor, in order
    volume: str | None
    issue: str | None  # the `number` column
    pages: str | None
    shas: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # every other value, for same_entry() (normalised there)

    @property
    def title_key(self) -> str:
        """title_norm without little words: what the title rule compares (kept until title_norm changes)."""
        cached = self.__dict__.get("_title_key")
        if cached is None or cached[0] is not self.title_norm:
            cached = self.__dict__["_title_key"] = (self.title_norm, title_key(self.title_norm))
        return cached[1]


def make_key(*, doi: Any = None, isbn: Any = None, type: str | None = "other", title: str | None = None,
             title_norm: str | None = None, year: int | None = None, authors: Iterable[str] = (),
             volume: Any = None, issue: Any = None, pages: Any = None, issn: Any = None,
             shas: Iterable[str] = (), fields: dict[str, str] | None = None) -> WorkKey:
    """A WorkKey from raw values: every normalisation in one place."""
    good_isbn = valid_isbn(isbn) if isbn else None
    if good_isbn and issn and re.sub(r"[^0-9X]", "", str(issn).upper()) in (
            re.sub(r"[^0-9X]", "", str(isbn).upper()), good_isbn):
        good_isbn = None  # the exporter put the journal's number in isbn
    return WorkKey(
        doi=norm_doi(doi) or None if doi else None, isbn=good_isbn, type=type or "other",
        title_norm=title_norm if title_norm is not None else fold_words(title),
        year=year, authors=tuple(authors),
        volume=norm_volume(volume) or None if volume else None, issue=norm_issue(issue) or None if issue else None,
        pages=norm_pages(pages) or None if pages else None,
        shas=tuple(dict.fromkeys(shas)) if shas else (), fields=dict(fields) if fields else {})


def work_key_from_columns(columns: dict[str, Any], extra: dict[str, Any] | None, authors: list[str],
                          shas: Iterable[str] = (), more: dict[str, Any] | None = None) -> WorkKey:
    """The WorkKey of an incoming record: its Publication columns, its extra dict (volume and ISSN are in
    extra["fields"]), the family_key of each contributor in order and its files' SHA-256.

    fields, for same_entry(), gets every other column and every kept extra field ("field:<name>"), and
    whatever `more` gives (say {"publisher": …, "series": …}, values with no column)."""
    kept = dict((extra or {}).get("fields") or {})
    fields: dict[str, str] = {}
    for name, value in columns.items():
        if name not in _NOT_COMPARED and value not in (None, ""):
            fields[name] = value
    if columns.get("isbn"):
        fields["isbn"] = valid_isbn(columns["isbn"]) or columns["isbn"]
    for name, value in kept.items():
        if name != "volume" and value not in (None, ""):
            fields["field:" + name] = value
    for name, value in ((extra or {}).get("raw") or {}).items():  # what could not be read still tells entries apart
        if value not in (None, ""):
            fields["raw:" + name] = value
    for name, value in (more or {}).items():
        if value not in (None, ""):
            fields["more:" + name] = value
    return make_key(doi=columns.get("doi"), isbn=columns.get("isbn"), type=columns.get("type"),
                    title=columns.get("title"), title_norm=columns.get("title_norm") or None,
                    year=columns.get("year"), authors=authors, volume=kept.get("volume"),
                    issue=columns.get("number"), pages=columns.get("pages"), issn=kept.get("issn"),
                    shas=shas, fields=fields)


def years_close(a: int | None, b: int | None) -> bool:
    return a is None and b is None or (a is not None and b is not None and abs(a - b) <= 1)


def conflict(a: WorkKey, b: WorkKey) -> str | None:
    """Why two records with the same title cannot be one work (volume, issue, pages or type), or None."""
    if not compatible_types(a.type, b.type):
        return f"{a.type} and {b.type}"
    if bool(a.volume) != bool(b.volume):  # one volume of a multi-volume work, and the whole work
        return N_("volume {volume} and no volume").format(volume=a.volume or b.volume)
    for what, x, y in (("volume", a.volume, b.volume), ("issue", a.issue, b.issue), ("pages", a.pages, b.pages)):
        if x and y and x != y:
            return f"{what} {x} and {y}"
    return None


def same_work(a: WorkKey, b: WorkKey) -> bool:
    """The title rule: same title, same authors (all, in order), years within 1, and nothing that differs."""
    return (a.title_key == b.title_key and bool(a.title_key) and a.authors == b.authors and years_close(a.year, b.year)
            and (bool(a.authors) or a.year is not None)  # a bare title names many works: editions, reprints
            and conflict(a, b) is None)


def same_entry(a: WorkKey, b: WorkKey) -> bool:
    """Two entries of one file are one work only if they say the same: the same fields, with the same
    values (case, spacing, braces and accents aside). A short and a full description of one reference
    stay two records, as the file keeps them apart; the same entry exported twice is one."""
    if a.title_norm != b.title_norm or not compatible_types(a.type, b.type):
        return False
    if (a.doi, a.year, a.authors, a.volume, a.issue, a.pages) != (b.doi, b.year, b.authors, b.volume, b.issue, b.pages):
        return False
    if a.fields.keys() != b.fields.keys():
        return False
    # values are normalised here, not when the key is made: most keys are never compared field by field
    return all(a.fields[k] == b.fields[k] or norm_value(a.fields[k]) == norm_value(b.fields[k]) for k in a.fields)


def shared_identifiers(keys: Iterable[WorkKey]) -> set[str]:
    """DOIs, ISBNs and file hashes that entries of one file with different titles share: a container's
    (a proceedings volume's DOI, a book's PDF), not the entry's. Returned as "doi:…", "isbn:…", "sha:…"."""
    titles: dict[str, set[str]] = defaultdict(set)
    for k in keys:
        for ident in _identifiers(k):
            titles[ident].add(k.title_norm)
    return {ident for ident, t in titles.items() if len(t) > 1}


def drop_shared_identifiers(keys: list[WorkKey]) -> set[str]:
    """Forget, in each key, the identifiers shared_identifiers() finds; returns them."""
    shared = shared_identifiers(keys)
    if shared:
        for k in keys:
            if k.doi and "doi:" + k.doi in shared:
                k.doi = None
            if k.isbn and "isbn:" + k.isbn in shared:
                k.isbn = None
            k.shas = tuple(s for s in k.shas if "sha:" + s not in shared)
    return shared


def _identifiers(k: WorkKey) -> list[str]:
    return ([f"doi:{k.doi}"] if k.doi else []) + ([f"isbn:{k.isbn}"] if k.isbn else []) + [f"sha:{s}" for s in k.shas]


def _rows(conn: Any, stmt: Any) -> list[tuple[Any, ...]]:
    """Every row of a statement without parameters, as the driver's tuples (SQLAlchemy's rows take 2-3 times longer)."""
    compiled = stmt.compile(dialect=conn.dialect)
    assert not compiled.params, "only for statements without parameters"
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.execute(str(compiled))
        rows: list[tuple[Any, ...]] = cur.fetchall()
        return rows
    finally:
        cur.close()


def catalogue_keys(s: Any) -> dict[int, WorkKey]:
    """publication id → WorkKey for the whole catalogue: one query per table, no query per row."""
    conn = s.connection()
    people = {pid: family_key(name, "person")
              for pid, name in _rows(conn, select(col(m.Person.id), col(m.Person.name)))}
    orgs = {oid: family_key(name, "organisation")
            for oid, name in _rows(conn, select(col(m.Organisation.id), col(m.Organisation.name)))}
    contributors: dict[int, list[str]] = defaultdict(list)
    C = m.Contributor
    for pub, person, org in _rows(conn, select(col(C.publication_id), col(C.person_id), col(C.organisation_id))
                                  .order_by(col(C.publication_id), col(C.position), col(C.id))):
        contributors[pub].append(people.get(person, "") if person is not None else orgs.get(org, ""))
    shas: dict[int, list[str]] = defaultdict(list)
    A = m.Attachment
    for pub, sha in _rows(conn, select(col(A.publication_id), col(A.sha256))
                          .where(col(A.publication_id).is_not(None)).order_by(col(A.id))):
        shas[pub].append(sha)
    keys: dict[int, WorkKey] = {}
    P = m.Publication
    for pid, doi, isbn, ptype, tnorm, year, number, pages, extra in _rows(conn, select(
            col(P.id), col(P.doi), col(P.isbn), col(P.type), col(P.title_norm), col(P.year), col(P.number),
            col(P.pages), col(P.extra))):
        volume = issn = None
        if extra and ('"volume"' in extra or '"issn"' in extra):
            try:
                kept = json.loads(extra).get("fields") or {}
                volume, issn = kept.get("volume"), kept.get("issn")
            except (ValueError, AttributeError):
                pass
        keys[pid] = make_key(doi=doi, isbn=isbn, type=ptype, title_norm=tnorm or "", year=year,
                             authors=contributors.get(pid, ()),
                             volume=volume, issue=number, pages=pages, issn=issn, shas=shas.get(pid, ()))
    return keys


class PublicationIndex:
    """The catalogue's publications by DOI, ISBN, file and title, to match incoming records quickly.

    match() finds the publication an incoming record is, by the first rule that holds:
    the same DOI; the same valid ISBN, both being books or whole volumes (never chapters, articles or
    papers in proceedings) of no different volume; the same file; the same title, authors (all, in order)
    and year (±1) with no different volume, issue or pages and compatible types. A DOI, ISBN or file that
    several publications of the index hold names none of them alone: it is used only for one of the same title.
    """

    def __init__(self) -> None:
        self.keys: dict[int, WorkKey] = {}
        self.doi: dict[str, list[int]] = defaultdict(list)
        self.isbn: dict[str, list[int]] = defaultdict(list)
        self.sha: dict[str, list[int]] = defaultdict(list)
        self.title: dict[str, list[int]] = defaultdict(list)

    @classmethod
    def load(cls, catalogue: Catalogue) -> "PublicationIndex":
        idx = cls()
        with catalogue.reading() as s:
            keys = catalogue_keys(s)
        for pid, key in keys.items():
            idx.add(pid, key)
        return idx

    def add(self, pid: int, key: WorkKey) -> None:
        self.keys[pid] = key
        if key.doi:
            self.doi[key.doi].append(pid)
        if key.isbn and key.type in ISBN_TYPES:
            self.isbn[key.isbn].append(pid)
        for sha in key.shas:
            self.sha[sha].append(pid)
        tkey = key.title_key
        if tkey:
            self.title[tkey].append(pid)

    def match(self, key: WorkKey, accept: Callable[[int], bool] | None = None) -> tuple[int, str] | None:
        """(id, reason) of the publication this record is, or None.

        accept, if given, says which ids may be returned; the others are passed over as if absent
        (say, earlier entries of the file that same_entry() refuses), so a later rule can still match."""
        ok = accept or (lambda _pid: True)
        if key.doi:
            pid = self._pick(self.doi.get(key.doi), key, ok)
            if pid is not None:
                return pid, N_("same DOI {doi}").format(doi=key.doi)
        if key.isbn and key.type in ISBN_TYPES:
            ids = [p for p in self.isbn.get(key.isbn, ()) if key.volume == self.keys[p].volume]
            pid = self._pick(ids, key, ok)
            if pid is not None:
                return pid, N_("same ISBN {isbn}").format(isbn=key.isbn)
        for sha in key.shas:
            pid = self._pick(self.sha.get(sha), key, ok)
            if pid is not None:
                return pid, N_("same file")
        for pid in self.title.get(key.title_key, ()):
            if same_work(key, self.keys[pid]) and ok(pid):
                return pid, N_("same title, authors and year")
        return None

    def _pick(self, ids: Any, key: WorkKey, ok: Callable[[int], bool]) -> int | None:
        """The one id an identifier names; if several hold it, the one of the same title, or none."""
        if ids is None:
            return None
        ids = list(dict.fromkeys(ids))
        if len(ids) > 1:
            ids = [p for p in ids if p in self.keys and self.keys[p].title_key == key.title_key]
        return next((p for p in ids if ok(p)), None)


__all__ = ["ISBN_TYPES", "PublicationIndex", "REPORT_LIKE", "STOP_WORDS", "WorkKey", "catalogue_keys",
           "compatible_types", "conflict", "drop_shared_identifiers", "family_key", "make_key", "norm_doi",
           "norm_isbn", "norm_issue", "norm_pages", "norm_value", "norm_volume", "same_entry", "same_work",
           "shared_identifiers", "title_key", "type_family", "valid_isbn", "work_key_from_columns", "years_close"]
