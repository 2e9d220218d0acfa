"""`kbase import`: PDFs and folders into the store and the catalogue, one transaction per file."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import delete, insert, select, text
from sqlmodel import SQLModel, col

from kbase.catalogue.columns import table_of
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, KbaseError
from kbase.files.store import importing, path_for, stored_file_row, thumbnail_path
from kbase.gcmode import bulk_work
from kbase.i18n import N_, en_ngettext
from kbase.imports.batches import change_mark, finish_batch, inserted_since, record_items, start_batch
from kbase.imports.indexer import CHILD_FILES, BackgroundIndexer
from kbase.imports.outcomes import (
    BIBLIOGRAPHIES,
    DEFAULT_MAX_BYTES,
    MAX_BYTES_SETTING,
    REFUSED,
    VISIBILITY_SETTING,
    FileResult,
    ImportProgress,
    ImportReport,
    duplicate_result,
    max_bytes_for,
)
from kbase.imports.paths import collect
from kbase.imports.pool import ExtractionPool, Outcome, Task, worker_count
from kbase.library import models as m
from kbase.ocr.queue import queue_pages
from kbase.text import clean_line, fold_words

__all__ = ["import_paths", "import_bib_file", "ImportProgress", "ImportReport", "FileResult", "DEFAULT_MAX_BYTES",
           "max_bytes_for",
           "REFUSED", "BIBLIOGRAPHIES"]


def import_bib_file(cat: Catalogue, path: str | Path, *, roots: list[Path] | None = None, batch_id: int | None = None,
                    dry_run: bool = False, on_duplicate: str = "link", index: bool = True,
                    sheet_options: Mapping[str, Any] | None = None) -> Any:
    """A .bib, RIS or CSL-JSON file's records, then the PDFs its `file` fields (RIS: L1) name, attached to their
    records in the same batch. A Zotero database goes to kbase.imports.zotero (its base directory for linked
    files in sheet_options["zotero_base"])."""
    from kbase.imports.records import import_bibliography

    if Path(path).suffix.lower() == ".sqlite":  # the Zotero reader says so when it is no Zotero database
        from kbase.imports.zotero import import_zotero

        return import_zotero(cat, path, attach=import_paths, dry_run=dry_run, on_duplicate=on_duplicate,
                             batch_id=batch_id, index=index, base_dir=(sheet_options or {}).get("zotero_base"))

    report = import_bibliography(cat, path, dry_run=dry_run, roots=roots, batch_id=batch_id, on_duplicate=on_duplicate,
                                 sheet_options=sheet_options)
    wanted: dict[Path, tuple[int, int, str]] = {}
    for f, pid, line, key in report.to_attach:
        if f.resolve() in wanted:
            report.notes.append((line, key,
                                 N_("{file}: already attached to publication {id} by this file").format(
                                     file=f, id=wanted[f.resolve()][0])))
        else:
            wanted[f.resolve()] = (pid, line, key)
    if not wanted:
        return report
    done = import_paths(cat, list(wanted), to_publications={f: pid for f, (pid, _l, _k) in wanted.items()},
                        batch_id=report.batch, index=index)
    for result in done.files:
        pid, line, key = wanted.get(Path(result.path).resolve(), (0, 0, ""))
        if result.imported or result.status == "duplicate":
            report.attachments.append((result.path, result.publication_id or pid))
        else:
            report.notes.append((line, key, N_("{path}: not attached: {reason}").format(
                path=result.path, reason=result.message or result.status)))
    return report


def _import_bib(cat: Catalogue, path: Path, roots: list[Path], batch_id: int | None, dry_run: bool,
                on_duplicate: str, sheet_options: Mapping[str, Any] | None = None) -> FileResult:
    try:
        result = import_bib_file(cat, path, dry_run=dry_run, roots=roots, batch_id=batch_id, on_duplicate=on_duplicate,
                                 sheet_options=sheet_options)
    except KbaseError as exc:
        return FileResult(str(path), "failed", str(exc), batch=batch_id, problems=[
            {"file": str(path), "line": None, "key": "", "reason": str(exc)}])
    d = result.as_dict()
    summary = result.lines()[-1].removeprefix(str(path)).lstrip(": ")  # the row already names the file
    return FileResult(str(path), result.format, summary, batch=batch_id, created=d["created"],
                      matched=d["matched"], refused=d["refused"], encoding=result.encoding, problems=d["problems"],
                      notes=d["notes"], records=d["records"], mapping=d.get("mapping") or {},
                      new_names=d.get("new_names") or {}, zotero=d.get("zotero") or {})


def _title_from_filename(filename: str) -> str:
    stem = Path(filename).stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split()) or filename


def _insert(s: Any, model: type[SQLModel], **values: Any) -> int:
    """A plain INSERT … RETURNING id: the ORM's unit of work costs more than the whole row."""
    table = table_of(model)
    return int(s.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def _person_id(cat: Catalogue, s: Any, name: str, people: dict[str, int]) -> int:
    key = fold_words(name)
    if key not in people:
        found = cat.lookup(m.Person, name)
        people[key] = found[0].id if found else cat.add_row(s, m.Person, name=name)
    return people[key]


def _new_publication(cat: Catalogue, s: Any, meta: dict[str, Any], filename: str, visibility: str,
                     people: dict[str, int]) -> int:
    title = (meta.get("title") or _title_from_filename(filename))[:500]
    fields: dict[str, Any] = {"title": title, "title_norm": fold_words(title), "type": "other",
                              "visibility": visibility}
    year, month = meta.get("year"), meta.get("month")
    if isinstance(year, int) and 1000 <= year <= 2999:
        fields["year"] = year
        if isinstance(month, int) and 1 <= month <= 12:
            fields["month"] = month
    if meta.get("language"):
        fields["language"] = meta["language"]
    extra = {"imported_from": filename, "title_from": meta.get("title_source") or "file name"}
    if meta.get("keywords"):
        extra["keywords"] = meta["keywords"]
    fields["extra"] = json.dumps(extra, ensure_ascii=False)
    pub_id = _insert(s, m.Publication, **fields)
    cat.log_change(s, "publication", pub_id, "insert")
    authors = list(dict.fromkeys(_person_id(cat, s, name, people) for name in meta.get("authors") or []))
    if authors:
        s.execute(insert(table_of(m.Contributor)), [
            {"publication_id": pub_id, "position": i, "role": "author",
             "person_id": pid} for i, pid in enumerate(authors)])
    return pub_id


def _existing(s: Any, sha: str) -> tuple[int, int | None] | None:
    row = s.execute(select(col(m.Attachment.id), col(m.Attachment.publication_id))
                    .where(col(m.Attachment.sha256) == sha).order_by(col(m.Attachment.id)).limit(1)).first()
    return (row[0], row[1]) if row else None


def _unlock(cat: Catalogue, s: Any, path: Path, out: Outcome, att_id: int) -> FileResult:
    """An attachment imported encrypted, now opened with --password: its text replaces nothing."""
    cat.update(m.Attachment, att_id, status=out.status, message=out.message or None,
               page_count=out.page_count, has_thumbnail=out.has_thumbnail)
    s.execute(delete(m.PageText).where(col(m.PageText.attachment_id) == att_id))
    _insert_pages(s, att_id, out.pages)
    queue_pages(s, att_id, out.scanned, out.metadata.get("language"))
    att = s.get(m.Attachment, att_id)
    pub = s.get(m.Publication, att.publication_id) if att.publication_id else None
    if pub is not None and cat.extra(pub).get("title_from") == "file name" and out.metadata.get("title"):
        cat.update(m.Publication, pub.id, title=out.metadata["title"])
    return FileResult(str(path), out.status, en_ngettext("opened with the password: {n} page read",
                                                         "opened with the password: {n} pages read",
                                                         out.page_count).format(n=out.page_count)
                      + (f"; {out.message}" if out.message else ""), att_id, att.publication_id, len(out.pages))


def _insert_pages(s: Any, att_id: int, pages: list[str]) -> None:
    if pages:
        s.execute(insert(table_of(m.PageText)), [
            {"attachment_id": att_id, "page": i + 1, "text": body} for i, body in enumerate(pages)])


def _commit(cat: Catalogue, path: Path, out: Outcome, to_publication: int | None, visibility: str,
            people: dict[str, int], batch_id: int | None) -> FileResult:
    """One transaction: stored file, publication, attachment, page texts and change log."""
    lib = cat.library
    new_people: dict[str, int] = dict(people)
    name = clean_line(path.name)  # a file name that is not UTF-8 holds lone surrogates, which no database takes
    with cat.transaction() as s, cat.logging_together(s):
        mark = change_mark(cat)
        if lib.is_shared and out.sha256:  # another desktop may be committing this very file: take turns
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(out.sha256[:15], 16)})
        found = _existing(s, out.sha256 or "")
        held = s.get(m.Attachment, found[0]) if found else None
        locked = held is not None and held.status == "encrypted"
        if found and out.status != "encrypted" and locked:
            return _unlock(cat, s, path, out, found[0])
        if found and out.status == "encrypted" and locked:
            return FileResult(str(path), "encrypted", N_("{message} (already in the library, publication {id})").format(
                message=out.message, id=found[1]),
                              found[0], found[1], duplicate_of=found[1])
        if found:
            return duplicate_result(str(path), found)
        if s.get(m.StoredFile, out.sha256) is None:
            row = stored_file_row(lib, out.sha256 or "", out.size)
            s.execute(insert(table_of(m.StoredFile)).values(
                sha256=row.sha256, size=row.size, content=row.content))
        if to_publication is None:
            pub_id = _new_publication(cat, s, out.metadata, name, visibility, new_people)
        else:
            pub_id = to_publication
            cat.log_change(s, "publication", pub_id)
        att_id = _insert(s, m.Attachment, publication_id=pub_id, sha256=out.sha256, filename=name[:500],
                         status=out.status, message=clean_line(out.message) or None, page_count=out.page_count,
                         mime=out.mime,
                         has_thumbnail=out.has_thumbnail)
        cat.log_change(s, "attachment", att_id, "insert")
        _insert_pages(s, att_id, out.pages)
        if out.scanned:  # OCR reads them once the import is over (kbase.ocr.queue)
            queue_pages(s, att_id, out.scanned, out.metadata.get("language"))
        record_items(s, batch_id, inserted_since(cat, mark))
    people.update(new_people)  # only names whose rows were committed
    message = out.message or en_ngettext("{n} page", "{n} pages", out.page_count).format(n=out.page_count)
    return FileResult(str(path), out.status, message, att_id, pub_id, len(out.pages))


