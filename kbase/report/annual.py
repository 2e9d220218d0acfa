"""The annual report: which sections exist, the data each needs, and assembling them.

A project belongs to the report of year Y when it is active in Y, which means any of:
an assignment recorded for Y, start and end dates that cover Y (no end date: still running),
or an output (publication) dated Y. kbase.catalogue.query.active_in_year implements exactly this rule.
Internal and confidential projects, publications and events are left out unless asked for."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import select

from kbase.library import models as m
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.report import data as d
from kbase.report.missing import annual_warnings

# (id, title) in the default order; a title may use {year}, {first} and {last}
SECTIONS: list[tuple[str, str]] = [
    ("contents", "Contents"),
    ("programmes", "Research programmes"),
    ("periodicals", "Periodicals"),
    ("maps", "Maps and data"),
    ("outreach", "Outreach"),
    ("assignments", "Assignments {first} – {last}"),
    ("team", "Team"),
    ("index", "Publications of {year} by type"),
]
SECTION_IDS = [s for s, _ in SECTIONS]
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
        raise InvalidInput(f"unknown report section {unknown[0]!r} (one of: {', '.join(SECTION_IDS)})")
    if not chosen:
        raise InvalidInput("no report section chosen")
    return list(dict.fromkeys(chosen))


def section_titles(year: int) -> dict[str, str]:
    """Section titles with the year filled in, e.g. 'Assignments 2019 – 2021'."""
    first, last = year - ASSIGNMENT_YEARS + 1, year
    return {sid: title.format(year=year, first=first, last=last) for sid, title in SECTIONS}


def annual_context(cat: Catalogue, year: int, sections: Sequence[str] | None = None,
                   include_internal: bool = False) -> dict[str, Any]:
    """Everything the annual-report templates show, as plain dicts; about a dozen queries in all."""
    if not isinstance(year, int) or not 1000 <= year <= 2999:
        raise InvalidInput(f"not a plausible year: {year!r}")
    chosen = parse_sections(sections)
    vis = d.visibilities(include_internal)
    with cat.reading() as s:
        pubs = d.publications_of_year(s, year, vis)
        active = d.projects(s, d.project_condition(year, vis))
        first = year - ASSIGNMENT_YEARS + 1
        visible = select(m.Project.id).where(m.Project.visibility.in_(vis))
        assigned = d.assignments(s, (m.Assignment.year.between(first, year)) & m.Assignment.project_id.in_(visible))
        titles = dict(s.execute(select(m.Project.id, m.Project.title).where(
            m.Project.id.in_(select(m.Assignment.project_id).where(m.Assignment.year.between(first, year))))).all())
        programmes = list(s.scalars(select(m.Programme).order_by(m.Programme.id)))
        periodical = list(s.scalars(select(m.Series).where(m.Series.periodical.is_(True)).order_by(m.Series.id)))
        events = d.events_of_year(s, year, vis) if "outreach" in chosen else []
        team = d.team(s) if "team" in chosen else []
        institute = cat.get_setting("institute.name") or ""

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
    groups = [{"id": pr.id, "name": pr.name, "description": pr.description,
               "projects": [j for j in active if j["programme_id"] == pr.id]} for pr in programmes]
    orphans = [j for j in active if j["programme_id"] is None]
    if orphans:
        groups.append({"id": 0, "name": "Other projects", "description": None, "projects": orphans})

    years = []
    for y in range(year, first - 1, -1):
        rows = [{"project_id": a.project_id, "title": titles.get(a.project_id, ""), "clients": clients,
                 "note": a.note} for a, clients in assigned if a.year == y]
        years.append({"year": y, "projects": rows})

    series = []
    for ser in periodical:
        issues = [dict(p, months=d.month_label(p)) for p in pubs if p["series"] == ser.name]
        if issues:
            series.append({"name": ser.name, "issues": issues})
    maps = [{"type": t, "items": [p for p in pubs if p["type"] == t]} for t in d.MAP_TYPES]
    index = [{"type": t, "items": [p for p in pubs if p["type"] == t]} for t in m.PUBLICATION_TYPES]
    titles_by_id = section_titles(year)
    ctx: dict[str, Any] = {
        "year": year, "institute": institute, "sections": chosen,
        "section_titles": titles_by_id,
        "title": f"Annual report {year}", "include_internal": include_internal,
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
    ctx["warnings"] = annual_warnings(ctx)
    return ctx
