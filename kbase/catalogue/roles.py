"""People's roles over time: staff, board, associate researcher, focal point…, each from a start to an end.

A role without a start has always been held, one without an end still is. Person.role stays the
role a person holds now (lists and pickers show it); the roles table says since when and until when,
so a report can name the board of directors of any year."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from kbase.catalogue.columns import stored_id
from kbase.catalogue.fields import check_year, clean_field, coerce
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m

__all__ = ["add_role", "update_role", "remove_role", "roles_of", "held_in_year", "people_with_role"]


def _values(role: str | None, title: Any, start: Any, end: Any, organisation_id: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if role is not None:
        if role not in m.PERSON_ROLES:
            raise InvalidInput(N_("role must be one of: {person_roles} (got {role})").format(
                person_roles=', '.join(m.PERSON_ROLES), role=repr(role)))
        out["role"] = role
    out["title"] = clean_field(m.PersonRole, "title", title) or None if isinstance(title, str) else title
    out["start"] = coerce(m.PersonRole, "start", start)
    out["end"] = coerce(m.PersonRole, "end", end)
    out["organisation_id"] = organisation_id
    if out["start"] and out["end"] and out["end"] < out["start"]:
        raise InvalidInput(N_("a role cannot end ({end}) before it starts ({start})").format(
            end=out['end'], start=out['start']))
    return out


def add_role(cat: Catalogue, person_id: int, role: str, title: str | None = None, start: Any = None,
             end: Any = None, organisation_id: int | None = None) -> int:
    """Record that the person held role (as title) from start to end; returns the role's ID."""
    values = _values(role, title, start, end, organisation_id)
    with cat.transaction() as s:
        if s.get(m.Person, person_id) is None:
            raise NotFound(N_("no person with ID {id}").format(id=person_id))
        row = m.PersonRole(person_id=person_id, **values)
        s.add(row)
        s.flush()
        cat.touch(s, "person", person_id)
        return stored_id(row.id)


def update_role(cat: Catalogue, role_id: int, role: str | None = None, title: Any = None, start: Any = None,
                end: Any = None, organisation_id: int | None = None) -> None:
    """Change a role row: every value given replaces the stored one (title, start, end None clear them)."""
    values = _values(role, title, start, end, organisation_id)
    with cat.transaction() as s:
        row = s.get(m.PersonRole, role_id)
        if row is None:
            raise NotFound(N_("no person role with ID {id}").format(id=role_id))
        for key, value in values.items():
            setattr(row, key, value)
        s.add(row)
        s.flush()
        cat.touch(s, "person", row.person_id)


def remove_role(cat: Catalogue, role_id: int) -> None:
    with cat.transaction() as s:
        row = s.get(m.PersonRole, role_id)
        if row is None:
            raise NotFound(N_("no person role with ID {id}").format(id=role_id))
        s.delete(row)
        s.flush()
        cat.touch(s, "person", row.person_id)


def _row(r: m.PersonRole) -> dict[str, Any]:
    return {"id": r.id, "person_id": r.person_id, "role": r.role, "title": r.title,
            "organisation_id": r.organisation_id, "start": r.start.isoformat() if r.start else None,
            "end": r.end.isoformat() if r.end else None}


def roles_of(cat: Catalogue, person_id: int) -> list[dict[str, Any]]:
    """The person's roles, earliest first (those without a start first)."""
    with cat.reading() as s:
        rows = s.scalars(select(m.PersonRole).where(col(m.PersonRole.person_id) == person_id)
                         .order_by(col(m.PersonRole.start).is_not(None), col(m.PersonRole.start), col(m.PersonRole.id)))
        return [_row(r) for r in rows]


def held_in_year(year: int) -> Any:
    """Condition on PersonRole: the role was held at some time in year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    R = m.PersonRole
    return and_(or_(col(R.start).is_(None), col(R.start) <= last), or_(col(R.end).is_(None), col(R.end) >= first))


def people_with_role(s: Session, role: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """People holding role (any role) in year (at any time), in the order they were recorded:
    [{person_id, name, role, title, start, end}] — one row per role held."""
    R, P = m.PersonRole, m.Person
    conds = []
    if role is not None:
        if role not in m.PERSON_ROLES:
            raise InvalidInput(N_("role must be one of: {person_roles} (got {role})").format(
                person_roles=', '.join(m.PERSON_ROLES), role=repr(role)))
        conds.append(col(R.role) == role)
    if year is not None:
        conds.append(held_in_year(check_year(year)))
    rows = s.execute(select(R, col(P.name)).join(P, col(P.id) == col(R.person_id)).where(*conds).order_by(col(R.id)))
    return [{**_row(r), "name": name} for r, name in rows]
