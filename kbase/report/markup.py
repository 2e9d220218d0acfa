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


# -- the report's own texts: Markdown written by staff, kept as Markdown but made harmless ----------
_RAW_TAG = re.compile(r"<(?!(?:https?://|mailto:)[^>\s]*>)")
_LINK_TARGET = re.compile(r"\]\(\s*([^)\s]*)([^)]*)\)")
_HEADING = re.compile(r"^(#{1,6})(?=\s)", re.MULTILINE)
_ATTR_LIST = re.compile(r"\{:[^}\n]*\}")


def user_markdown(text: str | None, top_level: int = 3) -> Markup:
    """A staff-written text as Markdown: no raw HTML, no pictures, no unsafe link targets, no
    attribute lists, and its headings moved below the report's own (the highest becomes top_level)."""
    if not text:
        return Markup("")
    text = _RAW_TAG.sub("&lt;", str(text))
    text = text.replace("![", "!\\[")
    text = _ATTR_LIST.sub("", text)
    text = text.replace("{{", "{\\{").replace("{%", "{\\%")  # reads as text if anyone renders it again

    def target(match: re.Match[str]) -> str:
        url = match.group(1)
        if url.startswith("#") or safe_url(url):
            return f"]({safe_url(url) or url}{match.group(2)})"
        return "]()"

    text = _LINK_TARGET.sub(target, text)
    # the text's highest heading, whatever its level, sits right under the report's own
    found = [len(h) for h in _HEADING.findall(text)]
    if found:
        shift = top_level - min(found)
        text = _HEADING.sub(lambda h: "#" * max(1, min(6, len(h.group(1)) + shift)), text)
    return Markup(text.strip())


def heading_slug(text: str, separator: str = "-") -> str:
    """The id GitHub and Pandoc give a heading ('Research programmes' → 'research-programmes')."""
    text = re.sub(r"[^\w\s-]", "", str(text).lower(), flags=re.UNICODE).strip()
    return re.sub(r"\s+", separator, text)


def short_url(url: str, limit: int = 36) -> str:
    """A link's printed form: 'ipisresearch.be/project/kufatilia' without scheme, www or a trailing
    slash, the path shortened to its last part ('ipisresearch.be/…/kufatilia') when too long."""
    text = re.sub(r"^[a-z]+://(www\.)?", "", url.strip(), flags=re.I).rstrip("/")
    if len(text) <= limit:
        return text
    host, _, path = text.partition("/")
    last = path.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    room = max(8, limit - len(host) - 3)
    if len(last) > room:
        last = last[: room - 1] + "…"
    return f"{host}/…/{last}" if last else host


def md_short_link(url: str | None) -> Markup:
    """A link printed in its short form, the whole address as the target."""
    target = safe_url(url)
    if target is None:
        return Markup("")
    return Markup(f"[{md_escape(short_url(url or ''), line_start=False)}]({target})")