def _discard(cat: Catalogue, out: Outcome) -> None:
    """An extracted file that was never committed: take it back out of the store."""
    if not out.stored or not out.sha256:
        return
    with cat.reading() as s:
        if s.get(m.StoredFile, out.sha256) is not None:
            return
    path_for(cat.library, out.sha256).unlink(missing_ok=True)
    thumbnail_path(cat.library, out.sha256).unlink(missing_ok=True)


def import_paths(cat: Catalogue, paths: Sequence[str | Path], *, to_publication: int | None = None,
                 password: str | None = None, max_bytes: int | None = None,
                 progress: Callable[[ImportProgress], None] | None = None,
                 cancel: threading.Event | None = None, workers: int = 2,
                 timeout: float = 300.0, index: bool = True,
                 to_publications: Mapping[str | Path, int] | None = None, batch_id: int | None = None,
                 dry_run: bool = False, on_duplicate: str = "link",
                 sheet_options: Mapping[str, Any] | None = None) -> ImportReport:
    """Import files and folders; every file gets a FileResult, none stops the batch.

    Safe to run from a background thread: nothing is printed; progress is reported through
    the callback and cancel stops after the file being written (which is kept or rolled back whole).
    to_publications maps some of the paths to the publication each should be attached to
    (one call for a whole .bib file's links instead of one worker pool per file).
    Everything goes into one import batch (batch_id, else a new one), which `undo_batch` takes back;
    with dry_run nothing is written and the report is the plan. Spreadsheets (.csv, .tsv, .xlsx, named, not
    found in folders) are read with sheet_options (kbase.imports.records.spreadsheet_options: mapping, sheet,
    new_names, and per file).
    """
    if dry_run:
        return _plan_paths(cat, paths, max_bytes, on_duplicate, sheet_options)
    own_batch = batch_id is None
    if own_batch:
        batch_id = start_batch(cat, [str(p) for p in paths])
    # `kbase check` leaves the files in flight alone meanwhile
    with importing(cat.library), bulk_work():
        report = _import_paths(cat, paths, to_publication=to_publication, password=password, max_bytes=max_bytes,
                               progress=progress, cancel=cancel, workers=workers, timeout=timeout, index=index,
                               to_publications=to_publications, batch_id=batch_id, on_duplicate=on_duplicate,
                               sheet_options=sheet_options)
    report.batch = batch_id
    if own_batch and batch_id is not None:
        finish_batch(cat, batch_id, report.totals())
    return report


