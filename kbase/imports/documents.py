"""Text and metadata of documents other than PDFs (runs in the worker processes, no database): Word and
OpenDocument texts, spreadsheets, slides, EPUB, HTML, plain text, Markdown and RTF. A section is what the format
has (a sheet, a slide, an EPUB chapter); a flowing text is one section."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable

from kbase.i18n import N_
from kbase.imports.pdfmeta import guess_language, is_junk_title, split_authors
from kbase.text import clean_value
from kbase.textnorm import normalise_page_text

__all__ = ["DOCUMENT_KINDS", "FOLDER_KINDS", "MIME_TYPES", "document_kind", "sniff_document", "extract_document",
           "convert_to_pdf", "kind_of_mime"]

# suffix → kind
DOCUMENT_KINDS = {
    ".docx": "docx", ".odt": "odt", ".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".pptx": "pptx", ".odp": "odp",
    ".epub": "epub", ".fb2": "fb2", ".xps": "xps", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".rtf": "rtf",
}
# kinds a folder walk takes; loose .txt, .md and .html files beside PDFs are notes and saved pages, not documents
FOLDER_KINDS = frozenset({"docx", "odt", "ods", "pptx", "odp", "epub", "fb2", "xps", "rtf"})
MIME_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation", "epub": "application/epub+zip",
    "fb2": "application/x-fictionbook+xml", "xps": "application/oxps", "html": "text/html", "text": "text/plain",
    "markdown": "text/markdown", "rtf": "application/rtf",
}
NAMES = {"docx": "Word", "xlsx": "Excel", "pptx": "PowerPoint", "odt": "OpenDocument text", "ods": "OpenDocument "
         "spreadsheet", "odp": "OpenDocument presentation", "epub": "EPUB", "fb2": "FictionBook", "xps": "XPS",
         "html": "HTML", "text": "text", "markdown": "Markdown", "rtf": "RTF"}
ZIPPED = frozenset({"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "xps"})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Office file is a compound file, not a ZIP
ENCRYPTED = N_("encrypted: this {name} file is protected by a password; imported without text (Kbase cannot open "
               "password-protected office files: save it without a password and import it again)")
MAX_CELLS = 2_000_000  # a sheet's text past this is left out (said in the message)


def kind_of_mime(mime: str) -> str | None:
    return next((kind for kind, known in MIME_TYPES.items() if known == mime), None)


# LibreOffice draws these; MuPDF draws EPUB, FictionBook and XPS itself
OFFICE_KINDS = frozenset({"docx", "odt", "xlsx", "ods", "pptx", "odp", "rtf"})
CONVERT_TIMEOUT = 180  # seconds; LibreOffice's first start makes its profile


def convert_to_pdf(path: Path, kind: str, out: Path) -> Path | None:
    """A PDF of the document to look at (MuPDF for EPUB, FictionBook and XPS; LibreOffice, when installed, for
    office files), cached at `out`; None when nothing here can draw it. Never raises."""
    if out.exists() and out.stat().st_size:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if kind in ("epub", "fb2", "xps"):
            import pymupdf

            with pymupdf.open(str(path), filetype=kind) as doc:
                out.with_suffix(".part").write_bytes(doc.convert_to_pdf())
            out.with_suffix(".part").replace(out)
            return out
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if kind not in OFFICE_KINDS or soffice is None:
            return None
        profile = out.parent / "libreoffice-profile"  # kept: a new profile costs LibreOffice ten seconds
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            source = Path(tmp) / f"document.{next(s for s, k in DOCUMENT_KINDS.items() if k == kind).lstrip('.')}"
            shutil.copyfile(path, source)
            subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                            "--convert-to", "pdf", "--outdir", tmp, str(source)],
                           capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
            made = Path(tmp) / "document.pdf"
            if not made.exists() or not made.stat().st_size:
                return None
            made.replace(out)
        return out
    except (OSError, subprocess.SubprocessError, RuntimeError, ValueError):
        return None


def document_kind(path: Path | str) -> str | None:
    return DOCUMENT_KINDS.get(Path(path).suffix.lower())


def _result(status: str, message: str, **kw: Any) -> dict[str, Any]:
    """The fields of a kbase.imports.extract.Extraction, which extract.py builds from them."""
    return {"status": status, "message": message, **kw}


def sniff_document(head: bytes, kind: str) -> dict[str, Any] | None:
    """A refusal from the first bytes (empty, not what its name says), or None. A password-protected office file
    (a compound file holding the encrypted package) passes: extract_document says so, and it is kept."""
    name = NAMES[kind]
    if not head:
        return _result("empty", N_("empty file (0 bytes); not imported"))
    if kind in ZIPPED and head.startswith(OLE):
        return None
    if kind in ZIPPED and not head.startswith(b"PK\x03\x04"):
        return _result("damaged", N_("damaged {name} file: it is not the ZIP archive it should be; not imported")
                       .format(name=name))
    if kind == "rtf" and not head.lstrip().startswith(b"{\\rtf"):
        return _result("damaged", N_("damaged RTF file: it does not start with {start}; not imported")
                       .format(start="{\\rtf"))
    return None


def extract_document(path: Path | str, kind: str, filename: str) -> dict[str, Any]:
    """Sections of text and metadata; never raises for a bad file."""
    path = Path(path)
    name = NAMES[kind]
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        return _result("damaged", N_("cannot read the file: {reason}; not imported").format(reason=exc.strerror or exc))
    verdict = sniff_document(head, kind)
    if verdict is not None:
        return verdict
    if (kind in ZIPPED and head.startswith(OLE)) or (kind in ("odt", "ods", "odp") and _odf_encrypted(path)):
        return _result("encrypted", ENCRYPTED.format(name=name), mime=MIME_TYPES[kind])
    try:
        sections, meta, note = READERS[kind](path)
    except Exception as exc:  # every library has its own exceptions for a broken file
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
        reason = re.sub(r"\s*(?:at |in )?'[^']*'", "", reason).strip() or exc.__class__.__name__  # no temp paths
        return _result("damaged", N_("damaged {name} file: {reason}; not imported").format(name=name, reason=reason))
    sections = [normalise_page_text(s) for s in sections]
    if not any(s.strip() for s in sections):
        return _result("empty", N_("no text in this {name} file; not imported").format(name=name),
                       page_count=len(sections))
    meta = _clean_meta(meta, filename)
    language = guess_language(sections[:5])
    if language:
        meta["language"] = language
    return _result("ok", note, pages=sections, page_count=len(sections), metadata=meta, mime=MIME_TYPES[kind])


def _clean_meta(meta: dict[str, Any], filename: str) -> dict[str, Any]:
    out: dict[str, Any] = {"title_source": None}
    title = " ".join(str(meta.get("title") or "").split())
    if title and not is_junk_title(title, filename):
        out["title"], out["title_source"] = title[:500], "document"
    authors = split_authors(str(meta.get("author") or ""))
    if authors:
        out["authors"] = authors
    found = re.search(r"\b((?:19|20)\d\d)(?:-(0[1-9]|1[0-2]))?", str(meta.get("date") or ""))
    if found:
        out["year"], out["month"] = int(found.group(1)), int(found.group(2)) if found.group(2) else None
    cleaned: dict[str, Any] = clean_value(out, line=True)
    return cleaned


def _odf_encrypted(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return b"encryption-data" in z.read("META-INF/manifest.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False  # the reader says what is wrong


# -- the readers: (sections, metadata, note) ----------------------------------------------------
Read = tuple[list[str], dict[str, Any], str]


def _core(props: Any) -> dict[str, Any]:
    return {"title": props.title, "author": props.author, "date": props.created.isoformat() if props.created else None}


def _docx(path: Path) -> Read:
    import docx

    doc = docx.Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(dict.fromkeys(cell.text for cell in row.cells)))
    return ["\n".join(lines)], _core(doc.core_properties), ""


def _pptx(path: Path) -> Read:
    import pptx

    deck = pptx.Presentation(str(path))
    slides = []
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            texts.append(slide.notes_slide.notes_text_frame.text)
        slides.append("\n".join(texts))
    return slides, _core(deck.core_properties), ""


def _xlsx(path: Path) -> Read:
    import openpyxl

    book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        sheets, cells, cut = [], 0, False
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if v is not None and str(v).strip()]
                cells += len(values)
                if cells > MAX_CELLS:
                    cut = True
                    break
                if values:
                    rows.append("\t".join(values))
            sheets.append(f"{sheet.title}\n" + "\n".join(rows))
        props = book.properties
        meta = {"title": props.title, "author": props.creator,
                "date": props.created.isoformat() if props.created else None}
    finally:
        book.close()
    cut_said = N_("only the first {cells} cells were read").format(cells=format(MAX_CELLS, ",")) if cut else ""
    return sheets, meta, cut_said


def _odf(path: Path, kind: str) -> Read:
    from odf import teletype
    from odf.draw import Page
    from odf.namespaces import DCNS, METANS
    from odf.opendocument import load
    from odf.table import Table
    from odf.text import P

    doc = load(str(path))
    if kind == "ods":
        sheets = [(t.getAttribute("name") or "", _ods_rows(t)) for t in doc.spreadsheet.getElementsByType(Table)]
        if not any(rows for _name, rows in sheets):
            return [], {}, ""  # sheet names alone are no text
        sections = ["\n".join([name] + rows) for name, rows in sheets]
    elif kind == "odp":
        sections = ["\n".join(teletype.extractText(p) for p in page.getElementsByType(P))
                    for page in doc.presentation.getElementsByType(Page)]
    else:
        sections = ["\n".join(_odf_blocks(doc.text))]
    meta: dict[str, Any] = {}
    for element in doc.meta.childNodes:
        key = {(DCNS, "title"): "title", (DCNS, "creator"): "author", (METANS, "initial-creator"): "author",
               (METANS, "creation-date"): "date", (DCNS, "date"): "date"}.get(element.qname)
        if key and not meta.get(key):
            meta[key] = teletype.extractText(element)
    return sections, meta, ""


def _ods_rows(table: Any) -> list[str]:
    """A sheet's rows as tab-separated cells: the text shown, else the value (numbers, dates) when it has none."""
    from odf import teletype
    from odf.table import TableCell, TableRow
    from odf.text import P

    rows = []
    for row in table.getElementsByType(TableRow):
        cells = []
        for cell in row.getElementsByType(TableCell):
            text = " ".join(teletype.extractText(p) for p in cell.getElementsByType(P)).strip()
            value = text or next((cell.getAttribute(a) for a in ("value", "datevalue", "booleanvalue")
                                  if cell.getAttribute(a)), "")
            if value:
                cells.append(str(value))
        if cells:
            rows.append("\t".join(cells))
    return rows


