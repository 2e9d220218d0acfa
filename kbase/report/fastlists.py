"""A fast path for the report's long output lists and plain paragraphs, ahead of Python-Markdown.

An annual report holds thousands of one-line list items (citations with an emphasised title and a
link). Python-Markdown's inline machinery costs about 0.1 ms an item, most of a report's conversion
time. Lists and paragraphs written in a small, fully understood subset of Markdown (plain text,
backslash escapes, entities, *emphasis*, **strong** and [text](url)) are turned into HTML here; a
block with anything else, or whose neighbours could change how Python-Markdown reads it, is left to
Python-Markdown. The result is the
same HTML either way, and tests/report/test_fastlists.py checks that against Python-Markdown."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

# characters that mean something to Python-Markdown's inline or block syntax, or to HTML
_PLAIN = r"[^\\`*_{}\[\]<>&!|\x00-\x1f\x7f]"
_ESCAPE = r"\\[\\`*_{}\[\]#+\-.>!]"
_AMP = r"&"  # an entity passes through, a bare '&' is escaped (as Python-Markdown's serializer does)
_TEXT = rf"(?:{_PLAIN}|{_ESCAPE}|{_AMP})"
_EMPH = rf"\*(?=[^\s*])(?:{_TEXT})+?(?<=[^\s\\])\*"
_STRONG = rf"\*\*(?=[^\s*])(?:{_TEXT})+?(?<=[^\s\\*])\*\*"
_URL = r"https?://[A-Za-z0-9/:.~%?=+,;@$'_&#!*-]+"
_LINK = rf"\[(?:{_TEXT})+?\]\({_URL}\)"
# an item: a word character first (no nested list, heading or quote), no trailing space (a line break)
_FIRST = r"(?=[^\s\d\\`*_{}\[\]<>&!#|+=>-]|\d+(?!\d*\.\s)|\*\S|\[)"
_ITEM = re.compile(rf"- {_FIRST}(?:{_STRONG}|{_EMPH}|{_LINK}|{_TEXT})*(?<=\S)")
_LINE = re.compile(rf"{_FIRST}(?:{_STRONG}|{_EMPH}|{_LINK}|{_TEXT})*(?<=\S)")
_MARKUP = re.compile(rf"(?P<strong>{_STRONG})|(?P<emph>{_EMPH})|\[(?P<label>(?:{_TEXT})+?)\]\((?P<url>{_URL})\)")
_LIST_START = re.compile(r"\s|[-*+] |\d+\. ")
_RAW_HTML = re.compile(r"^[ \t]*<", re.MULTILINE)
_UNESCAPE = re.compile(r"\\(.)")
_BARE_AMP = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);)", re.IGNORECASE)


def _text_html(text: str) -> str:
    # '>' is escaped by the serializer; '\>' is Python-Markdown's escape of it
    if "\\" not in text and "&" not in text:
        return text
    return _BARE_AMP.sub("&amp;", _UNESCAPE.sub(r"\1", text)).replace(">", "&gt;")


def _inline_html(line: str, at: int = 0) -> str:
    out = []
    for m in _MARKUP.finditer(line, at):
        out.append(_text_html(line[at:m.start()]))
        if m.group("strong"):
            out.append(f"<strong>{_text_html(m.group('strong')[2:-2])}</strong>")
        elif m.group("emph"):
            out.append(f"<em>{_text_html(m.group('emph')[1:-1])}</em>")
        else:
            out.append(f'<a href="{_BARE_AMP.sub("&amp;", m.group("url"))}">{_text_html(m.group("label"))}</a>')
        at = m.end()
    out.append(_text_html(line[at:]))
    return "".join(out)


def _block_html(blocks: list[str], i: int) -> str | None:
    """The HTML of blocks[i] if it is a simple list or paragraph that stands alone, else None."""
    lines = blocks[i].split("\n")
    before = blocks[i - 1].lstrip("\n") if i else ""
    after = blocks[i + 1] if i + 1 < len(blocks) else ""
    if lines[0].startswith("- "):
        if not all(_ITEM.fullmatch(line) for line in lines):
            return None
        if _LIST_START.match(before) or _LIST_START.match(after):
            return None  # Python-Markdown would join it to a list next to it
        return "<ul>\n" + "\n".join(f"<li>{_inline_html(line, 2)}</li>" for line in lines) + "\n</ul>"
    if all(_LINE.fullmatch(line) for line in lines):
        return "<p>" + "\n".join(_inline_html(line) for line in lines) + "</p>"
    return None


def convert_lists(md: str, convert: Callable[[str], str]) -> str:
    """convert(md) with the simple blocks rendered here and put back in place of a placeholder."""
    if _RAW_HTML.search(md):  # raw HTML blocks can span blank lines: leave it all to Python-Markdown
        return convert(md)
    blocks = re.split(r"\n[ \t]*\n", md)
    done: dict[str, str] = {}
    tag = "kbaseblock" + secrets.token_hex(6)
    for i in range(len(blocks)):
        html = _block_html(blocks, i)
        if html is not None:
            key = f"{tag}x{len(done)}"
            done[key] = html
            blocks[i] = key
    if not done:
        return convert(md)
    html = re.sub(rf"<p>({tag}x\d+)</p>", lambda m: done.get(m.group(1), m.group(0)), convert("\n\n".join(blocks)))
    return html if tag not in html else convert(md)  # a placeholder read otherwise: the slow, sure way
