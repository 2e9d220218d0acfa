"""The OCR queue in the catalogue: which pages of which document await OCR, read one page per transaction,
so a cancel or a restart loses at most the page being read."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from kbase.files.store import ensure_local
from kbase.i18n import N_, en_ngettext
from kbase.imports.extract import is_blank_page
from kbase.imports.pdfmeta import guess_language
from kbase.library import models as m
from kbase.ocr.engine import BOTH, read_page, read_page_detecting, tessdata, tesseract_code

__all__ = ["OcrProgress", "OcrReport", "queue_pages", "enqueue", "run_queue", "ocr_state", "jobs", "OCR_STATUSES",
           "attachment_texts", "searchable_copy"]

OCR_STATUSES = ("queued", "running", "done", "cancelled", "failed")
# attachments whose pages OCR may read: the others were not imported with a readable file
READABLE = ("ok", "no text layer", "repaired")


@dataclass
class OcrProgress:
    documents_done: int
    documents_total: int
    pages_done: int
    pages_total: int
    elapsed: float = 0.0
    current: str = ""  # the file being read
    phase: str = "reading"  # reading | done | cancelled

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages_done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class OcrReport:
    documents: list[dict[str, Any]] = field(default_factory=list)  # attachment, filename, status, pages, message
    pages: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    index_message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def queue_pages(s: Any, attachment_id: int, pages: Iterable[int], language: str | None = None) -> None:
    """Put a document's pages in the queue (in the caller's transaction: the import's own)."""
    pages = sorted(set(pages))
    s.execute(delete(m.OcrJob).where(col(m.OcrJob.attachment_id) == attachment_id))
    if pages:
        s.execute(insert(m.OcrJob.__table__).values(  # type: ignore[attr-defined]
            attachment_id=attachment_id, status="queued", language=language, pages=json.dumps(pages),
            pages_total=len(pages), pages_done=0, updated=m.utcnow()))


def _attachments_of(s: Any, publication_ids: list[int] | None) -> list[Any]:
    query = select(col(m.Attachment.id), col(m.Attachment.status), col(m.Attachment.filename)).where(
        col(m.Attachment.mime) == "application/pdf")
    if publication_ids is not None:
        query = query.where(col(m.Attachment.publication_id).in_(publication_ids))
    return list(s.execute(query.order_by(col(m.Attachment.id))))


def enqueue(cat: Catalogue, publication_ids: list[int] | None = None, *, every_page: bool = False) -> list[str]:
    """Queue the pages without text of these publications' PDFs (None: the whole library); with every_page, all
    their pages (a text layer that is garbage is replaced). Returns a line per document for the user."""
    lines: list[str] = []
    with cat.transaction() as s:
        if publication_ids is not None:
            found = set(s.scalars(select(col(m.Publication.id)).where(col(m.Publication.id).in_(publication_ids))))
            said = N_("publication {id}: no such publication")
            lines += [said.format(id=pid) for pid in publication_ids if pid not in found]
        existing = {job.attachment_id: job for job in s.scalars(select(m.OcrJob))}
        for att_id, status, filename in _attachments_of(s, publication_ids):
            if status not in READABLE:
                if publication_ids is not None:
                    lines.append(N_("{filename}: {status}; OCR cannot read it").format(
                        filename=filename, status=status))
                continue
            job = existing.get(att_id)
            if job is not None and job.status in ("queued", "running") and not every_page:
                continue
            query = select(col(m.PageText.page)).where(col(m.PageText.attachment_id) == att_id)
            if not every_page:
                if job is not None and job.status == "done":
                    continue  # its blank pages stay blank: read once is enough
                query = query.where(func.length(func.trim(col(m.PageText.text))) == 0)
            pages = list(s.scalars(query.order_by(col(m.PageText.page))))
            if pages:
                queue_pages(s, att_id, pages, job.language if job is not None else None)
                lines.append(en_ngettext("{filename}: {n} page queued for OCR", "{filename}: {n} pages queued for OCR",
                                         len(pages)).format(filename=filename, n=len(pages)))
    return lines


