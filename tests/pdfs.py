"""A factory of test PDFs made with PyMuPDF: good, scanned, encrypted, broken and fake ones."""

from __future__ import annotations

from pathlib import Path

import pymupdf

EN_PAGES = [
    "Artisanal gold mining in South Kivu\nThe survey visited forty mining sites around Kamituga.",
    "Armed groups and taxation\nRoadblocks along the Fizi road collected tolls from traders.",
    "Due diligence in the cobalt supply chain\nRefiners rely on traceability schemes.",
]
FR_PAGES = [
    "L'exploitation minière artisanale au Sud-Kivu\nLes enquêteurs ont visité quarante sites miniers.",
    "Les barrières routières et la fiscalité\nLes groupes armés prélèvent des taxes sur les commerçants.",
]


def _text_page(doc: pymupdf.Document, text: str, fontsize: float = 11) -> None:
    page = doc.new_page()
    y = 72.0
    for line in text.split("\n"):
        page.insert_text((72, y), line, fontsize=fontsize)
        y += fontsize * 1.5


def _titled_first_page(doc: pymupdf.Document, title: str, authors: str | None, date: str | None, body: str) -> None:
    page = doc.new_page()
    page.insert_text((72, 100), title, fontsize=22)
    y = 140.0
    for name_line in (authors or "").split("\n"):
        if name_line:
            page.insert_text((72, y), name_line, fontsize=13)
            y += 20
    if date:
        page.insert_text((72, y), date, fontsize=11)
        y += 24
    for line in body.split("\n"):
        page.insert_text((72, y), line, fontsize=11)
        y += 16


def _save(doc: pymupdf.Document, path: Path, **kwargs: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path), **kwargs)
    doc.close()
    return path


def text_pdf(path: Path, pages: list[str] | None = None, metadata: dict[str, str] | None = None,
             title_page: tuple[str, str | None, str | None] | None = None) -> Path:
    """A PDF with a text layer; title_page=(title, authors, date) puts a big title on page 1."""
    doc = pymupdf.open()
    pages = list(pages or EN_PAGES)
    if title_page:
        _titled_first_page(doc, *title_page, body=pages.pop(0))
    for text in pages:
        _text_page(doc, text)
    if metadata:
        doc.set_metadata(metadata)
    return _save(doc, path)


def english_pdf(path: Path, n_pages: int = 3) -> Path:
    """Several pages of English with good info metadata."""
    pages = [EN_PAGES[i % len(EN_PAGES)] + f"\nPage marker en{i + 1}" for i in range(n_pages)]
    return text_pdf(path, pages, metadata={
        "title": "Mapping artisanal mining sites in eastern DRC",
        "author": "Ken Matthysen; Steven Spittaels",
        "creationDate": "D:20210615120000Z",
    })


def french_pdf(path: Path) -> Path:
    """French text, no info metadata, title and authors on the first page."""
    return text_pdf(path, FR_PAGES, title_page=(
        "Analyse des barrières routières au Sud-Kivu", "Claude Iguma Wakenge et Yannick Weyns", "Juin 2021"))


def junk_metadata_pdf(path: Path) -> Path:
    """Info metadata a word processor left behind; the real title is on the first page."""
    doc_path = text_pdf(path, EN_PAGES[:2], title_page=(
        "Cobalt supply chains and child labour", "Anna Hoffmann and Lotte Hoex", "March 2020"),
        metadata={"title": "Microsoft Word - draft_v3.docx", "author": "ARRAY(0x55d5c8a1e2b8)"})
    return doc_path


def scanned_page_png(text: str, dpi: int = 200, fontsize: float = 14) -> bytes:
    """A page of text drawn as a greyscale picture, as a scanner hands it over: no text layer."""
    source = pymupdf.open()
    _text_page(source, text, fontsize=fontsize)
    pix = source[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    source.close()
    png: bytes = pix.tobytes("png")
    return png


def _scanned_page(doc: pymupdf.Document, text: str, dpi: int = 200) -> None:
    page = doc.new_page()
    page.insert_image(page.rect, stream=scanned_page_png(text, dpi))


def scanned_pdf(path: Path, n_pages: int = 2, pages: list[str] | None = None, dpi: int = 200) -> Path:
    """Pages that are only a picture of text (EN_PAGES by default): no text layer at all."""
    doc = pymupdf.open()
    texts = pages or [EN_PAGES[i % len(EN_PAGES)] for i in range(n_pages)]
    for text in texts:
        _scanned_page(doc, text, dpi)
    return _save(doc, path, deflate=True)


def mixed_scan_pdf(path: Path) -> Path:
    """Two text pages and one scanned page (a picture of EN_PAGES[2]) in between."""
    doc = pymupdf.open()
    _text_page(doc, EN_PAGES[0])
    _scanned_page(doc, EN_PAGES[2])
    _text_page(doc, EN_PAGES[1])
    return _save(doc, path, deflate=True)


def blank_pdf(path: Path, n_pages: int = 2, scanned: bool = False, text_pages: int = 0) -> Path:
    """text_pages pages of text, then n_pages blank ones: empty pages, or with scanned=True pictures of an
    empty sheet (off-white paper with a few levels of scanner noise)."""
    doc = pymupdf.open()
    for i in range(text_pages):
        _text_page(doc, EN_PAGES[i % len(EN_PAGES)])
    for i in range(n_pages):
        page = doc.new_page()
        if scanned:
            pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 850, 1100), False)
            pix.clear_with(236)
            for x in range(0, 850, 7):  # speckles a few levels darker, as paper grain scans
                pix.set_pixel(x, (x * 13 + i) % 1100, (228,))
            page.insert_image(page.rect, stream=pix.tobytes("png"))
    return _save(doc, path, deflate=True)


