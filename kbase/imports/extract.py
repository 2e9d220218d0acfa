"""Per-file PDF extraction (runs in worker processes, no database): status, page texts, metadata, thumbnail."""

from __future__ import annotations

import os
import re
import stringprep
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbase.i18n import N_, en_ngettext
from kbase.imports.pdfmeta import first_page_metadata, guess_language, info_metadata, merge_metadata
from kbase.text import clean_line, clean_value
from kbase.textnorm import normalise_page_text

__all__ = ["Extraction", "extract_file", "extract_pdf", "sniff", "thumbnail_png", "IMPORTED_STATUSES", "THUMB_MAX",
           "saslprep",
           "passwords_to_try", "is_blank_page"]

# statuses whose file is kept in the store with an attachment; the others store nothing
IMPORTED_STATUSES = ("ok", "no text layer", "encrypted", "repaired")
# how far into a file without a PDF header to look for PDF objects (a damaged PDF MuPDF may repair)
REPAIR_SCAN_BYTES = 256 * 1024
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
# a page without text is blank when almost every pixel of a coarse rendering is its dominant grey:
# scanner noise and paper tint move a grey by a few levels, ink by far more. Erring towards "not blank"
# costs an OCR run; the other way loses a page: a signature alone on a letter (texlive's newlfm/lvb.pdf)
# is 0.12% of the page, a pale photograph (graphicxbox's IndianBlanket.pdf) 0.5% past 24 levels
BLANK_SCALE = 0.5  # 36 dpi
BLANK_INK_LEVELS = 24
BLANK_INK_SHARE = 0.0002
THUMB_MAX = (240, 320)  # width, height in pixels: a few tens of kB whatever the page size
HEAD_BYTES = 1024
# MuPDF keeps fonts and other decoded resources in a store that outlives the document. Emptying
# it after every file made extraction a quarter slower (each file loaded them again); it is
# emptied once the process grows past this, so memory stays bounded on any corpus. On half of
# texlive's manuals in one process: 150 MB emptied it once and peaked at 256 MB, 100 MB three
# times at 248 MB, both at the same speed; 64 MB emptied it 1,128 times, a quarter slower. A
# worker of `kbase import` starts at 80 MB (its fork server holds the index process's modules
# too, kbase.imports.early), 35 MB more than then: the same room for the store is 135 MB
STORE_TRIM_MB = 135
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Extraction:
    status: str
    message: str = ""
    pages: list[str] = field(default_factory=list)
    page_count: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    thumbnail: bytes | None = None
    scanned: list[int] = field(default_factory=list)  # 1-based pages of images without text: OCR's work
    mime: str = "application/pdf"


def sniff(path: Path, filename: str | None = None) -> Extraction | None:
    """A verdict without opening the file (empty, not a PDF, not what its name says), or None when it looks
    readable. filename (else the path's) says whether it should be a PDF or another document."""
    from kbase.imports.documents import document_kind, sniff_document

    kind = document_kind(filename or path.name)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        if kind is not None and not head.startswith(b"%PDF-"):  # a PDF named .txt is read as the PDF it is
            verdict = sniff_document(head, kind)
            return Extraction(**verdict) if verdict is not None else None
        if not head:
            return Extraction("empty", N_("empty file (0 bytes); not imported"))
        if b"%PDF-" in head:
            return None
        # no header where it belongs: a damaged PDF still holds its objects, which MuPDF may rebuild from
        if _PDF_OBJECT.search(head) or _PDF_OBJECT.search(head + fh.read(REPAIR_SCAN_BYTES)):
            return None
    return Extraction("not a pdf", N_("not a PDF ({what}); not imported").format(what=_describe(head)))


def saslprep(password: str) -> str:
    """RFC 4013 SASLprep, which PDF 2.0 (AES-256, revision 6) asks of a password before it is hashed:
    non-ASCII spaces become spaces, soft hyphens and other invisible characters go, NFKC. Returns the
    password unchanged where SASLprep would refuse it (prohibited characters), so it is still tried as typed."""
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c))
    prepared = unicodedata.normalize("NFKC", mapped)
    prohibited = (stringprep.in_table_c12, stringprep.in_table_c21, stringprep.in_table_c22, stringprep.in_table_c3,
                  stringprep.in_table_c4, stringprep.in_table_c5, stringprep.in_table_c6, stringprep.in_table_c7,
                  stringprep.in_table_c8, stringprep.in_table_c9)
    if any(test(c) for c in prepared for test in prohibited):
        return password
    return prepared


