"""Zotero items to publication records (through CSL-JSON's reading), and Zotero's note HTML to Markdown.

An item is first written as the CSL-JSON item Zotero itself would export (its type and fields mapped to CSL
variables, the Extra field as CSL's note), then read by kbase.formats.csljson: one mapping of types, names,
dates and Extra lines for both sources. What CSL has no variable for is kept in extra["fields"]; the Zotero
item type and key in extra["zotero"].
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

from kbase.formats.bibtex.mapping import PubData
from kbase.formats.csljson import to_publication
from kbase.formats.zotero import Creator, Item
from kbase.text import clean_text

# Zotero item type → CSL type, as Zotero exports them
CSL_TYPE: dict[str, str] = {
    "book": "book", "bookSection": "chapter", "journalArticle": "article-journal",
    "magazineArticle": "article-magazine", "newspaperArticle": "article-newspaper", "thesis": "thesis",
    "letter": "personal_communication", "manuscript": "manuscript", "interview": "interview",
    "film": "motion_picture", "artwork": "graphic", "webpage": "webpage", "report": "report", "bill": "bill",
    "case": "legal_case", "hearing": "hearing", "patent": "patent", "statute": "legislation",
    "email": "personal_communication", "map": "map", "blogPost": "post-weblog",
    "instantMessage": "personal_communication", "forumPost": "post", "audioRecording": "song",
    "presentation": "speech", "videoRecording": "motion_picture", "tvBroadcast": "broadcast",
    "radioBroadcast": "broadcast", "podcast": "song", "computerProgram": "software",
    "conferencePaper": "paper-conference", "document": "document", "encyclopediaArticle": "entry-encyclopedia",
    "dictionaryEntry": "entry-dictionary", "preprint": "article", "dataset": "dataset", "standard": "standard",
}
# Zotero (base) field → CSL variable
CSL_FIELD: dict[str, str] = {
    "title": "title", "publicationTitle": "container-title", "series": "collection-title",
    "seriesTitle": "collection-title", "seriesNumber": "collection-number", "volume": "volume", "issue": "issue",
    "edition": "edition", "place": "publisher-place", "publisher": "publisher", "pages": "page", "ISBN": "ISBN",
    "ISSN": "ISSN", "DOI": "DOI", "url": "URL", "abstractNote": "abstract", "language": "language",
    "shortTitle": "title-short", "journalAbbreviation": "container-title-short", "number": "number",
    "numPages": "number-of-pages", "numberOfVolumes": "number-of-volumes", "type": "genre", "medium": "medium",
    "archive": "archive", "archiveLocation": "archive_location", "callNumber": "call-number",
    "libraryCatalog": "source", "section": "section", "scale": "scale", "runningTime": "dimensions",
    "conferenceName": "event-title", "meetingName": "event-title", "extra": "note", "versionNumber": "version",
    "status": "status", "references": "references",
}
_DATES = {"date": "issued", "accessDate": "accessed", "filingDate": "submitted"}
# Zotero creator type → CSL name variable; the item type's primary creator type is the author
CSL_ROLE: dict[str, str] = {
    "author": "author", "editor": "editor", "seriesEditor": "collection-editor", "translator": "translator",
    "bookAuthor": "container-author", "director": "director", "interviewer": "interviewer",
    "recipient": "recipient", "reviewedAuthor": "reviewed-author", "contributor": "contributor",
    "composer": "composer", "performer": "performer", "producer": "producer", "scriptwriter": "script-writer",
    "castMember": "performer", "guest": "guest", "narrator": "narrator", "illustrator": "illustrator",
}
_SQL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (.*))?$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T]\d{2}:\d{2}(:\d{2})?")


def csl_item(item: Item) -> dict[str, Any]:
    """The CSL-JSON item Zotero would write for this item (no id: the key is made from the record or Extra)."""
    out: dict[str, Any] = {"type": CSL_TYPE.get(item.type, "document")}
    kept: dict[str, str] = {}
    for name, value in item.fields.items():
        if name in _DATES:
            out[_DATES[name]] = _date(value, name)
        elif name in CSL_FIELD:
            out.setdefault(CSL_FIELD[name], value)
        else:
            kept[name] = value
    for role, names in _names(item).items():
        out[role] = names
    if item.tags:
        out["keyword"] = list(item.tags)
    return out | ({"_zotero_fields": kept} if kept else {})


def _names(item: Item) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for c in item.creators:
        role = "author" if c.role == item.primary_role else CSL_ROLE.get(c.role, "contributor")
        name = _name(c)
        if name:
            out.setdefault(role, []).append(name)
    return out


def _name(c: Creator) -> dict[str, str]:
    """One field (fieldMode 1) is a name as written, an organisation's most often; two fields are a person's,
    even with one of them empty (a mononym), as Zotero's own CSL export writes them."""
    if c.single:
        return {"literal": c.last} if c.last else {}
    if not c.first and not c.last:
        return {}
    return {"family": c.last or c.first, **({"given": c.first} if c.first and c.last else {})}


