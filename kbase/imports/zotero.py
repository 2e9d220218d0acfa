"""`kbase import ~/Zotero/zotero.sqlite`: a whole Zotero library, its files, notes, collections, tags and related items.

The items go through the plan and the one transaction every bibliography uses (kbase.imports.records); their
stored and linked PDFs through the import pipeline, attached to their records; then notes, collections,
related items and web links in one more transaction. Everything is in one import batch, which
`kbase imports undo` takes back. The summary accounts for every item, note, attachment, collection, tag and
relation of the file: imported, already there, in the trash, or not imported and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.formats import zotero as z
from kbase.formats.zotero_map import note_markdown, note_title, to_record
from kbase.i18n import N_, NP_, in_language, language, number
from kbase.i18n import gettext as _
from kbase.imports.batches import Item as BatchItem
from kbase.imports.batches import finish_batch, record_items, start_batch
from kbase.imports.records import BibReport, Planned, import_records
from kbase.library import models as m
from kbase.library.bulk import insert_returning_ids, insert_rows
from kbase.text import clean_line, clean_text

RELATED = "dc:relation"  # Zotero's "Related"; owl:sameAs and dc:replaces record merges and copies between libraries
SEE_ALSO = "see also"
# the names of the things counted, for the translation catalogs (the summary line says them in the current language)
_LABELS = (N_("items"), N_("notes"), N_("attachments"), N_("collections"), N_("collection links"), N_("related"),
           N_("web links"), N_("tags"), N_("annotations"), N_(": "))
# each outcome's count as a plural pair, its context the thing counted: the French agrees with it ("3 notes
# ajoutées", "1 lien web ajouté"). The English is "{n} " and the outcome's name (the key --json gives), but for the
# few names that are plural nouns themselves ("1 web link (below)").
_SAID: dict[str, dict[str, tuple[str, str]]] = {
    "items": {
        "created": NP_("Zotero items", "{n} created", "{n} created"),
        "matched": NP_("Zotero items", "{n} matched", "{n} matched"),
        "refused": NP_("Zotero items", "{n} refused", "{n} refused"),
        "in the trash, skipped": NP_("Zotero items", "{n} in the trash, skipped", "{n} in the trash, skipped")},
    "attachments": {
        "imported": NP_("Zotero attachments", "{n} imported", "{n} imported"),
        "already in the library": NP_("Zotero attachments", "{n} already in the library",
                                      "{n} already in the library"),
        "refused": NP_("Zotero attachments", "{n} refused", "{n} refused"),
        "web links (below)": NP_("Zotero attachments", "{n} web link (below)", "{n} web links (below)"),
        "not a PDF, not imported": NP_("Zotero attachments", "{n} not a PDF, not imported",
                                       "{n} not a PDF, not imported"),
        "file missing": NP_("Zotero attachments", "{n} file missing", "{n} file missing"),
        "parent item not imported": NP_("Zotero attachments", "{n} parent item not imported",
                                        "{n} parent item not imported"),
        "images in notes, not imported": NP_("Zotero attachments", "{n} image in a note, not imported",
                                             "{n} images in notes, not imported"),
        "in the trash, skipped": NP_("Zotero attachments", "{n} in the trash, skipped", "{n} in the trash, skipped")},
    "notes": {
        "added": NP_("Zotero notes", "{n} added", "{n} added"),
        "already there": NP_("Zotero notes", "{n} already there", "{n} already there"),
        "an attachment's own note, not imported": NP_("Zotero notes", "{n} an attachment's own note, not imported",
                                                      "{n} an attachment's own note, not imported"),
        "empty, not imported": NP_("Zotero notes", "{n} empty, not imported", "{n} empty, not imported"),
        "parent item not imported": NP_("Zotero notes", "{n} parent item not imported",
                                        "{n} parent item not imported"),
        "standalone, not imported": NP_("Zotero notes", "{n} standalone, not imported",
                                        "{n} standalone, not imported"),
        "in the trash, skipped": NP_("Zotero notes", "{n} in the trash, skipped", "{n} in the trash, skipped")},
    "collections": {
        "created": NP_("Zotero collections", "{n} created", "{n} created"),
        "already there": NP_("Zotero collections", "{n} already there", "{n} already there"),
        "in the trash, skipped": NP_("Zotero collections", "{n} in the trash, skipped",
                                     "{n} in the trash, skipped")},
    "collection links": {
        "filed": NP_("Zotero collection links", "{n} filed", "{n} filed"),
        "already there": NP_("Zotero collection links", "{n} already there", "{n} already there"),
        "item not imported": NP_("Zotero collection links", "{n} item not imported", "{n} item not imported"),
        "standalone notes (notes of the collection)": NP_(
            "Zotero collection links", "{n} standalone note (a note of the collection)",
            "{n} standalone notes (notes of the collection)")},
    "related": {
        "created": NP_("Zotero related", "{n} created", "{n} created"),
        "already there": NP_("Zotero related", "{n} already there", "{n} already there"),
        "other end not imported": NP_("Zotero related", "{n} other end not imported", "{n} other end not imported"),
        "merge history, not imported": NP_("Zotero related", "{n} merge history, not imported",
                                           "{n} merge history, not imported"),
        "one record for both ends": NP_("Zotero related", "{n} one record for both ends",
                                        "{n} one record for both ends")},
    "web links": {
        "added": NP_("Zotero web links", "{n} added", "{n} added"),
        "already there": NP_("Zotero web links", "{n} already there", "{n} already there"),
        "parent item not imported": NP_("Zotero web links", "{n} parent item not imported",
                                        "{n} parent item not imported")},
    "tags": {
        "subjects of publications": NP_("Zotero tags", "{n} subject of publications", "{n} subjects of publications"),
        "only on notes or attachments, not imported": NP_(
            "Zotero tags", "{n} only on notes or attachments, not imported",
            "{n} only on notes or attachments, not imported"),
        "only on items in the trash, skipped": NP_("Zotero tags", "{n} only on items in the trash, skipped",
                                                   "{n} only on items in the trash, skipped")},
    "annotations": {
        "not imported (kept in Zotero's PDF reader)": NP_(
            "Zotero annotations", "{n} not imported (kept in Zotero's PDF reader)",
            "{n} not imported (kept in Zotero's PDF reader)")},
}


def outcome_said(what: str, outcome: str, n: int) -> str:
    """"3 added" for the notes, in the current language, in the form the count takes ("3 ajoutées")."""
    pair = _SAID.get(what, {}).get(outcome)
    if pair is None:  # (every outcome has its pair; a new one without says its English name)
        return f"{number(n)} {outcome}"
    forms = in_language(language()).npgettext  # (its context is made here: the pairs are marked above)
    return forms(f"Zotero {what}", pair[0], pair[1], n).format(n=number(n))


@dataclass
class ZoteroReport(BibReport):
    """A BibReport whose records are Zotero items, with the accounting of everything else the file holds."""

    format: str = "zotero"
    zotero: dict[str, dict[str, int]] = field(default_factory=dict)  # what → outcome → count

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "zotero": self.zotero}

    def lines(self) -> list[str]:
        """The summary line comes last, in the current language (kbase.i18n: the app's, or --lang); the counts'
        names in --json stay English."""
        out = super().lines()
        parts = []
        for what, counts in self.zotero.items():
            told = ", ".join(outcome_said(what, k, n) for k, n in counts.items() if n and k != "read")
            # the colon as the language writes it (French: " : "); a "{what}: {n}" template would read any message back
            parts.append(f"{_(what)}{_(': ')}{number(counts.get('read', 0))}" + (f" ({told})" if told else ""))
        sep = _("; ")  # French: " ; "
        line = sep.join(parts) + (f"{sep}import {self.batch}" if self.batch else "")
        out.append(f"{self.path}: " + (_("plan (nothing written): {summary}").format(summary=line)
                                       if self.dry_run else line))
        return out


def import_zotero(cat: Catalogue, path: str | Path, *, attach: Callable[..., Any], dry_run: bool = False,
                  on_duplicate: str = "link", batch_id: int | None = None, base_dir: str | Path | None = None,
                  index: bool = True) -> ZoteroReport:
    """Import a Zotero database; with dry_run the report is the plan and nothing is written. attach is the
    pipeline's import_paths (passed in: the pipeline calls this module), which brings the PDFs in."""
    path = Path(path).expanduser()
    lib = z.read_zotero(path, base_dir)
    report = ZoteroReport(str(path), dry_run)
    report.notes += [(0, "", p) for p in lib.problems]
    if lib.base_dir is not None and base_dir is None:
        report.notes.append((0, "", N_("files linked relative to Zotero's base directory are looked for in {folder} "
                                       "(from Zotero's preferences; --zotero-base DIR to choose another)").format(
            folder=lib.base_dir)))
    plans: list[tuple[z.Item, Planned]] = []
    for index_, item in enumerate(lib.items):
        data = to_record(item, index_)
        if isinstance(data, str):
            report.refused.append((item.item_id, item.key, data))
            continue
        files = [a.file for a in item.attachments if a.file is not None and a.is_pdf]
        plans.append((item, Planned(data, *_hashed(files, report, item))))
    own_batch = not dry_run and batch_id is None
    if own_batch:
        batch_id = start_batch(cat, [str(path)])
    import_records(cat, report, [p for _i, p in plans], on_duplicate=on_duplicate, batch_id=batch_id)
    report.batch = batch_id
    pub_of = {item.item_id: plan.pub_id for item, plan in plans
              if plan.pub_id and plan.pub_id > 0 and plan.action != "skip"}
    if dry_run:  # records to be created have no ID yet: a stand-in, so that their files and notes are counted
        pub_of.update({item.item_id: -n for n, (item, plan) in enumerate(plans, 1)
                       if plan.action != "skip" and item.item_id not in pub_of})
    counts = _count_items(lib, report)
    counts["attachments"] = _attachments(cat, lib, report, pub_of, batch_id, dry_run, index, attach)
    if not dry_run:
        with cat.transaction() as s:
            items: list[BatchItem] = []
            made, counts["collections"], counts["collection links"] = _collections(s, lib, pub_of, items)
            counts["notes"] = _notes(s, lib, pub_of, made, items, report)
            counts["related"] = _relations(s, lib, pub_of, items, report)
            counts["web links"] = _links(s, lib, pub_of, items)
            record_items(s, batch_id, items)
    else:
        counts["notes"] = {"read": len(lib.all_notes) + lib.trashed.get("notes", 0) + lib.notes_in_attachments}
        counts["collections"] = {"read": len(lib.collections) + lib.trashed.get("collections", 0)}
    counts["tags"] = _tags(lib)
    if lib.annotations:
        counts["annotations"] = {"read": lib.annotations, "not imported (kept in Zotero's PDF reader)": lib.annotations}
    report.zotero = counts
    if own_batch and batch_id is not None:
        finish_batch(cat, batch_id, report.counts())
    return report


def _hashed(files: list[Path], report: ZoteroReport, item: z.Item) -> tuple[list[Path], list[str]]:
    from kbase.files.store import file_sha256

    found, shas = [], []
    for f in files:
        try:
            shas.append(file_sha256(f))
            found.append(f)
        except OSError as exc:
            report.notes.append((item.item_id, item.key, N_("cannot read {path}: {reason}").format(
                path=f, reason=exc.strerror or exc)))
    return found, shas


def _count_items(lib: z.ZoteroLibrary, report: ZoteroReport) -> dict[str, dict[str, int]]:
    c = report.counts()
    return {"items": {"read": c["parsed"] + lib.trashed.get("items", 0), "created": c["created"],
                      "matched": c["matched"], "refused": c["refused"],
                      "in the trash, skipped": lib.trashed.get("items", 0)}}


def _attachments(cat: Catalogue, lib: z.ZoteroLibrary, report: ZoteroReport, pub_of: dict[int, int],
                 batch_id: int | None, dry_run: bool, index: bool, import_paths: Callable[..., Any]) -> dict[str, int]:
    """The PDFs through the import pipeline, each attached to its item's record (a PDF with no parent item
    becomes a publication of its own); everything else counted, with a note for each file not found."""
    counts = {"read": len(lib.all_attachments) + lib.trashed.get("attachments", 0), "imported": 0,
              "already in the library": 0, "refused": 0, "web links (below)": 0, "not a PDF, not imported": 0,
              "file missing": 0, "parent item not imported": 0, "images in notes, not imported": 0,
              "in the trash, skipped": lib.trashed.get("attachments", 0)}
    wanted: dict[Path, int | None] = {}
    where: dict[Path, z.Attachment] = {}
    for att in lib.all_attachments:
        parent_pub = pub_of.get(att.parent_id) if att.parent_id is not None else None
        if att.link_mode == z.LINKED_URL:
            counts["web links (below)"] += 1
        elif att.link_mode == z.EMBEDDED_IMAGE:
            counts["images in notes, not imported"] += 1
        elif att.file is None:
            counts["file missing"] += 1
            report.notes.append((att.parent_id or att.item_id, att.key,
                                 N_("attachment {name}: {problem}").format(
                                     name=repr(att.title or att.path), problem=att.problem)))
        elif not att.is_pdf:
            counts["not a PDF, not imported"] += 1
            report.notes.append((att.parent_id or att.item_id, att.key,
                                 N_("attachment {name} ({type}) is not a PDF; not imported").format(
                                     name=repr(att.file.name), type=att.content_type or N_("unknown type"))))
        elif att.parent_id is not None and parent_pub is None:
            counts["parent item not imported"] += 1
        elif att.file.resolve() in wanted:
            counts["already in the library"] += 1
            report.notes.append((att.parent_id or att.item_id, att.key,
                                 N_("{file}: the same file as another attachment").format(file=att.file)))
        else:
            wanted[att.file.resolve()] = parent_pub
            where[att.file.resolve()] = att
    if dry_run:
        counts["imported"] = len(wanted)  # the plan: each would be imported or found already there
        return {k: v for k, v in counts.items() if v or k == "read"}
    if wanted:
        done = import_paths(cat, list(wanted), batch_id=batch_id, index=index,
                            to_publications={f: pid for f, pid in wanted.items() if pid is not None})
        for result in done.files:
            source = where.get(Path(result.path).resolve())
            if result.imported:
                counts["imported"] += 1
                report.attachments.append((result.path, result.publication_id or 0))
            elif result.status == "duplicate":
                counts["already in the library"] += 1
            else:
                counts["refused"] += 1
                key = source.key if source else ""
                report.notes.append((source.parent_id or source.item_id if source else 0, key,
                                     N_("{path}: not imported: {reason}").format(
                                         path=result.path, reason=result.message or result.status)))
            if source is not None and source.parent_id is None and result.publication_id:
                pub_of[source.item_id] = result.publication_id  # a standalone PDF's record, for its collections
    return {k: v for k, v in counts.items() if v or k == "read"}


def _notes(s: Any, lib: z.ZoteroLibrary, pub_of: dict[int, int], col_ids: dict[int, int], items: list[BatchItem],
           report: ZoteroReport) -> dict[str, int]:
    """Child notes on their item's record; a standalone note on the collection that holds it."""
    counts = {"read": len(lib.all_notes) + lib.trashed.get("notes", 0) + lib.notes_in_attachments, "added": 0,
              "already there": 0, "an attachment's own note, not imported": lib.notes_in_attachments,
              "empty, not imported": 0, "parent item not imported": 0, "standalone, not imported": 0,
              "in the trash, skipped": lib.trashed.get("notes", 0)}
    targets: list[tuple[z.Note, str, int]] = []
    for it in lib.items:
        for note in it.notes:
            pid = pub_of.get(it.item_id)
            if pid is None:
                counts["parent item not imported"] += 1
            else:
                targets.append((note, "publication", pid))
    standalone_in: dict[int, int] = {}  # a standalone note goes to the (first) collection holding it
    for zc in lib.collections:
        for member in zc.other_ids:
            standalone_in.setdefault(member, zc.collection_id)
    for note in lib.standalone_notes:
        cid = standalone_in.get(note.item_id)
        if cid is not None and cid in col_ids:
            targets.append((note, "collection", col_ids[cid]))
        else:
            counts["standalone, not imported"] += 1
            report.notes.append((note.item_id, note.key, "a standalone note in no collection: not imported "
                                 "(a note belongs to a record here); its first line: "
                                 + repr(note_title(note_markdown(note.html), note.title)[:80])))
    existing: dict[tuple[str, int], set[str]] = {}
    for kind, rid, text in s.execute(select(col(m.Note.kind), col(m.Note.record_id), col(m.Note.text)).where(
            col(m.Note.record_id).in_(sorted({r for _n, _k, r in targets}) or [0]))):
        existing.setdefault((kind, rid), set()).add(text)
    rows = []
    now = m.utcnow()
    for note, kind, rid in targets:
        text = clean_text(note_markdown(note.html))
        if not text.strip():
            counts["empty, not imported"] += 1
            continue
        if text in existing.get((kind, rid), set()):
            counts["already there"] += 1
            continue
        existing.setdefault((kind, rid), set()).add(text)
        rows.append({"kind": kind, "record_id": rid, "text": text, "created": now, "updated": now})
    items += [BatchItem("note", i, "created", None) for i in insert_returning_ids(s, m.Note, rows)]
    counts["added"] = len(rows)
    return {k: v for k, v in counts.items() if v or k == "read"}


def _collections(s: Any, lib: z.ZoteroLibrary, pub_of: dict[int, int],
                 items: list[BatchItem]) -> tuple[dict[int, int], dict[str, int], dict[str, int]]:
    """Zotero's collection tree, a collection of the same name under the same parent reused; then its items.
    Returns Zotero's collection ID → the catalogue's, and the counts of collections and of their items."""
    counts = {"read": len(lib.collections) + lib.trashed.get("collections", 0), "created": 0, "already there": 0,
              "in the trash, skipped": lib.trashed.get("collections", 0)}
    notes = {n.item_id for n in lib.standalone_notes}
    links = {"read": sum(len(c.item_ids) + len(c.other_ids) for c in lib.collections), "filed": 0,
             "already there": 0, "item not imported": 0, "standalone notes (notes of the collection)": 0}
    by_zid = {c.collection_id: c for c in lib.collections}
    made: dict[int, int] = {}
    filed: list[dict[str, Any]] = []

    def place(zc: z.Collection, depth: int = 0) -> int:
        if zc.collection_id in made:
            return made[zc.collection_id]
        parent = place(by_zid[zc.parent_id], depth + 1) if zc.parent_id in by_zid and depth < 100 else None
        name = clean_line(zc.name)[:500]
        found = s.scalar(select(col(m.Collection.id)).where(
            col(m.Collection.name) == name,
            col(m.Collection.parent_id).is_(None) if parent is None else col(m.Collection.parent_id) == parent))
        if found is not None:
            counts["already there"] += 1
            made[zc.collection_id] = int(found)
        else:
            row = m.Collection(name=name, parent_id=parent)
            s.add(row)
            s.flush()
            made[zc.collection_id] = int(row.id or 0)
            items.append(BatchItem("collection", made[zc.collection_id], "created", None))
            counts["created"] += 1
        return made[zc.collection_id]

    for zc in lib.collections:
        place(zc)
    for zc in lib.collections:
        cid = made[zc.collection_id]
        have = set(s.scalars(select(col(m.CollectionItem.record_id)).where(
            col(m.CollectionItem.collection_id) == cid, col(m.CollectionItem.kind) == "publication")))
        for item_id in zc.item_ids + zc.other_ids:
            pid = pub_of.get(item_id)
            if item_id in notes:
                links["standalone notes (notes of the collection)"] += 1
            elif pid is None:
                links["item not imported"] += 1
            elif pid in have:
                links["already there"] += 1
            else:
                have.add(pid)
                filed.append({"collection_id": cid, "kind": "publication", "record_id": pid, "added": m.utcnow()})
                items.append(BatchItem("collection_item", 0, "linked", None,
                                       {"collection_id": cid, "kind": "publication", "record_id": pid}))
                links["filed"] += 1
    insert_rows(s, m.CollectionItem, filed)
    return (made, {k: v for k, v in counts.items() if v or k == "read"},
            {k: v for k, v in links.items() if v or k == "read"})


def _relations(s: Any, lib: z.ZoteroLibrary, pub_of: dict[int, int], items: list[BatchItem],
               report: ZoteroReport) -> dict[str, int]:
    """Zotero's Related (recorded on both items) as one "see also" between the two records."""
    by_key: dict[str, int] = {it.key: it.item_id for it in lib.items}
    pairs: set[tuple[int, int]] = set()
    counts = {"read": 0, "created": 0, "already there": 0, "other end not imported": 0,
              "merge history, not imported": 0}
    for it in lib.items:
        for predicate, obj in it.relations:
            counts["read"] += 1
            if predicate != RELATED:
                counts["merge history, not imported"] += 1
                continue
            found = z.item_key_of(obj)
            other = by_key.get(found[2]) if found else None
            a, b = pub_of.get(it.item_id), pub_of.get(other) if other is not None else None
            if a is None or b is None or a == b:
                counts["other end not imported"] += 1
                continue
            pair = (min(a, b), max(a, b))
            if pair in pairs:
                continue  # the same relation read from its other end
            pairs.add(pair)
    known: set[tuple[int, int]] = set()
    ends = sorted({x for pair in pairs for x in pair})
    for start in range(0, len(ends), 500):
        part = ends[start:start + 500]
        R = m.PublicationRelation
        known.update((min(a, b), max(a, b)) for a, b in s.execute(
            select(col(R.publication_id), col(R.other_id)).where(col(R.publication_id).in_(part)
                                                                 | col(R.other_id).in_(part))))
    new = sorted(pairs - known)
    counts["already there"] = len(pairs & known)
    rows = [{"publication_id": a, "relation": SEE_ALSO, "other_id": b} for a, b in new]
    items += [BatchItem("publication_relation", i, "created", None)
              for i in insert_returning_ids(s, m.PublicationRelation, rows)]
    counts["created"] = len(rows)
    counts["one record for both ends"] = counts["read"] - sum(v for k, v in counts.items() if k != "read")
    return {k: v for k, v in counts.items() if v or k == "read"}


def _links(s: Any, lib: z.ZoteroLibrary, pub_of: dict[int, int], items: list[BatchItem]) -> dict[str, int]:
    """Linked URLs (Zotero's "Attach link to URI") as the publication's web links."""
    counts = {"read": 0, "added": 0, "already there": 0, "parent item not imported": 0}
    pids = sorted(set(pub_of.values()))
    have: set[tuple[int, str]] = set()
    for start in range(0, len(pids), 500):
        have.update(s.execute(select(col(m.PublicationLink.publication_id), col(m.PublicationLink.url))
                              .where(col(m.PublicationLink.publication_id).in_(pids[start:start + 500]))).all())
    rows: list[dict[str, Any]] = []
    now = m.utcnow()
    for it in lib.items:
        for att in it.attachments:
            if att.link_mode != z.LINKED_URL or not att.url:
                continue
            counts["read"] += 1
            pid = pub_of.get(it.item_id)
            if pid is None:
                counts["parent item not imported"] += 1
                continue
            url = att.url[:2000]
            if (pid, url) in have:
                counts["already there"] += 1
                continue
            have.add((pid, url))
            rows.append({"publication_id": pid, "url": url, "title": att.title or None, "created": now})
    items += [BatchItem("publication_link", i, "created", None)
              for i in insert_returning_ids(s, m.PublicationLink, rows)]
    counts["added"] = len(rows)
    return {k: v for k, v in counts.items() if v or k == "read"}


def _tags(lib: z.ZoteroLibrary) -> dict[str, int]:
    """Tags become subjects (written with the records); a tag only on notes or attachments has no record to go to."""
    t = lib.tags
    return {k: v for k, v in {"read": sum(t.values()), "subjects of publications": t.get("on items", 0),
                              "only on notes or attachments, not imported": t.get("only on notes or attachments", 0),
                              "only on items in the trash, skipped": t.get("only on items in the trash", 0)}.items()
            if v or k == "read"}


def check_options(options: dict[str, Any] | None) -> str | None:
    """The base directory from the import's options, checked (a folder that does not exist is said at once)."""
    base = (options or {}).get("zotero_base")
    if base and not Path(base).expanduser().is_dir():
        raise InvalidInput(N_("--zotero-base {base}: no such folder").format(base=base))
    return base
