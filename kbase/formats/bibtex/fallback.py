"""The fallback reader: entries bibtexparser's splitter cannot take apart, read field by field with their
line numbers, so that one broken entry costs itself and not the rest of the file."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kbase.formats.bibtex.latex import group_end
from kbase.i18n import N_


@dataclass
class _Raw:
    """An entry as split, before its values are evaluated: by bibtexparser or by the fallback reader."""

    type: str
    key: str
    line: int
    fields: list[tuple[str, str, int]]  # (name as written, raw value, line)
    notes: list[str] = field(default_factory=list)
    malformed: set[str] = field(default_factory=set)  # names whose value the fallback reader cut out


# an entry's start as the fallback reader takes it; on its own line it ends the entry before
_HEAD = re.compile(r"@[ \t]*([\w:.+-]*)[ \t]*([{(])")
_LINE_HEAD = re.compile(r"^[ \t]*@[ \t]*[\w:.+-]*[ \t]*[{(]", re.M)


_FIELD_NAME = re.compile(r"\s*([^\s=,{}()\"#]+)\s*=")
_NEXT_FIELD = re.compile(r",\s*[A-Za-z][\w:.+-]*\s*=")
_AFTER_VALUE = re.compile(r"\s+([A-Za-z][\w:.+-]*)\s*=\s*")
_MAYBE_FIELD = re.compile(r"\s[A-Za-z][\w:.+-]*\s*=")  # what must follow a value for a field to hide after it
_SPACE = re.compile(r"\s*")


def _skip_space(text: str, i: int, limit: int) -> int:
    """Where the white space from i ends (the pattern matches the empty string, so it always matches)."""
    found = _SPACE.match(text, i, limit)
    return found.end() if found else i


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)  # 1-based

    def offset(self, line0: int) -> int:
        return self.starts[max(0, min(line0, len(self.starts) - 1))]


def _find(text: str, chars: str, i: int, limit: int) -> int:
    """The index of the first of chars in text[i:limit], or limit."""
    for j in range(i, limit):
        if text[j] in chars:
            return j
    return limit


def _quote_end(text: str, i: int, limit: int) -> int:
    """The index after the `"` closing the one at i (a quote inside braces does not close), or -1."""
    depth = 0
    j = i + 1
    while j < limit:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth <= 0:
            return j + 1
        j += 1
    return -1


def _value_end(text: str, i: int, limit: int, close: str) -> tuple[int, bool]:
    """Where the value starting at i ends (at its `,` or the entry's end), and whether it is well formed."""
    stops = f",#{{}}\"{close}"
    while True:
        i = _skip_space(text, i, limit)
        if i >= limit:
            return limit, False
        ch = text[i]
        if ch in (",", close):
            return i, True  # an empty value
        if ch == "{":
            i = group_end(text, i, limit)
        elif ch == '"':
            i = _quote_end(text, i, limit)
        else:
            j = i
            while j < limit and not text[j].isspace() and text[j] not in stops:
                j += 1
            i = j if j > i else -1
        if i < 0:
            return limit, False
        i = _skip_space(text, i, limit)
        if i >= limit:
            return limit, True  # the value is whole; the entry is not closed
        if text[i] == "#":
            i += 1
            continue
        return i, text[i] in (",", close)


def _read_fields(text: str, i: int, limit: int, close: str, raw: _Raw, lines: _Lines) -> tuple[int, bool]:
    """The fields from i to the entry's end into raw; (the index after the end, whether the entry was closed)."""
    while True:
        while i < limit and (text[i].isspace() or text[i] == ","):
            i += 1
        if i >= limit:
            return limit, False
        if text[i] == close:
            return i + 1, True
        m = _FIELD_NAME.match(text, i, limit)
        if not m:
            j = _find(text, "," + close, i, limit)
            raw.notes.append(N_("text {text} without a field name ignored").format(
                text=repr(' '.join(text[i:j].split())[:40])))
            i = j
            continue
        name, start = m.group(1), m.end()
        end, ok = _value_end(text, start, limit, close)
        if ok:
            value = text[start:end].strip()
        else:  # the value ends where the next `, name =` starts, or with the entry
            cut = _NEXT_FIELD.search(text, start + 1, limit)
            end = cut.start() if cut else limit
            value = text[start:end].strip()
            if not cut and value.endswith(close):
                value = value[:-1]
            raw.malformed.add(name.lower())
        raw.fields.append((name, value, lines.line(m.start(1))))
        i = end


def _recover(text: str, pos: int, lines: _Lines) -> tuple[_Raw | None, int]:
    """The entry whose `@` is at pos read by the fallback reader, and where it ends."""
    head = _HEAD.match(text, pos)
    if head is None:
        return None, pos + 1
    close = "}" if head.group(2) == "{" else ")"
    nxt = _LINE_HEAD.search(text, head.end())
    limit = nxt.start() if nxt else len(text)
    raw = _Raw(head.group(1).lower(), "", lines.line(pos), [])
    i = head.end()
    j = _find(text, ",=" + close, i, limit)
    if j >= limit or text[j] != "=":  # else no key was written (`@book{author = …`): the fields start at i
        raw.key = text[i:j].strip()
        if j >= limit or text[j] == close:
            return raw, min(j + 1, limit)
        i = j + 1
    end, closed = _read_fields(text, i, limit, close, raw, lines)
    if not closed:
        raw.notes.append(N_("the entry is not closed by `{close}`").format(close=close))
    return raw, end
