"""The plan's matching stage: what each incoming record is in the catalogue or earlier in its file."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.dedupe import (
    PublicationIndex,
    WorkKey,
    conflict,
    family_key,
    norm_doi,
    same_entry,
    work_key_from_columns,
)
from kbase.catalogue.records import Catalogue
from kbase.formats.bibtex.mapping import PubData
from kbase.i18n import N_
from kbase.library import models as m

if TYPE_CHECKING:
    from kbase.imports.writing import Planned

__all__ = ["decide"]

# columns an update fills on the matched record when it has no value of its own
_FILLABLE = ("subtitle", "year", "month", "month_end", "day", "number", "language", "abstract", "url", "place",
             "isbn", "doi", "pages", "container")


def _work_key(plan: Planned, shared_dois: set[str]) -> WorkKey:
    data = plan.data
    key = work_key_from_columns(data.columns, data.extra, [family_key(n.display, n.kind) for _r,
                                                           n in data.contributors],
                                tuple(plan.shas), more={"publisher": data.publisher, "series": data.series})
    if key.doi and norm_doi(key.doi) in shared_dois:
        key.doi = None  # several entries of the file give it: the proceedings' or journal's DOI, not the work's
    return key


def decide(cat: Catalogue, plans: list[Planned], on_duplicate: str) -> None:
    """Mark each entry create/link/skip/update; entries of the same file are matched against each other too,
    but only when they agree on every field both have."""
    index = PublicationIndex.load(cat)
    with cat.reading() as s:  # a record with a bare title is matched only by its key (the same file again)
        by_citekey = {k.lower(): i for i, k in s.execute(select(col(m.Publication.id), col(m.Publication.citekey))
                                                          .where(col(m.Publication.citekey).is_not(None)))}
    dois = Counter(norm_doi(p.data.columns.get("doi")) for p in plans if p.data.columns.get("doi"))
    shared = {d for d, n in dois.items() if n > 1}
    pending = -1
    earlier: dict[int, tuple[str, WorkKey, PubData]] = {}
    for plan in plans:
        key = _work_key(plan, shared)
        hit = index.match(key)
        if hit and hit[0] < 0 and not (same_entry(earlier[hit[0]][1], key) and _same_written_key(earlier[hit[0]][2],
                                                                                                 plan.data)):
            # an earlier entry of this file that differs somewhere is another work; one under another key is
            # kept too, since documents cite both keys (kbase dedupe proposes joining them)
            hit = None
        if hit is None and plan.data.key.lower() in by_citekey:
            pid = by_citekey[plan.data.key.lower()]
            old = index.keys.get(pid)
            if old is not None and old.title_key == key.title_key and conflict(old, key) is None \
                    and old.authors == key.authors and old.year == key.year:
                hit = (pid, N_("same citation key, title, authors and year"))
        if hit and on_duplicate != "new":
            plan.action, plan.target, plan.reason = on_duplicate, hit[0], hit[1]
            if hit[0] < 0:
                plan.reason = N_("{reason} as entry {key} of this file").format(
                    reason=plan.reason, key=earlier[hit[0]][0])
                plan.action = "skip" if on_duplicate == "skip" else "link"  # never update a record not yet written
            continue
        plan.target = pending  # a placeholder ID so later entries can match this one
        earlier[pending] = (plan.data.key, key, plan.data)
        index.add(pending, key)
        pending -= 1
    _changes(cat, [p for p in plans if p.action != "create" and (p.target or 0) > 0])


def _same_written_key(a: PubData, b: PubData) -> bool:
    """The same key as the source wrote it (an entry exported twice), not the key after renaming."""
    ka = a.key if a.written_key is None else a.written_key
    kb = b.key if b.written_key is None else b.written_key
    return bool(ka) and ka.lower() == kb.lower()


def _changes(cat: Catalogue, plans: list[Planned]) -> None:
    """What linking or updating would change on each matched record."""
    if not plans:
        return
    ids = sorted({p.target for p in plans if p.target})
    rows: dict[int | None, m.Publication] = {}
    with cat.reading() as s:
        for i in range(0, len(ids), 900):
            rows.update({r.id: r for r in s.scalars(select(m.Publication)
                                                    .where(col(m.Publication.id).in_(ids[i:i + 900])))})
    for plan in plans:
        row = rows.get(plan.target or 0)
        if row is None:
            continue
        plan.fills = [c for c in _FILLABLE if plan.data.columns.get(c) not in (None, "")
                      and getattr(row, c) in (None, "")]
        if plan.action == "update":
            plan.changes = list(plan.fills)
        if plan.action in ("link", "update") and not row.citekey and plan.data.key and \
                plan.data.columns.get("citekey", plan.data.key) == plan.data.key:
            plan.changes.append("citekey")  # the source's own key (a spreadsheet row's made one is not given)