def jobs(cat: Catalogue, statuses: Iterable[str] = OCR_STATUSES) -> list[dict[str, Any]]:
    """The queue as rows for the CLI and the GUI."""
    with cat.reading() as s:
        rows = s.execute(select(m.OcrJob, col(m.Attachment.filename), col(m.Attachment.publication_id))
                         .join(m.Attachment, col(m.Attachment.id) == col(m.OcrJob.attachment_id))
                         .where(col(m.OcrJob.status).in_(list(statuses))).order_by(col(m.OcrJob.id))).all()
        return [{"attachment": job.attachment_id, "publication": pub, "filename": filename, "status": job.status,
                 "language": job.language, "pages_total": job.pages_total, "pages_done": job.pages_done,
                 "pages_left": len(json.loads(job.pages)), "message": job.message} for job, filename, pub in rows]


def attachment_texts(cat: Catalogue, attachment_id: int) -> dict[str, Any]:
    """An attachment's file name, type and page texts with where each came from (the viewer shows them when it
    cannot show the file itself)."""
    with cat.reading() as s:
        att = s.get(m.Attachment, attachment_id)
        if att is None:
            raise KbaseError(N_("no attachment with ID {id}").format(id=attachment_id))
        pages = [{"page": page, "source": source, "text": text} for page, source, text in s.execute(
            select(col(m.PageText.page), col(m.PageText.source), col(m.PageText.text))
            .where(col(m.PageText.attachment_id) == attachment_id).order_by(col(m.PageText.page)))]
        return {"filename": att.filename, "mime": att.mime, "status": att.status, "message": att.message,
                "pages": pages}


def ocr_state(cat: Catalogue) -> dict[str, int]:
    """Documents per queue status, and the pages still to read (queued, interrupted or cancelled)."""
    out = {status: 0 for status in OCR_STATUSES}
    out["pages_left"] = 0
    for row in jobs(cat):
        out[row["status"]] += 1
        if row["status"] in ("queued", "running", "cancelled"):
            out["pages_left"] += row["pages_left"]
    return out


def _language(s: Any, job: Any) -> str | None:
    """Tesseract's code from the catalogue (the publication's language), the job's detected one, else None."""
    pub_language = s.execute(select(col(m.Publication.language)).join(
        m.Attachment, col(m.Attachment.publication_id) == col(m.Publication.id))
        .where(col(m.Attachment.id) == job.attachment_id)).scalar()
    code = tesseract_code(pub_language) if pub_language else BOTH
    if code == BOTH and job.language:
        code = tesseract_code(job.language)
    return None if code == BOTH else code


def _save_page(cat: Catalogue, job_id: int, att_id: int, number: int, text: str, left: list[int],
               language: str | None) -> None:
    with cat.transaction() as s:
        # Session.execute is typed as returning a Result; an UPDATE's is a CursorResult, which has rowcount
        changed = s.execute(update(m.PageText).where(col(m.PageText.attachment_id) == att_id,
                                                     col(m.PageText.page) == number)
                            .values(text=text, source="ocr")).rowcount  # type: ignore[attr-defined]
        if not changed:
            s.execute(insert(m.PageText.__table__).values(  # type: ignore[attr-defined]
                attachment_id=att_id, page=number, text=text, source="ocr"))
        s.execute(update(m.OcrJob).where(col(m.OcrJob.id) == job_id).values(
            pages=json.dumps(left), pages_done=col(m.OcrJob.pages_done) + 1, language=language, updated=m.utcnow()))


def _finish(cat: Catalogue, job_id: int, att_id: int, status: str, message: str, read: int) -> None:
    with cat.transaction() as s:
        s.execute(update(m.OcrJob).where(col(m.OcrJob.id) == job_id).values(status=status, message=message,
                                                                          updated=m.utcnow()))
        att = s.get(m.Attachment, att_id)
        if att is not None and read:
            if att.status == "no text layer" and status == "done":
                cat.update(m.Attachment, att_id, status="ok", message=message)
            cat.log_change(s, "attachment", att_id)  # the index reads the page texts again


