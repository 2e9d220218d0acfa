"""The house citation style: authors, title, series, publisher, month and year, link."""

from __future__ import annotations

from typing import Any, Sequence

from markupsafe import Markup

from kbase.report.i18n import date_label, translator
from kbase.report.i18n import join_names as names_in
from kbase.report.markup import md_escape, md_short_link


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(text: str) -> str:
    """End a citation part with one full stop (titles may end in ? or !)."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def cite_parts(pub: dict[str, Any], lang: str = "en") -> list[str]:
    """The citation as plain-text parts, in order; the Markdown and plain forms share them.

    A publisher that is also the author (the institute's own reports) is named once, as author."""
    parts: list[str] = []
    authors, editors = pub.get("authors") or [], pub.get("editors") or []
    et_al = bool(editors) and bool(pub.get("editors_et_al"))  # more editors than the record lists
    several = len(editors) > 1 or et_al
    editor_names = names_in(lang, editors) + (" et al." if et_al else "")
    if authors:
        parts.append(names_in(lang, authors))
    elif editors:
        parts.append(editor_names + (" (eds)" if several else " (ed.)"))
    title = pub.get("title") or "Untitled"
    if pub.get("subtitle"):
        title = f"{title.rstrip(':. ')}: {pub['subtitle']}"
    parts.append(title)
    if pub.get("container"):
        eds = (" (eds), " if several else " (ed.), ") if authors and editors else ""
        within = translator(lang)("In: ") + ((editor_names + eds) if eds else "") + pub["container"]
        if pub.get("pages"):
            within += f", pp. {pub['pages']}"
        parts.append(within)
    if pub.get("series"):
        parts.append(f"{pub['series']} {pub['number']}" if pub.get("number") else pub["series"])
    publisher = pub.get("publisher")
    if publisher and publisher in authors:
        publisher = None
    where = [x for x in (publisher, pub.get("place")) if x]
    when = date_label(lang, pub.get("year"), pub.get("month"), pub.get("month_end")) or translator(lang)("n.d.")
    parts.append(", ".join([*where, when]))
    return parts


def cite_text(pub: dict[str, Any]) -> str:
    """Plain text, for stderr and tests: 'A, B and C. Title. Publisher, June 2021. https://…'."""
    text = " ".join(_sentence(p) for p in cite_parts(pub))
    return f"{text} {pub['url']}" if pub.get("url") else text


def cite_md(pub: dict[str, Any], lang: str = "en") -> Markup:
    """Markdown with the catalogue text escaped: the title in italics, the link in its short form."""
    parts = cite_parts(pub, lang)
    has_lead = bool(pub.get("authors") or pub.get("editors"))
    out = []
    for i, part in enumerate(parts):
        piece = md_escape(_sentence(part), line_start=i == 0)
        if i == (1 if has_lead else 0):
            title = md_escape(part.rstrip(". "), line_start=i == 0)
            piece = f"*{title}*" + ("" if part.rstrip().endswith(("?", "!")) else ".")
        out.append(piece)
    link = md_short_link(pub.get("url"))
    return Markup(" ".join(out) + (f" {link}" if link else ""))
