"""Index documents built from the catalogue: one per publication's metadata, one per page."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from sqlalchemy import select
from sqlmodel import Session, col

from kbase.library import models as m

FACETS = ("type", "year", "series", "project", "programme", "region", "organisation", "subject", "language")
CHUNK = 500


@dataclass
class PubInfo:
    """Everything the index knows about one publication, read from the database."""

    id: int
    title: str
    subtitle: str = ""
    abstract: str = ""
    year: int | None = None
    month: int | None = None
    visibility: str = "public"
    language: str = ""
    contributors: list[str] = field(default_factory=list)  # names and aliases
    texts: list[str] = field(default_factory=list)  # series, subjects, projects, … names
    facets: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def add_facet(self, name: str, value: Any, label: str | None) -> None:
        value = str(value)
        if all(v != value for v, _ in self.facets[name]):
            self.facets[name].append((value, label or value))

    def facet_fields(self) -> dict[str, str]:
        """Space-separated keyword values (IDs, or the type with spaces made underscores).

        Visibility is not among them: search reads it from the metadata document's info."""
        return {name: " ".join(v.replace(" ", "_") for v, _ in self.facets.get(name, [])) for name in FACETS}

    def meta_document(self) -> dict[str, Any]:
        return signed(self._meta_document())

    def _meta_document(self) -> dict[str, Any]:
        body = "\n".join([self.title, self.subtitle, self.abstract, *self.contributors, *self.texts])
        return {
            "key": f"p{self.id}", "kind": "pub", "pub": str(self.id),
            "text_en": body, **({} if self.language.startswith("en") else {"text_fr": body}),
            "title": f"{self.title} {self.subtitle}", "author": " ".join(self.contributors),
            "abstract": self.abstract,
            "info": json.dumps({"date": (self.year or 0) * 100 + (self.month or 0), "visibility": self.visibility,
                                "facets": {k: v for k, v in self.facets.items() if v}}, ensure_ascii=False),
            **self.facet_fields(),
        }

    def page_document(self, attachment_id: int, page: int, text: str) -> dict[str, Any]:
        return signed({
            "key": f"a{attachment_id}:{page}", "kind": "page", "pub": str(self.id),
            "att": str(attachment_id), "page": page, "text_en": text,
            # French stems only where French may be written: a page of an English publication
            # skips them (a third fewer postings, and no French stems colliding with English words)
            **({} if self.language.startswith("en") else {"text_fr": text}),
            "title": f"{self.title} {self.subtitle}", "author": " ".join(self.contributors),
            **self.facet_fields(),
        })


def signed(doc: dict[str, Any]) -> dict[str, Any]:
    """Adds `sig`, a checksum of the document's content, so `kbase check` can spot stale documents."""
    crc = 0
    for key in sorted(doc):
        crc = zlib.crc32(f"{key}={doc[key]}\x00".encode("utf-8", "surrogatepass"), crc)
    doc["sig"] = crc
    return doc


def saved_id(value: int | None) -> int:
    """A saved row's primary key (SQLModel types it int | None: a new object has none until the insert)."""
    if value is None:
        raise ValueError("a row read from the catalogue has no ID")
    return value


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def load_pubs(s: Session, pub_ids: Iterable[int]) -> dict[int, PubInfo]:
    """PubInfo for the given publications (missing ones are left out), in a few queries."""
    ids = sorted(set(pub_ids))
    out: dict[int, PubInfo] = {}
    regions = {saved_id(r.id): r for r in s.scalars(select(m.Region))}
    for chunk in _chunks(ids):
        _load_chunk(s, chunk, out, regions)
    return out


