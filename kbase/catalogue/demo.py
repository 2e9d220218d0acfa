"""Loads the demo catalogue (resources/demo/catalogue.json) through the catalogue API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kbase.catalogue.assignments import save_assignment
from kbase.catalogue.organisations import set_linked_organisations, set_parent
from kbase.catalogue.records import Catalogue
from kbase.catalogue.roles import add_role
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.library import models as m
from kbase.report.demo_texts import add_demo_texts
from kbase.report.finances import load_demo_finances
from kbase.resources import resource


def demo_path() -> Path:
    return resource("demo", "catalogue.json")


def load_demo(cat: Catalogue, path: Path | None = None) -> dict[str, int]:
    """Add every record of the demo file; refuses a library that already holds publications."""
    if cat.count(m.Publication) or cat.count(m.Project):
        raise InvalidInput(N_("the library already has records; load the demo into an empty library"))
    data = json.loads((path or demo_path()).read_text(encoding="utf-8"))
    with cat.transaction():
        return _load(cat, data)


def _load(cat: Catalogue, data: dict[str, Any]) -> dict[str, int]:
    programmes = {p["name"]: cat.add(m.Programme, name=p["name"], description=p.get("description")).id
                  for p in data.get("programmes", [])}
    subjects = {name: cat.add(m.Subject, name=name).id for name in data.get("subjects", [])}
    series = {s["name"]: cat.add(m.Series, name=s["name"], periodical=bool(s.get("periodical"))).id
              for s in data.get("series", [])}
    for s in data.get("series", []):
        if s.get("parent"):
            cat.update(m.Series, series[s["name"]], parent_id=series[s["parent"]])
    regions: dict[str, int] = {}

    def add_region(node: dict[str, Any], parent_id: int | None) -> None:
        r = cat.add(m.Region, name=node["name"], name_fr=node.get("name_fr"), name_local=node.get("name_local"),
                    level=node.get("level", "site"), parent_id=parent_id)
        regions[node["name"]] = r.id
        for alias in node.get("aliases", []):
            cat.add_alias(m.Region, r.id, alias)
        for child in node.get("children", []):
            add_region(child, r.id)

    for node in data.get("regions", []):
        add_region(node, None)

    orgs: dict[str, int] = {}
    for o in data.get("organisations", []):
        rec = cat.add(m.Organisation, name=o["name"], acronym=o.get("acronym"), kind=o.get("kind"),
                      country=o.get("country"), url=o.get("url"))
        orgs[o["key"]] = rec.id
        for alias in o.get("aliases", []):
            cat.add_alias(m.Organisation, rec.id, alias)
    for o in data.get("organisations", []):
        if o.get("parent"):
            set_parent(cat, orgs[o["key"]], orgs[o["parent"]], o.get("part_kind"))
    people = _add_people(cat, data, orgs)
    projects = _add_projects(cat, data, programmes, subjects, regions, orgs)
    count_pubs = _add_publications(cat, data, series, subjects, regions, orgs, people, projects)
    _add_events(cat, data, orgs, people, projects)
    load_demo_finances(cat)  # kbase.report.finances: the 2021 accounts in resources/demo/finances.json
    add_demo_texts(cat)  # kbase.report.demo_texts: the institute's identity and the 2021 report's texts
    return {"programmes": len(programmes), "regions": len(regions), "organisations": len(orgs),
            "people": len(people), "projects": len(projects), "publications": count_pubs,
            "events": len(data.get("events", []))}

def _add_people(cat: Catalogue, data: dict[str, Any], orgs: dict[str, int]) -> dict[str, int]:
    people: dict[str, int] = {}
    for p in data.get("people", []):
        rec = cat.add(m.Person, name=p["name"], role=p.get("role"), title=p.get("title"), email=p.get("email"))
        people[p["key"]] = rec.id
        if p.get("affiliation"):
            cat.link(m.PersonOrganisation, person_id=rec.id, organisation_id=orgs[p["affiliation"]])
        roles = p.get("roles") or ([{"role": p["role"], "title": p.get("title")}] if p.get("role") else [])
        for r in roles:
            add_role(cat, rec.id, r["role"], r.get("title"), r.get("start"), r.get("end"),
                     orgs.get(r.get("organisation") or p.get("affiliation") or ""))
    return people


def _add_projects(cat: Catalogue, data: dict[str, Any], programmes: dict[str, int], subjects: dict[str, int],
                  regions: dict[str, int], orgs: dict[str, int]) -> dict[str, int]:
    projects: dict[str, int] = {}
    for j in data.get("projects", []):
        rec = cat.add(m.Project, title=j["title"], short_name=j.get("short_name"),
                      programme_id=programmes.get(j.get("programme") or ""), summary=j.get("summary"),
                      start=j.get("start"), end=j.get("end"), url=j.get("url"),
                      visibility=j.get("visibility", "public"))
        projects[j["key"]] = rec.id
        for role in ("partners", "funders"):
            for pos, key in enumerate(j.get(role, [])):
                cat.link(m.ProjectOrganisation, project_id=rec.id, organisation_id=orgs[key],
                         role=role[:-1], position=pos)
        for name in j.get("regions", []):
            cat.link(m.ProjectRegion, project_id=rec.id, region_id=regions[name])
        for name in j.get("subjects", []):
            cat.link(m.ProjectSubject, project_id=rec.id, subject_id=subjects[name])
        for year, a in (j.get("assignments") or {}).items():
            a = a if isinstance(a, dict) else {"clients": a}
            clients = [(orgs[c], None) if isinstance(c, str) else (orgs[c["org"]], c.get("as"))
                       for c in a["clients"]]
            save_assignment(cat, rec.id, int(year), title=a.get("title"), reference=a.get("reference"),
                            note=a.get("note"), separator=a.get("separator"), clients=clients)
    return projects


def _add_publications(cat: Catalogue, data: dict[str, Any], series: dict[str, int], subjects: dict[str, int],
                      regions: dict[str, int], orgs: dict[str, int], people: dict[str, int],
                      projects: dict[str, int]) -> int:
    count_pubs = 0
    for p in data.get("publications", []):
        rec = cat.add(
            m.Publication, title=p["title"], subtitle=p.get("subtitle"), type=p.get("type", "other"),
            year=p.get("year"), month=p.get("month"), month_end=p.get("month_end"),
            series_id=series.get(p.get("series") or ""), number=p.get("number"), language=p.get("language"),
            abstract=p.get("abstract"), url=p.get("url"), publisher_id=orgs.get(p.get("publisher") or ""),
            place=p.get("place"), isbn=p.get("isbn"), doi=p.get("doi"), pages=p.get("pages"),
            container=p.get("container"), visibility=p.get("visibility", "public"),
            period_start=(p.get("period") or [None])[0], period_end=(p.get("period") or [None, None])[1],
            editors_et_al=bool(p.get("editors_et_al")),
        )
        count_pubs += 1
        contributors = [("author", c) for c in p.get("authors", [])] + [("editor", c) for c in p.get("editors", [])]
        cat.set_contributors(rec.id, [
            (role, "person", people[c["person"]]) if "person" in c else (role, "organisation", orgs[c["org"]])
            for role, c in contributors
        ])
        for key in p.get("projects", []):
            cat.link(m.PublicationProject, publication_id=rec.id, project_id=projects[key])
        for name in p.get("regions", []):
            cat.link(m.PublicationRegion, publication_id=rec.id, region_id=regions[name])
        for name in p.get("subjects", []):
            cat.link(m.PublicationSubject, publication_id=rec.id, subject_id=subjects[name])
        for role in m.PUBLICATION_ORG_ROLES:
            if p.get(role + "s"):
                set_linked_organisations(cat, "publication", rec.id, role, [orgs[k] for k in p[role + "s"]])
    return count_pubs


def _add_events(cat: Catalogue, data: dict[str, Any], orgs: dict[str, int], people: dict[str, int],
                projects: dict[str, int]) -> None:
    for e in data.get("events", []):
        rec = cat.add(m.Event, title=e["title"], kind=e.get("kind"), date=e.get("date"), end_date=e.get("end_date"),
                      place=e.get("place"), description=e.get("description"),
                      project_id=projects.get(e.get("project") or ""))
        for role in m.EVENT_ORG_ROLES:
            if e.get(role + "s"):
                set_linked_organisations(cat, "event", rec.id, role, [orgs[k] for k in e[role + "s"]])
        for pos, key in enumerate(e.get("people", [])):
            cat.link(m.EventPerson, event_id=rec.id, person_id=people[key], position=pos)
