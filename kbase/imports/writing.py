"""Planning and writing the records any reader gives: each entry matched against the catalogue (new,
matches record N, refused), then written in chunks of multi-row INSERTs, with the batch's items; a dry
run resolves every name and writes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col

from kbase.catalogue.citekeys import unique_key
from kbase.catalogue.columns import table_of
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.formats.bibtex.files import file_paths, resolve
from kbase.formats.bibtex.mapping import PubData
from kbase.i18n import N_, en_ngettext
from kbase.imports.batches import (
    Item,
    change_mark,
    finish_batch,
    forget_since,
    inserted_since,
    record_items,
    start_batch,
)
from kbase.imports.matching import decide
from kbase.imports.names import NameCache
from kbase.library import models as m
from kbase.library.bulk import insert_returning_ids, insert_rows, log_inserts, update_column
from kbase.text import fold_words

# what to do with an entry that matches a record: the first four are the CLI's words
ON_DUPLICATE = ("link", "skip", "new", "update")
_SAME_AS = {"create": "new", "merge": "update"}  # the words of earlier versions
# every column a new publication row needs, so that one multi-row INSERT fits all entries
# (a column's own default where it has one: editors_et_al is NOT NULL)
_EMPTY: dict[str, Any] = {name: None if f.is_required() or f.default_factory else f.default
                          for name, f in m.Publication.model_fields.items() if name != "id"}
CHUNK = 500
# what became of a matched entry, as `kbase import-bib` lists it (English; read back by kbase.i18n.translate)
_SAID_DONE = {"linked": N_("{key}: linked to existing publication {id} ({reason})"),
              "linked early": N_("{key}: linked to an earlier entry ({reason})"),
              "updated": N_("{key}: existing publication {id} updated ({reason})"),
              "skipped": N_("{key}: skipped ({reason})")}
_DRY_RUN_SAID = {"linked": N_("{key}: would be linked to existing publication {id} ({reason})"),
                 "linked early": N_("{key}: would be linked to an earlier entry ({reason})"),
                 "updated": N_("{key}: existing publication {id} would be updated ({reason})"),
                 "skipped": N_("{key}: would be skipped ({reason})")}


def _new_names(kind: str, n: int, dry_run: bool) -> str:
    """"new projects created: {names}", the English a spreadsheet's import lists its new projects and regions with."""
    if kind == "project":
        return (en_ngettext("new project would be created: {names}", "new projects would be created: {names}", n)
                if dry_run else en_ngettext("new project created: {names}", "new projects created: {names}", n))
    return (en_ngettext("new region would be created: {names}", "new regions would be created: {names}", n)
            if dry_run else en_ngettext("new region created: {names}", "new regions created: {names}", n))


_PLURAL = {"organisation": "organisations", "person": "people", "region": "regions", "project": "projects",
           "subject": "subjects"}


