"""Gathers a year's records from the catalogue into plain dicts, a handful of queries per report.

What the templates can use, beyond a record's own columns:
- a publication: `funders` and `supporters` (organisations' display forms, in order), `period`
  ("April 2021 – March 2022" when it covers a period other than its year, else ""), `editors_et_al`;
- a project: `partners`, `funders`, `clients` as display forms with acronyms; `assignments`
  [{year, title (as contracted, else the project's), contracted_title, clients (as the contract
  names them), client_line ("Eight, FairPhone", "DFID/Concordis"), reference, note}];
- an Assignments list year (assignment_years): `projects` [{project_id, title, project_title,
  clients, client_line, reference, note}] — print `title` and `client_line`;
- an event: `organisers` and `hosts` (display forms), `organiser` (the first organiser, or None), `people` (speakers);
- the board of a year (board): [{id, name, position ("Chair", "Member"), chair, title (what the
  person does), start, end}], chair first.
An organisation that is a part of a larger body prints with it ("European Commission, Instrument
contributing to Stability and Peace"): kbase.catalogue.organisations.display_form.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from kbase.catalogue.assignments import assignment_dicts
from kbase.catalogue.organisations import display_names, linked_organisations
from kbase.catalogue.query import active_in_year
from kbase.catalogue.records import Catalogue
from kbase.catalogue.roles import people_with_role
from kbase.catalogue.views import MONTHS, date_label
from kbase.library import models as m
from kbase.report.citation import cite_md

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
               "pages", "container", "visibility", "period_start", "period_end", "editors_et_al")


def publications(s: Session, where: Any) -> list[dict[str, Any]]:
    """Publications matching a condition, with contributors, series, publisher and projects (3 queries).

    Plain column rows, not ORM objects: a busy year has thousands of publications and
    building an ORM object per row and per contributor costs more than the whole report."""
    P, Pub = m.Publication, aliased(m.Organisation)
    ids = select(col(P.id)).where(where).scalar_subquery()
    rows = s.execute(
        select(*[col(getattr(P, c)) for c in PUB_COLUMNS], col(m.Series.name), col(Pub.name))
        .outerjoin(m.Series, col(m.Series.id) == col(P.series_id))
        .outerjoin(Pub, col(Pub.id) == col(P.publisher_id))
        .where(where)
        .order_by(col(P.year), col(P.month), col(P.title_norm), col(P.id))
    ).all()
    authors: dict[int, list[str]] = defaultdict(list)
    editors: dict[int, list[str]] = defaultdict(list)
    for pub_id, role, person, org in s.execute(
        select(col(m.Contributor.publication_id), col(m.Contributor.role), col(m.Person.name),
               col(m.Organisation.name))
        .outerjoin(m.Person, col(m.Person.id) == col(m.Contributor.person_id))
        .outerjoin(m.Organisation, col(m.Organisation.id) == col(m.Contributor.organisation_id))
        .where(col(m.Contributor.publication_id).in_(ids))
        .order_by(col(m.Contributor.publication_id), col(m.Contributor.position))
    ):
        name = person or org
        if name:
            (editors if role == "editor" else authors)[pub_id].append(name)
    orgs = linked_organisations(s, "publication", [r[0] for r in rows])
    projects: dict[int, list[int]] = defaultdict(list)
    for pub_id, project_id in s.execute(
        select(col(m.PublicationProject.publication_id), col(m.PublicationProject.project_id))
        .where(col(m.PublicationProject.publication_id).in_(ids))
    ):
        projects[pub_id].append(project_id)
    out = []
    n = len(PUB_COLUMNS)
    for row in rows:
        d = dict(zip(PUB_COLUMNS, row[:n], strict=True))
        pid = d["id"]
        d.update(series=row[n], publisher=row[n + 1], date=date_label(d["year"], d["month"], d["month_end"]),
                 authors=authors.get(pid, []), editors=editors.get(pid, []), projects=projects.get(pid, []),
                 funders=[o["display"] for o in orgs[pid].get("funder", [])],
                 supporters=[o["display"] for o in orgs[pid].get("supporter", [])],
                 period=period_label(d["period_start"], d["period_end"], d["year"]))
        d["citation"] = cite_md(d)
        out.append(d)
    return out


def period_label(start: date | None, end: date | None, year: int | None = None) -> str:
    """'April 2021 – March 2022'; '' when there is no period or it is just the publication's year."""
    if start is None or end is None:
        return ""
    if start == date(end.year, 1, 1) and end == date(end.year, 12, 31) and year in (None, end.year):
        return ""
    first = f"{MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return first
    return f"{first} – {MONTHS[end.month - 1]} {end.year}"


def publications_of_year(s: Session, year: int, vis: tuple[str, ...]) -> list[dict[str, Any]]:
    return publications(s, and_(col(m.Publication.year) == year, col(m.Publication.visibility).in_(vis)))


# -- projects ----------------------------------------------------------------------------
def _project_dict(j: m.Project) -> dict[str, Any]:
    return {"id": j.id, "title": j.title, "short_name": j.short_name, "summary": j.summary, "url": j.url,
            "start": j.start, "end": j.end, "programme_id": j.programme_id, "visibility": j.visibility,
            "partners": [], "funders": [], "clients": [], "regions": [], "assignments": [], "outputs": []}


