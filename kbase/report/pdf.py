"""HTML to PDF with PyMuPDF's Story: a cover, a contents page with page numbers, running heads, a back page.

The body is cut at its headings into pieces laid out one after the other on the same pages
(Story.place into what is left of the page), so programmes and sections flow on; a piece that
starts too near the foot of a page moves to the next one with its heading, and only a new part
of the report starts a new page. Each piece's first page is known as it is placed, so the
contents and the outline need no search through the laid-out text."""

from __future__ import annotations

import html as htmllib
import os
import re
import tempfile
from typing import Any, Callable

import pymupdf

from kbase.report.house import Identity, house_css, rgb
from kbase.report.i18n import translator
from kbase.text import clean_line, clean_text

PAGE = pymupdf.paper_rect("a4")
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56, 66, 62
BODY = pymupdf.Rect(MARGIN_X, MARGIN_TOP, PAGE.width - MARGIN_X, PAGE.height - MARGIN_BOTTOM)
HEAD = pymupdf.Rect(MARGIN_X, MARGIN_TOP - 40, PAGE.width - MARGIN_X, MARGIN_TOP - 12)
FOOT = pymupdf.Rect(MARGIN_X, PAGE.height - 46, PAGE.width - MARGIN_X, PAGE.height - 20)
HEAD_CSS = ("p { font-family: sans-serif; font-size: 8pt; color: #666; margin: 0; }"
            " .r { text-align: right; } .c { text-align: center; font-size: 9pt; }"
            " table { width: 100%; border-bottom: 0.5px solid #b3bfcc; }")
# a piece whose heading would start lower than this above the foot moves to the next page
KEEP = {2: 190, 3: 150, 4: 110}
# above this many links, clickable areas are left out: finding them costs more than the layout
LINK_LIMIT = 1500
SPLIT_LEVELS = "234"
# page numbers are laid out from one story per this many pages
NUMBERS_CHUNK = 200


_ENTITY_TEXT = re.compile(r"&amp;(?=#?\w+;)")


def _literal_entities(body_html: str) -> str:
    """MuPDF decodes entities twice: text that reads '&amp;' or '&lt;' in the catalogue would print
    as '&' or '<'. An empty element after the ampersand stops the second decoding."""
    return re.sub(r">([^<]*)<", lambda m: ">" + _ENTITY_TEXT.sub("&amp;<span></span>", m.group(1)) + "<",
                  body_html)


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _pieces(body_html: str, levels: str = SPLIT_LEVELS) -> list[dict[str, Any]]:
    """The body cut before each heading of the given levels: [{level, title, section, html}]."""
    parts = re.split(rf"(?=<h[{levels}]\b)", body_html)
    out: list[dict[str, Any]] = []
    section = ""
    for part in parts:
        if not part.strip():
            continue
        head = re.match(r"<h([2-6])\b[^>]*>(.*?)</h\1>", part, flags=re.S)
        level, title = (int(head.group(1)), _text(head.group(2))) if head else (0, "")
        if level == 2:
            section = title
        out.append({"level": level, "title": title, "section": section, "html": part})
    return out


