"""A record's editable state (fields + link sets), read from and written back through the Catalogue:
what the editors and undo use."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.assignments import save_assignment
from kbase.catalogue.columns import key, stored_id, table_of
from kbase.catalogue.organisations import add_display_alias, set_linked_organisations
from kbase.catalogue.records import Catalogue
from kbase.catalogue.roles import add_role, remove_role
from kbase.library import models as m
from kbase.text import fold_words

# Fields an editor may change, per record kind.
FIELDS: dict[str, tuple[str, ...]] = {
    "publication": ("title", "subtitle", "type", "year", "month", "month_end", "series_id", "number",
                    "language", "abstract", "url", "publisher_id", "place", "isbn", "doi", "pages",
                    "container", "visibility", "period_start", "period_end", "editors_et_al"),
    "project": ("title", "short_name", "programme_id", "summary", "start", "end", "url", "visibility"),
    "organisation": ("name", "acronym", "kind", "country", "url", "notes", "parent_id", "part_kind"),
    "person": ("name", "role", "title", "email", "notes"),
    "region": ("name", "name_fr", "name_local", "level", "parent_id"),
    "event": ("title", "kind", "date", "end_date", "place", "description", "project_id", "visibility"),
}
# names that are always kept as aliases, whatever the alias list says
_NAME_FIELDS = ("name", "acronym", "name_fr", "name_local")
_SIMPLE_LINKS: dict[str, dict[str, tuple[type, str, str]]] = {
    # link name -> (link model, own key, other key)
    "publication": {"projects": (m.PublicationProject, "publication_id", "project_id"),
                    "regions": (m.PublicationRegion, "publication_id", "region_id"),
                    "subjects": (m.PublicationSubject, "publication_id", "subject_id")},
    "project": {"regions": (m.ProjectRegion, "project_id", "region_id"),
                "subjects": (m.ProjectSubject, "project_id", "subject_id")},
}


@dataclass
class RecordState:
    """Everything an editor shows of one record; equal states mean nothing to save."""

    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> "RecordState":
        return copy.deepcopy(self)


def empty_state(kind: str) -> RecordState:
    """The state of a new record of kind: no values, public, empty link sets."""
    state = RecordState(kind, {name: None for name in FIELDS[kind]})
    for name in ("visibility",):
        if name in state.fields:
            state.fields[name] = "public"
    if kind == "publication":
        state.fields["type"] = "report"
        state.fields["editors_et_al"] = False
        state.links = {"contributors": [], "projects": [], "regions": [], "subjects": [], "funders": [],
                       "supporters": []}
    elif kind == "project":
        state.links = {"partners": [], "funders": [], "assignments": {}, "assignment_details": {},
                       "regions": [], "subjects": []}
    elif kind == "organisation" or kind == "region":
        state.links = {"aliases": []}
        if kind == "region":
            state.fields["level"] = "country"
    elif kind == "person":
        state.links = {"aliases": [], "organisations": [], "roles": []}
    elif kind == "event":
        state.links = {"people": [], "organisers": [], "hosts": []}
    return state


def read_state(cat: Catalogue, kind: str, record_id: int) -> RecordState:
    """The record's editable fields, version and link sets (IDs), as an editor shows them."""
    model = m.RECORD_TYPES[kind]
    obj = cat.get(model, record_id)
    state = RecordState(kind, {name: getattr(obj, name) for name in FIELDS[kind]})
    state.fields["version"] = obj.version
    with cat.reading() as s:
        for name, (link, own, other) in _SIMPLE_LINKS.get(kind, {}).items():
            table = table_of(link)
            state.links[name] = sorted(s.scalars(select(table.c[other]).where(table.c[own] == record_id)))
        if kind == "publication":
            rows = s.scalars(select(m.Contributor).where(col(m.Contributor.publication_id) == record_id)
                             .order_by(col(m.Contributor.position)))
            state.links["contributors"] = [
                (c.role, "person", c.person_id) if c.person_id else (c.role, "organisation", c.organisation_id)
                for c in rows]
            PO = m.PublicationOrganisation
            for role in m.PUBLICATION_ORG_ROLES:
                state.links[role + "s"] = list(s.scalars(
                    select(col(PO.organisation_id))
                    .where(col(PO.publication_id) == record_id, col(PO.role) == role)
                    .order_by(col(PO.position))))
        elif kind == "project":
            for role, name in (("partner", "partners"), ("funder", "funders")):
                state.links[name] = list(s.scalars(
                    select(col(m.ProjectOrganisation.organisation_id))
                    .where(col(m.ProjectOrganisation.project_id) == record_id, col(m.ProjectOrganisation.role) == role)
                    .order_by(col(m.ProjectOrganisation.position))))
            assignments: dict[int, list[int]] = {}
            details: dict[int, dict[str, Any]] = {}
            for a in s.scalars(select(m.Assignment).where(col(m.Assignment.project_id) == record_id)):
                clients = list(s.scalars(select(m.AssignmentClient)
                                         .where(col(m.AssignmentClient.assignment_id) == a.id)
                                         .order_by(col(m.AssignmentClient.position))))
                assignments[a.year] = [c.organisation_id for c in clients]
                details[a.year] = {"title": a.title, "reference": a.reference, "note": a.note,
                                   "separator": a.client_separator,
                                   "labels": {c.organisation_id: c.label for c in clients if c.label}}
            state.links["assignments"] = dict(sorted(assignments.items()))
            state.links["assignment_details"] = dict(sorted(details.items()))
        elif kind == "person":
            state.links["organisations"] = sorted(s.scalars(
                select(key(m.PersonOrganisation.organisation_id))
                .where(col(m.PersonOrganisation.person_id) == record_id)))
            state.links["roles"] = [(r.role, r.title, r.start, r.end) for r in s.scalars(
                select(m.PersonRole).where(col(m.PersonRole.person_id) == record_id).order_by(col(m.PersonRole.id)))]
        elif kind == "event":
            state.links["people"] = list(s.scalars(
                select(col(m.EventPerson.person_id)).where(col(m.EventPerson.event_id) == record_id)
                .order_by(col(m.EventPerson.position))))
            for role in ("organiser", "host"):
                state.links[role + "s"] = list(s.scalars(
                    select(col(m.EventOrganisation.organisation_id))
                    .where(col(m.EventOrganisation.event_id) == record_id, col(m.EventOrganisation.role) == role)
                    .order_by(col(m.EventOrganisation.position))))
    if kind in ("organisation", "person", "region"):
        state.links["aliases"] = cat.aliases(model, record_id)
    return state


