"""Filtered queries over the catalogue: one Filter, translated to SQL per record type."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import sqlalchemy.dialects.sqlite  # noqa: F401  (the SQLite engine's dialect, loaded with the rest: the GUI imports this module before PySide6)
from sqlalchemy import Select, and_, func, or_, select
from sqlmodel import SQLModel

from kbase.library import models as m
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.text import fold_words

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
    "publication": {"title": m.Publication.title_norm, "year": m.Publication.year, "type": m.Publication.type,
                    "id": m.Publication.id, "updated": m.Publication.updated},
    "project": {"title": m.Project.title, "start": m.Project.start, "id": m.Project.id},
    "organisation": {"name": m.Organisation.name, "kind": m.Organisation.kind, "id": m.Organisation.id},
    "person": {"name": m.Person.name, "role": m.Person.role, "id": m.Person.id},
    "event": {"date": m.Event.date, "title": m.Event.title, "id": m.Event.id},
    "region": {"name": m.Region.name, "path": m.Region.path, "id": m.Region.id},
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
                raise InvalidInput(f"{ref!r} names several people (IDs {ids}); use an ID")
            if people:
                return int(people[0].id)
        return self.cat.find_one(model, ref).id

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
            raise InvalidInput(f"not a plausible year: {y!r}")
    if f.year_from and f.year_to and f.year_from > f.year_to:
        raise InvalidInput(f"year range {f.year_from}–{f.year_to} is empty")


def publication_query(cat: Catalogue, f: Filter) -> Select:
    _years(f)
    r = Resolver(cat)
    P = m.Publication
    q = select(P.id)
    conds: list[Any] = []
    if f.types:
        bad = [t for t in f.types if t not in m.PUBLICATION_TYPES]
        if bad:
            raise InvalidInput(f"unknown publication type {bad[0]!r} (one of: {', '.join(m.PUBLICATION_TYPES)})")
        conds.append(P.type.in_(f.types))
    if f.year_from is not None:
        conds.append(P.year >= f.year_from)
    if f.year_to is not None:
        conds.append(P.year <= f.year_to)
    if f.series:
        conds.append(P.series_id == r.one(m.Series, f.series))
    if f.language:
        conds.append(P.language == f.language)
    if f.visibility:
        conds.append(P.visibility.in_(f.visibility))
    if f.ids is not None:
        conds.append(P.id.in_(f.ids))
    if f.text:
        for word in fold_words(f.text).split():
            conds.append(P.title_norm.contains(word))
    if f.project:
        pid = r.one(m.Project, f.project)
        conds.append(P.id.in_(select(m.PublicationProject.publication_id).where(m.PublicationProject.project_id == pid)))
    if f.programme:
        prid = r.one(m.Programme, f.programme)
        conds.append(P.id.in_(
            select(m.PublicationProject.publication_id)
            .join(m.Project, m.Project.id == m.PublicationProject.project_id)
            .where(m.Project.programme_id == prid)
        ))
    if f.region:
        below = r.regions_below(f.region)
        conds.append(P.id.in_(select(m.PublicationRegion.publication_id).where(m.PublicationRegion.region_id.in_(below))))
    if f.subject:
        sid = r.one(m.Subject, f.subject)
        conds.append(P.id.in_(select(m.PublicationSubject.publication_id).where(m.PublicationSubject.subject_id == sid)))
    if f.person:
        person_id = r.one(m.Person, f.person)
        conds.append(P.id.in_(select(m.Contributor.publication_id).where(m.Contributor.person_id == person_id)))
    if f.organisation:
        oid = r.one(m.Organisation, f.organisation)
        conds.append(_publication_org_condition(oid, f.role))
    if f.collection:
        conds.append(P.id.in_(r.collection_members(f.collection, "publication")))
    return q.where(and_(*conds)) if conds else q


def _publication_org_condition(oid: int, role: str | None) -> Any:
    P = m.Publication
    as_author = P.id.in_(select(m.Contributor.publication_id).where(m.Contributor.organisation_id == oid))
    as_publisher = P.publisher_id == oid
    via_project = lambda r: P.id.in_(  # noqa: E731
        select(m.PublicationProject.publication_id)
        .join(m.ProjectOrganisation, m.ProjectOrganisation.project_id == m.PublicationProject.project_id)
        .where(m.ProjectOrganisation.organisation_id == oid, m.ProjectOrganisation.role == r)
    )
    if role in (None, ""):
        return or_(as_author, as_publisher)
    if role == "author":
        return as_author
    if role == "publisher":
        return as_publisher
    direct = P.id.in_(select(m.PublicationOrganisation.publication_id).where(
        m.PublicationOrganisation.organisation_id == oid, m.PublicationOrganisation.role == role))
    if role == "partner":
        return via_project(role)
    if role == "funder":  # of the publication itself, or of a project it came out of
        return or_(via_project(role), direct)
    if role == "supporter":
        return direct
    if role == "client":
        return P.id.in_(
            select(m.PublicationProject.publication_id)
            .join(m.Assignment, m.Assignment.project_id == m.PublicationProject.project_id)
            .join(m.AssignmentClient, m.AssignmentClient.assignment_id == m.Assignment.id)
            .where(m.AssignmentClient.organisation_id == oid)
        )
    raise InvalidInput(f"unknown organisation role {role!r} (author, publisher, partner, funder, supporter, client)")


def project_query(cat: Catalogue, f: Filter, active: int | None = None) -> Select:
    """Projects; year means an assignment in that year, active adds dates and outputs."""
    _years(f)
    r = Resolver(cat)
    J = m.Project
    conds: list[Any] = []
    if f.year_from is not None or f.year_to is not None:
        lo, hi = f.year_from or 1000, f.year_to or 2999
        conds.append(J.id.in_(select(m.Assignment.project_id).where(m.Assignment.year.between(lo, hi))))
    if active is not None:
        conds.append(active_in_year(active))
    if f.programme:
        conds.append(J.programme_id == r.one(m.Programme, f.programme))
    if f.visibility:
        conds.append(J.visibility.in_(f.visibility))
    if f.text:
        conds.append(or_(*[func.lower(J.title).contains(w) for w in f.text.lower().split()],
                         func.lower(J.short_name) == f.text.lower()))
    if f.region:
        below = r.regions_below(f.region)
        conds.append(J.id.in_(select(m.ProjectRegion.project_id).where(m.ProjectRegion.region_id.in_(below))))
    if f.subject:
        sid = r.one(m.Subject, f.subject)
        conds.append(J.id.in_(select(m.ProjectSubject.project_id).where(m.ProjectSubject.subject_id == sid)))
    if f.organisation:
        oid = r.one(m.Organisation, f.organisation)
        by_role = select(m.ProjectOrganisation.project_id).where(m.ProjectOrganisation.organisation_id == oid)
        as_client = (select(m.Assignment.project_id)
                     .join(m.AssignmentClient, m.AssignmentClient.assignment_id == m.Assignment.id)
                     .where(m.AssignmentClient.organisation_id == oid))
        if f.role == "client":
            conds.append(J.id.in_(as_client))
        elif f.role:
            conds.append(J.id.in_(by_role.where(m.ProjectOrganisation.role == f.role)))
        else:
            conds.append(or_(J.id.in_(by_role), J.id.in_(as_client)))
    if f.ids is not None:
        conds.append(J.id.in_(f.ids))
    q = select(J.id)
    return q.where(and_(*conds)) if conds else q


def active_in_year(year: int) -> Any:
    """A project is active in Y if it has an assignment in Y, its dates cover Y, or it has an output dated Y."""
    J = m.Project
    from datetime import date

    first, last = date(year, 1, 1), date(year, 12, 31)
    return or_(
        J.id.in_(select(m.Assignment.project_id).where(m.Assignment.year == year)),
        and_(J.start.is_not(None), J.start <= last, or_(J.end.is_(None), J.end >= first)),
        J.id.in_(select(m.PublicationProject.project_id)
                 .join(m.Publication, m.Publication.id == m.PublicationProject.publication_id)
                 .where(m.Publication.year == year)),
    )


def organisation_query(cat: Catalogue, f: Filter) -> Select:
    O = m.Organisation
    conds: list[Any] = []
    if f.text:
        norm = fold_words(f.text)
        conds.append(O.id.in_(select(m.OrganisationAlias.organisation_id).where(m.OrganisationAlias.norm.contains(norm))))
    if f.role:
        conds.append(O.id.in_(select(m.ProjectOrganisation.organisation_id).where(m.ProjectOrganisation.role == f.role))
                     if f.role != "client" else
                     O.id.in_(select(m.AssignmentClient.organisation_id)))
    if f.project:
        pid = Resolver(cat).one(m.Project, f.project)
        conds.append(O.id.in_(select(m.ProjectOrganisation.organisation_id).where(m.ProjectOrganisation.project_id == pid)))
    q = select(O.id)
    return q.where(and_(*conds)) if conds else q


def person_query(cat: Catalogue, f: Filter) -> Select:
    Pe = m.Person
    conds: list[Any] = []
    if f.text and "," in f.text:  # "Hoex, Lot" typed as lists write names
        from kbase.catalogue.lookup import person_ids

        conds.append(Pe.id.in_(person_ids(cat, f.text, typing=True)))
    elif f.text:
        norm = fold_words(f.text)
        conds.append(Pe.id.in_(select(m.PersonAlias.person_id).where(m.PersonAlias.norm.contains(norm))))
    if f.organisation:
        oid = Resolver(cat).one(m.Organisation, f.organisation)
        conds.append(Pe.id.in_(select(m.PersonOrganisation.person_id).where(m.PersonOrganisation.organisation_id == oid)))
    if f.role or f.year_from is not None or f.year_to is not None:
        conds.append(Pe.id.in_(_people_in_role(f)))
    q = select(Pe.id)
    return q.where(and_(*conds)) if conds else q


def _people_in_role(f: Filter) -> Select:
    """People who held the role (any role without one) at some time in the filter's years."""
    from datetime import date

    _years(f)
    R = m.PersonRole
    conds: list[Any] = []
    if f.role:
        if f.role not in m.PERSON_ROLES:
            raise InvalidInput(f"unknown person role {f.role!r} (one of: {', '.join(m.PERSON_ROLES)})")
        conds.append(R.role == f.role)
    if f.year_to is not None:
        conds.append(or_(R.start.is_(None), R.start <= date(f.year_to, 12, 31)))
    if f.year_from is not None:
        conds.append(or_(R.end.is_(None), R.end >= date(f.year_from, 1, 1)))
    return select(R.person_id).where(*conds)


