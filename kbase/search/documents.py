"""Index documents built from the catalogue: one per publication's metadata, one per page."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from sqlalchemy import select
from sqlmodel import Session

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


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def load_pubs(s: Session, pub_ids: Iterable[int]) -> dict[int, PubInfo]:
    """PubInfo for the given publications (missing ones are left out), in a few queries."""
    ids = sorted(set(pub_ids))
    out: dict[int, PubInfo] = {}
    regions = {r.id: r for r in s.scalars(select(m.Region))}
    for chunk in _chunks(ids):
        _load_chunk(s, chunk, out, regions)
    return out


def _load_chunk(s: Session, ids: list[int], out: dict[int, PubInfo], regions: dict[int, m.Region]) -> None:
    P = m.Publication
    series: dict[int, str] = dict(s.execute(select(m.Series.id, m.Series.name)).all())  # type: ignore[arg-type]
    for p in s.scalars(select(P).where(P.id.in_(ids))):
        info = PubInfo(id=p.id, title=p.title or "", subtitle=p.subtitle or "", abstract=p.abstract or "",
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
        out[p.id] = info
        if p.publisher_id:
            info.facets.setdefault("_publisher", []).append((str(p.publisher_id), ""))
    _contributors(s, ids, out)
    _projects(s, ids, out, regions)
    for pid, sid, name in s.execute(
        select(m.PublicationSubject.publication_id, m.Subject.id, m.Subject.name)
        .join(m.Subject, m.Subject.id == m.PublicationSubject.subject_id)
        .where(m.PublicationSubject.publication_id.in_(ids))
    ):
        out[pid].add_facet("subject", sid, name)
        out[pid].texts.append(name)
    for pid, rid in s.execute(select(m.PublicationRegion.publication_id, m.PublicationRegion.region_id)
                              .where(m.PublicationRegion.publication_id.in_(ids))):
        _add_region(out[pid], rid, regions)
    for pid, note in s.execute(select(m.Note.record_id, m.Note.text)  # a word in a note finds the publication
                               .where(m.Note.kind == "publication", m.Note.record_id.in_(ids))
                               .order_by(m.Note.record_id, m.Note.id)):
        if pid in out:
            out[pid].texts.append(note)


def _add_region(info: PubInfo, region_id: int, regions: dict[int, m.Region]) -> None:
    region = regions.get(region_id)
    if region is None:
        return
    # a territory counts under its province and its country too
    for anc in [int(x) for x in region.path.strip("/").split("/") if x] or [region.id]:
        r = regions.get(anc)
        if r is not None:
            info.add_facet("region", r.id, r.name)
    info.texts.extend(n for n in (region.name, region.name_fr, region.name_local) if n)


def _org_names(s: Session, org_ids: set[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(org_ids)):
        for oid, name in s.execute(select(m.Organisation.id, m.Organisation.name).where(m.Organisation.id.in_(chunk))):
            names[oid].insert(0, name)
        for oid, alias in s.execute(select(m.OrganisationAlias.organisation_id, m.OrganisationAlias.alias)
                                    .where(m.OrganisationAlias.organisation_id.in_(chunk))):
            if alias not in names[oid]:
                names[oid].append(alias)
    return names


def _contributors(s: Session, ids: list[int], out: dict[int, PubInfo]) -> None:
    rows = list(s.execute(select(m.Contributor.publication_id, m.Contributor.person_id, m.Contributor.organisation_id)
                          .where(m.Contributor.publication_id.in_(ids)).order_by(m.Contributor.position)))
    person_ids = {r[1] for r in rows if r[1]}
    people: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(person_ids)):
        for pid, name in s.execute(select(m.Person.id, m.Person.name).where(m.Person.id.in_(chunk))):
            people[pid].insert(0, name)
        for pid, alias in s.execute(select(m.PersonAlias.person_id, m.PersonAlias.alias).where(m.PersonAlias.person_id.in_(chunk))):
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
            info.add_facet("organisation", org_id, (orgs.get(org_id) or [None])[0])
    for pub_id, org_id in publishers.items():
        info = out[pub_id]
        info.add_facet("organisation", org_id, (orgs.get(org_id) or [None])[0])
        info.texts.extend(orgs.get(org_id, []))


def _projects(s: Session, ids: list[int], out: dict[int, PubInfo], regions: dict[int, m.Region]) -> None:
    J = m.Project
    rows = list(s.execute(
        select(m.PublicationProject.publication_id, J.id, J.title, J.short_name, J.programme_id)
        .join(J, J.id == m.PublicationProject.project_id).where(m.PublicationProject.publication_id.in_(ids))
    ))
    if not rows:
        return
    project_ids = sorted({r[1] for r in rows})
    programmes: dict[int, str] = dict(s.execute(select(m.Programme.id, m.Programme.name)).all())  # type: ignore[arg-type]
    partners: dict[int, set[int]] = defaultdict(set)
    for pj, oid in s.execute(select(m.ProjectOrganisation.project_id, m.ProjectOrganisation.organisation_id)
                             .where(m.ProjectOrganisation.project_id.in_(project_ids))):
        partners[pj].add(oid)
    for pj, oid in s.execute(select(m.Assignment.project_id, m.AssignmentClient.organisation_id)
                             .join(m.AssignmentClient, m.AssignmentClient.assignment_id == m.Assignment.id)
                             .where(m.Assignment.project_id.in_(project_ids))):
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
            info.add_facet("organisation", oid, (orgs.get(oid) or [None])[0])


def affected_publications(s: Session, kind: str, record_id: int) -> set[int]:
    """Publications whose index documents show something of the changed record."""
    PP, C = m.PublicationProject, m.Contributor
    if kind == "project":
        return set(s.scalars(select(PP.publication_id).where(PP.project_id == record_id)))
    if kind == "person":
        return set(s.scalars(select(C.publication_id).where(C.person_id == record_id)))
    if kind == "organisation":
        via_project = select(PP.publication_id).join(m.ProjectOrganisation, m.ProjectOrganisation.project_id == PP.project_id) \
            .where(m.ProjectOrganisation.organisation_id == record_id)
        via_client = select(PP.publication_id).join(m.Assignment, m.Assignment.project_id == PP.project_id) \
            .join(m.AssignmentClient, m.AssignmentClient.assignment_id == m.Assignment.id) \
            .where(m.AssignmentClient.organisation_id == record_id)
        return (set(s.scalars(select(C.publication_id).where(C.organisation_id == record_id)))
                | set(s.scalars(select(m.Publication.id).where(m.Publication.publisher_id == record_id)))
                | set(s.scalars(via_project)) | set(s.scalars(via_client)))
    if kind == "series":
        return set(s.scalars(select(m.Publication.id).where(m.Publication.series_id == record_id)))
    if kind == "subject":
        return set(s.scalars(select(m.PublicationSubject.publication_id).where(m.PublicationSubject.subject_id == record_id)))
    if kind == "programme":
        return set(s.scalars(select(PP.publication_id).join(m.Project, m.Project.id == PP.project_id)
                             .where(m.Project.programme_id == record_id)))
    if kind == "region":
        region = s.get(m.Region, record_id)
        if region is None:  # deleted: its links are gone, the publications were logged with them
            return set()
        below = select(m.Region.id).where(m.Region.path.startswith(region.path))
        return set(s.scalars(select(m.PublicationRegion.publication_id).where(m.PublicationRegion.region_id.in_(below))))
    return set()


def pages_of(s: Session, attachment_ids: list[int]) -> Iterator[tuple[int, int, str]]:
    """(attachment_id, page, text) rows, streamed in batches so memory stays flat."""
    for chunk in _chunks(sorted(attachment_ids)):
        q = (select(m.PageText.attachment_id, m.PageText.page, m.PageText.text)
             .where(m.PageText.attachment_id.in_(chunk)).order_by(m.PageText.attachment_id, m.PageText.page))
        yield from s.execute(q.execution_options(yield_per=200))
