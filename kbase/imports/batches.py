"""Import batches: every import is recorded with what it created, changed and linked, and can be undone."""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session, SQLModel, col

from kbase.catalogue.columns import key, table_of
from kbase.catalogue.records import ALIAS_TABLES, Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_, en_ngettext
from kbase.library import models as m
from kbase.text import clean_line

__all__ = ["Item", "get_batch", "start_batch", "record_items", "change_mark", "inserted_since", "forget_since",
           "finish_batch", "list_batches", "undo_batch", "UndoReport"]

CHUNK = 900  # ids per IN (…): under SQLite's oldest limit on bound parameters
# link tables whose rows an import adds to records it did not create: their columns, to delete them again
LINK_TABLES: dict[str, type[SQLModel]] = {
    "contributor": m.Contributor, "publication_subject": m.PublicationSubject,
    "publication_project": m.PublicationProject, "publication_region": m.PublicationRegion,
    "collection_item": m.CollectionItem,
}
# rows an import adds around records (a Zotero library's notes, related items, web links), taken back by ID
ADDED_ROWS: dict[str, type[SQLModel]] = {"note": m.Note, "publication_relation": m.PublicationRelation,
                               "publication_link": m.PublicationLink}
# what refers to a name record: when nothing does any more, an undone import takes it away
_USES: dict[str, list[tuple[type[SQLModel], str]]] = {
    "person": [(m.Contributor, "person_id"), (m.EventPerson, "person_id"), (m.PersonOrganisation, "person_id")],
    "organisation": [(m.Contributor, "organisation_id"), (m.Publication, "publisher_id"),
                     (m.ProjectOrganisation, "organisation_id"), (m.AssignmentClient, "organisation_id"),
                     (m.EventOrganisation, "organisation_id"), (m.PublicationOrganisation, "organisation_id"),
                     (m.PersonRole, "organisation_id"), (m.Organisation, "parent_id"),
                     (m.PersonOrganisation, "organisation_id")],
    "subject": [(m.PublicationSubject, "subject_id"), (m.ProjectSubject, "subject_id"), (m.Subject, "parent_id")],
    "series": [(m.Publication, "series_id"), (m.Series, "parent_id")],
    "project": [(m.PublicationProject, "project_id"), (m.Event, "project_id")],
    "region": [(m.PublicationRegion, "region_id"), (m.ProjectRegion, "region_id"), (m.Region, "parent_id")],
}


@dataclass
class Item:
    """One thing an import did to the catalogue."""

    kind: str
    record_id: int = 0
    op: str = "created"  # created | changed | linked
    version: int | None = 1
    before: dict[str, Any] | None = None

    def row(self, batch_id: int) -> dict[str, Any]:
        return {"batch_id": batch_id, "kind": self.kind, "record_id": self.record_id, "op": self.op,
                "version": self.version,
                "before": json.dumps(self.before, ensure_ascii=False, default=str) if self.before is not None else None}


def _who(cat: Catalogue) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    if cat.library.is_shared:
        with cat.reading() as s:
            role = s.scalar(select(func.current_user()))
        if role and role != user:
            user = f"{user} ({role})"
    return user


def start_batch(cat: Catalogue, sources: Sequence[str]) -> int:
    """A new batch, committed at once so that every file's transaction can refer to it."""
    with cat.transaction() as s:
        table = table_of(m.ImportBatch)
        sources_json = json.dumps([clean_line(str(p)) for p in sources], ensure_ascii=False)
        return int(s.execute(insert(table).values(started=m.utcnow(), user=_who(cat), sources=sources_json,
                                                  status="running").returning(table.c.id)).scalar_one())


def record_items(s: Session, batch_id: int | None, items: Iterable[Item]) -> None:
    """Write what a file's transaction did, inside that transaction (so both commit or neither)."""
    if batch_id is None:
        return
    rows = [i.row(batch_id) for i in items]
    if rows:
        s.execute(insert(table_of(m.ImportItem)), rows)


def change_mark(cat: Catalogue) -> int:
    """Where the open transaction's change log stands; inserted_since(cat, mark) lists what came after."""
    return len(cat._pending)  # the catalogue's list of this transaction's changes, told to listeners after commit


def inserted_since(cat: Catalogue, mark: int) -> list[Item]:
    """The records inserted in the open transaction since mark, as batch items (every insert is logged)."""
    return [Item(kind, rid, "created", 1) for kind, rid, op in cat._pending[mark:] if op == "insert"]


def forget_since(cat: Catalogue, mark: int) -> None:
    """A savepoint rolled back: its inserts are not the batch's (nor news for listeners)."""
    del cat._pending[mark:]


