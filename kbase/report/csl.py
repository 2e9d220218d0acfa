"""Citation styles for bibliographies and output lists: the house style, or a CSL style formatted with citeproc-py.

Publications become CSL items through the CSL-JSON exporter (kbase.formats.exporters.csl_item); the
styles are the .csl files under resources/csl/ (CC BY-SA, their headers kept), or any .csl file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

from citeproc import VARIABLES, Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source.json import CiteProcJSON
from lxml import etree
from markupsafe import Markup

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.formats.exporters import csl_item
from kbase.formats.exporters.records import load_publications
from kbase.i18n import N_
from kbase.report.markup import md_short_link
from kbase.resources import resource

HOUSE = "house"
# name → bundled file; the house style is kbase.report.citation's (no file: the institute's own rules)
STYLES = {
    "apa": "apa.csl",
    "chicago-author-date": "chicago-author-date.csl",
    "harvard": "harvard-cite-them-right.csl",
    "iso690": "iso690-author-date-en.csl",
}
ALIASES = {"chicago": "chicago-author-date", "iso-690": "iso690", "harvard-cite-them-right": "harvard",
           "apa7": "apa", "default": HOUSE}
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
_ITEM_KEYS = set(VARIABLES) | {"id", "type"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_styles: dict[tuple[str, str, int], CitationStylesStyle] = {}  # parsed once per process: a style is 80–170 kB of XML


def style_names() -> list[str]:
    return [HOUSE, *STYLES]


def check_style(style: str | None) -> str:
    """A style's name (house, apa, chicago-author-date, harvard, iso690) or the path of a .csl file."""
    if not style:
        return HOUSE
    name = ALIASES.get(style.strip().lower(), style.strip().lower())
    if name == HOUSE or name in STYLES:
        return name
    path = Path(style).expanduser()
    if path.suffix.lower() == ".csl":
        if not path.is_file():
            raise InvalidInput(N_("citation style file not found: {path}").format(path=path))
        return str(path)
    raise InvalidInput(N_("unknown citation style {style} (one of: {style_names}, or a .csl file)").format(
        style=repr(style), style_names=', '.join(style_names())))


def style_path(name: str) -> Path:
    return resource("csl", STYLES[name]) if name in STYLES else Path(name)


def style_title(name: str) -> str:
    """The style's own title, from its <info>: 'American Psychological Association 7th edition'."""
    if name == HOUSE:
        return "House style"
    tree = etree.parse(str(style_path(name)))
    title = tree.find("{http://purl.org/net/xbiblio/csl}info/{http://purl.org/net/xbiblio/csl}title")
    return title.text.strip() if title is not None and title.text else Path(name).stem


def _style(name: str, lang: str) -> CitationStylesStyle:
    path = style_path(name)
    try:
        key = (name, lang, path.stat().st_mtime_ns)  # a style file edited while the app runs is read again
    except OSError as exc:
        raise InvalidInput(N_("cannot read citation style {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from None
    if key not in _styles:
        try:
            _styles[key] = CitationStylesStyle(str(path), locale=LOCALES.get(lang, "en-GB"), validate=False)
        except (etree.XMLSyntaxError, OSError, ValueError, KeyError) as exc:
            raise InvalidInput(N_("cannot read citation style {path}: {reason}").format(
                path=path, reason=exc)) from None
    return _styles[key]


def _escape(text: str) -> str:
    """Markdown-escape a piece of citation text, its spaces kept (citeproc joins pieces as they are)."""
    text = _ENTITY_LIKE.sub("&amp;", str(text)).replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


class MarkdownFormat:
    """citeproc-py's output format for Markdown: italics and bold as Markdown. The catalogue's text is
    escaped in the item beforehand (_item): citeproc-py formats variables without calling preformat."""

    @staticmethod
    def preformat(text: Any) -> str:
        return str(text)

    @staticmethod
    def Italic(text: Any) -> str:  # noqa: N802 (citeproc-py's names)
        text = str(text)  # citeproc-py hands in its own MixedString
        return f"*{text}*" if text.strip() else text

    Oblique = Italic

    @staticmethod
    def Bold(text: Any) -> str:  # noqa: N802
        text = str(text)
        return f"**{text}**" if text.strip() else text

    @staticmethod
    def Plain(text: Any) -> str:  # noqa: N802
        return str(text)

    Light = Underline = Superscript = Subscript = SmallCaps = Plain


def _item(rec: dict[str, Any]) -> dict[str, Any]:
    """The exporter's CSL item, fit for a list of outputs: no link (added in the report's short form),
    one date (citeproc-py drops a date range whole), no publisher that only repeats an author."""
    item = {k: v for k, v in csl_item(rec, str(rec["id"])).items() if k in _ITEM_KEYS}
    item.pop("URL", None)
    item.pop("abstract", None)
    if "issued" in item:
        item["issued"] = {"date-parts": item["issued"]["date-parts"][:1]}
    authors = {(a.get("literal") or "").casefold() for a in item.get("author", [])}
    if item.get("publisher", "").casefold() in authors:
        del item["publisher"]
        item.pop("publisher-place", None)
    return {k: v if k in ("id", "type") else _escaped(v) for k, v in item.items()}


def _escaped(value: Any) -> Any:
    """Every string of an item's value (names' parts too) Markdown-escaped; dates and numbers as they are."""
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict) and "date-parts" not in value:
        return {k: _escaped(v) for k, v in value.items()}
    return value


def cite_items(items: Sequence[dict[str, Any]], style: str, lang: str = "en") -> list[str | None]:
    """Each CSL item formatted as Markdown in style, in the order given; None where citeproc failed."""
    csl = _style(style, lang)
    out: list[str | None] = []
    for item in items:
        try:  # one bibliography per item: a record citeproc cannot handle costs only its own entry
            bib = CitationStylesBibliography(csl, CiteProcJSON([item]), MarkdownFormat)
            bib.register(Citation([CitationItem(item["id"])]))
            entries = bib.bibliography()
            out.append(" ".join(str(entries[0]).split()) if entries else None)
        except (KeyError, ValueError, TypeError, AttributeError, IndexError):
            out.append(None)
    return out


def apply_style(cat: Catalogue, pubs: Sequence[dict[str, Any]], style: str | None, lang: str = "en") -> list[str]:
    """Set each report publication's citation (its "citation" Markdown) in style; the house style leaves
    them as they are. Returns warnings for records the style could not format (they keep the house form)."""
    name = check_style(style)
    if name == HOUSE or not pubs:
        return []
    by_id: dict[int, list[dict[str, Any]]] = {}
    for p in pubs:
        by_id.setdefault(p["id"], []).append(p)
    records = load_publications(cat, list(by_id), include_confidential=True)  # the report chose them already
    texts = cite_items([_item(r) for r in records], name, lang)
    warnings = []
    for rec, text in zip(records, texts, strict=True):
        for p in by_id[rec["id"]]:
            if text is None:
                warnings.append(N_("publication {id} ({title}): the {name} style could not format it").format(
                    id=rec['id'], title=rec['title'], name=name))
                continue
            link = md_short_link(p.get("url"))
            p["citation"] = Markup(text + (f" {link}" if link else ""))
    return warnings