def passwords_to_try(password: str) -> list[str]:
    """The password as given, then its SASLprep form, then NFC (older writers hashed what was typed)."""
    return list(dict.fromkeys([password, saslprep(password), unicodedata.normalize("NFC", password)]))


def _authenticate(doc: Any, password: str) -> bool:
    return any(doc.authenticate(candidate) for candidate in passwords_to_try(password))


def is_blank_page(page: Any) -> bool:
    """No ink on the page: nothing drawn, or a near-uniform picture (an empty scanned sheet)."""
    import pymupdf

    pix = page.get_pixmap(matrix=pymupdf.Matrix(BLANK_SCALE, BLANK_SCALE), colorspace=pymupdf.csGRAY, alpha=False)
    samples = pix.samples
    if not samples:
        return True
    share, paper = pix.color_topusage()  # in C, as the counting below: a Python loop per pixel cost 5 ms a page
    if share >= 1 - BLANK_INK_SHARE:
        return True
    inked = bytes(int(abs(grey - paper[0]) > BLANK_INK_LEVELS) for grey in range(256))
    ink: int = samples.translate(inked).count(1)
    return ink <= BLANK_INK_SHARE * len(samples)


def _describe(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return N_("a ZIP or Office file")
    if head[:8] == b"\x89PNG\r\n\x1a\n" or head[:3] == b"\xff\xd8\xff":
        return N_("an image")
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return N_("a web page")
    try:
        sample = head[:40].decode("utf-8")
    except UnicodeDecodeError:
        return N_("no PDF header")
    if sample.isprintable() or all(c.isprintable() or c.isspace() for c in sample):
        shown = " ".join(sample.split())[:24]
        return N_("text starting {text}").format(text=repr(shown))
    return N_("no PDF header")


def _mupdf_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    text = re.sub(r"^code=\d+:\s*", "", text)
    if text.startswith("Failed to open file"):
        return N_("MuPDF cannot open it (broken or incomplete file structure)")
    return clean_line(re.sub(r"'[^']*'", "", text)).strip().rstrip(".")


def thumbnail_png(path: Path | str, password: str | None = None) -> bytes | None:
    """A small PNG of the first page (None when the file cannot be rendered)."""
    import pymupdf

    try:
        with pymupdf.open(path, filetype="pdf") as doc:
            if doc.needs_pass and not (password and _authenticate(doc, password)):
                return None
            if doc.page_count == 0:
                return None
            return _render_thumb(doc[0])
    except Exception:  # a broken page gives no thumbnail, never an error
        return None


def _render_thumb(page: Any) -> bytes | None:
    import pymupdf

    rect = page.rect
    if rect.width <= 0 or rect.height <= 0:
        return None
    scale = min(THUMB_MAX[0] / rect.width, THUMB_MAX[1] / rect.height, 2.0)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
    png: bytes = pix.tobytes("png")
    return png


def extract_file(path: Path | str, password: str | None = None, filename: str | None = None,
                 want_thumbnail: bool = True) -> Extraction:
    """A PDF or, by its name's suffix, another document (kbase.imports.documents); never raises for a bad file."""
    from kbase.imports.documents import document_kind, extract_document

    path = Path(path)
    filename = filename or path.name
    kind = document_kind(filename)
    if kind is not None:
        try:
            with open(path, "rb") as fh:
                is_pdf = fh.read(8).startswith(b"%PDF-")
        except OSError as exc:
            return Extraction("damaged", N_("cannot read the file: {reason}; not imported").format(
                reason=exc.strerror or exc))
        if not is_pdf:
            return Extraction(**extract_document(path, kind, filename))
    return extract_pdf(path, password, filename, want_thumbnail)


def extract_pdf(path: Path | str, password: str | None = None, filename: str | None = None,
                want_thumbnail: bool = True) -> Extraction:
    """Open one PDF and read it page by page; never raises for a bad file."""
    import pymupdf

    path = Path(path)
    filename = filename or path.name
    try:
        verdict = sniff(path, "file.pdf")
    except OSError as exc:
        return Extraction("damaged", N_("cannot read the file: {reason}; not imported").format(
            reason=exc.strerror or exc))
    if verdict is not None:
        return verdict
    try:
        doc = _without_outline(pymupdf)(path, filetype="pdf")
    except Exception as exc:  # MuPDF reports every kind of breakage as an exception
        return Extraction("damaged", N_("damaged PDF: {reason}; not imported").format(reason=_mupdf_reason(exc)))
    try:
        return _read(doc, password, filename, want_thumbnail)
    except Exception as exc:
        return Extraction("damaged", N_("damaged PDF: {reason}; not imported").format(reason=_mupdf_reason(exc)))
    finally:
        doc.close()
        _trim_store(pymupdf)


_Document: Any = None


def _without_outline(pymupdf: Any) -> Any:
    """pymupdf.Document that leaves the outline (bookmarks) unread: PyMuPDF reads it whole when it
    opens a file, 0.9 ms a file on texlive's manuals, and nothing here looks at it."""
    global _Document
    if _Document is None:
        class Document(pymupdf.Document):  # type: ignore[misc]
            def _loadOutline(self) -> None:
                return None

        _Document = Document
    return _Document


def _resident_mb() -> float | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE_BYTES / 2**20
    except (OSError, ValueError, IndexError):
        return None


def _trim_store(pymupdf: Any) -> None:
    """Empty MuPDF's store once the process has grown past STORE_TRIM_MB (always, where that is unknown)."""
    resident = _resident_mb()
    if resident is None or resident > STORE_TRIM_MB:
        pymupdf.TOOLS.store_shrink(100)
        _give_back_freed()


_malloc_trim: Any = None


def _give_back_freed() -> None:
    """Hand the memory MuPDF freed back to the system. glibc keeps it for later otherwise, the
    resident size stays above the threshold, and the store was emptied after every later file
    (852 times in 1,488 files of texlive's manuals, against once)."""
    global _malloc_trim
    if _malloc_trim is None:
        import ctypes

        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim  # glibc only
        except (AttributeError, OSError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


def _locked(doc: Any, password: str | None, page_count: int) -> Extraction | None:
    """A document that needs a password and was not given the right one: imported without text."""
    if not doc.needs_pass:
        return None
    if not password:
        locked = en_ngettext("encrypted: protected by a password ({n} page); imported without text; "
                             "import it again with --password to read it",
                             "encrypted: protected by a password ({n} pages); imported without text; "
                             "import it again with --password to read it", page_count).format(n=page_count)
        return Extraction("encrypted", locked, page_count=page_count)
    if not _authenticate(doc, password):
        return Extraction("encrypted", N_("encrypted: the password given does not open it; imported without text"),
                          page_count=page_count)
    return None


def _first_page(page: Any, want_thumbnail: bool, want_layout: bool = True) -> tuple[str, dict[str, Any], bytes | None]:
    """The first page's text, its layout for the metadata (when wanted) and its thumbnail: one
    text page serves both."""
    import pymupdf

    textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT)
    text = normalise_page_text(_plain_text(pymupdf, textpage))
    layout: dict[str, Any] = page.get_text("dict", textpage=textpage) if want_layout else {}
    del textpage
    thumb = None
    if want_thumbnail:
        try:
            thumb = _render_thumb(page)
        except Exception:
            thumb = None
    return text, layout, thumb


def _page_text(page: Any) -> str:
    """page.get_text("text"), the same text without the wrapper's work around it (it also reads
    the crop box, which only its dict output uses): 0.4 s less on 8,254 pages of manuals."""
    import pymupdf

    return _plain_text(pymupdf, page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT))