def changed(before: RecordState, after: RecordState) -> bool:
    """True when after differs from before in a field (the version aside) or a link set."""
    plain = {k: v for k, v in before.fields.items() if k != "version"}
    return plain != {k: v for k, v in after.fields.items() if k != "version"} or before.links != after.links


def write_state(cat: Catalogue, kind: str, record_id: int, state: RecordState,
                expected_version: int | None = None) -> None:
    """Make the record match state: fields, then every link set, in one transaction."""
    model = m.RECORD_TYPES[kind]
    values = {k: v for k, v in state.fields.items() if k != "version"}
    with cat.transaction():
        cat.update(model, record_id, expected_version=expected_version, **values)
        _write_links(cat, kind, record_id, state.links)


def create_record(cat: Catalogue, kind: str, state: RecordState) -> int:
    """A new record with state's fields and links, in one transaction; returns its ID."""
    model = m.RECORD_TYPES[kind]
    values = {k: v for k, v in state.fields.items() if k != "version"}
    with cat.transaction():
        rid = int(cat.add(model, **values).id)
        _write_links(cat, kind, rid, state.links)
        return rid


def _write_links(cat: Catalogue, kind: str, rid: int, links: dict[str, Any]) -> None:
    for name, (link, own, other) in _SIMPLE_LINKS.get(kind, {}).items():
        if name in links:
            cat.unlink(link, **{own: rid})
            for target in dict.fromkeys(links[name]):
                cat.link(link, **{own: rid, other: target})
    if kind == "publication":
        _write_publication_links(cat, rid, links)
    elif kind == "project":
        _write_project_links(cat, rid, links)
    elif kind == "person":
        _write_person_links(cat, rid, links)
    elif kind == "event":
        _write_event_links(cat, rid, links)
    if "aliases" in links:
        _write_aliases(cat, kind, rid, links["aliases"])
    if kind == "organisation":
        with cat.transaction() as s:
            add_display_alias(cat, s, rid)


