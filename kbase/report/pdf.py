"""HTML to PDF with PyMuPDF's Story: a cover, a contents page with page numbers, running heads.

Each section (and each programme) is laid out as its own Story starting on a new page, so page
numbers for the contents and the outline are known without asking MuPDF for the position of
every element, which on a large report cost more than the layout itself."""

from __future__ import annotations

import html as htmllib
import os
import re
import tempfile
from datetime import date
from typing import Any, Callable

import pymupdf

from kbase.text import clean_line, clean_text

PAGE = pymupdf.paper_rect("a4")
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56, 66, 62
BODY = pymupdf.Rect(MARGIN_X, MARGIN_TOP, PAGE.width - MARGIN_X, PAGE.height - MARGIN_BOTTOM)
HEAD = pymupdf.Rect(MARGIN_X, MARGIN_TOP - 40, PAGE.width - MARGIN_X, MARGIN_TOP - 12)
FOOT = pymupdf.Rect(MARGIN_X, PAGE.height - 46, PAGE.width - MARGIN_X, PAGE.height - 20)
HEAD_COLOUR = (0.07, 0.22, 0.36)
HEAD_CSS = ("p { font-family: sans-serif; font-size: 8pt; color: #666; margin: 0; }"
            " .r { text-align: right; } .c { text-align: center; font-size: 9pt; }"
            " table { width: 100%; border-bottom: 0.5px solid #b3bfcc; }")
# sections whose level-3 headings (programmes) also start a page and get a contents line
DEEP_SECTIONS = ("programmes",)
# above this many links, clickable areas are left out: finding them costs more than the layout
LINK_LIMIT = 1500


def _chunks(body_html: str) -> list[dict[str, Any]]:
    """The body cut at level-2 headings, and at level-3 headings inside DEEP_SECTIONS."""
    parts = re.split(r"(?=<h2\b)", body_html)
    chunks: list[dict[str, Any]] = []
    for part in parts:
        if not part.strip():
            continue
        head = re.match(r"<h2\b([^>]*)>(.*?)</h2>", part, flags=re.S)
        ident = re.search(r'\bid="([^"]*)"', head.group(1)) if head else None
        sid, title = (ident.group(1) if ident else "", _text(head.group(2)) if head else "")
        if sid in DEEP_SECTIONS:
            pieces = re.split(r"(?=<h3\b)", part)
            lead = [(2, title)]
            for piece in pieces[1:]:
                sub = re.match(r"<h3\b[^>]*>(.*?)</h3>", piece, flags=re.S)
                # the section heading shares a page with its first programme
                chunks.append({"entries": lead + [(3, _text(sub.group(1)) if sub else "")], "section": title,
                               "html": (pieces[0] if lead else "") + piece})
                lead = []
            if lead:
                chunks.append({"entries": lead, "section": title, "html": part})
        else:
            chunks.append({"entries": [(2, title)] if head else [], "section": title, "html": part})
    return chunks


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _head_story(left: str, right: str) -> pymupdf.Story:
    return pymupdf.Story(f'<table><tr><td><p>{htmllib.escape(left)}</p></td>'
                         f'<td><p class="r">{htmllib.escape(right)}</p></td></tr></table>', user_css=HEAD_CSS)


def _write(writer: pymupdf.DocumentWriter, html: str, css: str, first_page: int, title: str, section: str,
           positions: list[Any] | None) -> int:
    """Lay html out from a new page on, with running heads; returns the number of pages used."""
    story = pymupdf.Story(html=html, user_css=css, em=10.5)
    top = _head_story(title, section)  # the same on every page of the chunk: laid out once, redrawn
    count = 0

    def page_fn(page_num: int, mediabox: Any, dev: Any, after: int) -> None:
        # drawn when the page begins: the "after" call of a page gets the next page's number
        nonlocal count
        if not after:
            count = page_num
            top.reset()
            top.place(HEAD)
            top.draw(dev)
            foot = pymupdf.Story(f'<p class="c">{first_page + page_num - 1}</p>', user_css=HEAD_CSS)
            foot.place(FOOT)
            foot.draw(dev)

    def position_fn(pos: Any) -> None:
        pos.page_num += first_page - 1  # 1-based number in the final document
        positions.append(pos)  # type: ignore[union-attr]

    story.write(writer, lambda rect_num, filled: (PAGE, BODY, None),
                positionfn=position_fn if positions is not None else None, pagefn=page_fn)
    return count