def _load_chunk(s: Session, ids: list[int], out: dict[int, PubInfo], regions: dict[int, m.Region]) -> None:
    P = m.Publication
    series: dict[int | None, str] = dict(s.execute(select(col(m.Series.id), col(m.Series.name))).all())
    for p in s.scalars(select(P).where(col(P.id).in_(ids))):
        info = PubInfo(id=saved_id(p.id), title=p.title or "", subtitle=p.subtitle or "", abstract=p.abstract or "",
                       year=p.year, month=p.month, visibility=p.visibility or "public",
                       language=(p.language or "").lower())
        info.add_facet("type", p.type, p.type)
        if p.year:
            info.add_facet("year", p.year, str(p.year))
        if p.language:
            info.add_facet("language", p.language.lower(), p.language)
        if p.series_id:
            info.add_facet("series", p.series_id, series.get(p.series_id))
            info.texts.append(series.get(p.series_id, ""))
        if p.place:
            info.texts.append(p.place)
        out[info.id] = info
        if p.publisher_id:
            info.facets.setdefault("_publisher", []).append((str(p.publisher_id), ""))
    # a publication another desktop restores between these reads has links but no row here: its
    # own change brings it in later
    ids = [i for i in ids if i in out]
    _contributors(s, ids, out)
    _projects(s, ids, out, regions)
    for pid, sid, name in s.execute(
        select(col(m.PublicationSubject.publication_id), col(m.Subject.id), col(m.Subject.name))
        .join(m.Subject, col(m.Subject.id) == col(m.PublicationSubject.subject_id))
        .where(col(m.PublicationSubject.publication_id).in_(ids))
    ):
        out[pid].add_facet("subject", sid, name)
        out[pid].texts.append(name)
    for pid, rid in s.execute(select(col(m.PublicationRegion.publication_id), col(m.PublicationRegion.region_id))
                              .where(col(m.PublicationRegion.publication_id).in_(ids))):
        _add_region(out[pid], rid, regions)
    for pid, note in s.execute(select(col(m.Note.record_id), col(m.Note.text))  # a word in a note finds the publication
                               .where(col(m.Note.kind) == "publication", col(m.Note.record_id).in_(ids))
                               .order_by(col(m.Note.record_id), col(m.Note.id))):
        if pid in out:
            out[pid].texts.append(note)


def _add_region(info: PubInfo, region_id: int, regions: dict[int, m.Region]) -> None:
    region = regions.get(region_id)
    if region is None:
        return
    # a territory counts under its province and its country too
    for anc in [int(x) for x in region.path.strip("/").split("/") if x] or [saved_id(region.id)]:
        r = regions.get(anc)
        if r is not None:
            info.add_facet("region", r.id, r.name)
    info.texts.extend(n for n in (region.name, region.name_fr, region.name_local) if n)