def finish_batch(cat: Catalogue, batch_id: int, counts: dict[str, int]) -> None:
    with cat.transaction() as s:
        s.execute(update(table_of(m.ImportBatch)).where(col(m.ImportBatch.id) == batch_id)
                  .values(finished=m.utcnow(), status="done", counts=json.dumps(counts)))


def list_batches(cat: Catalogue, limit: int | None = None, only: int | None = None) -> list[dict[str, Any]]:
    """Newest first, with what each created, changed and linked."""
    with cat.reading() as s:
        q = select(m.ImportBatch).order_by(col(m.ImportBatch.id).desc())
        if only is not None:
            q = q.where(col(m.ImportBatch.id) == only)
        if limit:
            q = q.limit(limit)
        batches = list(s.scalars(q))
        made: dict[tuple[int | None, str], int] = {}
        for bid, op, n in s.execute(select(col(m.ImportItem.batch_id), col(m.ImportItem.op), func.count())
                                    .where(col(m.ImportItem.kind) == "publication",
                                           col(m.ImportItem.batch_id).in_([b.id for b in batches]))
                                    .group_by(col(m.ImportItem.batch_id), col(m.ImportItem.op))):
            made[(bid, op)] = n
    out = []
    for b in batches:
        status = b.status
        if status == "running" and b.finished is None:
            status = "running or interrupted"
        out.append({"id": b.id, "started": b.started.isoformat(timespec="seconds") if b.started else None,
                    "finished": b.finished.isoformat(timespec="seconds") if b.finished else None,
                    "user": b.user, "sources": json.loads(b.sources or "[]"),
                    "counts": json.loads(b.counts) if b.counts else None, "status": status,
                    "undone": b.undone.isoformat(timespec="seconds") if b.undone else None,
                    "publications_created": made.get((b.id, "created"), 0),
                    "publications_changed": made.get((b.id, "changed"), 0)})
    return out


@dataclass
class UndoReport:
    batch: int
    deleted: dict[str, int] = field(default_factory=dict)  # kind → records removed
    reverted: int = 0  # existing records put back as they were
    unlinked: int = 0  # links removed from existing records
    kept: list[str] = field(default_factory=list)  # records left because something else uses them now
    files_removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "deleted": self.deleted, "reverted": self.reverted, "unlinked": self.unlinked,
                "kept": self.kept, "files_removed": len(self.files_removed)}

    def summary(self) -> str:
        """What the undo did, in English (kbase.i18n.translate reads it back, piece by piece, through these
        templates and the counts' forms in _UNDONE)."""
        gone = ", ".join(f"{n} {k}" for k, n in sorted(self.deleted.items()) if n)
        text = (N_("import {batch} undone: deleted {gone}").format(batch=self.batch, gone=gone) if gone
                else N_("import {batch} undone: deleted nothing").format(batch=self.batch))
        if self.reverted:
            back = en_ngettext("{n} existing record put back as it was", "{n} existing records put back as they were",
                               self.reverted)
            text += "; " + back.format(n=self.reverted)
        if self.unlinked:
            text += "; " + en_ngettext("{n} link removed", "{n} links removed", self.unlinked).format(n=self.unlinked)
        if self.files_removed:
            gone_files = len(self.files_removed)
            text += "; " + en_ngettext("{n} stored file removed", "{n} stored files removed",
                                       gone_files).format(n=gone_files)
        if self.kept:
            text += "; " + N_("kept (used by other records since): {records}").format(
                records=", ".join(self.kept[:10]) + (" …" if len(self.kept) > 10 else ""))
        return text


# the forms translate() reads an undo's counts back through: the English summary says the plural whatever the count
# ("1 publications"), the catalogs the form the count takes (publications, people… have theirs already)
_UNDONE = (en_ngettext("{n} existing record put back as it was", "{n} existing records put back as they were", 2),
           en_ngettext("{n} link removed", "{n} links removed", 2),
           en_ngettext("{n} stored file removed", "{n} stored files removed", 2),
           en_ngettext("{n} attachment", "{n} attachments", 2), en_ngettext("{n} note", "{n} notes", 2),
           en_ngettext("{n} collection", "{n} collections", 2),
           en_ngettext("{n} publication relation", "{n} publication relations", 2),
           en_ngettext("{n} publication link", "{n} publication links", 2))


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _versions(s: Session, kind: str, ids: Sequence[int]) -> dict[int, int]:
    table = table_of(m.RECORD_TYPES[kind])
    out: dict[int, int] = {}
    for part in _chunks(ids):
        out.update(s.execute(select(table.c.id, table.c.version).where(table.c.id.in_(part))).all())
    return out


@dataclass
class _Row:
    kind: str
    record_id: int
    op: str
    version: int | None
    before: str | None


