"""Assignments: a project's contract for a year, with its title as contracted and its clients in order.

A project page keeps the project's title; an Assignments list prints the assignment's own title
(the project's when it has none) and its clients as the contract names them: each client's
label, else the organisation's display form (kbase.catalogue.organisations), joined by the
assignment's separator (", " unless the contract writes "DFID/Concordis")."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import ColumnElement, and_, delete, select
from sqlmodel import Session, col

from kbase.catalogue.columns import stored_id
from kbase.catalogue.fields import check_year, clean_field
from kbase.catalogue.organisations import display_names
from kbase.catalogue.records import Catalogue
from kbase.errors import NotFound
from kbase.i18n import N_
from kbase.library import models as m

__all__ = ["KEEP", "save_assignment", "assignment_rows", "assignment_dicts", "client_line"]

KEEP: Any = object()  # a field save_assignment leaves as it is
DEFAULT_SEPARATOR = ", "


def save_assignment(cat: Catalogue, project_id: int, year: int, *, title: Any = KEEP, reference: Any = KEEP,
                    note: Any = KEEP, separator: Any = KEEP,
                    clients: Sequence[int | tuple[int, str | None]] | Any = KEEP) -> int:
    """Create or change the project's assignment for year; clients are organisation IDs or
    (ID, label as the contract names it) pairs, in order. Returns the assignment's ID."""
    year = check_year(year)
    values = {k: (clean_field(m.Assignment, k, v) or None) if isinstance(v, str) else v
              for k, v in (("title", title), ("reference", reference), ("note", note)) if v is not KEEP}
    if separator is not KEEP:
        values["client_separator"] = None if separator in (None, "", DEFAULT_SEPARATOR) else separator
    with cat.transaction() as s:
        if s.get(m.Project, project_id) is None:
            raise NotFound(N_("no project with ID {id}").format(id=project_id))
        a = s.scalar(select(m.Assignment).where(col(m.Assignment.project_id) == project_id,
                                                col(m.Assignment.year) == year))
        if a is None:
            a = m.Assignment(project_id=project_id, year=year)
        for key, value in values.items():
            setattr(a, key, value)
        s.add(a)
        s.flush()
        aid = stored_id(a.id)
        if clients is not KEEP:
            pairs = [(c, None) if isinstance(c, int) else (int(c[0]), c[1]) for c in clients]
            s.execute(delete(m.AssignmentClient).where(col(m.AssignmentClient.assignment_id) == aid))
            seen: set[int] = set()
            for pos, (oid, label) in enumerate(pairs):
                if oid in seen:
                    continue
                seen.add(oid)
                if s.get(m.Organisation, oid) is None:
                    raise NotFound(N_("no organisation with ID {id}").format(id=oid))
                label = clean_field(m.AssignmentClient, "label", label) if label else None
                s.add(m.AssignmentClient(assignment_id=aid, organisation_id=oid, position=pos, label=label or None))
            s.flush()
        cat.touch(s, "project", project_id)
        return aid


def client_line(clients: Sequence[dict[str, Any]], separator: str | None) -> str:
    """The clients as the contract names them: 'Eight, FairPhone', 'DFID/Concordis'."""
    return (separator or DEFAULT_SEPARATOR).join(c["printed"] for c in clients)


def assignment_dicts(s: Session, where: Any) -> list[dict[str, Any]]:
    """Assignments matching a condition, newest year first, as plain dicts (3 queries):
    id, project_id, project (the project's title), short_name, year, title (as contracted, else the
    project's), contracted_title, reference, note, separator, clients [{id, name, display, label,
    printed}] and client_line."""
    A, J = m.Assignment, m.Project
    rows = list(s.execute(select(A, col(J.title), col(J.short_name)).join(J, col(J.id) == col(A.project_id))
                          .where(where).order_by(col(A.year).desc(), col(A.id))))
    ids = [a.id for a, _, _ in rows]
    clients: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        links = list(s.execute(select(m.AssignmentClient, col(m.Organisation.name))
                               .join(m.Organisation, col(m.Organisation.id) == col(m.AssignmentClient.organisation_id))
                               .where(col(m.AssignmentClient.assignment_id).in_(ids))
                               .order_by(col(m.AssignmentClient.assignment_id), col(m.AssignmentClient.position))))
        shown = display_names(s, [c.organisation_id for c, _ in links])
        for c, name in links:
            display = shown.get(c.organisation_id, name)
            clients[c.assignment_id].append({"id": c.organisation_id, "name": name, "display": display,
                                             "label": c.label, "printed": c.label or display})
    out = []
    for a, project, short_name in rows:
        mine = clients[a.id]
        out.append({"id": a.id, "project_id": a.project_id, "project": project, "short_name": short_name,
                    "year": a.year, "title": a.title or project, "contracted_title": a.title,
                    "reference": a.reference, "note": a.note, "separator": a.client_separator,
                    "clients": mine, "client_line": client_line(mine, a.client_separator)})
    return out


def assignment_rows(cat: Catalogue, year: int | None = None, project_id: int | None = None) -> list[dict[str, Any]]:
    """Every assignment (of a year, of a project), as assignment_dicts gives them."""
    conds: list[ColumnElement[bool]] = [col(m.Assignment.id).isnot(None)]
    if year is not None:
        conds.append(col(m.Assignment.year) == check_year(year))
    if project_id is not None:
        conds.append(col(m.Assignment.project_id) == project_id)
    with cat.reading() as s:
        return assignment_dicts(s, and_(*conds))
