"""Attaching what is not a PDF to a publication: any file (DOCX, XLSX, an image…) kept in the store
as it is, or a link to a web page. PDFs go through the import pipeline, which reads their text."""

from __future__ import annotations

import mimetypes
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.files.store import ensure_local, put_file, stored_file_row
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_line

__all__ = ["is_url", "attach", "attach_file", "add_link", "remove_link", "links", "attachments",
           "local_copy", "OPEN_DIR"]

_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# what import_paths reads as a publication list when the file is named
LIST_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".json")
OPEN_DIR = "kbase-open"  # under the temporary folder: copies named as attached, for the system's applications


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def _publication(s: Session, publication_id: int) -> m.Publication:
    pub = s.get(m.Publication, publication_id)
    if pub is None:
        raise NotFound(N_("no publication with ID {id}").format(id=publication_id))
    return pub


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(1024).lstrip().startswith(b"%PDF") or path.suffix.lower() == ".pdf"
    except OSError:
        return path.suffix.lower() == ".pdf"


def _readable_document(path: Path) -> bool:
    """A document whose text the import reads (Word, OpenDocument, EPUB, HTML…). Not a spreadsheet: a named .xlsx
    goes to the publication-list reader, and an attached one is stored as it is."""
    from kbase.imports.documents import document_kind

    return document_kind(path) is not None and path.suffix.lower() not in LIST_SUFFIXES


def attach(cat: Catalogue, publication_id: int, target: str, title: str | None = None) -> dict[str, Any]:
    """Attach a URL (as a link), a PDF or another document Kbase reads (imported: its text is read and indexed)
    or any other file (stored as it is). Returns {"kind": "link"|"file"|"pdf"|"document", "id": …, …}."""
    if is_url(target):
        return add_link(cat, publication_id, target, title)
    path = Path(target).expanduser()
    if not path.is_file():
        if "." in target and "/" not in target:
            raise NotFound(N_("no such file: {path} (a link must start with http:// or https://)").format(path=target))
        raise NotFound(N_("no such file: {path}").format(path=target))
    if _is_pdf(path) or _readable_document(path):
        from kbase.imports.pipeline import import_paths

        with cat.reading() as s:
            _publication(s, publication_id)
        report = import_paths(cat, [path], to_publication=publication_id)
        f = report.files[0]
        return {"kind": "pdf" if _is_pdf(path) else "document", "id": f.attachment_id,
                "publication_id": f.publication_id or publication_id, "filename": path.name, "status": f.status,
                "message": f.message, "mime": mimetypes.guess_type(path.name)[0] or "application/pdf"}
    return attach_file(cat, publication_id, path)


def attach_file(cat: Catalogue, publication_id: int, path: str | Path) -> dict[str, Any]:
    """Store the file as it is and attach it (no text is read from it)."""
    path = Path(path)
    with cat.reading() as s:
        _publication(s, publication_id)
    sha, size, _new = put_file(cat.library, path)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    with cat.transaction() as s:
        _publication(s, publication_id)
        if s.get(m.StoredFile, sha) is None:
            s.add(stored_file_row(cat.library, sha, size))
            s.flush()
        same = s.scalar(select(col(m.Attachment.id)).where(col(m.Attachment.publication_id) == publication_id,
                                                           col(m.Attachment.sha256) == sha))
        if same is not None:
            raise InvalidInput(N_("{name} is attached to publication {id} already (attachment {attachment})").format(
                name=path.name, id=publication_id, attachment=same))
        att = m.Attachment(publication_id=publication_id, sha256=sha, filename=clean_line(path.name), mime=mime,
                           status="ok", page_count=0)
        s.add(att)
        s.flush()
        if att.id is None:  # the flush gave it one; SQLModel types it int | None
            raise ValueError("the new attachment has no ID")
        cat.log_change(s, "attachment", att.id, "insert")
        cat.touch(s, "publication", publication_id)
        return {"kind": "file", "id": att.id, "publication_id": publication_id, "filename": att.filename,
                "mime": mime, "size": size}


def add_link(cat: Catalogue, publication_id: int, url: str, title: str | None = None) -> dict[str, Any]:
    url = clean_line(url).strip()
    if not is_url(url):
        raise InvalidInput(N_("not a web address: '{url}' (it must start with http://, https:// or ftp://)").format(
            url=url))
    with cat.transaction() as s:
        _publication(s, publication_id)
        link = m.PublicationLink(publication_id=publication_id, url=url,
                                 title=clean_line(title).strip() or None if title else None)
        s.add(link)
        s.flush()
        cat.touch(s, "publication", publication_id)
        return {"kind": "link", "id": link.id, "publication_id": publication_id, "url": link.url, "title": link.title}


def remove_link(cat: Catalogue, link_id: int) -> None:
    with cat.transaction() as s:
        link = s.get(m.PublicationLink, link_id)
        if link is None:
            raise NotFound(N_("no link with ID {id}").format(id=link_id))
        s.delete(link)
        cat.touch(s, "publication", link.publication_id)


def links(cat: Catalogue, publication_id: int) -> list[dict[str, Any]]:
    with cat.reading() as s:
        return [{"id": k.id, "url": k.url, "title": k.title, "created": k.created}
                for k in s.scalars(select(m.PublicationLink)
                                   .where(col(m.PublicationLink.publication_id) == publication_id)
                                   .order_by(col(m.PublicationLink.id)))]


def attachments(cat: Catalogue, publication_id: int) -> list[dict[str, Any]]:
    """The publication's files and links, files first, for the details pane and `kbase show`."""
    with cat.reading() as s:
        files = [{"kind": "file", "id": a.id, "filename": a.filename, "mime": a.mime, "status": a.status,
                  "pages": a.page_count, "sha256": a.sha256}
                 for a in s.scalars(select(m.Attachment).where(col(m.Attachment.publication_id) == publication_id)
                                    .order_by(col(m.Attachment.id)))]
    return files + [{"kind": "link", **k} for k in links(cat, publication_id)]


def local_copy(cat: Catalogue, attachment_id: int) -> Path:
    """A copy of the attached file under its own name (the store names files by hash), for the
    system's application to open."""
    with cat.reading() as s:
        att = s.get(m.Attachment, attachment_id)
        if att is None:
            raise NotFound(N_("no attachment with ID {id}").format(id=attachment_id))
        sha, filename = att.sha256, att.filename
    source = ensure_local(cat.library, sha)
    name = Path(filename).name or f"{sha[:12]}"
    target = Path(tempfile.gettempdir()) / OPEN_DIR / sha[:16] / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target