def _plan_paths(cat: Catalogue, paths: Sequence[str | Path], max_bytes: int | None, on_duplicate: str,
                sheet_options: Mapping[str, Any] | None = None) -> ImportReport:
    """A dry run: each .bib file's plan, and for each document whether it is new, already there or refused."""
    from kbase.files.blobs import file_sha256
    from kbase.imports.extract import sniff

    pdfs, bibs, problems, roots = collect(list(paths))
    report = ImportReport(files=[f.count() for f in problems], dry_run=True)
    for bib in bibs:
        report.files.append(_import_bib(cat, bib, roots, None, True, on_duplicate, sheet_options))
    limit = max_bytes_for(cat, max_bytes)
    with cat.reading() as s:
        known = dict(s.execute(select(col(m.Attachment.sha256), col(m.Attachment.publication_id))).all())
    for p in pdfs:
        try:
            size = p.stat().st_size
            verdict = sniff(p)
            sha = file_sha256(p) if verdict is None and size <= limit else ""
        except OSError as exc:
            report.files.append(FileResult(str(p), "damaged", N_("cannot read the file: {reason}").format(
                reason=exc.strerror)).count())
            continue
        if verdict is not None:
            report.files.append(FileResult(str(p), verdict.status, verdict.message).count())
        elif size > limit:
            report.files.append(FileResult(str(p), "too large", N_("too large: {size} MB").format(
                size=format(size / 2**20, '.1f'))).count())
        elif sha in known:
            report.files.append(duplicate_result(str(p), (0, known[sha])).count())
        else:
            report.files.append(FileResult(str(p), "new", N_("would be imported")).count())
    return report


