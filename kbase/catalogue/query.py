"""Filtered queries over the catalogue: one Filter, translated to SQL per record type."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import sqlalchemy.dialects.sqlite  # noqa: F401  (the SQLite engine's dialect, loaded with the rest: the GUI imports this module before PySide6)
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlmodel import SQLModel, col

from kbase.catalogue.columns import key, table_of
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import fold_words

IdQuery = Select[int]  # the IDs of the records that pass a filter

PUBLIC_ONLY = ("public",)


@dataclass
class Filter:
    """What a librarian narrows a list by; every part is optional."""

    types: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    series: str | None = None
    project: str | None = None
    programme: str | None = None
    region: str | None = None
    organisation: str | None = None
    role: str | None = None  # author, publisher, partner, funder, client
    person: str | None = None
    subject: str | None = None
    language: str | None = None
    visibility: list[str] = field(default_factory=list)
    text: str | None = None
    ids: list[int] | None = None
    collection: str | None = None  # ID, name or path; takes in its sub-collections

    def is_empty(self) -> bool:
        return not any(v for v in asdict(self).values())

    @classmethod
    def year(cls, year: int, **kw: Any) -> "Filter":
        return cls(year_from=year, year_to=year, **kw)


SORTS: dict[str, dict[str, Any]] = {
    "publication": {"title": col(m.Publication.title_norm), "year": col(m.Publication.year),
                    "type": col(m.Publication.type), "id": col(m.Publication.id),
                    "updated": col(m.Publication.updated)},
    "project": {"title": col(m.Project.title), "start": col(m.Project.start), "id": col(m.Project.id)},
    "organisation": {"name": col(m.Organisation.name), "kind": col(m.Organisation.kind),
                     "id": col(m.Organisation.id)},
    "person": {"name": col(m.Person.name), "role": col(m.Person.role), "id": col(m.Person.id)},
    "event": {"date": col(m.Event.date), "title": col(m.Event.title), "id": col(m.Event.id)},
    "region": {"name": col(m.Region.name), "path": col(m.Region.path), "id": col(m.Region.id)},
}


class Resolver:
    """Turns names in a Filter into IDs once per query."""

    def __init__(self, cat: Catalogue):
        self.cat = cat

    def one(self, model: type[SQLModel], ref: str) -> int:
        if model is m.Person and not str(ref).isdigit():  # "Hoex, Lotte" or "hoex" name Lotte Hoex too
            from kbase.catalogue.lookup import find

            people = find(self.cat, m.Person, ref)
            if len(people) > 1:
                ids = ", ".join(str(p.id) for p in people)
                raise InvalidInput(N_("{name} names several people (IDs {ids}); use an ID").format(
                    name=repr(ref), ids=ids))
            if people:
                return int(people[0].id)
        return int(self.cat.find_one(model, ref).id)

    def regions_below(self, ref: str) -> list[int]:
        return self.cat.region_ids_below(self.one(m.Region, ref))

    def collection_members(self, ref: str, kind: str) -> set[int]:
        from kbase.catalogue import collections

        cid = collections.find_collection(self.cat, ref)
        with self.cat.reading() as s:
            return collections.member_ids(s, cid, kind)


def _years(f: Filter) -> None:
    for y in (f.year_from, f.year_to):
        if y is not None and not (isinstance(y, int) and 1000 <= y <= 2999):
            raise InvalidInput(N_("not a plausible year: {year}").format(year=repr(y)))
    if f.year_from and f.year_to and f.year_from > f.year_to:
        raise InvalidInput(N_("year range {year_from}–{year_to} is empty").format(
            year_from=f.year_from, year_to=f.year_to))


def publication_query(cat: Catalogue, f: Filter) -> IdQuery:
    _years(f)
    r = Resolver(cat)
    P = m.Publication
    q = select(key(P.id))
    conds: list[Any] = []
    if f.types:
        bad = [t for t in f.types if t not in m.PUBLICATION_TYPES]
        if bad:
            raise InvalidInput(N_("unknown publication type {type} (one of: {publication_types})").format(
                type=repr(bad[0]), publication_types=', '.join(m.PUBLICATION_TYPES)))
        conds.append(col(P.type).in_(f.types))
    if f.year_from is not None:
        conds.append(col(P.year) >= f.year_from)
    if f.year_to is not None:
        conds.append(col(P.year) <= f.year_to)
    if f.series:
        conds.append(col(P.series_id) == r.one(m.Series, f.series))
    if f.language:
        conds.append(col(P.language) == f.language)
    if f.visibility:
        conds.append(col(P.visibility).in_(f.visibility))
    if f.ids is not None:
        conds.append(col(P.id).in_(f.ids))
    if f.text:
        for word in fold_words(f.text).split():
            conds.append(col(P.title_norm).contains(word))
    if f.project:
        pid = r.one(m.Project, f.project)
        conds.append(col(P.id).in_(select(key(m.PublicationProject.publication_id))
                                   .where(col(m.PublicationProject.project_id) == pid)))
    if f.programme:
        prid = r.one(m.Programme, f.programme)
        conds.append(col(P.id).in_(
            select(key(m.PublicationProject.publication_id))
            .join(m.Project, col(m.Project.id) == col(m.PublicationProject.project_id))
            .where(col(m.Project.programme_id) == prid)
        ))
    if f.region:
        below = r.regions_below(f.region)
        conds.append(col(P.id).in_(select(key(m.PublicationRegion.publication_id))
                                   .where(col(m.PublicationRegion.region_id).in_(below))))
    if f.subject:
        sid = r.one(m.Subject, f.subject)
        conds.append(col(P.id).in_(select(key(m.PublicationSubject.publication_id))
                                   .where(col(m.PublicationSubject.subject_id) == sid)))
    if f.person:
        person_id = r.one(m.Person, f.person)
        conds.append(col(P.id).in_(select(key(m.Contributor.publication_id))
                                   .where(col(m.Contributor.person_id) == person_id)))
    if f.organisation:
        oid = r.one(m.Organisation, f.organisation)
        conds.append(_publication_org_condition(oid, f.role))
    if f.collection:
        conds.append(col(P.id).in_(r.collection_members(f.collection, "publication")))
    return q.where(and_(*conds)) if conds else q


def _publication_org_condition(oid: int, role: str | None) -> ColumnElement[bool]:
    P = m.Publication
    as_author = col(P.id).in_(select(key(m.Contributor.publication_id))
                              .where(col(m.Contributor.organisation_id) == oid))
    as_publisher = col(P.publisher_id) == oid

    def via_project(r: str) -> ColumnElement[bool]:
        return col(P.id).in_(
            select(key(m.PublicationProject.publication_id))
            .join(m.ProjectOrganisation, col(m.ProjectOrganisation.project_id) == col(m.PublicationProject.project_id))
            .where(col(m.ProjectOrganisation.organisation_id) == oid, col(m.ProjectOrganisation.role) == r)
        )

    if role in (None, ""):
        return or_(as_author, as_publisher)
    if role == "author":
        return as_author
    if role == "publisher":
        return as_publisher
    direct = col(P.id).in_(select(key(m.PublicationOrganisation.publication_id)).where(
        col(m.PublicationOrganisation.organisation_id) == oid, col(m.PublicationOrganisation.role) == role))
    if role == "partner":
        return via_project(role)
    if role == "funder":  # of the publication itself, or of a project it came out of
        return or_(via_project(role), direct)
    if role == "supporter":
        return direct
    if role == "client":
        return col(P.id).in_(
            select(key(m.PublicationProject.publication_id))
            .join(m.Assignment, col(m.Assignment.project_id) == col(m.PublicationProject.project_id))
            .join(m.AssignmentClient, col(m.AssignmentClient.assignment_id) == col(m.Assignment.id))
            .where(col(m.AssignmentClient.organisation_id) == oid)
        )
    raise InvalidInput(N_("unknown organisation role {role} (author, publisher, partner, funder, supporter, "
                          "client)").format(role=repr(role)))


def project_query(cat: Catalogue, f: Filter, active: int | None = None) -> IdQuery:
    """Projects; year means an assignment in that year, active adds dates and outputs."""
    _years(f)
    r = Resolver(cat)
    J = m.Project
    conds: list[Any] = []
    if f.year_from is not None or f.year_to is not None:
        lo, hi = f.year_from or 1000, f.year_to or 2999
        conds.append(col(J.id).in_(select(key(m.Assignment.project_id)).where(col(m.Assignment.year).between(lo, hi))))
    if active is not None:
        conds.append(active_in_year(active))
    if f.programme:
        conds.append(col(J.programme_id) == r.one(m.Programme, f.programme))
    if f.visibility:
        conds.append(col(J.visibility).in_(f.visibility))
    if f.text:
        conds.append(or_(*[func.lower(col(J.title)).contains(w) for w in f.text.lower().split()],
                         func.lower(col(J.short_name)) == f.text.lower()))
    if f.region:
        below = r.regions_below(f.region)
        conds.append(col(J.id).in_(select(key(m.ProjectRegion.project_id))
                                   .where(col(m.ProjectRegion.region_id).in_(below))))
    if f.subject:
        sid = r.one(m.Subject, f.subject)
        conds.append(col(J.id).in_(select(key(m.ProjectSubject.project_id))
                                   .where(col(m.ProjectSubject.subject_id) == sid)))
    if f.organisation:
        oid = r.one(m.Organisation, f.organisation)
        by_role = select(key(m.ProjectOrganisation.project_id)).where(col(m.ProjectOrganisation.organisation_id) == oid)
        as_client = (select(key(m.Assignment.project_id))
                     .join(m.AssignmentClient, col(m.AssignmentClient.assignment_id) == col(m.Assignment.id))
                     .where(col(m.AssignmentClient.organisation_id) == oid))
        if f.role == "client":
            conds.append(col(J.id).in_(as_client))
        elif f.role:
            conds.append(col(J.id).in_(by_role.where(col(m.ProjectOrganisation.role) == f.role)))
        else:
            conds.append(or_(col(J.id).in_(by_role), col(J.id).in_(as_client)))
    if f.ids is not None:
        conds.append(col(J.id).in_(f.ids))
    q = select(key(J.id))
    return q.where(and_(*conds)) if conds else q


def active_in_year(year: int) -> ColumnElement[bool]:
    """A project is active in Y if it has an assignment in Y, its dates cover Y, or it has an output dated Y."""
    J = m.Project
    from datetime import date

    first, last = date(year, 1, 1), date(year, 12, 31)
    return or_(
        col(J.id).in_(select(key(m.Assignment.project_id)).where(col(m.Assignment.year) == year)),
        and_(col(J.start).is_not(None), col(J.start) <= last, or_(col(J.end).is_(None), col(J.end) >= first)),
        col(J.id).in_(select(key(m.PublicationProject.project_id))
                 .join(m.Publication, col(m.Publication.id) == col(m.PublicationProject.publication_id))
                 .where(col(m.Publication.year) == year)),
    )


def organisation_query(cat: Catalogue, f: Filter) -> IdQuery:
    Org, PO = m.Organisation, m.ProjectOrganisation
    conds: list[Any] = []
    if f.text:
        norm = fold_words(f.text)
        conds.append(col(Org.id).in_(select(key(m.OrganisationAlias.organisation_id))
                                     .where(col(m.OrganisationAlias.norm).contains(norm))))
    if f.role:
        conds.append(col(Org.id).in_(select(key(PO.organisation_id)).where(col(PO.role) == f.role))
                     if f.role != "client" else
                     col(Org.id).in_(select(key(m.AssignmentClient.organisation_id))))
    if f.project:
        pid = Resolver(cat).one(m.Project, f.project)
        conds.append(col(Org.id).in_(select(key(PO.organisation_id)).where(col(PO.project_id) == pid)))
    q = select(key(Org.id))
    return q.where(and_(*conds)) if conds else q


def person_query(cat: Catalogue, f: Filter) -> IdQuery:
    Pe = m.Person
    conds: list[Any] = []
    if f.text and "," in f.text:  # "Hoex, Lot" typed as lists write names
        from kbase.catalogue.lookup import person_ids

        conds.append(col(Pe.id).in_(person_ids(cat, f.text, typing=True)))
    elif f.text:
        norm = fold_words(f.text)
        conds.append(col(Pe.id).in_(select(key(m.PersonAlias.person_id)).where(col(m.PersonAlias.norm).contains(norm))))
    if f.organisation:
        oid = Resolver(cat).one(m.Organisation, f.organisation)
        conds.append(col(Pe.id).in_(select(key(m.PersonOrganisation.person_id))
                                    .where(col(m.PersonOrganisation.organisation_id) == oid)))
    if f.role or f.year_from is not None or f.year_to is not None:
        conds.append(col(Pe.id).in_(_people_in_role(f)))
    q = select(key(Pe.id))
    return q.where(and_(*conds)) if conds else q


def _people_in_role(f: Filter) -> IdQuery:
    """People who held the role (any role without one) at some time in the filter's years."""
    from datetime import date

    _years(f)
    R = m.PersonRole
    conds: list[Any] = []
    if f.role:
        if f.role not in m.PERSON_ROLES:
            raise InvalidInput(N_("unknown person role {role} (one of: {person_roles})").format(
                role=repr(f.role), person_roles=', '.join(m.PERSON_ROLES)))
        conds.append(col(R.role) == f.role)
    if f.year_to is not None:
        conds.append(or_(col(R.start).is_(None), col(R.start) <= date(f.year_to, 12, 31)))
    if f.year_from is not None:
        conds.append(or_(col(R.end).is_(None), col(R.end) >= date(f.year_from, 1, 1)))
    return select(key(R.person_id)).where(*conds)