def _write_publication_links(cat: Catalogue, rid: int, links: dict[str, Any]) -> None:
    if "contributors" in links:
        cat.set_contributors(rid, [tuple(c) for c in links["contributors"]])
    for role in m.PUBLICATION_ORG_ROLES:
        if role + "s" in links:
            set_linked_organisations(cat, "publication", rid, role, links[role + "s"])


def _write_project_links(cat: Catalogue, rid: int, links: dict[str, Any]) -> None:
    for role, name in (("partner", "partners"), ("funder", "funders")):
        if name in links:
            cat.unlink(m.ProjectOrganisation, project_id=rid, role=role)
            for pos, oid in enumerate(dict.fromkeys(links[name])):
                cat.link(m.ProjectOrganisation, project_id=rid, organisation_id=oid, role=role, position=pos)
    if "assignments" in links:
        wanted = {int(y): c for y, c in links["assignments"].items()}
        details = {int(y): d for y, d in (links.get("assignment_details") or {}).items()}
        with cat.reading() as s:
            years = set(s.scalars(select(col(m.Assignment.year)).where(col(m.Assignment.project_id) == rid)))
        for year in years - set(wanted):
            cat.delete_assignment(rid, year)
        for year, clients in wanted.items():
            d = details.get(year, {})
            labels = d.get("labels") or {}
            save_assignment(cat, rid, year, clients=[(oid, labels.get(oid)) for oid in clients],
                            **{k: d[k] for k in ("title", "reference", "note", "separator") if k in d})


def _write_person_links(cat: Catalogue, rid: int, links: dict[str, Any]) -> None:
    if "roles" in links:
        _write_roles(cat, rid, links["roles"])
    if "organisations" in links:
        with cat.reading() as s:
            positions = {p.organisation_id: p.position for p in
                         s.scalars(select(m.PersonOrganisation).where(col(m.PersonOrganisation.person_id) == rid))}
        cat.unlink(m.PersonOrganisation, person_id=rid)
        for oid in dict.fromkeys(links["organisations"]):
            cat.link(m.PersonOrganisation, person_id=rid, organisation_id=oid, position=positions.get(oid))


def _write_event_links(cat: Catalogue, rid: int, links: dict[str, Any]) -> None:
    if "people" in links:
        cat.unlink(m.EventPerson, event_id=rid)
        for pos, pid in enumerate(dict.fromkeys(links["people"])):
            cat.link(m.EventPerson, event_id=rid, person_id=pid, position=pos)
    for role in ("organiser", "host"):
        if role + "s" in links:
            set_linked_organisations(cat, "event", rid, role, links[role + "s"])


def _write_roles(cat: Catalogue, rid: int, roles: list[tuple[Any, ...]]) -> None:
    """Replace the person's roles with (role, title, start, end) rows, when they changed."""
    with cat.reading() as s:
        current = [(stored_id(r.id), (r.role, r.title, r.start, r.end)) for r in s.scalars(
            select(m.PersonRole).where(col(m.PersonRole.person_id) == rid).order_by(col(m.PersonRole.id)))]
    if [row for _, row in current] == [tuple(r) for r in roles]:
        return
    for role_id, _ in current:
        remove_role(cat, role_id)
    for role, title, start, end in roles:
        add_role(cat, rid, role, title, start, end)


def _write_aliases(cat: Catalogue, kind: str, rid: int, aliases: list[str]) -> None:
    from kbase.catalogue.records import ALIAS_TABLES

    model = m.RECORD_TYPES[kind]
    alias_model, fk = ALIAS_TABLES[model]
    obj = cat.get(model, rid)
    keep = [a for a in aliases if a and a.strip()] + [getattr(obj, f, None) or "" for f in _NAME_FIELDS]
    wanted = {fold_words(a) for a in keep if a}
    aliases_table = table_of(alias_model)
    with cat.reading() as s:
        existing = set(s.scalars(select(aliases_table.c.norm).where(aliases_table.c[fk] == rid)))
    for norm in existing - wanted:
        cat.unlink(alias_model, **{fk: rid, "norm": norm})
    for alias in keep:
        if alias and fold_words(alias) not in existing:
            cat.add_alias(model, rid, alias.strip())


__all__ = ["RecordState", "FIELDS", "empty_state", "read_state", "write_state", "create_record", "changed"]