def _read_document(cat: Catalogue, job_id: int, state: OcrProgress, tell: Callable[[], None],
                   cancel: threading.Event) -> dict[str, Any]:
    import pymupdf

    with cat.transaction() as s:
        job = s.get(m.OcrJob, job_id)
        att = s.get(m.Attachment, job.attachment_id) if job is not None else None
        if job is None or att is None or att.id is None:
            raise KbaseError(N_("OCR job {id} or its attachment is gone").format(id=job_id))
        att_id, sha, filename = att.id, att.sha256, att.filename
        left: list[int] = json.loads(job.pages)
        code = _language(s, job)
        job.status = "running"
    out: dict[str, Any] = {"attachment": att_id, "filename": filename, "pages": 0, "status": "done", "message": ""}
    state.current = filename
    try:
        doc = pymupdf.open(ensure_local(cat.library, sha), filetype="pdf")
    except (KbaseError, RuntimeError, ValueError) as exc:
        out.update(status="failed", message=N_("OCR cannot open it: {reason}").format(reason=exc))
        _finish(cat, job_id, att_id, "failed", out["message"], 0)
        return out
    blank = 0
    seen: list[str] = []
    pages_dir = _ocr_pages_dir(cat, sha)
    with doc:
        if doc.needs_pass:
            out.update(status="failed", message=N_("encrypted: OCR cannot open it without its password"))
            _finish(cat, job_id, att_id, "failed", out["message"], 0)
            return out
        while left:
            if cancel.is_set():
                said = en_ngettext("cancelled with {n} page to read", "cancelled with {n} pages to read", len(left))
                out.update(status="cancelled", message=said.format(n=len(left)))
                _finish(cat, job_id, att_id, "cancelled", out["message"], out["pages"])
                return out
            number = left[0]
            page = doc.load_page(number - 1) if number <= doc.page_count else None
            try:
                if page is None or is_blank_page(page):
                    text = ""
                    blank += 1
                elif code is None:  # read in both languages until the words read so far say which
                    text, _ = read_page_detecting(page, pages_dir / f"{number}.pdf")
                    seen.append(text)
                    detected = guess_language(seen)
                    code = tesseract_code(detected) if detected else None
                else:
                    text = read_page(page, code, pages_dir / f"{number}.pdf")
            except KbaseError as exc:  # this page stays in the queue's record; the next document goes on
                out.update(status="failed", message=N_("page {number}: {reason}").format(number=number, reason=exc))
                _finish(cat, job_id, att_id, "failed", out["message"], out["pages"])
                return out
            left = left[1:]
            _save_page(cat, job_id, att_id, number, text, left, {"eng": "en", "fra": "fr"}.get(code or ""))
            out["pages"] += 1
            state.pages_done += 1
            tell()
    read = out["pages"] - blank
    out["message"] = ocr_message(read, blank, code or BOTH)
    _finish(cat, job_id, att_id, "done", out["message"], out["pages"])
    return out


def _ocr_pages_dir(cat: Catalogue, sha: str) -> Any:
    """Where Tesseract's PDF of each page read goes: a local cache beside the index, never the file store (the
    stored file keeps its bytes and its hash)."""
    return cat.library.folder / "previews" / f"{sha}-ocr-pages"


def searchable_copy(cat: Catalogue, attachment_id: int) -> Any:
    """The attachment's PDF with the pages OCR read replaced by Tesseract's (the picture, its words laid
    invisibly over it), so a viewer finds and highlights the words on the page image; None when no page of
    it was read here. Made again when a page was read since."""
    import pymupdf

    with cat.reading() as s:
        att = s.get(m.Attachment, attachment_id)
        if att is None or att.mime != "application/pdf":
            return None
        sha = att.sha256
    pages_dir = _ocr_pages_dir(cat, sha)
    read = sorted(pages_dir.glob("*.pdf"), key=lambda p: int(p.stem)) if pages_dir.is_dir() else []
    if not read:
        return None
    out = cat.library.folder / "previews" / f"{sha}-ocr.pdf"
    if out.exists() and out.stat().st_mtime >= max(p.stat().st_mtime for p in read):
        return out
    with pymupdf.open(ensure_local(cat.library, sha), filetype="pdf") as doc:
        for page_pdf in read:
            number = int(page_pdf.stem)
            if number > doc.page_count:
                continue
            with pymupdf.open(page_pdf) as ocr:
                doc.insert_pdf(ocr, start_at=number - 1)  # Tesseract's page before the original, which goes
                doc.delete_page(number)
        doc.save(out.with_suffix(".part"), garbage=1, deflate=True)
    out.with_suffix(".part").replace(out)
    return out


