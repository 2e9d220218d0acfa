"""Safe Markdown from catalogue text: escaping, safe links and the Jinja2 finalizer."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

# inline markup characters, escaped wherever they occur (Python-Markdown backslash escapes)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#])")
# block markers that only count at the start of a line: lists, quotes
_LINE_START = re.compile(r"^(\s*)([-+>]|\d+(?=\.))", re.MULTILINE)
_ANY_SPECIAL = re.compile(r"[\\`*_{}\[\]#<&]|^\s*(?:[-+>]|\d+\.)")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "ftp://")


def md_escape(value: Any, inline: bool = True, line_start: bool = True) -> str:
    """Catalogue text as literal Markdown: no markup, no raw HTML, no entities survive.

    line_start=False is for text placed after other text on a line, where list and quote
    markers mean nothing and escaping them would only clutter the source."""
    if value is None:
        return ""
    text = str(value)
    if inline and not _ANY_SPECIAL.search(text):  # most titles and names: nothing to escape
        return " ".join(text.split()) if "\n" in text or "  " in text else text
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if line_start or not inline:
        text = _LINE_START.sub(_escape_marker, text)
    if inline:
        return " ".join(text.split())
    # keep paragraph breaks of long texts, fold other line breaks
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def _escape_marker(match: re.Match[str]) -> str:
    lead, marker = match.group(1), match.group(2)
    if marker.isdigit():  # "1." would start an ordered list
        return f"{lead}{marker}\\"
    return f"{lead}\\{marker}"


def safe_url(url: str | None) -> str | None:
    """The URL if its scheme is harmless, percent-encoded so it cannot break out of a link."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(_SAFE_SCHEMES):
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%~-._")


def md_link(url: str | None, label: str | None = None) -> Markup:
    """A Markdown link (autolink when no label); the bare label, or nothing, without a safe URL."""
    target = safe_url(url)
    if target is None:
        return Markup(md_escape(label) if label else "")
    if label is None:
        return Markup(f"<{target}>")
    return Markup(f"[{md_escape(label)}]({target})")


def finalize(value: Any) -> Any:
    """Jinja2 finalizer: every {{ value }} is escaped unless it is already Markdown (Markup)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return md_escape(value)


def plain_text(md: str) -> str:
    """Undo md_escape for a plain-text view (tests, stderr messages)."""
    return re.sub(r"\\(.)", r"\1", md).replace("&lt;", "<").replace("&amp;", "&")
