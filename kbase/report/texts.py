"""The report's own prose, kept in the catalogue: Markdown blocks per report, year, key and language."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, delete, select
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.report.i18n import LANGS, check_lang
from kbase.text import clean_text

REPORTS = ("annual",)
# the fixed keys, in report order, with their English titles; programme-N and project-N are per record
KEYS: dict[str, str] = {
    "chair": "From the chair",
    "preface": "Preface",
    "mission": "Mission",
    "finances": "Finances",
    "outreach": "Outreach",
    "library": "Library",
    "social-media": "Social media",
    "networks": "Networks and platforms",
    "contact": "Contact",
}
# texts that rarely change: a year without its own takes the latest earlier year's
STANDING = ("mission", "contact", "library", "networks")
_RECORD_KEY = re.compile(r"^(programme|project)-(\d+)$")
MAX_CHARS = 200_000


def check_key(key: str) -> str:
    key = (key or "").strip().lower().replace("_", "-").replace(":", "-")
    if key in KEYS or _RECORD_KEY.match(key):
        return key
    raise InvalidInput(N_("unknown report text {key} (one of: {keys}, programme-ID, project-ID)").format(
        key=repr(key), keys=', '.join(KEYS)))


def _check(report: str, year: int) -> None:
    if report not in REPORTS:
        raise InvalidInput(N_("unknown report {report} (one of: {reports})").format(
            report=repr(report), reports=', '.join(REPORTS)))
    if not isinstance(year, int) or not 1000 <= year <= 2999:
        raise InvalidInput(N_("not a plausible year: {year}").format(year=repr(year)))


def set_text(cat: Catalogue, report: str, year: int, key: str, lang: str, body: str | None) -> bool:
    """Store one text (cleaned of control characters); an empty body removes it. True if one is stored."""
    _check(report, year)
    key, lang = check_key(key), check_lang(lang)
    body = clean_text(body or "").strip()
    if len(body) > MAX_CHARS:
        raise InvalidInput(N_("report text {key} ({lang}, {year}) is too long: {length} characters (at most "
                              "{max_chars})").format(
            key=key, lang=lang, year=year, length=format(len(body), ','), max_chars=format(MAX_CHARS, ',')))
    T = m.ReportText
    where = and_(col(T.report) == report, col(T.year) == year, col(T.key) == key, col(T.lang) == lang)
    with cat.transaction() as s:
        if not body:
            s.execute(delete(T).where(where))
            return False
        row = s.scalars(select(T).where(where)).first() or T(report=report, year=year, key=key, lang=lang)
        row.body, row.updated = body, m.utcnow()
        s.add(row)
    return True


def get_text(cat: Catalogue, report: str, year: int, key: str, lang: str) -> str:
    """One text as stored; NotFound names what is missing."""
    _check(report, year)
    key, lang = check_key(key), check_lang(lang)
    T = m.ReportText
    with cat.reading() as s:
        body = s.scalar(select(col(T.body)).where(col(T.report) == report, col(T.year) == year,
                                                  col(T.key) == key, col(T.lang) == lang))
    if body is None:
        raise NotFound(N_("no {lang} text {key} for the {report} report {year}").format(
            lang=lang, key=repr(key), report=report, year=year))
    return body


def list_texts(cat: Catalogue, report: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Every stored text without its body: report, year, key, lang, characters, first line, updated."""
    T = m.ReportText
    q = select(T).order_by(col(T.report), col(T.year).desc(), col(T.key), col(T.lang))
    if report:
        q = q.where(col(T.report) == report)
    if year:
        q = q.where(col(T.year) == year)
    with cat.reading() as s:
        rows = list(s.scalars(q))
    return [{"report": r.report, "year": r.year, "key": r.key, "lang": r.lang, "chars": len(r.body or ""),
             "first_line": (r.body or "").strip().split("\n", 1)[0][:80], "updated": r.updated} for r in rows]


def texts_for(cat: Catalogue, report: str, year: int, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """The texts a report of year in lang shows, and where each came from when not its own.

    A missing text is taken from the other language, then (standing texts only) from the latest
    earlier year; the second dict says so ('fr', '2020', 'en, 2020') for the report's warnings."""
    lang = check_lang(lang)
    T = m.ReportText
    with cat.reading() as s:
        rows = s.execute(select(col(T.year), col(T.key), col(T.lang), col(T.body))
                         .where(col(T.report) == report, col(T.year) <= year).order_by(col(T.year))).all()
    own: dict[tuple[str, str], str] = {}
    earlier: dict[tuple[str, str], tuple[int, str]] = {}
    for y, key, text_lang, body in rows:
        if y == year:
            own[(key, text_lang)] = body or ""
        elif key in STANDING:
            earlier[(key, text_lang)] = (y, body or "")  # ordered by year: the latest wins
    sources = [lang] + [x for x in LANGS if x != lang]
    found: dict[str, str] = {}
    borrowed: dict[str, str] = {}
    for key in sorted({k for k, _ in own} | {k for k, _ in earlier}):
        own_lang = next((x for x in sources if (key, x) in own), None)
        if own_lang is not None:
            found[key] = own[(key, own_lang)]
            if own_lang != lang:
                borrowed[key] = own_lang
            continue
        old_lang = next(x for x in sources if (key, x) in earlier)
        y, found[key] = earlier[(key, old_lang)]
        borrowed[key] = f"{old_lang}, {y}" if old_lang != lang else str(y)
    return found, borrowed


def record_key(kind: str, record_id: int) -> str:
    return f"{kind}-{record_id}"


def key_title(key: str, names: dict[str, str] | None = None) -> str:
    """'Preface', or the record's name from names (else 'Project 12') for programme-N and project-N."""
    if key in KEYS:
        return KEYS[key]
    match = _RECORD_KEY.match(key)
    if not match:
        return key
    return (names or {}).get(key) or f"{match.group(1).capitalize()} {match.group(2)}"



def text_keys(cat: Catalogue, year: int) -> list[dict[str, Any]]:
    """The texts a report of year can hold, for an editor's list: the fixed ones, each programme's
    introduction, then the narrative of each project active in the year (public or not)."""
    from kbase.catalogue.query import active_in_year

    with cat.reading() as s:
        programmes = s.execute(select(col(m.Programme.id), col(m.Programme.name))
                               .order_by(col(m.Programme.id))).all()
        projects = s.execute(select(col(m.Project.id), col(m.Project.short_name), col(m.Project.title))
                             .where(active_in_year(year)).order_by(col(m.Project.id))).all()
    rows = [{"key": k, "title": title, "group": "report"} for k, title in KEYS.items()]
    rows += [{"key": record_key("programme", pid), "title": name, "group": "programme"} for pid, name in programmes]
    rows += [{"key": record_key("project", pid), "title": short or title, "group": "project"}
             for pid, short, title in projects]
    return rows


def stored_keys(cat: Catalogue, report: str, year: int, lang: str) -> set[str]:
    T = m.ReportText
    with cat.reading() as s:
        return set(s.scalars(select(col(T.key)).where(col(T.report) == report, col(T.year) == year,
                                                      col(T.lang) == lang)))


def preview_html(text: str) -> str:
    """A text as the report's HTML shows it (the editor's live preview)."""
    from kbase.report.markup import user_markdown
    from kbase.report.render import markdown_to_html_body

    return markdown_to_html_body(str(user_markdown(text, top_level=2)))


__all__ = ["KEYS", "REPORTS", "STANDING", "check_key", "set_text", "get_text", "list_texts", "texts_for",
           "text_keys", "stored_keys", "preview_html", "record_key", "key_title"]