class _Pages:
    """Lays pieces out on A4 pages, drawing running heads and page numbers as each page begins."""

    def __init__(self, writer: pymupdf.DocumentWriter, css: str, first_page: int, head_title: str,
                 positions: list[Any] | None):
        self.writer, self.css, self.first, self.positions = writer, css, first_page, positions
        self.head_title = head_title
        self.dev: Any = None
        self.count = 0
        self.y = BODY.y0
        self.heads: dict[str, pymupdf.Story] = {}
        self.numbers: Any = None
        self.numbers_left = 0

    @property
    def page(self) -> int:
        return self.first + self.count - 1

    def new_page(self, section: str) -> None:
        if self.dev is not None:
            self.writer.end_page()
        self.dev = self.writer.begin_page(PAGE)
        self.count += 1
        self.y = BODY.y0
        # a Story costs about 1 ms to build and 0.05 ms to lay out again: one head per section,
        # laid out anew on each page, and page numbers flowing one per page from a story of many
        head = self.heads.get(section)
        if head is None:
            head = self.heads[section] = pymupdf.Story(
                f'<table><tr><td><p>{htmllib.escape(self.head_title)}</p></td>'
                f'<td><p class="r">{htmllib.escape(section)}</p></td></tr></table>', user_css=HEAD_CSS)
        head.reset()
        head.place(HEAD)
        head.draw(self.dev)
        if self.numbers_left == 0:
            self.numbers = pymupdf.Story("".join(f'<p class="c" style="page-break-after: always">{n}</p>'
                                                 for n in range(self.page, self.page + NUMBERS_CHUNK)),
                                         user_css=HEAD_CSS)
            self.numbers_left = NUMBERS_CHUNK
        self.numbers.place(FOOT)
        self.numbers.draw(self.dev)
        self.numbers_left -= 1

    def place(self, piece: dict[str, Any], new_page: bool = False) -> None:
        story = pymupdf.Story(html=piece["html"], user_css=self.css, em=10.5)
        if self.dev is None or new_page:
            self.new_page(piece["section"])
        elif BODY.y1 - self.y < KEEP.get(piece["level"], 0):
            # too near the foot: stay only if the whole piece fits here
            more, _ = story.place(pymupdf.Rect(BODY.x0, self.y, BODY.x1, BODY.y1))
            story.reset()
            if more:
                self.new_page(piece["section"])
        piece["page"] = self.page
        found = self.positions

        def keep(pos: Any) -> None:  # PyMuPDF wants a function of one argument (it reads __code__)
            if found is not None:
                found.append(pos)

        for _ in range(10_000):  # bounded: a piece never needs more pages than that
            more, filled = story.place(pymupdf.Rect(BODY.x0, self.y, BODY.x1, BODY.y1))
            if self.positions is not None:
                story.element_positions(keep, {"page_num": self.page})
            story.draw(self.dev)
            if not more:
                self.y = max(self.y, filled[3]) + 4
                return
            self.new_page(piece["section"])

    def close(self) -> None:
        if self.dev is not None:
            self.writer.end_page()


def _contents_html(entries: list[dict[str, Any]], numbers: list[str], heading: str) -> str:
    rows = []
    for i, (e, number) in enumerate(zip(entries, numbers, strict=True)):
        style = "padding-left: 18px; font-size: 10pt;" if e["level"] == 3 else "font-weight: bold;"
        rows.append(f'<tr id="toc-{i}"><td style="{style} padding-top: 3px;">{htmllib.escape(e["title"])}</td>'
                    f'<td style="text-align: right; padding-top: 3px;">{number}</td></tr>')
    return (f'<h2>{htmllib.escape(heading)}</h2><table style="width: 100%; border-collapse: collapse;">'
            + "".join(rows) + "</table>")


def _picture(page: pymupdf.Page, rect: pymupdf.Rect, pic: dict[str, Any] | None) -> None:
    """A logo or photo inside rect, its proportions kept; SVG stays vector."""
    if not pic:
        return
    try:
        if pic["type"] == "image/svg+xml":
            with pymupdf.open(stream=pic["data"], filetype="svg") as svg, \
                    pymupdf.open("pdf", svg.convert_to_pdf()) as vector:
                page.show_pdf_page(rect, vector, 0, keep_proportion=True)
        else:
            page.insert_image(rect, stream=pic["data"], keep_proportion=True)
    except (RuntimeError, ValueError):  # a damaged picture leaves its place empty, the report goes on
        return