def event_query(cat: Catalogue, f: Filter) -> IdQuery:
    _years(f)
    E = m.Event
    conds: list[Any] = []
    from datetime import date

    if f.year_from is not None:
        conds.append(col(E.date) >= date(f.year_from, 1, 1))
    if f.year_to is not None:
        conds.append(col(E.date) <= date(f.year_to, 12, 31))
    if f.person:
        pid = Resolver(cat).one(m.Person, f.person)
        conds.append(col(E.id).in_(select(key(m.EventPerson.event_id)).where(col(m.EventPerson.person_id) == pid)))
    if f.project:
        conds.append(col(E.project_id) == Resolver(cat).one(m.Project, f.project))
    if f.visibility:
        conds.append(col(E.visibility).in_(f.visibility))
    if f.text:
        conds.append(func.lower(col(E.title)).contains(f.text.lower()))
    q = select(key(E.id))
    return q.where(and_(*conds)) if conds else q


def region_query(cat: Catalogue, f: Filter) -> IdQuery:
    R = m.Region
    conds: list[Any] = []
    if f.region:
        conds.append(col(R.id).in_(Resolver(cat).regions_below(f.region)))
    if f.text:
        conds.append(col(R.id).in_(select(key(m.RegionAlias.region_id))
                                   .where(col(m.RegionAlias.norm).contains(fold_words(f.text)))))
    q = select(key(R.id))
    return q.where(and_(*conds)) if conds else q


