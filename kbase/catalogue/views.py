"""Records as plain dicts with their links: for `show`, JSON output and the details pane."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Callable, Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from kbase.catalogue.assignments import assignment_dicts
from kbase.catalogue.columns import stored_id, table_of
from kbase.catalogue.organisations import linked_organisations
from kbase.catalogue.records import Catalogue
from kbase.catalogue.roles import roles_of
from kbase.library import models as m

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def fields(obj: Any) -> dict[str, Any]:
    dumped = obj.model_dump()
    stamps = ["version", "created", "updated"]
    order = ["id"] + [k for k in dumped if k != "id" and k not in stamps] + stamps
    data = {k: plain(dumped[k]) for k in order if k in dumped and k not in ("title_norm", "path", "content", "extra")}
    if isinstance(obj, m.Publication) and obj.extra:
        data["extra"] = json.loads(obj.extra)
    return data


# What an import kept in a publication's `extra` that a reader wants, as (label, value); English labels, the
# GUI translates them. The rest (the source format's own type and ID, where a name was read from, the title's
# source) is the importers' bookkeeping: left out of `show` and the details pane, kept in --json and exports.
EXTRA_LABELS = {"imported_from": "Imported from", "keywords": "Keywords", "flags": "To check",
                "raw": "Kept as written", "others": "Listed with “et al.”"}
FIELD_LABELS = {"note": "Note", "volume": "Volume", "issue": "Issue", "edition": "Edition", "issn": "ISSN",
                "howpublished": "Published as", "institution": "Institution", "organization": "Organisation",
                "school": "School", "journal": "Journal", "booktitle": "Book title", "chapter": "Chapter",
                "keywords": "Keywords", "annote": "Annotation", "copyright": "Copyright", "eprint": "E-print",
                "urldate": "Accessed", "version": "Version", "medium": "Medium", "genre": "Genre"}


def extra_rows(extra: dict[str, Any] | None) -> list[tuple[str, str]]:
    """A publication's useful extra fields as (label, text) pairs, in a stable order."""
    if not extra:
        return []
    rows: list[tuple[str, str]] = []
    for name, value in sorted((extra.get("fields") or {}).items()):
        rows.append((FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), _extra_text(value)))
    for key, label in EXTRA_LABELS.items():
        if extra.get(key):
            rows.append((label, _extra_text(extra[key])))
    return [(label, text) for label, text in rows if text]


def _extra_text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_extra_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_extra_text(v) for v in value)
    return "" if value is None else str(value)


def date_label(year: int | None, month: int | None, month_end: int | None = None) -> str:
    """'June – July 2021', 'December 2021', '2021' or ''."""
    if not year:
        return ""
    if month and month_end and month_end != month:
        return f"{MONTHS[month - 1]} – {MONTHS[month_end - 1]} {year}"
    if month:
        return f"{MONTHS[month - 1]} {year}"
    return str(year)


def _ref(obj: Any, label: str | None = None) -> dict[str, Any]:
    # a person has both `name` and `title` (the position held): the name is the label
    name = label or getattr(obj, "name", None) or getattr(obj, "title", "")
    ref = {"kind": obj.__tablename__, "id": obj.id, "label": name}
    if getattr(obj, "name_fr", None) and not label:  # a region's French name, for a French interface
        ref["label_fr"] = obj.name_fr
    return ref


def contributors(s: Session, publication_id: int) -> list[dict[str, Any]]:
    rows = s.scalars(select(m.Contributor).where(col(m.Contributor.publication_id) == publication_id)
                     .order_by(col(m.Contributor.position)))
    out = []
    for c in rows:
        target = s.get(m.Person, c.person_id) if c.person_id else s.get(m.Organisation, c.organisation_id)
        if target is None:
            continue
        out.append({**_ref(target), "role": c.role})
    return out


def describe(cat: Catalogue, kind: str, record_id: int) -> dict[str, Any]:
    """Every field of the record plus its links as {kind, id, label} references."""
    model = m.RECORD_TYPES[kind]
    obj = cat.get(model, record_id)
    data: dict[str, Any] = {"kind": kind, **fields(obj)}
    with cat.reading() as s:
        links = _LINKS.get(kind)
        if links:
            data.update(links(cat, s, obj))
    return data


def _publication_links(cat: Catalogue, s: Session, p: m.Publication) -> dict[str, Any]:
    pid = stored_id(p.id)
    return {
        "date": date_label(p.year, p.month, p.month_end),
        "contributors": contributors(s, pid),
        "series": _ref(s.get(m.Series, p.series_id)) if p.series_id else None,
        "publisher": _ref(s.get(m.Organisation, p.publisher_id)) if p.publisher_id else None,
        "projects": [_ref(o) for o in s.scalars(select(m.Project).join(m.PublicationProject)
                                                .where(col(m.PublicationProject.publication_id) == pid))],
        "regions": [_ref(o) for o in s.scalars(select(m.Region).join(m.PublicationRegion)
                                               .where(col(m.PublicationRegion.publication_id) == pid))],
        "subjects": [_ref(o) for o in s.scalars(select(m.Subject).join(m.PublicationSubject)
                                                .where(col(m.PublicationSubject.publication_id) == pid))],
        "attachments": [{**_ref(a, a.filename), "status": a.status, "message": a.message, "pages": a.page_count}
                        for a in s.scalars(select(m.Attachment).where(col(m.Attachment.publication_id) == pid))],
        **_linked_orgs(s, "publication", pid, m.PUBLICATION_ORG_ROLES),
    }