@dataclass
class BibReport:
    """What an import did (or, in a dry run, would do); parsed = created + matched + refused."""

    path: str
    dry_run: bool = False
    encoding: str = ""
    batch: int | None = None
    format: str = "bibtex"  # bibtex | ris | csl-json | spreadsheet: the file's status in an import's report
    created: list[tuple[str, int]] = field(default_factory=list)  # (citation key, publication ID)
    linked: list[tuple[str, int, str]] = field(default_factory=list)  # (key, existing ID, why)
    updated: list[tuple[str, int, str]] = field(default_factory=list)  # (key, existing ID, why)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, reason): entries not created
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # refused entries and file-level problems
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # imported, but worth saying
    attachments: list[tuple[str, int]] = field(default_factory=list)  # (file, publication ID)
    to_attach: list[tuple[Path, int, int, str]] = field(default_factory=list)  # (file, publication ID, line, key)
    new_records: dict[str, list[str]] = field(default_factory=dict)  # kind → names created
    records: list[dict[str, Any]] = field(default_factory=list)  # the plan: one item per entry, in file order
    mapping: dict[str, Any] = field(default_factory=dict)  # a spreadsheet's: columns → fields, the sheet, how read

    @property
    def matched(self) -> int:
        return len(self.linked) + len(self.updated) + len(self.skipped)

    @property
    def parsed(self) -> int:
        return len(self.created) + self.matched + len(self.refused)

    def counts(self) -> dict[str, int]:
        return {"parsed": self.parsed, "created": len(self.created), "matched": self.matched,
                "refused": len(self.refused)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "dry_run": self.dry_run, "encoding": self.encoding, "batch": self.batch,
            **self.counts(),
            "problems": [{"file": self.path, "line": ln, "key": k, "reason": r} for ln, k, r in self.problems],
            "notes": [{"file": self.path, "line": ln, "key": k, "note": r} for ln, k, r in self.notes],
            "records": self.records,
            "attachments": [{"file": f, "publication": i} for f, i in self.attachments],
            "new_records": {k: len(v) for k, v in self.new_records.items()},
            "new_names": {k: sorted(dict.fromkeys(v), key=str.casefold) for k, v in self.new_records.items()},
            **({"mapping": self.mapping} if self.mapping else {}),
        }

    def summary(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """One line per thing a librarian should read, then a summary."""
        said = _DRY_RUN_SAID if self.dry_run else _SAID_DONE
        out = [f"{self.path}:{ln}: {key + ': ' if key else ''}{reason}" for ln, key, reason in sorted(self.problems)]
        out += [f"{self.path}:{ln}: {key + ': ' if key else ''}note: {note}" for ln, key, note in sorted(self.notes)]
        out += [(said["linked"] if pid > 0 else said["linked early"]).format(key=key, id=pid, reason=why)
                for key, pid, why in self.linked]
        out += [said["updated"].format(key=key, id=pid, reason=why) for key, pid, why in self.updated]
        out += [said["skipped"].format(key=key, reason=why) for key, why in self.skipped]
        made = ", ".join(f"{len(v)} {_PLURAL.get(k, k) if len(v) != 1 else k}"
                         for k, v in sorted(self.new_records.items()))
        if self.mapping:  # a spreadsheet: what each column was read as, so that nothing is assumed unseen
            out.append(f"{self.path}: columns" + (" (proposed; change them with --map or --map-file)"
                                                  if self.mapping.get("proposed") else "")
                       + f": {self.mapping.get('described', '')}")
            for kind in ("project", "region"):
                names = self.new_records.get(kind) or []
                if names:
                    shown = ", ".join(names[:20]) + (f" … and {len(names) - 20} more" if len(names) > 20 else "")
                    out.append(f"{self.path}: " + _new_names(kind, len(names), self.dry_run).format(names=shown))
        out.append(f"{self.path}: " + self.summary_line(made))
        return out

    def summary_line(self, made: str) -> str:
        """"27 entries: 27 created, 0 matched existing records (…), 0 refused; 0 files attached; …", in English
        (the import's message, as --json gives it): kbase.i18n.translate reads it back, piece by piece, through the
        templates here and the counts' forms in _SAID."""
        would = "would be " if self.dry_run else ""
        counts = {"entries": en_ngettext("{n} entry", "{n} entries", self.parsed).format(n=self.parsed),
                  "created": f"{len(self.created)} {would}created",
                  "matched": en_ngettext("{n} matched an existing record", "{n} matched existing records",
                                         self.matched).format(n=self.matched), "linked": f"{len(self.linked)} linked",
                  "updated": f"{len(self.updated)} updated", "skipped": f"{len(self.skipped)} skipped",
                  "refused": f"{len(self.refused)} refused"}
        if self.encoding and self.encoding not in ("utf-8", "ascii"):
            head = N_("{entries} (read as {encoding}): {created}, {matched} ({linked}, {updated}, {skipped}), "
                      "{refused}").format(encoding=self.encoding, **counts)
        else:
            head = N_("{entries}: {created}, {matched} ({linked}, {updated}, {skipped}), {refused}").format(**counts)
        files = len(self.attachments)
        attached = (en_ngettext("{n} file would be attached", "{n} files would be attached", files) if self.dry_run
                    else en_ngettext("{n} file attached", "{n} files attached", files))
        parts = [head, attached.format(n=files)]
        if made:
            parts.append(N_("new records: {made}").format(made=made))
        if self.batch:
            parts.append(N_("import {batch}").format(batch=self.batch))
        return "; ".join(parts)


# the forms translate() reads the summary line's counts back through (the catalogs hold both of each pair)
_SAID = (en_ngettext("{n} entry", "{n} entries", 2),
         en_ngettext("{n} matched an existing record", "{n} matched existing records", 2),
         en_ngettext("{n} linked", "{n} linked", 2), en_ngettext("{n} updated", "{n} updated", 2),
         en_ngettext("{n} skipped", "{n} skipped", 2), en_ngettext("{n} file attached", "{n} files attached", 2),
         en_ngettext("{n} file would be attached", "{n} files would be attached", 2))


@dataclass
class Planned:
    """One incoming record, its files, and what the plan says to do with it."""

    data: PubData
    files: list[Path]
    shas: list[str]
    action: str = "create"  # create | link | skip | update
    target: int | None = None
    reason: str = ""
    pub_id: int | None = None
    changes: list[str] = field(default_factory=list)  # the matched record's fields this action changes
    fills: list[str] = field(default_factory=list)  # the matched record's empty fields an update would fill


def import_records(cat: Catalogue, report: BibReport, plans: list[Planned], *, on_duplicate: str = "link",
                   batch_id: int | None = None) -> BibReport:
    """Plan and write the records one file gave (any format): matched, created or refused, in one transaction.

    report already holds what the reader refused and noted; report.dry_run says whether to write."""
    on_duplicate = _SAME_AS.get(on_duplicate, on_duplicate)
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(N_("on_duplicate must be one of {choices} (got {got})").format(
            choices=', '.join(ON_DUPLICATE), got=repr(on_duplicate)))
    path, dry_run = Path(report.path), report.dry_run
    report.refused.sort()
    report.problems += report.refused
    decide(cat, plans, on_duplicate)
    if dry_run:
        _write(cat, None, plans, NameCache(cat, dry_run=True), report)
    else:
        own_batch = batch_id is None
        if own_batch:
            batch_id = start_batch(cat, [str(path)])
        report.batch = batch_id
        with cat.transaction() as s:
            items = _write(cat, s, plans, NameCache(cat, dry_run=False), report)
            record_items(s, batch_id, items)
        report.to_attach = [(f, plan.pub_id, plan.data.line, plan.data.key) for plan in plans
                            if plan.action != "skip" and plan.pub_id and plan.pub_id > 0 for f in plan.files]
        if own_batch and batch_id is not None:
            finish_batch(cat, batch_id, report.counts())
    report.records = _plan_items(plans, report)
    return report


def _plan_items(plans: list[Planned], report: BibReport) -> list[dict[str, Any]]:
    """The plan as data: every entry new, matching a record (why, and what would change) or refused."""
    out: list[dict[str, Any]] = []
    for plan in plans:
        d = plan.data
        if plan.action == "create":
            out.append({"line": d.line, "key": d.key, "title": d.columns.get("title"), "action": "new",
                        "id": plan.pub_id if (plan.pub_id or 0) > 0 else None})
        else:
            target = plan.pub_id if (plan.pub_id or 0) > 0 else None
            out.append({"line": d.line, "key": d.key, "title": d.columns.get("title"), "action": "match",
                        "then": plan.action, "target": target, "reason": plan.reason, "changes": plan.changes,
                        "fills": plan.fills})
    out += [{"line": ln, "key": k, "action": "refused", "reason": r} for ln, k, r in report.refused]
    out.sort(key=lambda r: r["line"])
    return out


def find_files(data: PubData, bib_dir: Path, roots: list[Path], report: BibReport,
               bases: Sequence[Path] = ()) -> tuple[list[Path], list[str]]:
    """The files a record names (a BibTeX `file` field, or a list of paths), found inside the allowed
    folders, with their SHA-256; what cannot be found is a note."""
    if not data.files:
        return [], []
    from kbase.files.store import file_sha256

    found: list[Path] = []
    for raw in file_paths(data.files) if isinstance(data.files, str) else data.files:
        real, why = resolve(raw, bib_dir, roots, bases)
        if real is None:
            report.notes.append((data.line, data.key, why))
        elif real not in found:
            found.append(real)
    shas = []
    for p in found:
        try:
            shas.append(file_sha256(p))
        except OSError as exc:
            report.notes.append((data.line, data.key, N_("cannot read {path}: {reason}").format(
                path=p, reason=exc.strerror or exc)))
    return found, shas


def _write(cat: Catalogue, s: Session | None, plans: list[Planned], names: NameCache, report: BibReport) -> list[Item]:
    """Write the plan (s is None in a dry run); returns what was created and changed, for the batch."""
    if s is not None:
        names.load(s)
        taken = {k.lower() for k in s.scalars(select(col(m.Publication.citekey))
                                              .where(col(m.Publication.citekey).is_not(None))) if k is not None}
    else:
        with cat.reading() as rs:
            names.load(rs)
            taken = {k.lower() for k in rs.scalars(select(col(m.Publication.citekey))
                                                   .where(col(m.Publication.citekey).is_not(None))) if k is not None}
    placeholder: dict[int, int] = {}
    items: list[Item] = []
    for start in range(0, len(plans), CHUNK):
        chunk = plans[start:start + CHUNK]
        if s is None:
            _write_chunk(cat, None, chunk, names, report, taken, placeholder)
            continue
        created = {k: list(v) for k, v in names.created.items()}
        mark = change_mark(cat)
        try:
            with s.begin_nested():
                chunk_items = _write_chunk(cat, s, chunk, names, report, taken, placeholder, record=False)
            items += chunk_items + inserted_since(cat, mark)
            _record(chunk, report)
        except (IntegrityError, DBAPIError, InvalidInput):
            # find the entry the database refused: one savepoint each, the rest still come in
            forget_since(cat, mark)
            names.load(s)
            names.created = created
            for plan in chunk:
                plan.pub_id = None
                created = {k: list(v) for k, v in names.created.items()}
                mark = change_mark(cat)
                try:
                    with s.begin_nested():
                        one = _write_chunk(cat, s, [plan], names, report, taken, placeholder, record=False)
                    items += one + inserted_since(cat, mark)
                    _record([plan], report)
                except (IntegrityError, DBAPIError, InvalidInput) as exc:
                    forget_since(cat, mark)
                    names.load(s)
                    names.created = created
                    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
                    report.refused.append((plan.data.line, plan.data.key, N_("refused by the catalogue: "
                                                                             "{reason}").format(reason=reason)))
                    report.problems.append(report.refused[-1])
    report.new_records = {k: v for k, v in names.created.items()}
    return items


def _record(chunk: list[Planned], report: BibReport) -> None:
    for plan in chunk:
        if plan.action == "create":
            report.created.append((plan.data.key, plan.pub_id or 0))
        elif plan.action == "link":
            report.linked.append((plan.data.key, plan.pub_id or 0, plan.reason))
        elif plan.action == "update":
            report.updated.append((plan.data.key, plan.pub_id or 0, plan.reason))
        else:
            report.skipped.append((plan.data.key, N_("duplicate of publication {id}: {reason}").format(
                id=plan.pub_id, reason=plan.reason)))


def _write_chunk(cat: Catalogue, s: Session | None, chunk: list[Planned], names: NameCache, report: BibReport,
                 taken: set[str], placeholder: dict[int, int], record: bool = True) -> list[Item]:
    """Write one chunk with a handful of multi-row INSERTs (s is None in a dry run)."""
    todo = [plan for plan in chunk if plan.action == "create"]
    names.prepare(s, [n for plan in todo for _role, n in plan.data.contributors],
                  [plan.data.publisher for plan in todo if plan.data.publisher])
    names.prepare_subjects(s, [n for plan in chunk if plan.action in ("create", "update") for n in plan.data.subjects])
    now = m.utcnow()
    rows: list[dict[str, Any]] = []
    for plan in todo:
        cols = {**_EMPTY, **plan.data.columns, "version": 1, "created": now, "updated": now}
        key = unique_key(cols["citekey"], taken)
        if key != cols["citekey"]:
            report.notes.append((plan.data.line, plan.data.key, N_("citation key already used; stored as {key}").format(
                key=key)))
        taken.add(key.lower())
        cols["citekey"] = key
        cols["title_norm"] = fold_words(cols["title"])
        cols["extra"] = json.dumps(plan.data.extra, ensure_ascii=False, sort_keys=True) if plan.data.extra else None
        if plan.data.series:
            cols["series_id"] = names.series_id(s, plan.data.series)
        if plan.data.publisher:
            cols["publisher_id"] = names.organisation(s, plan.data.publisher)
        rows.append(cols)
    if s is None:  # dry run: resolve every name so the report counts what would be created
        for plan in todo:
            _links(names, None, plan)
            plan.pub_id = plan.target
        _resolve_links(chunk, {})
        if record:
            _record(chunk, report)
        return []
    ids = insert_returning_ids(s, m.Publication, rows)
    links: dict[type, list[dict[str, Any]]] = {}
    for plan, pid in zip(todo, ids, strict=True):
        placeholder[plan.target or 0] = pid
        plan.pub_id = pid
        for model, row in _links(names, s, plan):
            links.setdefault(model, []).append(row)
    for model, link_rows in links.items():
        insert_rows(s, model, link_rows)
    log_inserts(cat, s, "publication", ids)
    _resolve_links(chunk, placeholder)
    items = _update(cat, s, [p for p in chunk if p.action == "update" and (p.pub_id or 0) > 0], names)
    # a matched record without a key takes the entry's, so documents citing it keep working
    keyless = {pid: plan.data.key for plan in chunk
               if plan.action in ("link", "update") and (pid := plan.pub_id or 0) > 0 and "citekey" in plan.changes
               and plan.data.key.lower() not in taken}
    if keyless:
        update_column(s, m.Publication, "citekey", keyless)
        taken.update(k.lower() for k in keyless.values())
        changed = {it.record_id for it in items}
        items += [Item("publication", pid, "changed", None, {"citekey": None}) for pid in keyless if pid not in changed]
        for it in items:
            if it.record_id in keyless and it.before is not None:
                it.before.setdefault("citekey", None)
    if record:
        _record(chunk, report)
    return items


def _update(cat: Catalogue, s: Session, plans: list[Planned], names: NameCache) -> list[Item]:
    """Fill the matched records' empty fields and add the links they lack; the old values are kept for undo."""
    items: list[Item] = []
    for plan in plans:
        pid = plan.pub_id or 0
        row = s.get(m.Publication, pid)
        if row is None:
            continue
        before = {c: getattr(row, c) for c in plan.changes if c != "citekey"}
        for c in before:
            setattr(row, c, plan.data.columns[c])
        row.version += 1
        row.updated = m.utcnow()
        s.flush()
        cat.log_change(s, "publication", pid, "update")
        items.append(Item("publication", pid, "changed", row.version, before))
        roles = set(s.scalars(select(col(m.Contributor.role)).where(col(m.Contributor.publication_id) == pid)))
        for model, link in _links(names, s, plan):
            if model is m.Contributor and link["role"] in roles:
                continue  # the record's own list of authors (or editors) stands
            keys = {k: v for k, v in link.items() if k != "position" and v is not None}
            if s.scalar(select(model).where(*(getattr(model, k) == v for k, v in keys.items())).limit(1)) is None:
                insert_rows(s, model, [link])
                if model is m.Contributor:
                    link_id = s.scalar(select(col(m.Contributor.id))
                                       .where(*(getattr(m.Contributor, k) == v for k, v in keys.items()))
                                       .order_by(col(m.Contributor.id).desc()).limit(1))
                    keys = {"id": link_id}
                items.append(Item(table_of(model).name, 0, "linked", None, keys))
    return items


def _resolve_links(chunk: list[Planned], placeholder: dict[int, int]) -> None:
    """Matched entries point at the record they duplicate, once that one has its ID."""
    for plan in chunk:
        if plan.action != "create":
            target = plan.target or 0
            plan.pub_id = placeholder.get(target, target)


def _links(names: NameCache, s: Session | None, plan: Planned) -> list[tuple[type, dict[str, Any]]]:
    pid = plan.pub_id or 0
    d = plan.data
    rows: list[tuple[type, dict[str, Any]]] = []
    for pos, (role, name) in enumerate(d.contributors):
        kind, rid = names.contributor(s, name)
        rows.append((m.Contributor, {"publication_id": pid, "position": pos, "role": role,
                                     "person_id": rid if kind == "person" else None,
                                     "organisation_id": rid if kind == "organisation" else None}))
    for sid in dict.fromkeys(names.subject_id(s, n) for n in d.subjects):
        rows.append((m.PublicationSubject, {"publication_id": pid, "subject_id": sid}))
    for jid in dict.fromkeys(names.project_id(s, n) for n in d.projects):
        rows.append((m.PublicationProject, {"publication_id": pid, "project_id": jid}))
    for rid in dict.fromkeys(names.region_id(s, n) for n in d.regions):
        rows.append((m.PublicationRegion, {"publication_id": pid, "region_id": rid}))
    return rows
