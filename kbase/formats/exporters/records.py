"""Publications with their names and links, loaded for export in a handful of queries."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.columns import table_of
from kbase.catalogue.query import Filter, find_ids
from kbase.catalogue.records import Catalogue
from kbase.library import models as m

COLUMNS = ("id", "citekey", "type", "title", "subtitle", "year", "month", "month_end", "day", "number",
           "language", "abstract", "url", "place", "isbn", "doi", "pages", "container", "visibility")


def publication_ids(cat: Catalogue, f: Filter | None, include_confidential: bool = False) -> list[int]:
    """IDs that pass the search filter; confidential ones only when asked for."""
    f = f or Filter()
    if not include_confidential:
        allowed = [v for v in (f.visibility or m.VISIBILITIES) if v != "confidential"]
        if not allowed:  # only confidential records were asked for: none may go out
            return []
        f = Filter(**{**f.__dict__, "visibility": allowed})
    return find_ids(cat, "publication", f, sort="id")


def load_publications(cat: Catalogue, ids: list[int], include_confidential: bool = False) -> list[dict[str, Any]]:
    """Plain dicts: every column, series and publisher names, contributors, subjects, projects, regions."""
    if not ids:
        return []
    wanted = set(ids)
    with cat.reading() as s:
        table = table_of(m.Publication)
        query = select(table).where(table.c.id.in_(ids)) if len(ids) < 900 else select(table)
        pubs = {p.id: p for p in s.execute(query) if p.id in wanted}
        series = dict(s.execute(select(col(m.Series.id), col(m.Series.name))).all())
        orgs = {i: (n, a) for i, n, a in s.execute(select(col(m.Organisation.id), col(m.Organisation.name),
                                                          col(m.Organisation.acronym)))}
        people = dict(s.execute(select(col(m.Person.id), col(m.Person.name))).all())
        comma_aliases: dict[int, list[str]] = defaultdict(list)
        for pid, alias in s.execute(select(col(m.PersonAlias.person_id), col(m.PersonAlias.alias))
                                    .where(col(m.PersonAlias.alias).contains(",")).order_by(col(m.PersonAlias.id))):
            comma_aliases[pid].append(alias)
        contributors: dict[int, list[dict[str, Any]]] = defaultdict(list)
        contributor = table_of(m.Contributor)
        for c in s.execute(select(contributor).order_by(contributor.c.publication_id, contributor.c.position)):
            if c.publication_id not in wanted:
                continue
            if c.person_id is not None:
                contributors[c.publication_id].append({
                    "role": c.role, "kind": "person", "id": c.person_id, "name": people.get(c.person_id, ""),
                    "bibtex_forms": comma_aliases.get(c.person_id, [])})
            else:
                name, acronym = orgs.get(c.organisation_id or 0, ("", None))
                contributors[c.publication_id].append({"role": c.role, "kind": "organisation",
                                                       "id": c.organisation_id, "name": name, "acronym": acronym})
        subjects = _names(s, m.PublicationSubject, m.Subject, "subject_id", m.Subject.name, wanted)
        regions = _names(s, m.PublicationRegion, m.Region, "region_id", m.Region.name, wanted)
        projects: dict[int, list[str]] = defaultdict(list)
        for pid, title, vis in s.execute(
                select(col(m.PublicationProject.publication_id), col(m.Project.title), col(m.Project.visibility))
                .join(m.Project, col(m.Project.id) == m.PublicationProject.project_id)
                .order_by(col(m.PublicationProject.publication_id), col(m.Project.title))):
            if pid in wanted and (include_confidential or vis != "confidential"):
                projects[pid].append(title)
        files: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for pid, filename, sha, mime in s.execute(
                select(col(m.Attachment.publication_id), col(m.Attachment.filename), col(m.Attachment.sha256),
                       col(m.Attachment.mime))
                .where(col(m.Attachment.publication_id).is_not(None)).order_by(col(m.Attachment.id))):
            if pid in wanted:
                files[pid].append({"filename": filename, "sha256": sha, "mime": mime})
        notes: dict[int, list[str]] = defaultdict(list)  # the user's notes, Markdown, oldest first
        for pid, text in s.execute(select(col(m.Note.record_id),
                                          col(m.Note.text)).where(col(m.Note.kind) == "publication")
                                   .order_by(col(m.Note.record_id), col(m.Note.created), col(m.Note.id))):
            if pid in wanted:
                notes[pid].append(text)
    out = []
    for pid in ids:
        p = pubs.get(pid)
        if p is None:
            continue
        rec = {c: getattr(p, c) for c in COLUMNS}
        rec["series"] = series.get(p.series_id) if p.series_id else None
        rec["publisher"] = orgs[p.publisher_id][0] if p.publisher_id in orgs else None
        rec["contributors"] = contributors.get(pid, [])
        rec["subjects"] = subjects.get(pid, [])
        rec["projects"] = projects.get(pid, [])
        rec["regions"] = regions.get(pid, [])
        rec["attachments"] = files.get(pid, [])
        rec["notes"] = notes.get(pid, [])
        rec["extra"] = json.loads(p.extra) if p.extra else {}
        out.append(rec)
    return out


def _names(s: Any, link: type[m.PublicationSubject] | type[m.PublicationRegion],
           model: type[m.Subject] | type[m.Region], fk: str, name_col: Any, wanted: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    rows = s.execute(select(col(link.publication_id), name_col).join(model, col(model.id) == getattr(link, fk))
                     .order_by(col(link.publication_id), name_col))
    for pid, name in rows:
        if pid in wanted:
            out[pid].append(name)
    return out