def _date(value: str, name: str) -> dict[str, Any]:
    """Zotero's dates: "2019-03-00 March 2019" (an SQL date, 00 for what is unknown, then the date as typed),
    accessDate as "2020-01-31 10:00:00" in UTC."""
    found = _SQL_DATE.match(value)
    if found and found.group(1) != "0000":
        parts = [int(found.group(1))] + [int(p) for p in (found.group(2), found.group(3))]
        while parts and parts[-1] == 0:
            parts.pop()
        if 0 not in parts:
            return {"date-parts": [parts]}
    stamp = _DATETIME.match(value)
    if stamp:
        return {"date-parts": [[int(stamp.group(1)), int(stamp.group(2)), int(stamp.group(3))]]}
    typed = found.group(4) if found and found.group(4) else value
    return {"raw": typed}


def to_record(item: Item, index: int) -> PubData | str:
    """One item's PubData (line = the item's ID in zotero.sqlite, key from Extra's Citation Key or made), or why not."""
    csl = csl_item(item)
    kept = csl.pop("_zotero_fields", {})
    data = to_publication(csl, item.item_id, index)
    if isinstance(data, str):
        return f"item {item.key}: " + data.split(": ", 1)[-1]
    data.extra.pop("csl_type", None)
    data.extra["zotero"] = {"key": item.key, "type": item.type, "library": item.library_id}
    if kept:
        data.extra.setdefault("fields", {}).update({k: v for k, v in kept.items() if k not in data.extra["fields"]})
    others = [{"name": _display(c), "role": c.role} for c in item.creators
              if c.role != item.primary_role and c.role not in ("editor",)]
    if others:
        data.extra["zotero_creators"] = others
    data.notes = [n.replace(f"item {index}:", f"item {item.key}:") for n in data.notes]
    return data


def _display(c: Creator) -> str:
    return c.last if c.single else " ".join(x for x in (c.first, c.last) if x)


class _Markdown(HTMLParser):
    """Zotero's note HTML (paragraphs, headings, lists, bold, italics, links, citations) as Markdown text."""

    _BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # one counter per open list; -1 for a bulleted one
        self.href: list[str | None] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skip += 1
        elif tag in self._BLOCKS or tag == "br":
            self.out.append("\n\n" if tag != "br" else "\n")
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.out.append("#" * int(tag[1]) + " ")
            elif tag == "blockquote":
                self.out.append("> ")
            elif tag in ("ul", "ol"):
                self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
            bullet = f"{counter[0]}. " if counter[0] >= 0 else "- "
            self.out.append("\n" + "  " * max(len(self.lists) - 1, 0) + bullet)
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.out.append("[")
        elif tag in ("td", "th"):
            self.out.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip = max(self.skip - 1, 0)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")
        elif tag in self._BLOCKS:
            self.out.append("\n\n")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a":
            href = self.href.pop() if self.href else None
            self.out.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


def note_markdown(html: str) -> str:
    """A note's HTML as Markdown; text that is no HTML comes back as it is (cleaned)."""
    html = clean_text(html or "")
    if "<" not in html:
        return unescape(html).strip()
    parser = _Markdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+(?![-\d])", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.replace("**]", "]").strip()


def note_title(markdown: str, given: str = "") -> str:
    """The title Zotero shows for a note: its stored title, else its first line."""
    if given:
        return given[:200]
    first = next((ln.strip("#*> -") for ln in markdown.splitlines() if ln.strip("#*> -")), "")
    return first[:200]