def encrypted_pdf(path: Path, user_password: str = "secret") -> Path:
    """AES-256 encrypted; an empty user_password makes one that opens without asking."""
    doc = pymupdf.open(str(english_pdf(path.with_suffix(".plain.pdf"))))
    out = _save(doc, path, encryption=pymupdf.mupdf.PDF_ENCRYPT_AES_256, user_pw=user_password, owner_pw="owner-pass")
    path.with_suffix(".plain.pdf").unlink()
    return out


def truncated_pdf(path: Path, keep: float = 0.5) -> Path:
    """The first part of a valid PDF, as an interrupted download leaves it."""
    data = pymupdf.open(str(english_pdf(path))).tobytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def text_renamed_pdf(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("These are meeting notes saved as plain text, not a PDF.\n", encoding="utf-8")
    return path


def empty_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def typography_pdf(path: Path) -> Path:
    """Ligatures (ﬁ ﬂ ﬃ), a word hyphenated across lines and full-width letters."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_htmlbox(pymupdf.Rect(72, 72, 520, 200),
                        "<p>The \ufb01nancial \ufb02ows were e\ufb03ciently traced by ＫＩＶＵ monitors.</p>")
    page.insert_text((72, 240), "Traders reported the interme-", fontsize=11)
    page.insert_text((72, 256), "diaries at the border post.", fontsize=11)
    return _save(doc, path)


def cjk_pdf(path: Path) -> Path:
    """Chinese and Japanese text (no spaces between words) and a line of Thai."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "中华人民共和国的矿产资源", fontname="china-s", fontsize=12)
    page.insert_text((72, 100), "日本語のテキストを検索する", fontname="japan", fontsize=12)
    page.insert_htmlbox(pymupdf.Rect(72, 120, 500, 200), "<p>ภาษาไทยง่าย</p>")
    return _save(doc, path)


def big_pdf(path: Path, n_pages: int) -> Path:
    """Many short pages, each with a unique marker word (no silent cap on pages)."""
    doc = pymupdf.open()
    for i in range(n_pages):
        doc.new_page(width=300, height=200).insert_text((20, 40), f"page marker zq{i + 1}x", fontsize=10)
    return _save(doc, path)


def long_pdf(path: Path, n_pages: int) -> Path:
    """n_pages pages that all show the same text, written out by hand: milliseconds to make, where copying
    pages with PyMuPDF took seconds, and as slow to read as any (each page has its own content stream and
    font, as the copies had: a shared font is loaded once and makes the reading several times quicker)."""
    text = b"BT /F1 10 Tf 20 160 Td (the same page again and again) Tj ET"
    stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text)
    kids = b" ".join(b"%d 0 R" % (3 + 3 * i) for i in range(n_pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n_pages)]
    for i in range(n_pages):  # the page, its contents, its font
        objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 3 * i, 5 + 3 * i), stream,
                    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def batch(folder: Path) -> dict[str, Path]:
    """One file of every kind, by name, in folder (nested folders included)."""
    return {
        "english": english_pdf(folder / "english.pdf"),
        "french": french_pdf(folder / "sub" / "french.pdf"),
        "junk": junk_metadata_pdf(folder / "junk.pdf"),
        "scanned": scanned_pdf(folder / "scanned.pdf"),
        "encrypted": encrypted_pdf(folder / "encrypted.pdf"),
        "empty_password": encrypted_pdf(folder / "open_encrypted.pdf", user_password=""),
        "truncated": truncated_pdf(folder / "truncated.pdf"),
        "text": text_renamed_pdf(folder / "notes.pdf"),
        "empty": empty_file(folder / "sub" / "deeper" / "empty.pdf"),
    }