def _org_names(s: Session, org_ids: set[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    Org = m.Organisation
    for chunk in _chunks(sorted(org_ids)):
        for oid, name in s.execute(select(col(Org.id), col(Org.name)).where(col(Org.id).in_(chunk))):
            names[oid].insert(0, name)
        for oid, alias in s.execute(select(col(m.OrganisationAlias.organisation_id), col(m.OrganisationAlias.alias))
                                    .where(col(m.OrganisationAlias.organisation_id).in_(chunk))):
            if alias not in names[oid]:
                names[oid].append(alias)
    return names


def _contributors(s: Session, ids: list[int], out: dict[int, PubInfo]) -> None:
    C = m.Contributor
    rows = list(s.execute(select(col(C.publication_id), col(C.person_id), col(C.organisation_id))
                          .where(col(C.publication_id).in_(ids)).order_by(col(C.position))))
    person_ids = {r[1] for r in rows if r[1]}
    people: dict[int, list[str]] = defaultdict(list)
    PA = m.PersonAlias
    for chunk in _chunks(sorted(person_ids)):
        for pid, name in s.execute(select(col(m.Person.id), col(m.Person.name)).where(col(m.Person.id).in_(chunk))):
            people[pid].insert(0, name)
        for pid, alias in s.execute(select(col(PA.person_id), col(PA.alias)).where(col(PA.person_id).in_(chunk))):
            if alias not in people[pid]:
                people[pid].append(alias)
    publishers = {i: int(info.facets.pop("_publisher")[0][0]) for i, info in out.items() if "_publisher" in info.facets}
    org_ids = {r[2] for r in rows if r[2]} | set(publishers.values())
    orgs = _org_names(s, org_ids)
    for pub_id, person_id, org_id in rows:
        info = out[pub_id]
        if person_id:
            info.contributors.extend(people.get(person_id, []))
        if org_id:
            info.contributors.extend(orgs.get(org_id, []))
            info.add_facet("organisation", org_id, next(iter(orgs.get(org_id, ())), None))
    for pub_id, org_id in publishers.items():
        info = out[pub_id]
        info.add_facet("organisation", org_id, next(iter(orgs.get(org_id, ())), None))
        info.texts.extend(orgs.get(org_id, []))


def _projects(s: Session, ids: list[int], out: dict[int, PubInfo], regions: dict[int, m.Region]) -> None:
    J, PP = m.Project, m.PublicationProject
    rows = list(s.execute(
        select(col(PP.publication_id), col(J.id), col(J.title), col(J.short_name), col(J.programme_id))
        .join(J, col(J.id) == col(PP.project_id)).where(col(PP.publication_id).in_(ids))
    ))
    if not rows:
        return
    project_ids = sorted({r[1] for r in rows})
    programmes: dict[int | None, str] = dict(s.execute(select(col(m.Programme.id), col(m.Programme.name))).all())
    partners: dict[int, set[int]] = defaultdict(set)
    for pj, oid in s.execute(select(col(m.ProjectOrganisation.project_id), col(m.ProjectOrganisation.organisation_id))
                             .where(col(m.ProjectOrganisation.project_id).in_(project_ids))):
        partners[pj].add(oid)
    for pj, oid in s.execute(select(col(m.Assignment.project_id), col(m.AssignmentClient.organisation_id))
                             .join(m.AssignmentClient, col(m.AssignmentClient.assignment_id) == col(m.Assignment.id))
                             .where(col(m.Assignment.project_id).in_(project_ids))):
        partners[pj].add(oid)
    orgs = _org_names(s, set().union(*partners.values()) if partners else set())
    for pub_id, pj, title, short, programme_id in rows:
        info = out[pub_id]
        info.add_facet("project", pj, short or title)
        info.texts.extend(t for t in (title, short) if t)
        if programme_id:
            info.add_facet("programme", programme_id, programmes.get(programme_id))
            info.texts.append(programmes.get(programme_id, ""))
        for oid in sorted(partners.get(pj, ())):
            info.add_facet("organisation", oid, next(iter(orgs.get(oid, ())), None))


def affected_publications(s: Session, kind: str, record_id: int) -> set[int]:
    """Publications whose index documents show something of the changed record."""
    PP, C, P = m.PublicationProject, m.Contributor, m.Publication
    pubs = col(PP.publication_id)
    if kind == "project":
        return set(s.scalars(select(pubs).where(col(PP.project_id) == record_id)))
    if kind == "person":
        return set(s.scalars(select(col(C.publication_id)).where(col(C.person_id) == record_id)))
    if kind == "organisation":
        via_project = select(pubs).join(m.ProjectOrganisation, col(m.ProjectOrganisation.project_id) == PP.project_id) \
            .where(col(m.ProjectOrganisation.organisation_id) == record_id)
        via_client = select(pubs).join(m.Assignment, col(m.Assignment.project_id) == PP.project_id) \
            .join(m.AssignmentClient, col(m.AssignmentClient.assignment_id) == m.Assignment.id) \
            .where(col(m.AssignmentClient.organisation_id) == record_id)
        return (set(s.scalars(select(col(C.publication_id)).where(col(C.organisation_id) == record_id)))
                | {saved_id(i) for i in s.scalars(select(col(P.id)).where(col(P.publisher_id) == record_id))}
                | set(s.scalars(via_project)) | set(s.scalars(via_client)))
    if kind == "series":
        return {saved_id(i) for i in s.scalars(select(col(P.id)).where(col(P.series_id) == record_id))}
    if kind == "subject":
        PS = m.PublicationSubject
        return set(s.scalars(select(col(PS.publication_id)).where(col(PS.subject_id) == record_id)))
    if kind == "programme":
        return set(s.scalars(select(pubs).join(m.Project, col(m.Project.id) == PP.project_id)
                             .where(col(m.Project.programme_id) == record_id)))
    if kind == "region":
        region = s.get(m.Region, record_id)
        if region is None:  # deleted: its links are gone, the publications were logged with them
            return set()
        below = select(col(m.Region.id)).where(col(m.Region.path).startswith(region.path))
        PR = m.PublicationRegion
        return set(s.scalars(select(col(PR.publication_id)).where(col(PR.region_id).in_(below))))
    return set()


def pages_of(s: Session, attachment_ids: list[int]) -> Iterator[tuple[int, int, str]]:
    """(attachment_id, page, text) rows, streamed in batches so memory stays flat."""
    for chunk in _chunks(sorted(attachment_ids)):
        T = m.PageText
        q = (select(col(T.attachment_id), col(T.page), col(T.text))
             .where(col(T.attachment_id).in_(chunk)).order_by(col(T.attachment_id), col(T.page)))
        yield from s.execute(q.execution_options(yield_per=200))