def _edited_since(s: Session, items: list[_Row]) -> list[str]:
    """Records this batch made or changed that someone has edited since: undoing would lose that edit."""
    by_kind: dict[str, dict[int, int]] = {}
    for it in items:
        if it.op in ("created", "changed") and it.kind in m.RECORD_TYPES and it.version is not None:
            by_kind.setdefault(it.kind, {})[it.record_id] = it.version
    edited = []
    for kind, wanted in by_kind.items():
        now = _versions(s, kind, list(wanted))
        said = N_("{kind} {id} (version {version}, the import left version {left})")
        edited += [said.format(kind=kind, id=rid, version=now[rid], left=v)
                   for rid, v in sorted(wanted.items()) if rid in now and now[rid] > v]
    return edited


def undo_batch(cat: Catalogue, batch_id: int) -> UndoReport:
    """Remove what the batch created and put back what it changed, in one transaction.

    Refused, with the records named, when any of them was edited after the import."""
    report = UndoReport(batch_id)
    with cat.transaction() as s:
        items = _undoable_items(cat, s, batch_id)
        created: dict[str, list[int]] = {}
        for it in items:
            if it.op == "created":
                created.setdefault(it.kind, []).append(it.record_id)
        _take_back_links_and_changes(cat, s, items, created, report)
        shas = _delete_documents(cat, s, created, report)
        # then the names nobody uses any more
        for kind in ("series", "subject", "project", "region", "organisation", "person"):
            ids = created.get(kind, [])
            gone = _delete_unused(s, kind, ids, report)
            cat.log_changes(s, kind, gone, "delete")
            label = {"person": "people", "series": "series"}.get(kind, kind + "s")
            report.deleted[label] = len(gone)
        for sha in sorted(shas):
            if s.scalar(select(func.count()).where(col(m.Attachment.sha256) == sha)) == 0:
                s.execute(delete(table_of(m.StoredFile)).where(col(m.StoredFile.sha256) == sha))
                report.files_removed.append(sha)
        s.execute(update(table_of(m.ImportBatch)).where(col(m.ImportBatch.id) == batch_id)
                  .values(status="undone", undone=m.utcnow()))
    _remove_blobs(cat, report.files_removed)
    return report


def _undoable_items(cat: Catalogue, s: Session, batch_id: int) -> list[_Row]:
    """The batch's items, oldest first; NotFound or InvalidInput when the batch cannot be undone."""
    batch = s.get(m.ImportBatch, batch_id)
    if batch is None:
        raise NotFound(N_("no import batch with ID {id} (see `kbase imports`)").format(id=batch_id))
    if batch.status == "undone":
        raise InvalidInput(N_("import {id} was already undone on {when}").format(
            id=batch_id, when=f"{batch.undone:%Y-%m-%d %H:%M}"))
    if batch.finished is None and _import_running(cat):
        raise InvalidInput(N_("import {id} has not finished: wait for it to end (or stop it), "
                              "then undo it").format(id=batch_id))
    c = table_of(m.ImportItem).c
    items = [_Row(*r) for r in s.execute(select(c.kind, c.record_id, c.op, c.version, c.before)
                                         .where(c.batch_id == batch_id).order_by(c.id))]
    edited = _edited_since(s, items)
    if edited:
        records = "; ".join(edited[:10])
        if len(edited) > 10:
            records = N_("{records} and {n} more").format(records=records, n=len(edited) - 10)
        raise InvalidInput(N_("import {id} cannot be undone: these records were edited since: {records}. "
                              "Undo those edits first, or delete the records by hand.").format(
            id=batch_id, records=records))
    return items


def _take_back_links_and_changes(cat: Catalogue, s: Session, items: list[_Row], created: dict[str, list[int]],
                                 report: UndoReport) -> None:
    """Links added to existing records, the rows added around records, the collections made, then existing
    records' fields put back."""
    for it in items:
        if it.op == "linked" and it.kind in LINK_TABLES and it.before:
            table = table_of(LINK_TABLES[it.kind])
            keys = json.loads(it.before)
            s.execute(delete(table).where(*(table.c[k] == v for k, v in keys.items())))
            report.unlinked += 1
    for kind, added in ADDED_ROWS.items():
        for part in _chunks(created.get(kind, [])):
            s.execute(delete(table_of(added)).where(table_of(added).c.id.in_(part)))
        if created.get(kind):
            report.deleted[kind.replace("_", " ") + "s"] = len(created[kind])
    _delete_collections(s, created.get("collection", []), report)
    for it in reversed(items):  # the oldest value last, if a record was changed twice
        if it.op == "changed" and it.kind in m.RECORD_TYPES and it.before is not None:
            values = json.loads(it.before)
            table = table_of(m.RECORD_TYPES[it.kind])
            s.execute(update(table).where(table.c.id == it.record_id)
                      .values(**values, version=table.c.version + 1, updated=m.utcnow()))
            cat.log_change(s, it.kind, it.record_id, "update")
            report.reverted += 1


