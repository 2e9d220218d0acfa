"""HTML (from the report's Markdown) to an editable Word file: real headings, lists and links."""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

import docx
import pymupdf
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from kbase.report.house import FONT, Identity
from kbase.report.i18n import LOCALES, translator
from kbase.text import clean_line, clean_text


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (TOC, PAGE) that Word fills in when it opens or prints the file."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _w(tag: str) -> str:
    return qn(f"w:{tag}")


class _Builder(HTMLParser):
    """Walks the report HTML and appends the matching Word paragraphs.

    Paragraphs are built as raw WordprocessingML: python-docx's add_paragraph and relate_to
    look through the whole document on every call, which took minutes on a large report."""

    def __init__(self, document: Any, breaks: set[str] | None = None):
        super().__init__(convert_charrefs=True)
        self.breaks = breaks or set()  # level-2 headings that start a new page
        self.link_colour = str(document.styles["Heading 2"].font.color.rgb or "1F5F8B")
        self.part = document.part
        self.end = document.element.body.find(_w("sectPr"))  # new paragraphs go before it
        self.body = document.element.body
        self.par: Any = None
        self.in_item = False
        self.bold = self.italic = 0
        self.href: str | None = None
        self.lists: list[str] = []  # "ul" / "ol" nesting
        self.skip = 0
        self.links: dict[str, str] = {}
        self.table: Any = None
        self.row: Any = None

    def _paragraph(self, style: str | None = None) -> Any:
        p = etree.Element(_w("p"))
        if style:
            props = etree.SubElement(p, _w("pPr"))
            etree.SubElement(props, _w("pStyle")).set(_w("val"), style)
        if self.end is not None:
            self.end.addprevious(p)
        else:
            self.body.append(p)
        self.par = p
        self.in_item = False
        return p

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._paragraph("Title" if tag == "h1" else f"Heading{min(int(tag[1]) - 1, 9)}")
        elif tag == "p":
            if self.in_item:
                return  # a loose list item's first paragraph joins the bullet
            self._paragraph()
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            self.par = None
        elif tag == "li":
            depth = min(len(self.lists), 3)
            base = "ListNumber" if self.lists and self.lists[-1] == "ol" else "ListBullet"
            self._paragraph(base if depth <= 1 else f"{base}{depth}")
            self.in_item = True
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
        elif tag == "br":
            if self.par is None:
                self._paragraph()
            etree.SubElement(etree.SubElement(self.par, _w("r")), _w("br"))
        elif tag in ("style", "script", "head", "title"):
            self.skip += 1
        elif tag in ("table", "tr", "td", "th", "img"):
            self._table_or_image(tag, dict(attrs))

    def _table_or_image(self, tag: str, attrs: dict[str, str | None]) -> None:
        """Tables (the finances, the assignments) as Word tables; charts (kbase.report.charts) as pictures."""
        if tag == "table":
            self.table = etree.Element(_w("tbl"))
            props = etree.SubElement(self.table, _w("tblPr"))
            etree.SubElement(props, _w("tblStyle")).set(_w("val"), "TableGrid")
            width = etree.SubElement(props, _w("tblW"))
            width.set(_w("w"), "5000")
            width.set(_w("type"), "pct")
            etree.SubElement(self.table, _w("tblGrid"))
            if self.end is not None:
                self.end.addprevious(self.table)
            else:
                self.body.append(self.table)
        elif tag == "tr" and self.table is not None:
            self.row = etree.SubElement(self.table, _w("tr"))
        elif tag in ("td", "th") and self.row is not None:
            self.par = etree.SubElement(etree.SubElement(self.row, _w("tc")), _w("p"))
            if "right" in (attrs.get("style") or attrs.get("align") or ""):
                etree.SubElement(etree.SubElement(self.par, _w("pPr")), _w("jc")).set(_w("val"), "right")
            if tag == "th":
                self.bold += 1
        elif tag == "img" and (attrs.get("src") or "").startswith("data:image/png;base64,"):
            data = base64.b64decode((attrs["src"] or "").split(",", 1)[1])
            inline = self.part.new_pic_inline(io.BytesIO(data), Pt(float(attrs.get("width") or 440)), None)
            paragraph = self.par if self.par is not None else self._paragraph()
            etree.SubElement(etree.SubElement(paragraph, _w("r")), _w("drawing")).append(inline)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self.par is not None and self._text(self.par) in self.breaks:
            etree.SubElement(self.par.find(_w("pPr")), _w("pageBreakBefore"))
        if tag in ("td", "th"):
            self.bold = max(0, self.bold - (tag == "th"))
            self.par = None
        elif tag == "table" and self.table is not None:
            columns = max((len(row.findall(_w("tc"))) for row in self.table.findall(_w("tr"))), default=1)
            for _ in range(columns):
                etree.SubElement(self.table.find(_w("tblGrid")), _w("gridCol"))
            self.table = self.row = None
            self.par = None
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li"):
            if tag == "p" and self.in_item:
                self.in_item = False
                return
            self.par = None
            self.in_item = False
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.par = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "a":
            self.href = None
        elif tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.par is None:
            if not data.strip():
                return
            self._paragraph()
        text = " ".join(data.split())
        if data[:1].isspace():
            text = " " + text
        if data[-1:].isspace() and text.strip():
            text += " "
        if not text:
            return
        parent = self.par
        link = self.href and not self.href.startswith("#")
        if link:
            parent = etree.SubElement(self.par, _w("hyperlink"))
            parent.set(qn("r:id"), self._rel(self.href))  # type: ignore[arg-type]
        run = etree.SubElement(parent, _w("r"))
        if self.bold or self.italic or link:
            props = etree.SubElement(run, _w("rPr"))
            if self.bold:
                etree.SubElement(props, _w("b"))
            if self.italic:
                etree.SubElement(props, _w("i"))
            if link:
                etree.SubElement(props, _w("color")).set(_w("val"), self.link_colour)
                etree.SubElement(props, _w("u")).set(_w("val"), "single")
        t = etree.SubElement(run, _w("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    @staticmethod
    def _text(par: Any) -> str:
        return "".join(t.text or "" for t in par.iter(_w("t"))).strip()

    def _rel(self, url: str) -> str:
        """One relationship per distinct URL, numbered here instead of searched for."""
        rid = self.links.get(url)
        if rid is None:
            rid = f"rIdKb{len(self.links) + 1}"
            self.part.rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, rid, is_external=True)
            self.links[url] = rid
        return rid


def _run(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    run = etree.SubElement(parent, _w("r"))
    child = etree.SubElement(run, _w(tag))
    for key, value in attrs.items():
        child.set(_w(key), value)
    if text is not None:
        child.text = text
        child.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _contents(first: Any, titles: list[str]) -> None:
    """A Word contents field whose shown result is already the list of sections: Word fills in the
    page numbers when it opens the file (updateFields), and LibreOffice or a viewer shows the list
    instead of an empty field."""
    _run(first, "fldChar", fldCharType="begin", dirty="true")
    _run(first, "instrText", ' TOC \\o "1-1" \\h \\z \\u ')
    _run(first, "fldChar", fldCharType="separate")
    last = first
    for i, title in enumerate(titles or [""]):
        if i:
            par = etree.Element(_w("p"))
            last.addnext(par)
            last = par
        props = last.find(_w("pPr"))
        if props is None:
            props = etree.Element(_w("pPr"))
            last.insert(0, props)
        etree.SubElement(props, _w("spacing")).set(_w("after"), "60")
        _run(last, "t", title)
    _run(last, "fldChar", fldCharType="end")


def _style(document: Any, name: str, size: float, colour: str, bold: bool | None = None,
           before: float | None = None, after: float | None = None, italic: bool | None = None) -> Any:
    """One of Word's built-in styles in the house look: our font and colours, no theme fonts or colours."""
    style = document.styles[name]
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(_w("rFonts")) + rpr.findall(_w("color")):
        rpr.remove(old)
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    ppr = style.element.find(_w("pPr"))
    if ppr is not None:  # Word's Title has a blue rule under it
        for border in ppr.findall(_w("pBdr")):
            ppr.remove(border)
    return style


def _house_styles(document: Any, me: Identity, lang: str) -> None:
    """The PDF's look (resources/styles/report.css) as Word styles, so the file stays editable."""
    _style(document, "Normal", 10.5, "#222222", after=5)
    document.styles["Normal"].paragraph_format.line_spacing = 1.15
    _style(document, "Title", 30, me.colour, bold=True, after=10)
    _style(document, "Subtitle", 15, me.accent, italic=False, after=6)
    _style(document, "Heading 1", 16, me.colour, bold=True, before=18, after=6)
    _style(document, "Heading 2", 13, me.accent, bold=True, before=14, after=4)
    _style(document, "Heading 3", 11, "#222222", bold=True, before=10, after=3)
    for name in ("Heading 4", "Heading 5"):
        _style(document, name, 10.5, "#222222", bold=True, before=8, after=2)
    for name in ("List Bullet", "List Bullet 2", "List Bullet 3", "List Number"):
        document.styles[name].paragraph_format.space_after = Pt(3)
    # spelling and hyphenation in the report's language
    defaults = document.styles.element.find(_w("docDefaults"))
    rpr = defaults.find(_w("rPrDefault")).find(_w("rPr")) if defaults is not None else None
    if rpr is not None:
        for old in rpr.findall(_w("lang")):
            rpr.remove(old)
        etree.SubElement(rpr, _w("lang")).set(_w("val"), LOCALES[lang].replace("_", "-"))


def _png(pic: dict[str, Any] | None, width: int = 900) -> bytes | None:
    """A picture as PNG bytes for Word (an SVG logo is drawn at width pixels)."""
    if not pic:
        return None
    data: bytes = pic["data"]
    if pic["type"] != "image/svg+xml":
        return data
    try:
        with pymupdf.open(stream=data, filetype="svg") as svg:
            page = svg[0]
            zoom = width / max(page.rect.width, 1)
            png: bytes = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=True).tobytes("png")
            return png
    except (RuntimeError, ValueError):
        return None


def _picture(document: Any, data: bytes | None, width_cm: float) -> None:
    if not data:
        return
    try:
        document.add_paragraph().add_run().add_picture(io.BytesIO(data), width=Cm(width_cm))
    except (ValueError, KeyError, UnrecognizedImageError):  # a damaged picture is left out
        return


def _properties(document: Any, title: str, me: Identity, lang: str) -> None:
    """True properties: the title, the institute as author, made now (not python-docx's 2013 template)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = me.name or "Kbase"
    props.created = props.modified = now
    props.revision = 1
    props.comments = ""
    props.language = LOCALES[lang].replace("_", "-")
    props.subject = me.short or ""


def html_to_docx(body_html: str, title: str, subtitle: str = "", with_contents: bool = True,
                 identity: dict[str, Any] | None = None, new_page_titles: tuple[str, ...] | list[str] = (),
                 lang: str = "en", cover: bool = True) -> bytes:
    """The report as a .docx on A4: a title page, a contents field, the body in the house styles,
    parts on new pages, a back page with the institute's address.

    Text is cleaned first (kbase.text): python-docx and lxml refuse a NUL or a control character."""
    t = translator(lang)
    me = Identity(identity or {}, subtitle, t, lang)
    body_html, title = clean_text(body_html), clean_line(title)

    document = docx.Document()
    _properties(document, title, me, lang)
    _house_styles(document, me, lang)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(23), Mm(22)
    if cover:
        section.different_first_page_header_footer = True  # no running head or number on the cover
        _picture(document, _png(me.logo), 5)
        _picture(document, _png(me.cover), 17)
        if me.caption:
            document.add_paragraph(f"{me.cover_label}: {me.caption}").runs[0].italic = True
        document.add_paragraph(title, style="Title").paragraph_format.space_before = Pt(160 if not me.cover else 24)
        if me.name:
            document.add_paragraph(me.name, style="Subtitle")
        if me.tagline:
            document.add_paragraph(me.tagline).runs[0].italic = True
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    contents = None
    if with_contents:
        document.add_heading(t("Contents"), level=1)
        contents = document.add_paragraph()._p  # the field goes here once the headings are known
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        settings = document.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
    head = section.header.paragraphs[0]
    head.text = f"{me.short} · {title}" if me.short else title
    head.runs[0].font.size, head.runs[0].font.color.rgb = Pt(8), RGBColor(0x66, 0x66, 0x66)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(foot, "PAGE", "1")
    if cover:
        body_html = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body_html, count=1, flags=re.S)
    builder = _Builder(document, set(new_page_titles))
    builder.feed(body_html)
    builder.close()
    if contents is not None:
        _contents(contents, [_Builder._text(p) for p in document.element.body.iter(_w("p"))
                             if p.find(f"{_w('pPr')}/{_w('pStyle')}[@{_w('val')}='Heading1']") is not None][1:])
    if cover and me.name:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _picture(document, _png(me.logo), 5)
        lines = [me.name, *me.address_lines, me.email, me.site]
        par = document.add_paragraph()
        for i, line in enumerate(x for x in lines if x):
            run = par.add_run(line)
            run.bold = i == 0
            run.add_break()
        if me.tagline:
            document.add_paragraph(me.tagline).runs[0].italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