def simple_query(model: type[SQLModel], f: Filter) -> IdQuery:
    table = table_of(model)
    q = select(table.c.id)
    if f.text:
        q = q.where(func.lower(table.c.name).contains(f.text.lower()))
    return q


BUILDERS = {
    "publication": publication_query,
    "project": project_query,
    "organisation": organisation_query,
    "person": person_query,
    "event": event_query,
    "region": region_query,
}


def _in_collection(cat: Catalogue, kind: str, f: Filter, q: IdQuery) -> IdQuery:
    """The collection filter for records other than publications (publication_query has its own)."""
    if not f.collection or kind == "publication":
        return q
    ids = table_of(m.RECORD_TYPES[kind]).c.id
    return q.where(ids.in_(Resolver(cat).collection_members(f.collection, kind)))


def find_ids(cat: Catalogue, kind: str, f: Filter | None = None, sort: str | None = None,
             descending: bool = False, limit: int | None = None, offset: int = 0) -> list[int]:
    """IDs of the records of one kind that pass f, sorted in the database."""
    f = f or Filter()
    model = m.RECORD_TYPES[kind]
    builder = BUILDERS.get(kind)
    q = _in_collection(cat, kind, f, builder(cat, f) if builder else simple_query(model, f))
    ids = table_of(model).c.id
    sorts = SORTS.get(kind, {"id": ids})
    by = sorts.get(sort or next(iter(sorts)))
    if by is None:
        raise InvalidInput(N_("cannot sort {kind} by {sort} (one of: {sorts})").format(
            kind=kind, sort=repr(sort), sorts=', '.join(sorts)))
    order = [by.desc() if descending else by.asc(), ids.desc() if descending else ids.asc()]
    if kind == "publication" and sort == "year":
        order.insert(1, col(m.Publication.month).desc() if descending else col(m.Publication.month).asc())
    q = q.order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with cat.reading() as s:
        return list(s.scalars(q))


