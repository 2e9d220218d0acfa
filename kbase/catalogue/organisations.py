"""Organisations that are parts of larger bodies, how they print, and the bodies linked to outputs and events.

A programme, instrument, department or consortium of a larger body has that body as its parent
and prints with it: an instrument or a department after a comma ("European Commission,
Instrument contributing to Stability and Peace"), a programme after a dash ("USAID – Integrated
Land and Resource Governance project"), a consortium member after a slash ("DFID/Concordis").
A dash or a slash joins the parent's short name (its acronym: "USAID"), a comma its full name.
The display form is also kept as an alias, so a name written either way finds the record."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import delete, select
from sqlmodel import Session, SQLModel, col

from kbase.catalogue.columns import key, table_of
from kbase.catalogue.names import add_aliases
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m

__all__ = ["PART_FORMS", "display_form", "display_names", "set_parent", "parts_of",
           "set_linked_organisations", "linked_organisations", "LINK_MODELS"]

PART_FORMS = {"instrument": "{parent}, {name}", "department": "{parent}, {name}",
              "programme": "{short} – {name}", "consortium": "{short}/{name}"}
# record kind -> (link model, its key to the record, the roles it takes)
LINK_MODELS: dict[str, tuple[type[SQLModel], str, Sequence[str]]] = {
    "publication": (m.PublicationOrganisation, "publication_id", m.PUBLICATION_ORG_ROLES),
    "event": (m.EventOrganisation, "event_id", m.EVENT_ORG_ROLES),
}


def display_form(name: str, parent: str | None = None, part_kind: str | None = None,
                 parent_acronym: str | None = None) -> str:
    """How a report or a list prints the organisation: with its parent body when it is a part of one."""
    if not parent:
        return name
    if parent.lower() in name.lower():  # "European Commission Directorate-General…" names its parent already
        return name
    return PART_FORMS.get(part_kind or "", PART_FORMS["programme"]).format(
        parent=parent, short=parent_acronym or parent, name=name)


def display_names(s: Session, ids: Iterable[int]) -> dict[int, str]:
    """{id: display form} for these organisations, in one query (their parents joined)."""
    wanted = list(dict.fromkeys(i for i in ids if i is not None))
    if not wanted:
        return {}
    Org, P = m.Organisation, table_of(m.Organisation).alias("parent_org")
    rows = s.execute(select(col(Org.id), col(Org.name), col(Org.part_kind), P.c.name, P.c.acronym)
                     .outerjoin(P, P.c.id == col(Org.parent_id)).where(col(Org.id).in_(wanted)))
    return {oid: display_form(name, parent, kind, acronym) for oid, name, kind, parent, acronym in rows}


def set_parent(cat: Catalogue, organisation_id: int, parent_id: int | None, part_kind: str | None = None) -> None:
    """Make the organisation a part (programme, instrument…) of parent, or a body on its own (parent None)."""
    if part_kind is not None and part_kind not in m.ORG_PART_KINDS:
        raise InvalidInput(N_("kind of part must be one of: {org_part_kinds} (got {part_kind})").format(
            org_part_kinds=', '.join(m.ORG_PART_KINDS), part_kind=repr(part_kind)))
    with cat.transaction() as s:
        org = s.get(m.Organisation, organisation_id)
        if org is None:
            raise NotFound(N_("no organisation with ID {id}").format(id=organisation_id))
        if parent_id is not None:
            _check_no_cycle(s, organisation_id, parent_id)
        cat.update(m.Organisation, organisation_id, parent_id=parent_id,
                   part_kind=(part_kind or "programme") if parent_id is not None else None)
        add_display_alias(cat, s, organisation_id)


def add_display_alias(cat: Catalogue, s: Session, organisation_id: int) -> None:
    """Keep the display form among the organisation's names, so it is found written that way too."""
    shown = display_names(s, [organisation_id]).get(organisation_id)
    org = s.get(m.Organisation, organisation_id)
    if shown and org is not None and shown != org.name:
        add_aliases(s, org, shown)


def _check_no_cycle(s: Session, organisation_id: int, parent_id: int) -> None:
    seen = {organisation_id}
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            raise InvalidInput(N_("organisation {id} cannot be a part of its own part {part}").format(
                id=organisation_id, part=parent_id))
        seen.add(current)
        parent = s.get(m.Organisation, current)
        if parent is None:
            raise NotFound(N_("no organisation with ID {id}").format(id=current))
        current = parent.parent_id


def parts_of(cat: Catalogue, organisation_id: int) -> list[tuple[int, str]]:
    """(id, display form) of the organisation's parts, by name."""
    with cat.reading() as s:
        ids = list(s.scalars(select(key(m.Organisation.id)).where(col(m.Organisation.parent_id) == organisation_id)
                             .order_by(col(m.Organisation.name))))
        names = display_names(s, ids)
    return [(i, names[i]) for i in ids]


def set_linked_organisations(cat: Catalogue, kind: str, record_id: int, role: str,
                             organisation_ids: Sequence[int]) -> None:
    """Replace the record's organisations in a role (a publication's funders, an event's hosts…), in order."""
    link, fk, roles = _link_model(kind)
    if role not in roles:
        raise InvalidInput(N_("an organisation of a {kind} is one of: {roles} (got {role})").format(
            kind=kind, roles=', '.join(roles), role=repr(role)))
    table = table_of(link)
    with cat.transaction() as s:
        if s.get(m.RECORD_TYPES[kind], record_id) is None:
            raise NotFound(N_("no {kind} with ID {id}").format(kind=kind, id=record_id))
        s.execute(delete(link).where(table.c[fk] == record_id, table.c.role == role))
        for pos, oid in enumerate(dict.fromkeys(organisation_ids)):
            s.add(link(**{fk: record_id}, organisation_id=oid, role=role, position=pos))
        s.flush()
        cat.touch(s, kind, record_id)


def linked_organisations(s: Session, kind: str,
                         record_ids: Iterable[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """{record id: {role: [{id, name, display}]}} for these publications or events, in one query."""
    link, fk, _ = _link_model(kind)
    table = table_of(link)
    ids = list(record_ids)
    out: dict[int, dict[str, list[dict[str, Any]]]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = list(s.execute(select(table.c[fk], table.c.role, col(m.Organisation.id), col(m.Organisation.name))
                          .join(m.Organisation, col(m.Organisation.id) == table.c.organisation_id)
                          .where(table.c[fk].in_(ids)).order_by(table.c[fk], table.c.role, table.c.position)))
    shown = display_names(s, [r[2] for r in rows])
    for rid, role, oid, name in rows:
        out[rid].setdefault(role, []).append({"id": oid, "name": name, "display": shown.get(oid, name)})
    return out


def _link_model(kind: str) -> tuple[type[SQLModel], str, Sequence[str]]:
    if kind not in LINK_MODELS:
        raise InvalidInput(N_("only publications and events have organisations in roles (got {kind})").format(
            kind=repr(kind)))
    return LINK_MODELS[kind]