def _contents_html(entries: list[dict[str, Any]], numbers: list[str]) -> str:
    rows = []
    for i, (e, number) in enumerate(zip(entries, numbers)):
        style = "padding-left: 18px; font-size: 10pt;" if e["level"] == 3 else "font-weight: bold;"
        rows.append(f'<tr id="toc-{i}"><td style="{style} padding-top: 3px;">{htmllib.escape(e["title"])}</td>'
                    f'<td style="text-align: right; padding-top: 3px;">{number}</td></tr>')
    return ('<h2>Contents</h2><table style="width: 100%; border-collapse: collapse;">'
            + "".join(rows) + "</table>")


def _cover(doc: pymupdf.Document, title: str, subtitle: str) -> None:
    page = doc.new_page(0, width=PAGE.width, height=PAGE.height)
    band = pymupdf.Rect(0, PAGE.height * 0.30, PAGE.width, PAGE.height * 0.52)
    page.draw_rect(band, color=None, fill=HEAD_COLOUR)
    box = pymupdf.Rect(MARGIN_X, band.y0 + 40, PAGE.width - MARGIN_X, band.y1 - 20)
    page.insert_htmlbox(box, f'<p class="t">{htmllib.escape(title)}</p>'
                             f'<p class="s">{htmllib.escape(subtitle)}</p>',
                        css="p.t { font-family: sans-serif; font-size: 30pt; color: white; font-weight: bold; }"
                            "p.s { font-family: sans-serif; font-size: 15pt; color: #dbe6f0; margin-top: 10px; }")
    foot = pymupdf.Rect(MARGIN_X, PAGE.height - 110, PAGE.width - MARGIN_X, PAGE.height - 60)
    page.insert_htmlbox(foot, f"<p>Compiled from the catalogue on {date.today():%d %B %Y}</p>",
                        css="p { font-family: sans-serif; font-size: 9pt; color: #666; }")


def _to_document(fill: Callable[[pymupdf.DocumentWriter], Any]) -> tuple[pymupdf.Document, Any]:
    """Run fill against a DocumentWriter on a temporary file (a Python stream is much slower)."""
    fd, path = tempfile.mkstemp(suffix=".pdf", prefix="kbase-report-")
    os.close(fd)
    try:
        writer = pymupdf.DocumentWriter(path, "compress")
        result = fill(writer)
        writer.close()
        with open(path, "rb") as fh:
            return pymupdf.open("pdf", fh.read()), result
    finally:
        os.unlink(path)


