"""HTML to PDF with PyMuPDF's Story: a cover, a contents page with page numbers, running heads."""

from __future__ import annotations

import html as htmllib
import io
import re
from datetime import date
from typing import Any

import pymupdf

PAGE = pymupdf.paper_rect("a4")
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56, 66, 62
BODY = pymupdf.Rect(MARGIN_X, MARGIN_TOP, PAGE.width - MARGIN_X, PAGE.height - MARGIN_BOTTOM)
HEAD_COLOUR = (0.07, 0.22, 0.36)
GREY = (0.4, 0.4, 0.4)
# level-3 headings shown on the contents page only under these sections (the rest stay in the outline)
DEEP_SECTIONS = ("programmes",)


def _layout(html: str, css: str) -> tuple[pymupdf.Document, list[Any]]:
    """Flow html over as many A4 pages as needed; returns the pages and the element positions."""
    story = pymupdf.Story(html=html, user_css=css, em=10.5)
    positions: list[Any] = []
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    story.write(writer, lambda rect_num, filled: (PAGE, BODY, None), positions.append)
    writer.close()
    return pymupdf.open("pdf", buffer.getvalue()), positions


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _add_links(doc: pymupdf.Document, positions: list[Any], first: int) -> None:
    """Clickable links for <a href>, written as annotations in one call per page.

    Page.insert_link re-reads every annotation of the page on each call, which made a
    5,000-publication report spend seconds here; Story also reports a link once per placement."""
    targets = {p.id: p for p in positions if p.id and (p.open_close & 1)}
    per_page: dict[int, dict[tuple, str]] = {}
    for p in positions:
        if not (p.href and (p.open_close & 1)):
            continue
        page_no = first + p.page_num - 1
        x0, y0, x1, y1 = p.rect
        h = PAGE.height
        if p.href.startswith("#"):
            target = targets.get(p.href[1:])
            if target is None:
                continue
            xref = doc[first + target.page_num - 1].xref
            action = f"/Dest[{xref} 0 R/XYZ {MARGIN_X} {h - target.rect[1] + 10:.2f} 0]"
        else:
            action = f"/A<</S/URI/URI({_pdf_string(p.href)})>>"
        # the pieces of one link on one line become one clickable area
        key = (p.href, round(y0))
        line = per_page.setdefault(page_no, {})
        if key in line:
            x0 = min(x0, line[key][0])
            x1 = max(x1, line[key][2])
        line[key] = (x0, y0, x1, y1, action)
    for page_no, areas in per_page.items():
        page = doc[page_no]
        h = PAGE.height
        annots = tuple(f"<</Type/Annot/Subtype/Link/Rect[{x0:.2f} {h - y1:.2f} {x1:.2f} {h - y0:.2f}]"
                       f"/Border[0 0 0]{action}>>" for x0, y0, x1, y1, action in areas.values())
        if hasattr(page, "_addAnnot_FromString"):
            page._addAnnot_FromString(annots)


def _heading_texts(html: str) -> dict[str, str]:
    """Heading text by id, from the HTML (Story's own text joins wrapped lines without a space)."""
    found = re.findall(r'<h[1-6][^>]*\bid="([^"]+)"[^>]*>(.*?)</h[1-6]>', html, flags=re.S)
    return {i: " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", t)).split()) for i, t in found}