def _tasks(pdfs: list[Path], report: ImportReport, limit: int,
           password: str | None) -> tuple[list[Task], dict[int, int]]:
    """The documents to read, with their sizes; the unreadable, empty and too large go to the report."""
    tasks: list[Task] = []
    sizes: dict[int, int] = {}
    batch = uuid.uuid4().hex[:12]
    for p in pdfs:
        try:
            size = p.stat().st_size
        except OSError as exc:
            unreadable = N_("cannot read the file: {reason}; not imported").format(reason=exc.strerror)
            report.files.append(FileResult(str(p), "damaged", unreadable))
            continue
        if size == 0:
            report.files.append(FileResult(str(p), "empty", N_("empty file (0 bytes); not imported")))
        elif size > limit:
            report.files.append(FileResult(str(p), "too large", N_("too large: {size} MB, over the limit of {limit} MB "
                                                                  "({how}); not imported").format(
                size=f"{size / 2**20:.1f}", limit=f"{limit / 2**20:.0f}",
                how=N_("--max-size or library setting {setting}").format(setting=MAX_BYTES_SETTING))))
        else:
            sizes[len(tasks)] = size
            tasks.append(Task(len(tasks), str(p), p.name, password, f"{batch}-{len(tasks)}.part"))
    return tasks, sizes


def _outcome_result(cat: Catalogue, path: Path, out: Outcome, targets: dict[Path, int], to_publication: int | None,
                    visibility: str, people: dict[str, int], batch_id: int | None) -> FileResult:
    """What became of one document the workers read: committed, a duplicate, or refused."""
    try:
        if out.status == "duplicate":
            with cat.reading() as s:
                found = _existing(s, out.sha256 or "")
            return duplicate_result(str(path), found) if found else FileResult(
                str(path), "failed", N_("the library changed during the import; import it again"))
        if out.stored:
            target = targets.get(path.resolve(), to_publication) if targets else to_publication
            result = _commit(cat, path, out, target, visibility, people, batch_id)
            if result.status == "duplicate":
                _discard(cat, out)
            return result
        return FileResult(str(path), out.status, out.message)
    except KbaseError as exc:
        _discard(cat, out)
        return FileResult(str(path), "failed", N_("not imported: {reason}").format(reason=exc))


# pages the index process holds in its open segment besides its backlog: it writes them out
# after the last file unless it gets ahead first (segments run to 2,000-3,000 pages)
UNWRITTEN_GUESS = 2000


def _hand_over(indexer: BackgroundIndexer, pool: ExtractionPool, result: FileResult, state: ImportProgress,
               cancel: threading.Event) -> None:
    """A committed file goes to the index; once the index has more pages to do (its backlog and
    its open segment) than extraction has left to read, the workers let it go first
    (ExtractionPool.yield_to_index), so the two finish nearly together. On the 600 PDFs, the
    index's work after the last file went from 1.1-1.5 s to 0.5-1.0 s."""
    assert result.attachment_id is not None
    indexer.add(result.attachment_id, result.pages, cancel, pages_left=state.pages_left)
    if state.pages_left < indexer.backlog + UNWRITTEN_GUESS:
        pool.yield_to_index()


def _checked_settings(cat: Catalogue, to_publication: int | None, targets: dict[Path, int],
                      max_bytes: int | None) -> tuple[int, str]:
    """The size limit and the new records' visibility; NotFound or InvalidInput before any work."""
    for pub in {p for p in (to_publication, *targets.values()) if p is not None}:
        cat.get(m.Publication, pub)
    limit = max_bytes_for(cat, max_bytes)
    visibility = cat.get_setting(VISIBILITY_SETTING) or "internal"
    if visibility not in m.VISIBILITIES:
        raise InvalidInput(N_("library setting {visibility_setting} must be one of {visibilities}").format(
            visibility_setting=VISIBILITY_SETTING, visibilities=', '.join(m.VISIBILITIES)))
    return limit, visibility