def event_query(cat: Catalogue, f: Filter) -> Select:
    _years(f)
    E = m.Event
    conds: list[Any] = []
    from datetime import date

    if f.year_from is not None:
        conds.append(E.date >= date(f.year_from, 1, 1))
    if f.year_to is not None:
        conds.append(E.date <= date(f.year_to, 12, 31))
    if f.person:
        pid = Resolver(cat).one(m.Person, f.person)
        conds.append(E.id.in_(select(m.EventPerson.event_id).where(m.EventPerson.person_id == pid)))
    if f.project:
        conds.append(E.project_id == Resolver(cat).one(m.Project, f.project))
    if f.visibility:
        conds.append(E.visibility.in_(f.visibility))
    if f.text:
        conds.append(func.lower(E.title).contains(f.text.lower()))
    q = select(E.id)
    return q.where(and_(*conds)) if conds else q


def region_query(cat: Catalogue, f: Filter) -> Select:
    R = m.Region
    conds: list[Any] = []
    if f.region:
        conds.append(R.id.in_(Resolver(cat).regions_below(f.region)))
    if f.text:
        conds.append(R.id.in_(select(m.RegionAlias.region_id).where(m.RegionAlias.norm.contains(fold_words(f.text)))))
    q = select(R.id)
    return q.where(and_(*conds)) if conds else q


