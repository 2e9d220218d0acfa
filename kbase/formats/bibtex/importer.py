"""`kbase import refs.bib`: every good entry becomes a publication; bad ones are named with their line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from kbase.library import models as m
from kbase.formats.bibtex.files import file_paths, resolve
from kbase.formats.bibtex.mapping import PubData, to_publication
from kbase.formats.bibtex.bulk import insert_returning_ids, insert_rows, log_inserts, update_column
from kbase.formats.bibtex.names_cache import NameCache
from kbase.formats.bibtex.parse import BadValue, parse_text, read_text
from kbase.catalogue.records import Catalogue
from kbase.catalogue.citekeys import unique_key
from kbase.catalogue.dedupe import PublicationIndex, family_key
from kbase.errors import ImportProblem, InvalidInput
from kbase.text import fold_words

ON_DUPLICATE = ("link", "skip", "create", "merge")
# every column a new publication row needs, so that one multi-row INSERT fits all entries
_EMPTY: dict[str, Any] = {name: None for name in m.Publication.model_fields if name != "id"} | {
    "visibility": "public", "type": "other", "title_norm": ""}
CHUNK = 500
_PLURAL = {"organisation": "organisations", "person": "people", "region": "regions", "project": "projects",
           "subject": "subjects"}


@dataclass
class BibReport:
    """What an import did (or, in a dry run, would do)."""

    path: str
    dry_run: bool = False
    created: list[tuple[str, int]] = field(default_factory=list)  # (citation key, publication ID)
    linked: list[tuple[str, int, str]] = field(default_factory=list)  # (key, existing ID, why)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, reason)
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # imported, but worth saying
    attachments: list[tuple[str, int]] = field(default_factory=list)  # (file, publication ID)
    new_records: dict[str, list[str]] = field(default_factory=dict)  # kind → names created

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "dry_run": self.dry_run,
            "created": [{"key": k, "id": i if i > 0 else None} for k, i in self.created],
            "linked": [{"key": k, "id": i if i > 0 else None, "reason": r} for k, i, r in self.linked],
            "skipped": [{"key": k, "reason": r} for k, r in self.skipped],
            "problems": [{"line": ln, "key": k, "reason": r} for ln, k, r in self.problems],
            "notes": [{"line": ln, "key": k, "note": r} for ln, k, r in self.notes],
            "attachments": [{"file": f, "publication": i} for f, i in self.attachments],
            "new_records": {k: len(v) for k, v in self.new_records.items()},
        }

    def summary(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """One line per thing a librarian should read, then a summary."""
        would = "would be " if self.dry_run else ""
        out = [f"{self.path}:{ln}: {key + ': ' if key else ''}{reason}" for ln, key, reason in sorted(self.problems)]
        out += [f"{self.path}:{ln}: {key}: note: {note}" for ln, key, note in sorted(self.notes)]
        out += [f"{key}: {would}linked to " + (f"existing publication {pid}" if pid > 0 else "an earlier entry")
                + f" ({why})" for key, pid, why in self.linked]
        out += [f"{key}: {would}skipped ({why})" for key, why in self.skipped]
        made = ", ".join(f"{len(v)} {_PLURAL.get(k, k) if len(v) != 1 else k}"
                         for k, v in sorted(self.new_records.items()))
        out.append(f"{self.path}: {len(self.created)} publications {would}created, {len(self.linked)} linked to "
                   f"existing ones, {len(self.skipped)} skipped, {len(self.problems)} entries not readable, "
                   f"{len(self.attachments)} files {would}attached" + (f"; new records: {made}" if made else ""))
        return out


@dataclass
class _Planned:
    data: PubData
    files: list[Path]
    shas: list[str]
    action: str = "create"  # create | link | skip | merge
    target: int | None = None
    reason: str = ""
    pub_id: int | None = None


def import_bib(cat: Catalogue, path: str | Path, *, dry_run: bool = False, roots: list[Path] | None = None,
               on_duplicate: str = "link") -> BibReport:
    """Import one .bib file. Entries that cannot be read are reported and the others still come in."""
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(f"on_duplicate must be one of {', '.join(ON_DUPLICATE)} (got {on_duplicate!r})")
    path = Path(path)
    try:
        text = read_text(str(path))
    except OSError as exc:
        raise ImportProblem(f"{path}: cannot read: {exc.strerror or exc}") from exc
    report = BibReport(str(path), dry_run)
    parsed = parse_text(text)
    report.problems += parsed.problems
    if not parsed.entries and not parsed.problems:
        report.problems.append((1, "", "no BibTeX entries found (is this a .bib file?)"))
    roots = [Path(r) for r in (roots or [path.parent])]
    bases = [path.parent / Path(d).expanduser() for d in parsed.file_dirs]  # JabRef's; relative ones to the .bib
    plans: list[_Planned] = []
    for entry in parsed.entries:
        try:
            data = to_publication(entry)
        except BadValue as exc:
            report.problems.append((entry.line, entry.key, str(exc)))
            continue
        report.notes += [(entry.line, entry.key, n) for n in data.notes]
        plans.append(_Planned(data, *_files(data, path.parent, roots, report, bases)))
    _decide(cat, plans, on_duplicate)
    if dry_run:
        _write(cat, None, plans, NameCache(cat, dry_run=True), report)
    else:
        with cat.transaction() as s:
            _write(cat, s, plans, NameCache(cat, dry_run=False), report)
        _attach(cat, plans, report)
    return report


def _files(data: PubData, bib_dir: Path, roots: list[Path], report: BibReport,
           bases: list[Path]) -> tuple[list[Path], list[str]]:
    if not data.files:
        return [], []
    from kbase.files.store import file_sha256

    found: list[Path] = []
    for raw in file_paths(data.files):
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
            report.notes.append((data.line, data.key, f"cannot read {p}: {exc.strerror or exc}"))
    return found, shas


def _first_key(data: PubData) -> str:
    for _role, name in data.contributors:
        return family_key(name.display, name.kind)
    return ""


def _decide(cat: Catalogue, plans: list[_Planned], on_duplicate: str) -> None:
    """Mark each entry create/link/skip/merge; entries of the same file are matched against each other too."""
    index = PublicationIndex.load(cat)
    pending = -1
    keys: dict[int, str] = {}
    for plan in plans:
        c = plan.data.columns
        tnorm = fold_words(c["title"])
        hit = index.match(c.get("doi"), c.get("isbn"), tnorm, c.get("year"), _first_key(plan.data), plan.shas)
        if hit and on_duplicate != "create":
            plan.action, plan.target, plan.reason = on_duplicate, hit[0], hit[1]
            if hit[0] < 0:
                plan.reason += f" as entry {keys[hit[0]]} of this file"
            if plan.target < 0:  # a duplicate of an earlier entry of this file: link or skip, never merge
                plan.action = "skip" if on_duplicate == "skip" else "link"
            continue
        plan.target = pending  # a placeholder ID so later entries can match this one
        keys[pending] = plan.data.key
        index.add(pending, c.get("doi"), c.get("isbn"), tnorm, c.get("year"), _first_key(plan.data))
        for sha in plan.shas:
            index.sha.setdefault(sha, pending)
        pending -= 1


def _write(cat: Catalogue, s: Session | None, plans: list[_Planned], names: NameCache, report: BibReport) -> None:
    if s is not None:
        names.load(s)
        taken = {k.lower() for k in s.scalars(select(m.Publication.citekey).where(m.Publication.citekey.is_not(None)))}
    else:
        with cat.reading() as rs:
            names.load(rs)
            taken = {k.lower() for k in rs.scalars(select(m.Publication.citekey).where(m.Publication.citekey.is_not(None)))}
    placeholder: dict[int, int] = {}
    for start in range(0, len(plans), CHUNK):
        chunk = plans[start:start + CHUNK]
        if s is None:
            _write_chunk(cat, None, chunk, names, report, taken, placeholder)
            continue
        created = {k: list(v) for k, v in names.created.items()}
        try:
            with s.begin_nested():
                _write_chunk(cat, s, chunk, names, report, taken, placeholder, record=False)
            _record(chunk, report)
        except (IntegrityError, DBAPIError, InvalidInput):
            # find the entry the database refused: one savepoint each, the rest still come in
            names.load(s)
            names.created = created
            for plan in chunk:
                plan.pub_id = None
                created = {k: list(v) for k, v in names.created.items()}
                try:
                    with s.begin_nested():
                        _write_chunk(cat, s, [plan], names, report, taken, placeholder, record=False)
                    _record([plan], report)
                except (IntegrityError, DBAPIError, InvalidInput) as exc:
                    names.load(s)
                    names.created = created
                    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
                    report.problems.append((plan.data.line, plan.data.key, f"refused by the catalogue: {reason}"))
    report.new_records = {k: v for k, v in names.created.items()}


def _record(chunk: list[_Planned], report: BibReport) -> None:
    for plan in chunk:
        if plan.action == "create":
            report.created.append((plan.data.key, plan.pub_id or 0))
        elif plan.action in ("link", "merge"):
            report.linked.append((plan.data.key, plan.pub_id or 0, plan.reason))
        else:
            report.skipped.append((plan.data.key, f"duplicate of publication {plan.pub_id}: {plan.reason}"))


def _write_chunk(cat: Catalogue, s: Session | None, chunk: list[_Planned], names: NameCache, report: BibReport,
                 taken: set[str], placeholder: dict[int, int], record: bool = True) -> None:
    """Write one chunk with a handful of multi-row INSERTs (s is None in a dry run)."""
    todo = [plan for plan in chunk if plan.action not in ("link", "skip")]
    names.prepare(s, [n for plan in todo for _role, n in plan.data.contributors],
                  [plan.data.publisher for plan in todo if plan.data.publisher])
    now = m.utcnow()
    rows: list[dict[str, Any]] = []
    for plan in todo:
        cols = {**_EMPTY, **plan.data.columns, "version": 1, "created": now, "updated": now}
        key = unique_key(cols["citekey"], taken)
        if key != cols["citekey"]:
            report.notes.append((plan.data.line, plan.data.key, f"citation key already used; stored as {key}"))
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
        return
    ids = insert_returning_ids(s, m.Publication, rows)
    links: dict[type, list[dict[str, Any]]] = {}
    for plan, pid in zip(todo, ids):
        if plan.action == "create":
            placeholder[plan.target or 0] = pid
        plan.pub_id = pid
        for model, row in _links(names, s, plan):
            links.setdefault(model, []).append(row)
    for model, link_rows in links.items():
        insert_rows(s, model, link_rows)
    log_inserts(cat, s, "publication", ids)
    for plan, pid in zip(todo, ids):
        if plan.action == "merge" and plan.target:
            cat.merge(m.Publication, plan.target, pid)
            plan.pub_id = plan.target
    _resolve_links(chunk, placeholder)
    # a linked record without a key takes the entry's, so documents citing it keep working
    keyless = {plan.pub_id: plan.data.key for plan in chunk
               if plan.action == "link" and (plan.target or 0) > 0 and plan.data.key.lower() not in taken}
    if keyless:
        update_column(s, m.Publication, "citekey", keyless)
        taken.update(k.lower() for k in keyless.values())
    if record:
        _record(chunk, report)


def _resolve_links(chunk: list[_Planned], placeholder: dict[int, int]) -> None:
    """Linked and skipped entries point at the record they duplicate, once that one has its ID."""
    for plan in chunk:
        if plan.action in ("link", "skip"):
            target = plan.target or 0
            plan.pub_id = placeholder.get(target, target)


def _links(names: NameCache, s: Session | None, plan: _Planned) -> list[tuple[type, dict[str, Any]]]:
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


def _attach(cat: Catalogue, plans: list[_Planned], report: BibReport) -> None:
    """The PDFs named in file fields, through the PDF importer, once the records are saved."""
    todo = [(plan, f) for plan in plans if plan.action != "skip" and plan.pub_id for f in plan.files]
    if not todo:
        return
    try:
        from kbase.imports.pipeline import import_paths
    except ImportError:
        for plan, f in todo:
            report.notes.append((plan.data.line, plan.data.key, f"{f}: PDF import is not available in this version"))
        return
    for plan, f in todo:
        try:
            import_paths(cat, [f], to_publication=plan.pub_id)
            report.attachments.append((str(f), plan.pub_id or 0))
        except Exception as exc:  # one bad file must not stop the others; say which and why
            report.notes.append((plan.data.line, plan.data.key, f"{f}: not attached: {exc}"))