def _delete_documents(cat: Catalogue, s: Session, created: dict[str, list[int]], report: UndoReport) -> set[str]:
    """The attachments, then the publications with their links; returns the files they held."""
    shas: set[str] = set()
    att_ids = created.get("attachment", [])
    for part in _chunks(att_ids):
        shas.update(s.scalars(select(col(m.Attachment.sha256)).where(col(m.Attachment.id).in_(part))))
        s.execute(delete(table_of(m.PageText)).where(col(m.PageText.attachment_id).in_(part)))
        s.execute(delete(table_of(m.Attachment)).where(col(m.Attachment.id).in_(part)))
    cat.log_changes(s, "attachment", att_ids, "delete")
    report.deleted["attachments"] = len(att_ids)
    pub_ids = created.get("publication", [])
    for part in _chunks(pub_ids):
        for model in (m.Contributor, m.PublicationSubject, m.PublicationProject, m.PublicationRegion):
            s.execute(delete(table_of(model)).where(table_of(model).c.publication_id.in_(part)))
        for att in list(s.scalars(select(key(m.Attachment.id)).where(col(m.Attachment.publication_id).in_(part)))):
            # a file attached by hand since the import: it stays in the library, unattached
            s.execute(update(table_of(m.Attachment)).where(col(m.Attachment.id) == att)
                      .values(publication_id=None))
            cat.log_change(s, "attachment", att, "update")
        s.execute(delete(table_of(m.Publication)).where(col(m.Publication.id).in_(part)))
    cat.log_changes(s, "publication", pub_ids, "delete")
    report.deleted["publications"] = len(pub_ids)
    return shas


def _import_running(cat: Catalogue) -> bool:
    """An import holds the library's lock on this machine (another desktop's cannot be seen from here)."""
    from kbase.files.store import import_running

    return not cat.library.is_shared and import_running(cat.library)


def get_batch(cat: Catalogue, batch_id: int) -> dict[str, Any]:
    """One batch as list_batches gives it."""
    found = list_batches(cat, only=batch_id)
    if not found:
        raise NotFound(N_("no import batch with ID {id} (see `kbase imports`)").format(id=batch_id))
    return found[0]


def _delete_unused(s: Session, kind: str, ids: list[int], report: UndoReport) -> list[int]:
    if not ids:
        return []
    model = m.RECORD_TYPES[kind]
    table = table_of(model)
    used: set[int] = set()
    for part in _chunks(ids):
        for ref_model, column in _USES[kind]:
            ref = table_of(ref_model).c[column]
            used.update(v for v in s.scalars(select(ref).where(ref.in_(part)).distinct()) if v is not None)
    gone = [i for i in ids if i not in used]
    alias = ALIAS_TABLES.get(model)
    for part in _chunks(gone):
        if alias is not None:
            alias_model, fk = alias
            s.execute(delete(table_of(alias_model)).where(table_of(alias_model).c[fk].in_(part)))
        s.execute(delete(table).where(table.c.id.in_(part)))
    if used:
        name_col = table.c.title if kind == "project" else table.c.name
        names = dict(s.execute(select(table.c.id, name_col).where(table.c.id.in_(sorted(used)[:10]))).all())
        report.kept += [f"{kind} {i}" + (f" ({names[i]})" if i in names else "") for i in sorted(used)]
    return gone


def _delete_collections(s: Session, ids: list[int], report: UndoReport) -> None:
    """The collections a batch made, children first, each unless something was filed in it since."""
    gone = 0
    for cid in sorted(ids, reverse=True):  # a child is made after its parent
        if s.scalar(select(func.count()).where(col(m.CollectionItem.collection_id) == cid)) or \
                s.scalar(select(func.count()).where(col(m.Collection.parent_id) == cid)) or \
                s.scalar(select(func.count()).where(col(m.Note.kind) == "collection", col(m.Note.record_id) == cid)):
            report.kept.append(f"collection {cid}")
            continue
        s.execute(delete(table_of(m.Collection)).where(col(m.Collection.id) == cid))
        gone += 1
    if ids:
        report.deleted["collections"] = gone


def _remove_blobs(cat: Catalogue, shas: list[str]) -> None:
    """The store's copies of files no attachment holds any more (after the commit: a rollback keeps them).
    On PostgreSQL the file went with its row; this desktop's cached copy goes here."""
    if not shas:
        return
    from kbase.files.store import path_for, thumbnail_path

    for sha in shas:
        path_for(cat.library, sha).unlink(missing_ok=True)
        thumbnail_path(cat.library, sha).unlink(missing_ok=True)
