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


class _Builder(HTMLParser):
    """Walks the report HTML and writes the matching Word structure."""

    def __init__(self, document: Any):
        super().__init__(convert_charrefs=True)
        self.doc = document
        self.par: Any = None
        self.bold = self.italic = 0
        self.href: str | None = None
        self.lists: list[str] = []  # "ul" / "ol" nesting
        self.heading: int | None = None
        self.skip = 0

    # -- paragraphs -----------------------------------------------------------------------
    def _paragraph(self, style: str | None = None) -> Any:
        self.par = self.doc.add_paragraph(style=style)
        return self.par

    def _current(self) -> Any:
        return self.par if self.par is not None else self._paragraph()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = max(1, int(tag[1]) - 1)  # h1 is the title on the cover
            self.heading = level
            self.par = self.doc.add_heading("", level=min(level, 9)) if tag != "h1" else self._paragraph("Title")
        elif tag == "p":
            if self.lists and self.par is not None and getattr(self.par, "_in_item", False):
                return  # a loose list item's first paragraph joins the bullet
            self._paragraph()
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            self.par = None
        elif tag == "li":
            depth = len(self.lists)
            base = "List Number" if self.lists and self.lists[-1] == "ol" else "List Bullet"
            style = base if depth <= 1 else f"{base} {min(depth, 3)}"
            self._paragraph(style)
            self.par._in_item = True
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
        elif tag == "br":
            self._current().add_run().add_break(WD_BREAK.LINE)
        elif tag in ("style", "script", "head", "title"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li"):
            if tag == "p" and self.par is not None and getattr(self.par, "_in_item", False):
                self.par._in_item = False
                return
            self.par = None
            self.heading = None
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
        if self.href and not self.href.startswith("#"):
            self._link(text)
            return
        run = self.par.add_run(text)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None

    def _link(self, text: str) -> None:
        rid = self.par.part.relate_to(self.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(LINK_COLOUR))
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(colour)
        props.append(underline)
        if self.bold:
            props.append(OxmlElement("w:b"))
        run.append(props)
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        link.append(run)
        self.par._p.append(link)


def html_to_docx(body_html: str, title: str, subtitle: str = "", with_contents: bool = True) -> bytes:
    """The report as a .docx: a title page, a contents field, then the body with Word's own styles."""
    import re

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
