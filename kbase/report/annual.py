"""The annual report: which sections exist, the data each needs, and assembling them.

A project belongs to the report of year Y when it is active in Y, which means any of:
an assignment recorded for Y, start and end dates that cover Y (no end date: still running),
or an output (publication) dated Y. kbase.catalogue.query.active_in_year implements exactly this rule.
Internal and confidential projects, publications and events are left out unless asked for."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.library import models as m
from kbase.report import data as d
from kbase.report.citation import cite_md
from kbase.report.i18n import check_lang, colon, date_label, day_label, month_label, month_names, translator
from kbase.report.identity import get_identity
from kbase.report.markup import user_markdown
from kbase.report.missing import annual_warnings, text_warnings
from kbase.report.texts import KEYS, texts_for

# (id, title) in the default order; a title may use {year}, {first} and {last}
SECTIONS: list[tuple[str, str]] = [
    ("contents", "Contents"),
    ("chair", "From the chair"),
    ("preface", "Preface"),
    ("board", "Board of directors"),
    ("programmes", "Research programmes"),
    ("periodicals", "Periodicals"),
    ("maps", "Maps and data"),
    ("mission", "Mission"),
    ("finances", "Finances"),
    ("networks", "Networks and platforms"),
    ("outreach", "Outreach"),
    ("assignments", "Assignments {first} – {last}"),
    ("team", "Team"),
    ("contact", "Contact"),
    ("index", "Publications of {year} by type"),
]
SECTION_IDS = [s for s, _ in SECTIONS]
# the report's parts: a paged report starts each on a new page, the sections within a part flow on
PARTS = {"chair": "front", "preface": "front", "board": "front", "programmes": "activity",
         "periodicals": "activity", "maps": "activity", "mission": "about", "finances": "about",
         "networks": "about", "outreach": "about", "assignments": "about", "team": "about",
         "contact": "about", "index": "index"}
ASSIGNMENT_YEARS = 3


def parse_sections(sections: Sequence[str] | str | None) -> list[str]:
    """Section ids in the order given (comma-separated text or a list); all of them by default."""
    if sections is None:
        return list(SECTION_IDS)
    if isinstance(sections, str):
        sections = [s for s in sections.replace(" ", ",").split(",")]
    chosen = [s.strip().lower() for s in sections if s and s.strip()]
    unknown = [s for s in chosen if s not in SECTION_IDS]
    if unknown:
        raise InvalidInput(N_("unknown report section {section} (one of: {section_ids})").format(
            section=repr(unknown[0]), section_ids=', '.join(SECTION_IDS)))
    if not chosen:
        raise InvalidInput(N_("no report section chosen"))
    return list(dict.fromkeys(chosen))


def section_titles(year: int, lang: str = "en") -> dict[str, str]:
    """Section titles with the year filled in, e.g. 'Assignments 2019 – 2021', in lang."""
    first, last = year - ASSIGNMENT_YEARS + 1, year
    t = translator(check_lang(lang))
    return {sid: t(title, year=year, first=first, last=last) for sid, title in SECTIONS}


def part_starts(chosen: Sequence[str]) -> list[str]:
    """The chosen sections that open a part (a new page in PDF and DOCX)."""
    out, seen = [], set()
    for sid in chosen:
        part = PARTS.get(sid)
        if part and part not in seen:
            seen.add(part)
            out.append(sid)
    return out


def annual_context(cat: Catalogue, year: int, sections: Sequence[str] | None = None,
                   include_internal: bool = False, lang: str = "en") -> dict[str, Any]:
    """Everything the annual-report templates show, as plain dicts; about a dozen queries in all."""
    if not isinstance(year, int) or not 1000 <= year <= 2999:
        raise InvalidInput(N_("not a plausible year: {year}").format(year=repr(year)))
    lang = check_lang(lang)
    t = translator(lang)
    chosen = parse_sections(sections)
    vis = d.visibilities(include_internal)
    with cat.reading() as s:
        pubs = d.publications_of_year(s, year, vis)
        active = d.projects(s, d.project_condition(year, vis))
        years = d.assignment_years(s, year, ASSIGNMENT_YEARS, vis)  # in the contracts' own words
        programmes = list(s.scalars(select(m.Programme).order_by(col(m.Programme.id))))
        periodical = list(s.scalars(select(m.Series).where(col(m.Series.periodical).is_(True))
                                    .order_by(col(m.Series.id))))
        events = d.events_of_year(s, year, vis) if "outreach" in chosen else []
        team = d.team(s) if "team" in chosen else []
    identity = get_identity(cat)
    institute = identity["name"] or ""
    texts, borrowed = texts_for(cat, "annual", year, lang)

    by_project: dict[int, list[dict[str, Any]]] = {}
    for p in pubs:
        for pid in p["projects"]:
            by_project.setdefault(pid, []).append(p)
    # issues of periodical series have their own section; repeating them under every project's
    # Output would bury the reports (the reference report lists its briefings apart too)
    apart = {ser.name for ser in periodical} if "periodicals" in chosen else set()
    for j in active:
        j["outputs"] = [p for p in by_project.get(j["id"], []) if p["series"] not in apart]
        j["year_clients"] = next((a["clients"] for a in j["assignments"] if a["year"] == year), [])
        j["narrative"] = user_markdown(texts.get(f"project-{j['id']}"), top_level=5)
    groups = [{"id": pr.id, "name": pr.name, "description": pr.description,
               "intro": user_markdown(texts.get(f"programme-{pr.id}"), top_level=4),
               "projects": [j for j in active if j["programme_id"] == pr.id]} for pr in programmes]
    orphans = [j for j in active if j["programme_id"] is None]
    if orphans:
        groups.append({"id": 0, "name": t("Other projects"), "description": None, "intro": "",
                       "projects": orphans})
    if lang != "en":  # dates and citations gathered in English are said again in lang
        for p in pubs:
            p["date"] = date_label(lang, p.get("year"), p.get("month"), p.get("month_end"))
            p["citation"] = cite_md(p, lang)
        months = month_names(lang)
        for e in events:
            e["when"] = day_label(lang, e["date"], e["end_date"])
            e["month"] = months[e["date"].month - 1]

    series = []
    for ser in periodical:
        issues = [dict(p, months=month_label(lang, p.get("month"), p.get("month_end")))
                  for p in pubs if p["series"] == ser.name]
        if issues:
            series.append({"name": ser.name, "issues": issues})
    maps = [{"type": t, "items": [p for p in pubs if p["type"] == t]} for t in d.MAP_TYPES]
    index = [{"type": t, "items": [p for p in pubs if p["type"] == t]} for t in m.PUBLICATION_TYPES]
    titles_by_id = section_titles(year, lang)
    ctx: dict[str, Any] = {
        "year": year, "institute": institute, "sections": chosen, "lang": lang, "t": t, "colon": colon(lang),
        "section_titles": titles_by_id, "part_starts": part_starts(chosen),
        "identity": identity, "texts": {k: user_markdown(texts.get(k)) for k in {*KEYS, *texts}},
        "board": d.board_of_year(cat, year) if "board" in chosen else [], "finances": None, "charts": {},
        "title": t("Annual report {year}", year=year), "include_internal": include_internal,
        "programmes": [g for g in groups if g["projects"]],
        "periodicals": series,
        "maps": [g for g in maps if g["items"]],
        "events_by_month": d.group_by_month(events),
        "events": events,
        "assignment_years": years,
        "team": team,
        "index": [g for g in index if g["items"]],
        "publications": pubs,
    }
    ctx["warnings"] = annual_warnings(ctx) + text_warnings(ctx, texts, borrowed)
    return ctx
