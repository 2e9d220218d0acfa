"""The librarian's quality checks: records missing what a catalogue entry should have, duplicates, lost files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.dedupe import LIKELY, candidates
from kbase.catalogue.records import Catalogue
from kbase.i18n import N_
from kbase.library import models as m


@dataclass(frozen=True)
class Finding:
    """One thing to fix, on one record."""

    kind: str  # publication | project | organisation | person | region | attachment
    id: int
    message: str

    @property
    def record(self) -> str:
        return f"{self.kind} {self.id}"

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "message": self.message}


def check_catalogue(cat: Catalogue) -> list[Finding]:
    """Every finding, grouped by kind and in ID order; a handful of queries whatever the catalogue's size."""
    out: list[Finding] = []
    with cat.reading() as s:
        linked = {
            name: set(s.scalars(select(col(model.publication_id))))
            for name, model in (("project", m.PublicationProject), ("region", m.PublicationRegion),
                                ("attachment", m.Attachment))
        }
        flagged = _import_flags(s)
        P = m.Publication
        for pid, ptype, year, title in s.execute(select(col(P.id), col(P.type), col(P.year), col(P.title))
                                                 .order_by(col(P.id))):
            label = _short(title)
            missing = []
            if ptype in (None, "", "other"):
                missing.append(N_("no type"))
            if year is None:
                missing.append(N_("no year"))
            missing += [said for name, said in (("project", N_("no project")), ("region", N_("no region")),
                                                 ("attachment", N_("no attachment"))) if pid not in linked[name]]
            if missing:
                out.append(Finding("publication", pid, GAPS.format(title=_cut(title), gaps=", ".join(missing))))
            if pid in flagged:
                out.append(Finding("publication", pid, N_("{label}: imported with flags: {flags}").format(
                    label=label, flags=', '.join(flagged[pid]))))
        funded = set(s.scalars(select(col(m.ProjectOrganisation.project_id))
                               .where(col(m.ProjectOrganisation.role) == "funder")))
        assigned = set(s.scalars(select(col(m.Assignment.project_id))))
        for jid, title in s.execute(select(col(m.Project.id), col(m.Project.title)).order_by(col(m.Project.id))):
            missing = [said for said, ok in ((N_("no funder"), jid in funded),
                                             (N_("no assignment years"), jid in assigned)) if not ok]
            if missing:
                out.append(Finding("project", jid, GAPS.format(title=_cut(title), gaps=", ".join(missing))))
        for oid, name in s.execute(select(col(m.Organisation.id), col(m.Organisation.name))
                                   .where(col(m.Organisation.kind).is_(None) | (col(m.Organisation.kind) == ""))
                                   .order_by(col(m.Organisation.id))):
            out.append(Finding("organisation", oid, N_("{name}: no kind").format(name=_short(name))))
        out += _missing_files(cat, s)
    for c in candidates(cat, min_score=LIKELY):
        out.append(Finding(c.kind, c.a, N_("probable duplicate of {kind} {id} (score {score}: {reasons})").format(
            kind=c.kind, id=c.b, score=format(c.score, '.2f'), reasons='; '.join(c.reasons))))
    return out


def _import_flags(s: Any) -> dict[int, list[str]]:
    """What an import could not read, as extra["flags"] says (one query: only rows whose extra names flags)."""
    out: dict[int, list[str]] = {}
    for pid, extra in s.execute(select(col(m.Publication.id), col(m.Publication.extra))
                                .where(col(m.Publication.extra).contains('"flags"'))):
        try:
            flags = json.loads(extra).get("flags")
        except (ValueError, AttributeError):
            continue  # extra that is not a JSON object is another check's business
        if isinstance(flags, list) and flags:
            out[pid] = [str(f) for f in flags]
    return out


def _missing_files(cat: Catalogue, s: Any) -> list[Finding]:
    """Attachments whose file is neither in the local store nor kept in the database."""
    from kbase.files.store import path_for

    with_content = set(s.scalars(select(col(m.StoredFile.sha256)).where(col(m.StoredFile.content).is_not(None)))) \
        if cat.library.is_shared else set()
    out = []
    A = m.Attachment
    for aid, sha, filename in s.execute(select(col(A.id), col(A.sha256), col(A.filename)).order_by(col(A.id))):
        if sha not in with_content and not path_for(cat.library, sha).is_file():
            out.append(Finding("attachment", aid, N_("{filename}: file missing from the store").format(
                filename=filename)))
    return out


# what a record lacks: "“Title”: no type, no project" (each gap a message of its own, so that the list reads back)
GAPS = N_("“{title}”: {gaps}")


def _cut(text: str | None, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _short(text: str | None, limit: int = 60) -> str:
    return f"“{_cut(text, limit)}”"
