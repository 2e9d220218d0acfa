"""HTML (from the report's Markdown) to an editable Word file: real headings, lists and links."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import docx
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from lxml import etree

from kbase.text import clean_line, clean_text

LINK_COLOUR = RGBColor(0x1F, 0x5F, 0x8B)


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

    def __init__(self, document: Any):
        super().__init__(convert_charrefs=True)
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

    def handle_endtag(self, tag: str) -> None:
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
                etree.SubElement(props, _w("color")).set(_w("val"), str(LINK_COLOUR))
                etree.SubElement(props, _w("u")).set(_w("val"), "single")
        t = etree.SubElement(run, _w("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def _rel(self, url: str) -> str:
        """One relationship per distinct URL, numbered here instead of searched for."""
        rid = self.links.get(url)
        if rid is None:
            rid = f"rIdKb{len(self.links) + 1}"
            self.part.rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, rid, is_external=True)
            self.links[url] = rid
        return rid


def html_to_docx(body_html: str, title: str, subtitle: str = "", with_contents: bool = True) -> bytes:
    """The report as a .docx: a title page, a contents field, then the body with Word's own styles.

    Text is cleaned first (kbase.text): python-docx and lxml refuse a NUL or a control character."""
    import re

    body_html, title, subtitle = clean_text(body_html), clean_line(title), clean_line(subtitle)

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = subtitle or "Kbase"
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_paragraph(title, style="Title")
    if subtitle:
        document.add_paragraph(subtitle, style="Subtitle")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    if with_contents:
        document.add_heading("Contents", level=1)
        _field(document.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
               "Right-click and choose Update Field to fill in the contents.")
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        settings = document.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{title} · {subtitle}" if subtitle else title
    _field(section.footer.paragraphs[0], "PAGE", "1")
    body_html = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body_html, count=1, flags=re.S)
    builder = _Builder(document)
    builder.feed(body_html)
    builder.close()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
