"""Gathers a year's records from the catalogue into plain dicts, a handful of queries per report."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from kbase.library import models as m
from kbase.catalogue.query import active_in_year
from kbase.report.citation import cite_md
from kbase.catalogue.views import MONTHS, date_label

MAP_TYPES = ("webmap", "dashboard", "static maps")
TEAM_ROLES = ("staff", "focal point", "associate researcher")


def visibilities(include_internal: bool) -> tuple[str, ...]:
    """Internal and confidential records only when asked for."""
    return tuple(m.VISIBILITIES) if include_internal else ("public",)


def org_label(name: str, acronym: str | None) -> str:
    """'Commission for Human Rights and Good Governance (CHRAGG)'; the name alone if it holds the acronym."""
    if acronym and acronym.lower() not in name.lower():
        return f"{name} ({acronym})"
    return name


# -- publications ------------------------------------------------------------------------
PUB_COLUMNS = ("id", "title", "subtitle", "type", "year", "month", "month_end", "number", "url", "place",
               "pages", "container", "visibility")


def publications(s: Session, where: Any) -> list[dict[str, Any]]:
    """Publications matching a condition, with contributors, series, publisher and projects (3 queries).

    Plain column rows, not ORM objects: a busy year has thousands of publications and
    building an ORM object per row and per contributor costs more than the whole report."""
    P, Pub = m.Publication, aliased(m.Organisation)
    ids = select(P.id).where(where).scalar_subquery()
    rows = s.execute(
        select(*[getattr(P, c) for c in PUB_COLUMNS], m.Series.name, Pub.name)
        .outerjoin(m.Series, m.Series.id == P.series_id)
        .outerjoin(Pub, Pub.id == P.publisher_id)
        .where(where)
        .order_by(P.year, P.month, P.title_norm, P.id)
    ).all()
    authors: dict[int, list[str]] = defaultdict(list)
    editors: dict[int, list[str]] = defaultdict(list)
    for pub_id, role, person, org in s.execute(
        select(m.Contributor.publication_id, m.Contributor.role, m.Person.name, m.Organisation.name)
        .outerjoin(m.Person, m.Person.id == m.Contributor.person_id)
        .outerjoin(m.Organisation, m.Organisation.id == m.Contributor.organisation_id)
        .where(m.Contributor.publication_id.in_(ids))
        .order_by(m.Contributor.publication_id, m.Contributor.position)
    ):
        name = person or org
        if name:
            (editors if role == "editor" else authors)[pub_id].append(name)
    projects: dict[int, list[int]] = defaultdict(list)
    for pub_id, project_id in s.execute(
        select(m.PublicationProject.publication_id, m.PublicationProject.project_id)
        .where(m.PublicationProject.publication_id.in_(ids))
    ):
        projects[pub_id].append(project_id)
    out = []
    n = len(PUB_COLUMNS)
    for row in rows:
        d = dict(zip(PUB_COLUMNS, row[:n]))
        pid = d["id"]
        d.update(series=row[n], publisher=row[n + 1], date=date_label(d["year"], d["month"], d["month_end"]),
                 authors=authors.get(pid, []), editors=editors.get(pid, []), projects=projects.get(pid, []))
        d["citation"] = cite_md(d)
        out.append(d)
    return out


def publications_of_year(s: Session, year: int, vis: tuple[str, ...]) -> list[dict[str, Any]]:
    return publications(s, and_(m.Publication.year == year, m.Publication.visibility.in_(vis)))


# -- projects ----------------------------------------------------------------------------
def _project_dict(j: m.Project) -> dict[str, Any]:
    return {"id": j.id, "title": j.title, "short_name": j.short_name, "summary": j.summary, "url": j.url,
            "start": j.start, "end": j.end, "programme_id": j.programme_id, "visibility": j.visibility,
            "partners": [], "funders": [], "clients": [], "regions": [], "assignments": [], "outputs": []}


def projects(s: Session, where: Any) -> list[dict[str, Any]]:
    """Projects matching a condition with partners, funders, regions and every year's clients (4 queries)."""
    J = m.Project
    ids = select(J.id).where(where).scalar_subquery()
    found = {j.id: _project_dict(j) for j in s.scalars(select(J).where(where).order_by(J.id))}
    for link, o in s.execute(
        select(m.ProjectOrganisation, m.Organisation)
        .join(m.Organisation, m.Organisation.id == m.ProjectOrganisation.organisation_id)
        .where(m.ProjectOrganisation.project_id.in_(ids))
        .order_by(m.ProjectOrganisation.position, m.Organisation.name)
    ):
        key = {"partner": "partners", "funder": "funders", "client": "clients"}.get(link.role)
        if key:
            found[link.project_id][key].append(org_label(o.name, o.acronym))
    for pid, region in s.execute(
        select(m.ProjectRegion.project_id, m.Region.name)
        .join(m.Region, m.Region.id == m.ProjectRegion.region_id)
        .where(m.ProjectRegion.project_id.in_(ids)).order_by(m.Region.path)
    ):
        found[pid]["regions"].append(region)
    for a, clients in assignments(s, m.Assignment.project_id.in_(ids)):
        found[a.project_id]["assignments"].append({"year": a.year, "clients": clients, "note": a.note})
    for j in found.values():
        j["assignments"].sort(key=lambda a: -a["year"])
    return list(found.values())