def simple_query(model: type[SQLModel], f: Filter) -> Select:
    q = select(model.id)  # type: ignore[attr-defined]
    if f.text:
        q = q.where(func.lower(model.name).contains(f.text.lower()))  # type: ignore[attr-defined]
    return q


BUILDERS = {
    "publication": publication_query,
    "project": project_query,
    "organisation": organisation_query,
    "person": person_query,
    "event": event_query,
    "region": region_query,
}


def _in_collection(cat: Catalogue, kind: str, f: Filter, q: Select) -> Select:
    """The collection filter for records other than publications (publication_query has its own)."""
    if not f.collection or kind == "publication":
        return q
    model = m.RECORD_TYPES[kind]
    return q.where(model.id.in_(Resolver(cat).collection_members(f.collection, kind)))  # type: ignore[attr-defined]


def find_ids(cat: Catalogue, kind: str, f: Filter | None = None, sort: str | None = None,
             descending: bool = False, limit: int | None = None, offset: int = 0) -> list[int]:
    """IDs of the records of one kind that pass f, sorted in the database."""
    f = f or Filter()
    model = m.RECORD_TYPES[kind]
    builder = BUILDERS.get(kind)
    q = _in_collection(cat, kind, f, builder(cat, f) if builder else simple_query(model, f))
    sorts = SORTS.get(kind, {"id": model.id})  # type: ignore[attr-defined]
    key = sorts.get(sort or next(iter(sorts)))
    if key is None:
        raise InvalidInput(f"cannot sort {kind} by {sort!r} (one of: {', '.join(sorts)})")
    order = [key.desc() if descending else key.asc(), model.id.desc() if descending else model.id.asc()]  # type: ignore[attr-defined]
    if kind == "publication" and sort == "year":
        order.insert(1, m.Publication.month.desc() if descending else m.Publication.month.asc())
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
    with cat.reading() as s:
        by_id = {o.id: o for o in s.scalars(select(model).where(model.id.in_(list(ids))))}  # type: ignore[attr-defined]
    return [by_id[i] for i in ids if i in by_id]


def publications_per_year(cat: Catalogue) -> dict[int, int]:
    """How many publications each year has (years with none, and undated publications, left out)."""
    with cat.reading() as s:
        return dict(s.execute(select(m.Publication.year, func.count()).where(m.Publication.year.is_not(None))
                              .group_by(m.Publication.year)).all())


def attachment_ids(cat: Catalogue, publication_ids: Sequence[int]) -> dict[int, list[int]]:
    """The IDs of the files attached to each of these publications (publications without any left out)."""
    out: dict[int, list[int]] = {}
    with cat.reading() as s:
        for a_id, pub_id in s.execute(select(m.Attachment.id, m.Attachment.publication_id)
                                      .where(m.Attachment.publication_id.in_(list(publication_ids)))
                                      .order_by(m.Attachment.id)):
            out.setdefault(pub_id, []).append(a_id)
    return out


__all__ = ["Filter", "find_ids", "count", "load", "active_in_year", "publications_per_year", "attachment_ids",
           "NotFound"]