def project_orgs(s: Session, project_id: int, role: str) -> list[m.Organisation]:
    return list(s.scalars(
        select(m.Organisation).join(m.ProjectOrganisation)
        .where(col(m.ProjectOrganisation.project_id) == project_id, col(m.ProjectOrganisation.role) == role)
        .order_by(col(m.ProjectOrganisation.position))
    ))


def assignments(s: Session, project_id: int) -> list[dict[str, Any]]:
    """The project's assignments, newest first: year, title as contracted, clients as named, reference, note."""
    return [{"year": a["year"], "title": a["contracted_title"],
             "clients": [{"kind": "organisation", "id": c["id"], "label": c["printed"]} for c in a["clients"]],
             "reference": a["reference"], "note": a["note"]}
            for a in assignment_dicts(s, col(m.Assignment.project_id) == project_id)]


def _project_links(cat: Catalogue, s: Session, j: m.Project) -> dict[str, Any]:
    jid = stored_id(j.id)
    return {
        "programme": _ref(s.get(m.Programme, j.programme_id)) if j.programme_id else None,
        "partners": [_ref(o) for o in project_orgs(s, jid, "partner")],
        "funders": [_ref(o) for o in project_orgs(s, jid, "funder")],
        "assignments": assignments(s, jid),
        "regions": [_ref(o) for o in s.scalars(select(m.Region).join(m.ProjectRegion)
                                               .where(col(m.ProjectRegion.project_id) == jid))],
        "subjects": [_ref(o) for o in s.scalars(select(m.Subject).join(m.ProjectSubject)
                                                .where(col(m.ProjectSubject.project_id) == jid))],
        "publications": [_ref(o) for o in s.scalars(
            select(m.Publication).join(m.PublicationProject).where(col(m.PublicationProject.project_id) == jid)
            .order_by(col(m.Publication.year).desc(), col(m.Publication.month).desc()))],
    }


def _organisation_links(cat: Catalogue, s: Session, o: m.Organisation) -> dict[str, Any]:
    roles: dict[str, list[dict[str, Any]]] = {}
    for link in s.scalars(select(m.ProjectOrganisation).where(col(m.ProjectOrganisation.organisation_id) == o.id)):
        project = s.get(m.Project, link.project_id)
        roles.setdefault(link.role, []).append(_ref(project))
    clients = s.scalars(select(m.Assignment).join(m.AssignmentClient)
                        .where(col(m.AssignmentClient.organisation_id) == o.id))
    parent = s.get(m.Organisation, o.parent_id) if o.parent_id else None
    return {
        "aliases": cat.aliases(m.Organisation, stored_id(o.id)),
        "parent": _ref(parent) if parent else None,
        "parts": [_ref(x) for x in s.scalars(select(m.Organisation).where(col(m.Organisation.parent_id) == o.id)
                                             .order_by(col(m.Organisation.name)))],
        "projects": roles,
        "assignments": [{"year": a.year, **_ref(s.get(m.Project, a.project_id))} for a in clients],
        "publications": [_ref(p) for p in s.scalars(
            select(m.Publication).join(m.Contributor).where(col(m.Contributor.organisation_id) == o.id))],
        "people": [_ref(p) for p in s.scalars(
            select(m.Person).join(m.PersonOrganisation).where(col(m.PersonOrganisation.organisation_id) == o.id))],
    }


def _person_links(cat: Catalogue, s: Session, p: m.Person) -> dict[str, Any]:
    return {
        "aliases": cat.aliases(m.Person, stored_id(p.id)),
        "roles": roles_of(cat, stored_id(p.id)),
        "organisations": [_ref(o) for o in s.scalars(
            select(m.Organisation).join(m.PersonOrganisation).where(col(m.PersonOrganisation.person_id) == p.id))],
        "publications": [_ref(x) for x in s.scalars(
            select(m.Publication).join(m.Contributor).where(col(m.Contributor.person_id) == p.id))],
        "events": [_ref(e) for e in s.scalars(
            select(m.Event).join(m.EventPerson).where(col(m.EventPerson.person_id) == p.id)
            .order_by(col(m.Event.date)))],
    }


def _region_links(cat: Catalogue, s: Session, r: m.Region) -> dict[str, Any]:
    return {
        "aliases": cat.aliases(m.Region, stored_id(r.id)),
        "parent": _ref(s.get(m.Region, r.parent_id)) if r.parent_id else None,
        "children": [_ref(c) for c in s.scalars(select(m.Region).where(col(m.Region.parent_id) == r.id)
                                                .order_by(col(m.Region.name)))],
        "projects": [_ref(j) for j in s.scalars(select(m.Project).join(m.ProjectRegion)
                                                .where(col(m.ProjectRegion.region_id) == r.id))],
        "publications": [_ref(p) for p in s.scalars(
            select(m.Publication).join(m.PublicationRegion).where(col(m.PublicationRegion.region_id) == r.id))],
    }