def _import_paths(cat: Catalogue, paths: Sequence[str | Path], *, to_publication: int | None,
                  password: str | None, max_bytes: int | None, progress: Callable[[ImportProgress], None] | None,
                  cancel: threading.Event | None, workers: int, timeout: float, index: bool,
                  to_publications: Mapping[str | Path, int] | None, batch_id: int | None,
                  on_duplicate: str, sheet_options: Mapping[str, Any] | None = None) -> ImportReport:
    started, cpu_started = time.monotonic(), time.thread_time()
    cancel = cancel or threading.Event()
    targets = {Path(k).resolve(): v for k, v in (to_publications or {}).items()}
    limit, visibility = _checked_settings(cat, to_publication, targets, max_bytes)
    pdfs, bibs, problems, roots = collect(list(paths))
    report = ImportReport(files=[f.count() for f in problems])
    for bib in bibs:
        report.files.append(_import_bib(cat, bib, roots, batch_id, False, on_duplicate, sheet_options)
                            if not cancel.is_set() else
                            FileResult(str(bib), "cancelled", N_("not imported: the import was cancelled")).count())

    tasks, sizes = _tasks(pdfs, report, limit, password)
    state = ImportProgress(0, len(tasks), 0, 0, sum(sizes.values()), 0.0)

    def tell(phase: str = "importing", current: str = "") -> None:
        if progress is not None:
            state.elapsed, state.phase, state.current = time.monotonic() - started, phase, current
            progress(state)

    indexer = BackgroundIndexer(cat.library, in_child=len(tasks) >= CHILD_FILES) if index else None
    try:
        if tasks:
            with cat.reading() as s:
                query = select(col(m.Attachment.sha256)).distinct()
                if password:  # files imported while locked are read again with the password
                    query = query.where(col(m.Attachment.status) != "encrypted")
                known = frozenset(s.scalars(query))
            pool = ExtractionPool(tasks, cat.library.files_dir, cat.library.thumbs_dir, known,
                                  workers=worker_count(workers), timeout=timeout).start()
            done: dict[int, FileResult] = {}
            people: dict[str, int] = {}  # author name → person id, saves a lookup per file
            tell()
            try:
                for out in pool.outcomes(cancel):
                    path = Path(tasks[out.index].path)
                    result = _outcome_result(cat, path, out, targets, to_publication, visibility, people, batch_id)
                    done[out.index] = result
                    state.files_done += 1
                    state.pages_done += result.pages if result.imported else 0
                    state.bytes_done += sizes[out.index]
                    if indexer is not None and result.imported and result.attachment_id is not None:
                        _hand_over(indexer, pool, result, state, cancel)
                    tell(current=str(path))
            except BaseException:
                for out in pool.close(drain=False):  # a second Ctrl-C or an error: stop at once
                    _discard(cat, out)
                raise
            else:
                for out in pool.close():
                    _discard(cat, out)
            finally:
                report.worker_peaks_mb = pool.worker_peaks_mb
                report.cpu_seconds["workers"] = pool.worker_cpu_s
                report.cpu_seconds["feeder thread"] = pool.feeder_cpu_s
            report.cancelled = cancel.is_set()
            for task in tasks:  # in the order given, whatever order the workers finished in
                report.files.append(done.get(task.index) or FileResult(
                    task.path, "cancelled", N_("not imported: the import was cancelled")))
    except BaseException:
        if indexer is not None:  # never leave the writer thread holding the index lock
            indexer.abandon()
            indexer.finish()
        raise
    existing = {to_publication, *targets.values()} - {None}
    for f in report.files:
        f.batch = batch_id
        if not (f.created or f.matched or f.refused or f.status in BIBLIOGRAPHIES):
            f.count(to_existing=f.imported and f.publication_id in existing)
    if indexer is not None:
        tell("indexing")
        indexer.finish(cancel)
        report.index_message, report.indexed = indexer.message, indexer.indexed
        report.cpu_seconds["index process" if indexer.in_child else "index thread"] = indexer.cpu_seconds
        report.index_peak_mb = indexer.peak_mb
    report.elapsed = time.monotonic() - started
    report.cpu_seconds["import thread"] = time.thread_time() - cpu_started
    tell("cancelled" if report.cancelled else "done")
    return report