def projects(s: Session, where: Any) -> list[dict[str, Any]]:
    """Projects matching a condition with partners, funders, regions and every year's clients (4 queries)."""
    J = m.Project
    ids = select(col(J.id)).where(where).scalar_subquery()
    found = {j.id: _project_dict(j) for j in s.scalars(select(J).where(where).order_by(col(J.id)))}
    links = list(s.execute(
        select(m.ProjectOrganisation, m.Organisation)
        .join(m.Organisation, col(m.Organisation.id) == col(m.ProjectOrganisation.organisation_id))
        .where(col(m.ProjectOrganisation.project_id).in_(ids))
        .order_by(col(m.ProjectOrganisation.position), col(m.Organisation.name))
    ))
    shown = display_names(s, [o.id for _, o in links])
    for link, o in links:
        key = {"partner": "partners", "funder": "funders", "client": "clients"}.get(link.role)
        if key:
            found[link.project_id][key].append(org_label(shown.get(o.id, o.name), o.acronym))
    for pid, region in s.execute(
        select(col(m.ProjectRegion.project_id), col(m.Region.name))
        .join(m.Region, col(m.Region.id) == col(m.ProjectRegion.region_id))
        .where(col(m.ProjectRegion.project_id).in_(ids)).order_by(col(m.Region.path))
    ):
        found[pid]["regions"].append(region)
    for a in assignments(s, col(m.Assignment.project_id).in_(ids)):
        found[a["project_id"]]["assignments"].append(a)
    return list(found.values())


def assignments(s: Session, where: Any) -> list[dict[str, Any]]:
    """Assignments matching a condition, newest first: year, title (as contracted, else the project's),
    contracted_title, clients (as the contract names them), client_line, reference, note (3 queries)."""
    return [{**a, "project_title": a["project"], "clients": [c["printed"] for c in a["clients"]]}
            for a in assignment_dicts(s, where)]


def assignment_years(s: Session, year: int, count: int, vis: tuple[str, ...]) -> list[dict[str, Any]]:
    """The Assignments lists of year and the count - 1 years before it, newest first: [{year, projects}],
    each row an assignment of a visible project in its contracted wording."""
    first = year - count + 1
    visible = select(col(m.Project.id)).where(col(m.Project.visibility).in_(vis))
    found = assignments(s, and_(col(m.Assignment.year).between(first, year),
                                col(m.Assignment.project_id).in_(visible)))
    return [{"year": y, "projects": [a for a in found if a["year"] == y]} for y in range(year, first - 1, -1)]


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
    where = and_(col(E.date) >= date(year, 1, 1), col(E.date) <= date(year, 12, 31), col(E.visibility).in_(vis))
    ids = select(col(E.id)).where(where).scalar_subquery()
    people: dict[int, list[str]] = defaultdict(list)
    for eid, name in s.execute(
        select(col(m.EventPerson.event_id), col(m.Person.name))
        .join(m.Person, col(m.Person.id) == col(m.EventPerson.person_id))
        .where(col(m.EventPerson.event_id).in_(ids))
        .order_by(col(m.EventPerson.event_id), col(m.EventPerson.position))
    ):
        people[eid].append(name)
    out = []
    rows = list(s.execute(select(E, col(m.Project.title))
                          .outerjoin(m.Project, col(m.Project.id) == col(E.project_id))
                          .where(where).order_by(col(E.date), col(E.id))))
    orgs = linked_organisations(s, "event", [e.id for e, _ in rows])
    for e, project in rows:
        organisers = [o["display"] for o in orgs[e.id].get("organiser", [])]
        out.append({"id": e.id, "title": e.title, "kind": e.kind, "date": e.date, "end_date": e.end_date,
                    "when": event_date_label(e.date, e.end_date), "month": MONTHS[e.date.month - 1],
                    "place": e.place, "description": e.description, "organisers": organisers,
                    "organiser": organisers[0] if organisers else None,
                    "hosts": [o["display"] for o in orgs[e.id].get("host", [])],
                    "project": project, "people": people[e.id]})
    return out


def team(s: Session) -> list[dict[str, Any]]:
    """People whose role makes them part of the team, grouped by role in TEAM_ROLES order."""
    rows = s.scalars(select(m.Person).where(col(m.Person.role).in_(TEAM_ROLES)).order_by(col(m.Person.id)))
    groups: dict[str, list[dict[str, Any]]] = {r: [] for r in TEAM_ROLES}
    for p in rows:
        assert p.role is not None  # the query keeps TEAM_ROLES only
        groups[p.role].append({"id": p.id, "name": p.name, "title": p.title, "email": p.email})
    return [{"role": role, "people": people} for role, people in groups.items() if people]


def board(s: Session, year: int) -> list[dict[str, Any]]:
    """The board of directors at some time in year, the chair first, then in the order recorded."""
    rows = people_with_role(s, "board", year)
    ids = [r["person_id"] for r in rows]
    people = {p.id: p for p in s.scalars(select(m.Person).where(col(m.Person.id).in_(ids)))}
    out = [{"id": r["person_id"], "name": r["name"], "position": r["title"],
            "chair": (r["title"] or "").lower().startswith("chair"), "title": people[r["person_id"]].title,
            "start": r["start"], "end": r["end"]} for r in rows]
    return sorted(out, key=lambda p: not p["chair"])


def board_of_year(cat: Catalogue, year: int) -> list[dict[str, Any]]:
    with cat.reading() as s:
        return board(s, year)


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
    return and_(active_in_year(year), col(m.Project.visibility).in_(vis))