def count(cat: Catalogue, kind: str, f: Filter | None = None) -> int:
    f = f or Filter()
    model = m.RECORD_TYPES[kind]
    builder = BUILDERS.get(kind)
    q = _in_collection(cat, kind, f, builder(cat, f) if builder else simple_query(model, f))
    with cat.reading() as s:
        return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def load(cat: Catalogue, kind: str, ids: Sequence[int]) -> list[Any]:
    """Records for ids, in the order given (missing ones skipped)."""
    model = m.RECORD_TYPES[kind]
    id_column = table_of(model).c.id
    with cat.reading() as s:
        by_id = {i: o for i, o in s.execute(select(id_column, model).where(id_column.in_(list(ids))))}
    return [by_id[i] for i in ids if i in by_id]


def publications_per_year(cat: Catalogue) -> dict[int, int]:
    """How many publications each year has (years with none, and undated publications, left out)."""
    with cat.reading() as s:
        year = col(m.Publication.year)
        return {y: n for y, n in s.execute(select(year, func.count()).where(year.is_not(None)).group_by(year))}


def attachment_ids(cat: Catalogue, publication_ids: Sequence[int]) -> dict[int, list[int]]:
    """The IDs of the files attached to each of these publications (publications without any left out)."""
    out: dict[int, list[int]] = {}
    with cat.reading() as s:
        for a_id, pub_id in s.execute(select(col(m.Attachment.id), col(m.Attachment.publication_id))
                                      .where(col(m.Attachment.publication_id).in_(list(publication_ids)))
                                      .order_by(col(m.Attachment.id))):
            out.setdefault(pub_id, []).append(a_id)
    return out


__all__ = ["Filter", "find_ids", "count", "load", "active_in_year", "publications_per_year", "attachment_ids",
           "NotFound"]