def html_to_pdf(body_html: str, css: str, title: str, subtitle: str = "", with_contents: bool = True,
                sections_on_new_pages: bool = True) -> bytes:
    """The report as PDF bytes: cover, contents (optional), body, outline, running heads.

    Without sections_on_new_pages (project sheets, bibliographies) there is no cover and the
    body flows on uninterrupted from the first page; its headings still make the outline."""
    body_html, title, subtitle = clean_text(body_html), clean_line(title), clean_line(subtitle)
    cover = sections_on_new_pages
    if cover:  # the cover has the title
        body_html = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body_html, count=1, flags=re.S)
    if sections_on_new_pages:
        chunks = _chunks(body_html)
    else:
        heads = [(int(level), _text(text)) for level, text in
                 re.findall(r"<h([23])\b[^>]*>(.*?)</h\1>", body_html, flags=re.S)]
        chunks = [{"entries": heads, "section": "", "html": body_html}]
    entries = [{"level": level, "title": text, "chunk": c} for c in chunks for level, text in c["entries"]]
    head_title = f"{title} · {subtitle}" if subtitle else title
    want_links = body_html.count("<a ") <= LINK_LIMIT
    positions: list[Any] | None = [] if want_links else None

    toc_pages = 0
    with_contents = with_contents and cover
    if with_contents:  # the contents' length (not its numbers) decides where the body starts
        toc, _ = _to_document(lambda w: _write(w, _contents_html(entries, ["000"] * len(entries)), css, 2,
                                               head_title, "Contents", None))
        toc_pages = toc.page_count
    first = (2 if cover else 1) + toc_pages  # page number of the first body page

    def body(writer: pymupdf.DocumentWriter) -> None:
        page = first
        for c in chunks:
            c["page"] = page
            page += _write(writer, c["html"], css, page, head_title, c["section"], positions)

    body_doc, _ = _to_document(body)
    out = pymupdf.open()
    if cover:
        _cover(out, title, subtitle)
    toc_positions: list[Any] = []
    if with_contents:
        for e in entries:
            e["page"] = e["chunk"]["page"]
        numbers = [str(e["page"]) for e in entries]
        toc, _ = _to_document(lambda w: _write(w, _contents_html(entries, numbers), css, 2, head_title,
                                               "Contents", toc_positions))
        out.insert_pdf(toc, links=False)
    out.insert_pdf(body_doc, links=False)
    for pos in toc_positions:
        if pos.id and pos.id.startswith("toc-") and (pos.open_close & 1):
            e = entries[int(pos.id[4:])]
            out[pos.page_num - 1].insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(pos.rect),
                                               "page": e["page"] - 1, "to": pymupdf.Point(MARGIN_X, MARGIN_TOP)})
    if positions:
        _add_links(out, positions)
    for e in entries:
        e["page"] = e["chunk"]["page"]
    outline = [[1, title, 1]] + ([[1, "Contents", 2]] if with_contents else [])
    # with a cover, sections are the outline's top; without, they sit under the h1 title
    top = 1 if cover else 2
    base = min((e["level"] for e in entries), default=2)
    prev = 1
    for e in entries:
        level = min(e["level"] - base + top, prev + 1)
        outline.append([level, e["title"], e["page"]])
        prev = level
    out.set_toc(outline)
    out.set_metadata({"title": title, "author": subtitle, "creator": "Kbase"})
    data = out.tobytes(garbage=1, deflate=True)
    out.close()
    body_doc.close()
    return data


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _add_links(doc: pymupdf.Document, positions: list[Any]) -> None:
    """Clickable areas for <a href>, one annotation call per page.

    Page.insert_link re-reads the page's annotations on each call, and Story reports a link
    once per piece of text, so links are merged per line and written in one go."""
    h = PAGE.height
    per_page: dict[int, dict[tuple[str, int], tuple]] = {}
    for p in positions:
        if not (p.href and (p.open_close & 1)) or p.href.startswith("#"):
            continue
        x0, y0, x1, y1 = p.rect
        line = per_page.setdefault(p.page_num - 1, {})
        key = (p.href, round(y0))
        if key in line:
            x0, x1 = min(x0, line[key][0]), max(x1, line[key][2])
        line[key] = (x0, y0, x1, y1, p.href)
    for page_no, areas in per_page.items():
        page = doc[page_no]
        if not hasattr(page, "_addAnnot_FromString"):
            return
        page._addAnnot_FromString(tuple(
            f"<</Type/Annot/Subtype/Link/Rect[{x0:.2f} {h - y1:.2f} {x1:.2f} {h - y0:.2f}]/Border[0 0 0]"
            f"/A<</S/URI/URI({_pdf_string(href)})>>>>" for x0, y0, x1, y1, href in areas.values()))