def _linked_orgs(s: Session, kind: str, record_id: int, roles: Sequence[str]) -> dict[str, Any]:
    """{'organisers': [ref…], 'hosts': […]}: the record's organisations by role, as their display form."""
    found = linked_organisations(s, kind, [record_id])[record_id]
    return {role + "s": [{"kind": "organisation", "id": o["id"], "label": o["display"]} for o in found.get(role, [])]
            for role in roles}


def _event_links(cat: Catalogue, s: Session, e: m.Event) -> dict[str, Any]:
    return {
        "people": [_ref(p) for p in s.scalars(
            select(m.Person).join(m.EventPerson).where(col(m.EventPerson.event_id) == e.id)
            .order_by(col(m.EventPerson.position)))],
        **_linked_orgs(s, "event", stored_id(e.id), m.EVENT_ORG_ROLES),
        "project": _ref(s.get(m.Project, e.project_id)) if e.project_id else None,
    }


def _series_links(cat: Catalogue, s: Session, x: m.Series) -> dict[str, Any]:
    """A series family: "Voices from the South" over its national series."""
    return {
        "parent": _ref(s.get(m.Series, x.parent_id)) if x.parent_id else None,
        "children": [_ref(c) for c in s.scalars(select(m.Series).where(col(m.Series.parent_id) == x.id)
                                                .order_by(col(m.Series.name)))],
    }


_LINKS: dict[str, Callable[[Catalogue, Session, Any], dict[str, Any]]] = {
    "series": _series_links,
    "publication": _publication_links,
    "project": _project_links,
    "organisation": _organisation_links,
    "person": _person_links,
    "region": _region_links,
    "event": _event_links,
}


def row(kind: str, obj: Any) -> dict[str, Any]:
    """The few columns a list shows."""
    if kind == "publication":
        return {"id": obj.id, "title": obj.title, "type": obj.type,
                "date": date_label(obj.year, obj.month, obj.month_end), "visibility": obj.visibility}
    if kind == "project":
        return {"id": obj.id, "title": obj.title, "short_name": obj.short_name,
                "start": plain(obj.start), "end": plain(obj.end)}
    if kind == "organisation":
        return {"id": obj.id, "name": obj.name, "acronym": obj.acronym, "kind": obj.kind, "country": obj.country}
    if kind == "person":
        return {"id": obj.id, "name": obj.name, "role": obj.role, "title": obj.title}
    if kind == "event":
        return {"id": obj.id, "date": plain(obj.date), "kind": obj.kind, "title": obj.title}
    if kind == "region":
        return {"id": obj.id, "name": obj.name, "level": obj.level, "name_fr": obj.name_fr}
    if kind == "attachment":
        return {"id": obj.id, "filename": obj.filename, "status": obj.status, "pages": obj.page_count,
                "publication_id": obj.publication_id}
    return {"id": obj.id, "name": getattr(obj, "name", None)}


def table_rows(cat: Catalogue, kind: str, ids: Sequence[int], authors: bool = True) -> list[dict[str, Any]]:
    """Every column of these records as dicts, in the order of ids (missing ones left out), for a table.

    A publication also has `series` (the series' name) and, with authors, `authors` (the names of its
    authors in order). Two queries for any number of ids: a table reads a screenful at a time."""
    table = table_of(m.RECORD_TYPES[kind])
    wanted = list(ids)
    q = select(*table.columns)
    if kind == "publication":
        q = (q.add_columns(col(m.Series.name).label("series"))
             .outerjoin(m.Series, col(m.Series.id) == table.c.series_id))
    with cat.reading() as s:
        found = {r["id"]: dict(r) for r in s.execute(q.where(table.c.id.in_(wanted))).mappings()}
        if kind == "publication" and authors and found:
            names: dict[int, list[str]] = {pid: [] for pid in found}
            C, P, Org = m.Contributor, m.Person, m.Organisation
            for pid, person, org in s.execute(
                    select(col(C.publication_id), col(P.name), col(Org.name))
                    .outerjoin(P, col(P.id) == col(C.person_id)).outerjoin(Org, col(Org.id) == col(C.organisation_id))
                    .where(col(C.publication_id).in_(list(found)), col(C.role) == "author")
                    .order_by(col(C.publication_id), col(C.position))):
                if person or org:
                    names[pid].append(person or org)
            for pid, row in found.items():
                row["authors"] = names[pid]
    return [found[i] for i in wanted if i in found]


def attachment_rows(cat: Catalogue, publication_id: int) -> list[dict[str, Any]]:
    """A publication's files in the order they were added: id, filename, status, message and pages."""
    A = m.Attachment
    with cat.reading() as s:
        rows = s.execute(select(col(A.id), col(A.filename), col(A.status), col(A.message),
                                col(A.page_count).label("pages"))
                         .where(col(A.publication_id) == publication_id).order_by(col(A.id)))
        return [dict(r) for r in rows.mappings()]