def run_queue(cat: Catalogue, attachment_ids: list[int] | None = None, *,
              progress: Callable[[OcrProgress], None] | None = None,
              cancel: threading.Event | None = None, index: bool = True) -> OcrReport:
    """Read the queued pages (jobs interrupted by a restart first go on where they stopped), page by page;
    cancel stops after the page being read. The index is brought up to date after each document."""
    from kbase.search.indexing import sync

    started = time.monotonic()
    cancel = cancel or threading.Event()
    with cat.reading() as s:
        query = select(col(m.OcrJob.id), col(m.OcrJob.pages)).where(col(m.OcrJob.status).in_(("running", "queued")))
        if attachment_ids is not None:
            query = query.where(col(m.OcrJob.attachment_id).in_(attachment_ids))
        todo = list(s.execute(query.order_by(col(m.OcrJob.status).desc(), col(m.OcrJob.id))))  # running ones first
    report = OcrReport()
    if not todo:
        return report
    tessdata()  # a missing Tesseract is said once, before any document is touched
    state = OcrProgress(0, len(todo), 0, sum(len(json.loads(pages)) for _id, pages in todo))

    def tell(phase: str = "reading") -> None:
        if progress is not None:
            state.elapsed, state.phase = time.monotonic() - started, phase
            progress(state)

    tell()
    for job_id, _pages in todo:
        if cancel.is_set():
            report.cancelled = True
            break
        result = _read_document(cat, job_id, state, tell, cancel)
        report.documents.append(result)
        report.pages += result["pages"]
        report.cancelled = result["status"] == "cancelled"
        state.documents_done += 1
        if index and result["pages"]:
            try:
                sync(cat)
            except KbaseError as exc:
                report.index_message = N_("the index will catch up later: {reason}").format(reason=exc)
    report.seconds = time.monotonic() - started
    tell("cancelled" if report.cancelled else "done")
    return report


def ocr_message(read: int, blank: int, code: str) -> str:
    """What an OCR run did, in English; each wording is its own catalog entry (kbase.po), so the
    French reads "lues en anglais", not a language name put in the middle of a sentence. The blank pages
    are a message of their own inside it ("{n} blank"), so that each count takes its own plural form:
    translate() reads both back ("3 pages lues en anglais, 1 blanche")."""
    if not read:
        return en_ngettext("no text: {n} blank page", "no text: {n} blank pages", blank).format(n=blank)
    if code == "eng" and blank:
        said = en_ngettext("text from OCR: {n} page read in English, {blank}",
                           "text from OCR: {n} pages read in English, {blank}", read)
    elif code == "eng":
        said = en_ngettext("text from OCR: {n} page read in English", "text from OCR: {n} pages read in English", read)
    elif code == "fra" and blank:
        said = en_ngettext("text from OCR: {n} page read in French, {blank}",
                           "text from OCR: {n} pages read in French, {blank}", read)
    elif code == "fra":
        said = en_ngettext("text from OCR: {n} page read in French", "text from OCR: {n} pages read in French", read)
    elif blank:
        said = en_ngettext("text from OCR: {n} page read in English and French, {blank}",
                           "text from OCR: {n} pages read in English and French, {blank}", read)
    else:
        said = en_ngettext("text from OCR: {n} page read in English and French",
                           "text from OCR: {n} pages read in English and French", read)
    # "blank" says the pages (the English adjective has one form; the French "blanche", "blanches")
    return said.format(n=read, blank=en_ngettext("{n} blank", "{n} blank", blank).format(n=blank))
