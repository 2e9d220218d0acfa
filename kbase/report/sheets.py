"""Data for the one-page project sheet and for sectioned bibliographies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlmodel import col

from kbase.catalogue.query import Filter, publication_query
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.library import models as m
from kbase.report import data as d
from kbase.report.missing import project_warnings, publication_warnings

GROUPINGS = ("year", "type", "series", "project")


def project_context(cat: Catalogue, ref: str | int, include_internal: bool = False) -> dict[str, Any]:
    """One project with its years, clients, partners, funders, regions and every output."""
    project = cat.find_one(m.Project, ref)
    vis = d.visibilities(include_internal)
    if project.visibility not in vis:
        raise InvalidInput(N_("project {id} is {visibility}; add --include-internal to show it").format(
            id=project.id, visibility=project.visibility))
    with cat.reading() as s:
        j = d.projects(s, col(m.Project.id) == project.id)[0]
        linked = (select(col(m.PublicationProject.publication_id))
                  .where(col(m.PublicationProject.project_id) == project.id))
        outputs = d.publications(s, and_(col(m.Publication.id).in_(linked), col(m.Publication.visibility).in_(vis)))
        programme = s.get(m.Programme, project.programme_id) if project.programme_id else None
    outputs.sort(key=lambda p: (-(p["year"] or 0), -(p["month"] or 0), p["title"].lower()))
    j["outputs"] = outputs
    j["programme"] = programme.name if programme else None
    j["years"] = _years_label(j)
    return {"title": project.title, "project": j, "sections": ["project"],
            "institute": cat.get_setting("institute.name") or "",
            "warnings": project_warnings([j]) + publication_warnings(outputs)}


def _years_label(j: dict[str, Any]) -> str:
    years = sorted({a["year"] for a in j["assignments"]})
    first = j["start"].year if j["start"] else (years[0] if years else None)
    last = j["end"].year if j["end"] else None
    if first is None:
        return ""
    if last is None:
        j["since"] = first  # said in the sheet's language once it is known
        return f"since {first}"
    return str(first) if first == last else f"{first} – {last}"


def _group(pubs: list[dict[str, Any]], by: str, project_titles: dict[int | None, str]) -> list[dict[str, Any]]:
    groups: dict[Any, list[dict[str, Any]]] = {}
    for p in pubs:
        if by == "year":
            keys = [p["year"] or 0]
        elif by == "type":
            keys = [p["type"]]
        elif by == "series":
            keys = [p["series"] or ""]
        else:
            keys = [project_titles[i] for i in p["projects"] if i in project_titles] or [""]
        for key in keys:
            groups.setdefault(key, []).append(p)
    if by == "year":
        order = sorted(groups, key=lambda y: -y)
        label = {k: str(k) if k else "Undated" for k in order}
    elif by == "type":
        order = [t for t in m.PUBLICATION_TYPES if t in groups]
        label = {k: k.capitalize() for k in order}
    else:
        order = sorted((k for k in groups if k), key=str.lower) + ([""] if "" in groups else [])
        label = {k: k or ("No series" if by == "series" else "No project") for k in order}
    return [{"heading": label[k], "items": groups[k]} for k in order]


def bibliography_context(cat: Catalogue, filter_: Filter | None, group_by: str = "year",
                         include_internal: bool = False, title: str | None = None) -> dict[str, Any]:
    """Publications passing the filter in sections; an explicit visibility filter counts as asking."""
    if group_by not in GROUPINGS:
        raise InvalidInput(N_("cannot group a bibliography by {group_by} (one of: {groupings})").format(
            group_by=repr(group_by), groupings=', '.join(GROUPINGS)))
    f = filter_ or Filter()
    vis = tuple(f.visibility) if f.visibility else d.visibilities(include_internal)
    chosen = publication_query(cat, f)
    with cat.reading() as s:
        pubs = d.publications(s, and_(col(m.Publication.id).in_(chosen), col(m.Publication.visibility).in_(vis)))
        ids = {i for p in pubs for i in p["projects"]}
        titles: dict[int | None, str] = dict(s.execute(select(col(m.Project.id), col(m.Project.title)).where(
            col(m.Project.id).in_(ids), col(m.Project.visibility).in_(vis))).all()) if ids else {}
    pubs.sort(key=lambda p: (-(p["year"] or 0), -(p["month"] or 0), p["title"].lower()))
    return {"title": title or "Bibliography", "group_by": group_by, "groups": _group(pubs, group_by, titles),
            "count": len(pubs), "sections": ["bibliography"], "institute": cat.get_setting("institute.name") or "",
            "warnings": publication_warnings(pubs)}