def assignments(s: Session, where: Any) -> list[tuple[m.Assignment, list[str]]]:
    """Assignments matching a condition, each with its clients in order (2 queries)."""
    rows = list(s.scalars(select(m.Assignment).where(where).order_by(m.Assignment.year.desc(), m.Assignment.id)))
    ids = select(m.Assignment.id).where(where).scalar_subquery()
    clients: dict[int, list[str]] = defaultdict(list)
    for aid, name, acronym in s.execute(
        select(m.AssignmentClient.assignment_id, m.Organisation.name, m.Organisation.acronym)
        .join(m.Organisation, m.Organisation.id == m.AssignmentClient.organisation_id)
        .where(m.AssignmentClient.assignment_id.in_(ids))
        .order_by(m.AssignmentClient.assignment_id, m.AssignmentClient.position)
    ):
        clients[aid].append(org_label(name, acronym))
    return [(a, clients[a.id]) for a in rows]


# -- events and people -------------------------------------------------------------------
def event_date_label(start: date | None, end: date | None) -> str:
    """'14 January', '9–11 February', '28 September – 2 October'."""
    if start is None:
        return ""
    if end is None or end == start:
        return f"{start.day} {MONTHS[start.month - 1]}"
    if end.month == start.month and end.year == start.year:
        return f"{start.day}–{end.day} {MONTHS[start.month - 1]}"
    return f"{start.day} {MONTHS[start.month - 1]} – {end.day} {MONTHS[end.month - 1]}"


def events_of_year(s: Session, year: int, vis: tuple[str, ...]) -> list[dict[str, Any]]:
    E = m.Event
    where = and_(E.date >= date(year, 1, 1), E.date <= date(year, 12, 31), E.visibility.in_(vis))
    ids = select(E.id).where(where).scalar_subquery()
    people: dict[int, list[str]] = defaultdict(list)
    for eid, name in s.execute(
        select(m.EventPerson.event_id, m.Person.name).join(m.Person, m.Person.id == m.EventPerson.person_id)
        .where(m.EventPerson.event_id.in_(ids)).order_by(m.EventPerson.event_id, m.EventPerson.position)
    ):
        people[eid].append(name)
    out = []
    for e, organiser, project in s.execute(
        select(E, m.Organisation.name, m.Project.title)
        .outerjoin(m.Organisation, m.Organisation.id == E.organiser_id)
        .outerjoin(m.Project, m.Project.id == E.project_id)
        .where(where).order_by(E.date, E.id)
    ):
        out.append({"id": e.id, "title": e.title, "kind": e.kind, "date": e.date, "end_date": e.end_date,
                    "when": event_date_label(e.date, e.end_date), "month": MONTHS[e.date.month - 1],
                    "place": e.place, "description": e.description, "organiser": organiser,
                    "project": project, "people": people[e.id]})
    return out


def team(s: Session) -> list[dict[str, Any]]:
    """People whose role makes them part of the team, grouped by role in TEAM_ROLES order."""
    rows = s.scalars(select(m.Person).where(m.Person.role.in_(TEAM_ROLES)).order_by(m.Person.id))
    groups: dict[str, list[dict[str, Any]]] = {r: [] for r in TEAM_ROLES}
    for p in rows:
        groups[p.role].append({"id": p.id, "name": p.name, "title": p.title, "email": p.email})
    return [{"role": role, "people": people} for role, people in groups.items() if people]


def group_by_month(items: Iterable[dict[str, Any]], key: str = "month") -> list[dict[str, Any]]:
    """Consecutive items sharing a month label, in order: [{month, items}]."""
    groups: list[dict[str, Any]] = []
    for item in items:
        if not groups or groups[-1]["month"] != item[key]:
            groups.append({"month": item[key], "items": []})
        groups[-1]["items"].append(item)
    return groups


def month_label(pub: dict[str, Any]) -> str:
    """'June – July', 'December', or '' for a publication without month."""
    month, end = pub.get("month"), pub.get("month_end")
    if not month:
        return ""
    if end and end != month:
        return f"{MONTHS[month - 1]} – {MONTHS[end - 1]}"
    return MONTHS[month - 1]


def project_condition(year: int, vis: tuple[str, ...]) -> Any:
    """Active in the year (kbase.catalogue.query.active_in_year) and visible."""
    return and_(active_in_year(year), m.Project.visibility.in_(vis))