def _cover(doc: pymupdf.Document, title: str, me: Identity) -> None:
    page = doc.new_page(0, width=PAGE.width, height=PAGE.height)
    colour = rgb(me.colour)
    photo = me.cover
    band_top = PAGE.height * (0.55 if photo else 0.30)
    band = pymupdf.Rect(0, band_top, PAGE.width, band_top + PAGE.height * 0.22)
    if photo:
        _picture(page, pymupdf.Rect(0, 0, PAGE.width, band_top), photo)
    page.draw_rect(band, color=None, fill=colour)
    box = pymupdf.Rect(MARGIN_X, band.y0 + 34, PAGE.width - MARGIN_X, band.y1 - 12)
    page.insert_htmlbox(box, f'<p class="t">{htmllib.escape(title)}</p>'
                             f'<p class="s">{htmllib.escape(me.name)}</p>',
                        css="p.t { font-family: sans-serif; font-size: 30pt; color: white; font-weight: bold; }"
                            "p.s { font-family: sans-serif; font-size: 15pt; color: #e4ecf3; margin-top: 10px; }")
    if me.logo:
        _picture(page, pymupdf.Rect(MARGIN_X, PAGE.height - 150, MARGIN_X + 150, PAGE.height - 60), me.logo)
    lines = [x for x in (me.tagline, me.caption and f"{me.cover_label}: {me.caption}") if x]
    if lines:
        foot = pymupdf.Rect(MARGIN_X + 170, PAGE.height - 150, PAGE.width - MARGIN_X, PAGE.height - 60)
        page.insert_htmlbox(foot, "".join(f"<p>{htmllib.escape(x)}</p>" for x in lines),
                            css="p { font-family: sans-serif; font-size: 9pt; color: #555; text-align: right;"
                                " margin: 0 0 6px 0; }")