def _plain_text(pymupdf: Any, textpage: Any) -> str:
    """A text page's plain text, with PyMuPDF's glyph-height corrections off meanwhile. The plain
    text only uses each character's box to test it against the page, where the box MuPDF gave is
    as good; the corrections look up the font's ascender and descender for every character, which
    was 70% of the time here (2.6 -> 0.8 s on 8,254 pages of manuals, the same text on every
    page). The setting is PyMuPDF's, for the whole process: it goes back to what it was, so the
    layout read for the metadata keeps its boxes."""
    tools = pymupdf.TOOLS
    was = tools.unset_quad_corrections()
    tools.unset_quad_corrections(True)
    try:
        text: str = textpage.extractText()
    finally:
        tools.unset_quad_corrections(was)
    return text


def _read(doc: Any, password: str | None, filename: str, want_thumbnail: bool) -> Extraction:
    page_count = doc.page_count
    locked = _locked(doc, password, page_count)
    if locked is not None:
        return locked
    if page_count == 0:
        return Extraction("damaged", N_("damaged PDF: it has no pages; not imported"))
    pages: list[str] = []
    failed: list[int] = []
    blank: list[int] = []
    scanned: list[int] = []
    first_dict: dict[str, Any] | None = None
    thumb: bytes | None = None
    info = info_metadata(doc.metadata or {}, filename)
    # the first page's layout gives a title and authors, which good ones in the file's information
    # dictionary overrule (merge_metadata): a quarter of texlive's manuals have both
    want_layout = not (info.get("title") and info.get("authors"))
    for number in range(page_count):
        try:
            page = doc.load_page(number)
            if number == 0:
                text, first_dict, thumb = _first_page(page, want_thumbnail, want_layout)
            else:
                text = normalise_page_text(_page_text(page))
            del page  # one page at a time: memory stays flat however long the document
        except Exception:
            failed.append(number + 1)
            text = ""
        if not text and number + 1 not in failed:
            (blank if _blank(doc, number) else scanned).append(number + 1)
        pages.append(text)
    if len(failed) == page_count:
        return Extraction("damaged", en_ngettext("damaged PDF: its {n} page cannot be read; not imported",
                                                 "damaged PDF: none of its {n} pages can be read; not imported",
                                                 page_count).format(n=page_count))
    # page texts come out of normalise_page_text clean; the metadata is cleaned here as a whole
    # (pdfmeta cleans what it reads too): nothing a worker hands over can upset PostgreSQL or XML
    meta = clean_value(merge_metadata(info, first_page_metadata(first_dict or {}, pages[0] if pages else "")),
                       line=True)
    lang = guess_language(pages[:5])
    if lang:
        meta["language"] = lang
    notes: list[str] = []
    repaired = getattr(doc, "is_repaired", False)
    if repaired:
        notes.append(N_("repaired: the file was damaged and MuPDF rebuilt its structure; "
                        "check that nothing is missing"))
    if failed:
        notes.append(N_("{pages} could not be read").format(pages=_page_list(failed)))
    if len(blank) + len(failed) == page_count and not failed:
        empty = en_ngettext("no content: {n} page blank; not imported",
                            "no content: {n} pages blank; not imported", page_count).format(n=page_count)
        return Extraction("empty", empty, page_count=page_count)
    if scanned and len(scanned) + len(blank) + len(failed) == page_count:
        status = "no text layer"
        notes.insert(0, en_ngettext(
            "no text layer: {n} page of images (a scan?); imported, its text comes from OCR (kbase ocr)",
            "no text layer: {n} pages of images (a scan?); imported, its text comes from OCR (kbase ocr)",
            len(scanned)).format(n=len(scanned)))
    else:
        status = "ok"
        if scanned:
            notes.append(N_("{pages} without text (scanned or images only); queued for OCR").format(
                pages=_page_list(scanned)))
    if repaired and status == "ok":
        status = "repaired"
    return Extraction(status, "; ".join(notes), pages, page_count, meta, thumb, scanned)


def _blank(doc: Any, number: int) -> bool:
    try:
        return is_blank_page(doc.load_page(number))
    except Exception:  # a page that cannot be drawn is read as OCR's problem, not a blank one
        return False


def _page_list(pages: list[int]) -> str:
    """"page 3" or "pages 3, 4 and 12 more": translate() reads the form back (the English one names the count)."""
    shown = ", ".join(map(str, pages[:10]))
    if len(pages) > 10:
        shown = N_("{pages} and {more} more").format(pages=shown, more=len(pages) - 10)
    return en_ngettext("page {pages}", "pages {pages}", len(pages)).format(pages=shown)