def _odf_blocks(element: Any) -> list[str]:
    """Headings and paragraphs in reading order, from lists, sections and tables too."""
    from odf import teletype
    from odf.namespaces import TEXTNS

    out: list[str] = []
    for child in element.childNodes:
        if getattr(child, "qname", None) in ((TEXTNS, "h"), (TEXTNS, "p")):
            out.append(teletype.extractText(child))
        elif getattr(child, "childNodes", None):
            out += _odf_blocks(child)
    return out


def _mupdf(path: Path, kind: str) -> Read:
    """EPUB, FictionBook and XPS through MuPDF; an EPUB's sections are its chapters."""
    import pymupdf

    with pymupdf.open(str(path), filetype=kind) as doc:
        if doc.needs_pass:
            raise ValueError("protected by a password")
        if kind == "epub" and doc.chapter_count > 1:
            sections = ["\n".join(doc[(chapter, i)].get_text() for i in range(doc.chapter_page_count(chapter)))
                        for chapter in range(doc.chapter_count)]
        else:
            sections = [page.get_text() for page in doc]
        info = doc.metadata or {}
        return sections, {"title": info.get("title"), "author": info.get("author"),
                          "date": info.get("creationDate")}, ""


class _HtmlText(HTMLParser):
    SKIP = frozenset({"script", "style", "noscript", "template", "head"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                        "table", "blockquote", "pre", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, Any] = {}
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag == "meta":
            a = dict(attrs)
            name = (a.get("name") or a.get("property") or "").casefold()
            key = {"author": "author", "dc.creator": "author", "dc.title": "title", "og:title": "title",
                   "date": "date", "dc.date": "date", "article:published_time": "date"}.get(name)
            if key and a.get("content") and not self.meta.get(key):
                self.meta[key] = a["content"]
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.meta["title"] = (self.meta.get("title") or "") + data
        elif not self._skip:
            self.parts.append(data)


def _decode(path: Path) -> str:
    from kbase.formats.encoding import decode_bytes

    return decode_bytes(path.read_bytes()).text


def _html(path: Path) -> Read:
    parser = _HtmlText()
    parser.feed(_decode(path))
    parser.close()
    text = re.sub(r"[ \t]*\n[\s]*", "\n", "".join(parser.parts))
    return [text], parser.meta, ""


def _text(path: Path) -> Read:
    text = _decode(path)
    first = next((line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), "")
    return [text], {"title": first if len(first) <= 200 else ""}, ""


def _rtf_text(raw: str) -> str:
    from striprtf.striprtf import rtf_to_text

    text: str = rtf_to_text(raw, errors="ignore")  # type: ignore[no-untyped-call]  # striprtf ships no types
    return text


def _rtf(path: Path) -> Read:
    raw = path.read_bytes().decode("latin-1")  # RTF is 7-bit; its escapes say the rest
    meta = {key: _rtf_info(raw, key) for key in ("title", "author")}
    return [_rtf_text(raw)], meta, ""


def _rtf_info(raw: str, key: str) -> str:
    found = re.search(r"\{\\" + key + r"\s+([^{}]*)\}", raw)
    if not found:
        return ""
    return _rtf_text("{\\rtf1 " + found.group(1) + "}").strip()


READERS: dict[str, Callable[[Path], Read]] = {
    "docx": _docx, "pptx": _pptx, "xlsx": _xlsx,
    "odt": lambda p: _odf(p, "odt"), "ods": lambda p: _odf(p, "ods"), "odp": lambda p: _odf(p, "odp"),
    "epub": lambda p: _mupdf(p, "epub"), "fb2": lambda p: _mupdf(p, "fb2"), "xps": lambda p: _mupdf(p, "xps"),
    "html": _html, "text": _text, "markdown": _text, "rtf": _rtf,
}