def _headings(positions: list[Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    out, seen = [], set()
    for p in positions:
        if p.heading and (p.open_close & 1) and p.heading >= 2 and (p.id, p.page_num) not in seen:
            seen.add((p.id, p.page_num))
            out.append({"level": p.heading, "id": p.id, "text": texts.get(p.id) or " ".join((p.text or "").split()),
                        "page": p.page_num - 1, "y": p.rect[1]})
    return out


def _contents_entries(heads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries, section = [], None
    for h in heads:
        if h["level"] == 2:
            section = h["id"]
            entries.append(h)
        elif h["level"] == 3 and section in DEEP_SECTIONS:
            entries.append(h)
    return entries


def _contents_html(entries: list[dict[str, Any]], first_body_page: int) -> str:
    rows = []
    for i, e in enumerate(entries):
        indent = "padding-left: 18px; font-size: 10pt;" if e["level"] == 3 else "font-weight: bold;"
        rows.append(f'<tr id="toc-{i}"><td style="{indent} padding-top: 3px;">{htmllib.escape(e["text"])}</td>'
                    f'<td style="text-align: right; padding-top: 3px;">{e["page"] + first_body_page}</td></tr>')
    return ('<h2>Contents</h2><table style="width: 100%; border-collapse: collapse;">'
            + "".join(rows) + "</table>")


def _cover(doc: pymupdf.Document, title: str, subtitle: str, css: str) -> None:
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


def _running_heads(doc: pymupdf.Document, title: str, sections: dict[int, str]) -> None:
    """Title and current section on top, page number at the foot, on every page but the cover."""
    font = pymupdf.Font("helv")
    for number in range(1, doc.page_count):
        page = doc[number]
        y = MARGIN_TOP - 26
        page.draw_line((MARGIN_X, y + 6), (PAGE.width - MARGIN_X, y + 6), color=(0.7, 0.75, 0.8), width=0.5)
        writer = pymupdf.TextWriter(page.rect)
        writer.append((MARGIN_X, y), _latin(title), font=font, fontsize=8)
        section = _latin(sections.get(number, ""))
        if section:
            writer.append((PAGE.width - MARGIN_X - font.text_length(section, fontsize=8), y), section,
                          font=font, fontsize=8)
        label = str(number + 1)
        writer.append(((PAGE.width - font.text_length(label, fontsize=9)) / 2, PAGE.height - 34), label,
                      font=font, fontsize=9)
        writer.write_text(page, color=GREY)


def _latin(text: str) -> str:
    """The built-in Helvetica covers Latin-1 and a few signs; anything else shows as '?'."""
    return text.encode("cp1252", "replace").decode("cp1252")


def html_to_pdf(body_html: str, css: str, title: str, subtitle: str = "", with_contents: bool = True) -> bytes:
    """The report as PDF bytes: cover, contents (optional), body, outline, running heads."""
    body_html = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body_html, count=1, flags=re.S)  # the cover has the title
    body, positions = _layout(body_html, css)
    heads = _headings(positions, _heading_texts(body_html))
    out = pymupdf.open()
    _cover(out, title, subtitle, css)
    toc, toc_positions, toc_pages = None, [], 0
    if with_contents:
        entries = _contents_entries(heads)
        for _ in range(3):  # the contents' own length shifts the page numbers it prints
            toc, toc_positions = _layout(_contents_html(entries, 2 + toc_pages), css)
            if toc.page_count == toc_pages:
                break
            toc_pages = toc.page_count
        out.insert_pdf(toc, links=False)
    first = 1 + toc_pages  # index of the first body page in out
    out.insert_pdf(body, links=False)
    _add_links(out, positions, first)
    if with_contents:
        for pos in toc_positions:
            if pos.id and pos.id.startswith("toc-") and (pos.open_close & 1):
                e = entries[int(pos.id[4:])]
                out[1 + pos.page_num - 1].insert_link({
                    "kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(pos.rect),
                    "page": first + e["page"], "to": pymupdf.Point(MARGIN_X, max(0, e["y"] - 10))})
    outline, prev = [[1, title, 1]], 1
    if with_contents:
        outline.append([1, "Contents", 2])
    for h in heads:
        level = min(h["level"] - 1, prev + 1)
        outline.append([level, h["text"], first + h["page"] + 1])
        prev = level
    out.set_toc(outline)
    sections: dict[int, str] = {}
    current = ""
    by_page: dict[int, str] = {}
    for h in heads:
        if h["level"] == 2:
            by_page.setdefault(h["page"], h["text"])
    for i in range(body.page_count):
        current = by_page.get(i, current)
        sections[first + i] = current
    for i in range(1, first):
        sections[i] = "Contents"
    _running_heads(out, f"{title} · {subtitle}" if subtitle else title, sections)
    out.set_metadata({"title": title, "author": subtitle, "creator": "Kbase"})
    data = out.tobytes(garbage=1, deflate=True)
    out.close()
    body.close()
    return data