def _back_page(doc: pymupdf.Document, me: Identity) -> None:
    page = doc.new_page(-1, width=PAGE.width, height=PAGE.height)
    page.draw_rect(pymupdf.Rect(0, PAGE.height - 230, PAGE.width, PAGE.height), color=None, fill=rgb(me.colour))
    if me.logo:
        _picture(page, pymupdf.Rect(MARGIN_X, 120, MARGIN_X + 180, 230), me.logo)
    lines = [f"<p class='n'>{htmllib.escape(me.name)}</p>"]
    lines += [f"<p>{htmllib.escape(x)}</p>" for x in me.address_lines]
    lines += [f"<p>{htmllib.escape(x)}</p>" for x in (me.email, me.site) if x]
    box = pymupdf.Rect(MARGIN_X, PAGE.height - 210, PAGE.width - MARGIN_X, PAGE.height - 40)
    page.insert_htmlbox(box, "".join(lines), css="p { font-family: sans-serif; font-size: 10pt; color: white;"
                        " margin: 0 0 3px 0; } p.n { font-size: 14pt; font-weight: bold; margin-bottom: 8px; }")
    if me.tagline:
        page.insert_htmlbox(pymupdf.Rect(MARGIN_X, 260, PAGE.width - MARGIN_X, 360),
                            f"<p>{htmllib.escape(me.tagline)}</p>",
                            css=f"p {{ font-family: sans-serif; font-size: 14pt; color: {me.colour};"
                                " font-style: italic; }")


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
                sections_on_new_pages: bool = True, identity: dict[str, Any] | None = None,
                new_page_titles: tuple[str, ...] | list[str] = (), lang: str = "en",
                deep_titles: tuple[str, ...] | list[str] = (), charts: Any = None) -> bytes:
    """The report as PDF bytes: cover, contents (optional), body, back page, outline, running heads.

    With sections_on_new_pages (the annual report) there is a cover, a back page, and the headings
    in new_page_titles start new pages; without (project sheets, bibliographies) the body flows
    from the first page; its headings still make the outline."""
    t = translator(lang)
    me = Identity(identity or {}, subtitle, t, lang)
    body_html, title = _literal_entities(clean_text(body_html)), clean_line(title)
    css = css + house_css(me.colour, me.accent)
    cover = sections_on_new_pages
    if cover:  # the cover has the title
        body_html = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body_html, count=1, flags=re.S)
    pieces = _pieces(body_html, SPLIT_LEVELS if cover else "23")
    breaks = set(new_page_titles)
    # the contents and outline: every section, and the level-3 headings of deep_titles' sections (programmes)
    deep = set(deep_titles)
    entries = [{"level": p["level"], "title": p["title"], "piece": p} for p in pieces
               if p["level"] == 2 or (p["level"] == 3 and (p["section"] in deep or not cover))]
    head_title = f"{me.short} · {title}" if me.short else title
    want_links = body_html.count("<a ") <= LINK_LIMIT
    positions: list[Any] | None = [] if want_links else None

    toc_pages = 0
    with_contents = with_contents and cover
    contents_title = t("Contents")
    if with_contents:  # the contents' length (not its numbers) decides where the body starts
        toc, _ = _to_document(lambda w: _lay(w, [{"level": 2, "title": "", "section": contents_title,
                                                  "html": _contents_html(entries, ["000"] * len(entries),
                                                                         contents_title)}],
                                             css, 2, head_title, set(), None))
        toc_pages = toc.page_count
        toc.close()
    first = (2 if cover else 1) + toc_pages  # page number of the first body page

    body_doc, _ = _to_document(lambda w: _lay(w, pieces, css, first, head_title, breaks, positions))
    out = pymupdf.open()
    if cover:
        _cover(out, title, me)
    toc_positions: list[Any] = []
    if with_contents:
        numbers = [str(e["piece"]["page"]) for e in entries]
        toc, _ = _to_document(lambda w: _lay(w, [{"level": 2, "title": "", "section": contents_title,
                                                  "html": _contents_html(entries, numbers, contents_title)}],
                                             css, 2, head_title, set(), toc_positions))
        out.insert_pdf(toc, links=False)
        toc.close()
    out.insert_pdf(body_doc, links=False)
    if cover and me.name:
        _back_page(out, me)
    for pos in toc_positions:
        if pos.id and pos.id.startswith("toc-") and (pos.open_close & 1):
            e = entries[int(pos.id[4:])]
            out[pos.page_num - 1].insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(pos.rect),
                                               "page": e["piece"]["page"] - 1,
                                               "to": pymupdf.Point(MARGIN_X, MARGIN_TOP)})
    if positions:
        _add_links(out, positions)
    if charts is not None:  # kbase.report.charts.ChartSlot: each chart's vector page over its placeholder
        charts.overlay_pdf(out)
    outline = [[1, title, 1]] + ([[1, contents_title, 2]] if with_contents else [])
    # with a cover, sections are the outline's top; without, they sit under the h1 title
    top = 1 if cover else 2
    base = min((e["level"] for e in entries), default=2)
    prev = 1
    for e in entries:
        level = min(e["level"] - base + top, prev + 1)
        outline.append([level, e["title"], e["piece"]["page"]])
        prev = level
    out.set_toc(outline)
    out.set_metadata({"title": title, "author": me.name or "", "creator": "Kbase", "producer": "Kbase"})
    data: bytes = out.tobytes(garbage=1, deflate=True)
    out.close()
    body_doc.close()
    return data


def _lay(writer: pymupdf.DocumentWriter, pieces: list[dict[str, Any]], css: str, first: int, head_title: str,
         breaks: set[str], positions: list[Any] | None) -> int:
    pages = _Pages(writer, css, first, head_title, positions)
    for piece in pieces:
        pages.place(piece, new_page=piece["level"] == 2 and piece["title"] in breaks)
    pages.close()
    return pages.count


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _add_links(doc: pymupdf.Document, positions: list[Any]) -> None:
    """Clickable areas for <a href>, one annotation call per page.

    Page.insert_link re-reads the page's annotations on each call, and Story reports a link
    once per piece of text, so links are merged per line and written in one go."""
    h = PAGE.height
    per_page: dict[int, dict[tuple[str, int], tuple[float, float, float, float, str]]] = {}
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
