"""Reading a .bib file: bibtexparser splits it, a fallback reader takes what it cannot; then macros, `#`, crossref."""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

from bibtexparser import model as bm
from bibtexparser.entrypoint import parse_string

from kbase.formats.bibtex.latex import to_unicode
from kbase.formats.bibtex.names import read_names
from kbase.formats.encoding import read_bib
from kbase.text import fold

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_FRENCH = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
           "septembre", "octobre", "novembre", "decembre")
# the macros every BibTeX style defines
MONTH_MACROS = {name[:3]: name.capitalize() for name in MONTH_NAMES}
_MONTHS: dict[str, int] = {}
for _i, (_en, _fr) in enumerate(zip(MONTH_NAMES, _FRENCH, strict=True), start=1):
    for _n in (_en, _en[:3], _en[:4], _fr, _fr[:4], str(_i), f"{_i:02d}"):
        _MONTHS.setdefault(_n, _i)
_MONTHS.update({"sept": 9, "févr": 2, "février": 2, "août": 8, "décembre": 12, "déc": 12, "fév": 2, "fev": 2,
                "avr": 4, "juil": 7, "aoû": 8, "aou": 8})
# German and Spanish names and abbreviations, as hand-written files have them
for _i, _names in enumerate((
        "januar enero ene", "februar febrero feb", "märz maerz marz mär marzo", "april abril abr", "mai mayo",
        "juni junio", "juli julio", "august agosto ago", "september septiembre setiembre set",
        "oktober okt octubre", "november noviembre", "dezember dez diciembre dic"), start=1):
    for _n in _names.split():
        _MONTHS.setdefault(_n, _i)
# fields whose braces belong to the value (biblatex's verbatim fields)
VERBATIM = {"url", "doi", "file", "eprint", "pdf", "verba", "verbb", "verbc", "urldate"}
_ESCAPED_IN_VERBATIM = re.compile(r"\\([_%&#$~])")
# only ASCII white space: a thin or no-break space written as a character is text
_WS = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n[ \t\r\n\f\v]*|[ \t\r\n\f\v]+")
# biblatex's rules for what a child takes from a crossref'd parent under another name
_INHERIT_AS = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}
_NOT_INHERITED = {"ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label",
                  "options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype",
                  "shorthand", "shorthandintro", "sortkey", "file", "keywords", "doi", "isbn", "url"}


# JabRef keeps the folder that relative `file` paths start from in a comment block
_JABREF_DIR = re.compile(r"jabref-meta:\s*fileDirectory(?:-[^:]*)?:(.*?);?\s*$", re.S)


class BadValue(ValueError):
    """A field value that cannot be evaluated (unknown macro, unbalanced quotes)."""


@dataclass
class RawEntry:
    key: str
    type: str
    line: int  # 1-based line of the @type{ line
    fields: dict[str, str]  # lower-case names → evaluated LaTeX text
    field_lines: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # things worth telling that did not stop it
    flags: list[str] = field(default_factory=list)  # short words for the librarian's check: "malformed field" …
    raw: dict[str, str] = field(default_factory=dict)  # fields kept as written because they could not be read
    written_key: str | None = None  # the key as the file gives it, when it had to be renamed ("" if none)


@dataclass
class ParsedFile:
    entries: list[RawEntry]
    problems: list[tuple[int, str, str]]  # (line, key, reason) of entries that cannot be read
    file_dirs: list[str] = field(default_factory=list)  # JabRef's fileDirectory settings, in file order
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, note) not about one entry


@dataclass
class _Raw:
    """An entry as split, before its values are evaluated: by bibtexparser or by the fallback reader."""

    type: str
    key: str
    line: int
    fields: list[tuple[str, str, int]]  # (name as written, raw value, line)
    notes: list[str] = field(default_factory=list)
    malformed: set[str] = field(default_factory=set)  # names whose value the fallback reader cut out


# a bare value BibTeX takes as a macro name
_MACRO_NAME = re.compile(r"[^\d\s\"#%'(),={}][^\s\"#%'(),={}]*")
# an entry's start as the fallback reader takes it; on its own line it ends the entry before
_HEAD = re.compile(r"@[ \t]*([\w:.+-]*)[ \t]*([{(])")
_LINE_HEAD = re.compile(r"^[ \t]*@[ \t]*[\w:.+-]*[ \t]*[{(]", re.M)
_SPLITTER_HEAD = re.compile(r"@\w*[ \t]*[{(]")  # what bibtexparser's splitter takes as a block start
_FIELD_NAME = re.compile(r"\s*([^\s=,{}()\"#]+)\s*=")
_NEXT_FIELD = re.compile(r",\s*[A-Za-z][\w:.+-]*\s*=")
_AFTER_VALUE = re.compile(r"\s+([A-Za-z][\w:.+-]*)\s*=\s*")
_MAYBE_FIELD = re.compile(r"\s[A-Za-z][\w:.+-]*\s*=")  # what must follow a value for a field to hide after it
_SPACE = re.compile(r"\s*")


def _skip_space(text: str, i: int, limit: int) -> int:
    """Where the white space from i ends (the pattern matches the empty string, so it always matches)."""
    found = _SPACE.match(text, i, limit)
    return found.end() if found else i


_NOT_ENTRIES = ("comment", "preamble", "string")


def _parts(raw: str) -> list[str]:
    """Split a raw value on `#` outside braces and quotes."""
    if "#" not in raw and "\\{" not in raw and "\\}" not in raw and raw.count("{") == raw.count("}") \
            and (raw.lstrip()[:1] == "{" or '"' not in raw):
        return [raw.strip()]  # the common case: one braced, quoted or bare value
    parts, depth, quoted, start = [], 0, False, 0
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise BadValue("unbalanced braces: a `}` closes nothing")
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
        i += 1
    if depth != 0:
        raise BadValue("unbalanced braces")
    if quoted:
        raise BadValue("unclosed quote")
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def _without_unpaired_braces(text: str) -> str:
    keep = [True] * len(text)
    opened: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            opened.append(i)
        elif text[i] == "}":
            if opened:
                opened.pop()
            else:
                keep[i] = False
        i += 1
    for j in opened:
        keep[j] = False
    return "".join(ch for ch, k in zip(text, keep, strict=True) if k)


def loose_text(raw: str) -> str:
    """A broken value's text: its opening brace or quote (and the matching closing one) and unpaired braces dropped."""
    text = raw.strip()
    if text[:1] in ('{', '"'):
        closer = "}" if text[0] == "{" else '"'
        text = text[1:-1] if len(text) > 1 and text.endswith(closer) else text[1:]
    return _without_unpaired_braces(text)


def read_value(raw: str, macros: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """A raw value's text as evaluate() gives it, but never failing: (text, notes, flags)."""
    try:
        parts = _parts(raw)
    except BadValue as exc:
        return loose_text(raw), [f"{exc}; the text is kept as written"], ["malformed field"]
    out: list[str] = []
    notes: list[str] = []
    flags: list[str] = []
    for part in parts:
        if not part:
            if len(parts) > 1:
                notes.append("an empty part of a `#` concatenation is ignored")
        elif (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"' and len(part) > 1):
            out.append(part[1:-1])
        elif part.lower() in macros:
            out.append(macros[part.lower()])
        elif _MACRO_NAME.fullmatch(part):
            out.append(part)  # BibTeX too only warns and goes on
            notes.append(f"undefined macro {part} kept as text")
            flags.append("undefined macro")
        elif part[0].isdigit() and not any(c in part for c in "{}\"#"):
            out.append(part)  # 2019a, 12-15: no macro, plain text as JabRef reads it
        else:
            out.append(loose_text(part))
            notes.append(f"the value {part!r} is not well formed; the text is kept as written")
            flags.append("malformed field")
    return "".join(out), notes, flags


def evaluate(raw: str, macros: dict[str, str]) -> str:
    """The text of a raw value: braces or quotes removed, macros expanded, `#` joined; BadValue for anything odd."""
    text, notes, _flags = read_value(raw, macros)
    if notes:
        raise BadValue(notes[0])
    return text


def tidy(text: str, verbatim: bool = False) -> str:
    """Whitespace as BibTeX reads it: runs collapse to one space, a blank line stays a paragraph break."""
    if verbatim:
        return _ESCAPED_IN_VERBATIM.sub(r"\1", text.strip()) if "\\" in text else text.strip()
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip(" ")
    return _WS.sub(lambda m: "\n\n" if m.group(0).count("\n") >= 2 else " ", text).strip(" \n")


def month_number(word: str) -> int | None:
    """1–12 for a month's English or French name, its abbreviation or its number; None otherwise."""
    return _MONTHS.get(word.strip().rstrip(".").lower())


def parse_month(text: str) -> tuple[int, int | None]:
    """'jun', 'June', '6', 'June--July' → (6, None) or (6, 7); anything else raises BadValue."""
    pieces = [p.strip().rstrip(".").lower() for p in re.split(r"--|–|/|-", text) if p.strip()]
    if not pieces or len(pieces) > 2:
        raise BadValue(f"bad month {text!r}")
    nums = []
    for p in pieces:
        if p not in _MONTHS:
            raise BadValue(f"bad month {text!r}")
        nums.append(_MONTHS[p])
    if len(nums) == 2 and nums[1] != nums[0]:
        if nums[1] < nums[0]:
            raise BadValue(f"bad month range {text!r}")
        return nums[0], nums[1]
    return nums[0], None


def _failed_reason(block: bm.ParsingFailedBlock) -> str:
    error = getattr(block, "error", None)
    msg = str(getattr(error, "abort_reason", "") or error or "").strip()
    last = msg.splitlines()[-1].strip() if msg else "cannot be read"
    if "Unexpected block start" in last or "end of file" in last.lower() or "EOF" in last:
        last += " (unbalanced braces?)"
    return last


def _failed_key(raw: str | None) -> str:
    m = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s{}()=]*)", raw or "")
    return m.group(1) if m else ""


# -- the fallback reader: entries bibtexparser cannot split, read field by field -------------


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


def _group_end(text: str, i: int, limit: int) -> int:
    """The index after the `}` closing the `{` at i (escaped braces skipped), or -1."""
    depth = 0
    j = i
    while j < limit:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


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
            i = _group_end(text, i, limit)
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
            raw.notes.append(f"text {' '.join(text[i:j].split())[:40]!r} without a field name ignored")
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
        raw.notes.append(f"the entry is not closed by `{close}`")
    return raw, end


# -- from bibtexparser's blocks to entries ----------------------------------------------------


def _from_block(block: bm.Entry) -> _Raw:
    line = (block.start_line or 0) + 1
    return _Raw(block.entry_type.strip().lower(), block.key.strip(), line,
                [(f.key, str(f.value), (f.start_line or line - 1) + 1) for f in block.fields])


def _split(text: str) -> list[bm.Block] | None:
    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.CRITICAL)  # every failure is reported to the user through problems instead
    try:
        return list(parse_string(text, parse_stack=[]).blocks)
    except Exception:  # a bug of the splitter: the fallback reader takes the whole file
        return None
    finally:
        log.setLevel(level)


class _Reader:
    """One file's blocks in order: entries as split, or recovered by the fallback reader, and the macros."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _Lines(text)
        self.raws: list[_Raw] = []
        self.strings: list[tuple[int, str, str]] = []  # (line, name, raw value)
        self.problems: list[tuple[int, str, str]] = []
        self.notes: list[tuple[int, str, str]] = []  # about the file, not one entry
        self.dirs: list[str] = []
        self.taken_until = 0  # the text before this offset was read by the fallback reader

    def read_blocks(self, blocks: list[bm.Block]) -> None:
        cursor = 0
        after_entry = False
        for block in blocks:
            inner = block.ignore_error_block if isinstance(block, bm.ParsingFailedBlock) else None
            src = block.raw or ""
            pos = self.text.find(src[:40], max(cursor, self.lines.offset(block.start_line or 0))) if src else -1
            if pos >= 0:
                cursor = pos + len(src)
            if pos >= 0 and pos < self.taken_until and not isinstance(block, bm.ImplicitComment):
                continue  # already read with the broken entry before it
            if isinstance(inner, bm.Entry):
                self.raws.append(_from_block(inner))  # a key or a field given twice: handled below
            elif isinstance(inner, bm.String) or isinstance(block, bm.String):
                s = inner if isinstance(inner, bm.String) else block
                assert isinstance(s, bm.String)
                self.strings.append(((s.start_line or 0) + 1, s.key, s.value))
            elif isinstance(block, bm.ParsingFailedBlock):
                self._failed(block, pos)
            elif isinstance(block, bm.Entry):
                self.raws.append(_from_block(block))
            elif isinstance(block, bm.ImplicitComment) and pos >= 0:
                self._comment(pos, pos + len(src), after_entry)
            elif isinstance(block, bm.ExplicitComment):
                m = _JABREF_DIR.search(str(block.comment))
                if m and m.group(1).strip():
                    self.dirs.append(m.group(1).strip())
            after_entry = isinstance(inner or block, bm.Entry)

    def _failed(self, block: bm.ParsingFailedBlock, pos: int) -> None:
        line, key, reason = (block.start_line or 0) + 1, _failed_key(block.raw), _failed_reason(block)
        head = _HEAD.match(self.text, pos) if pos >= 0 else None
        kind = head.group(1).lower() if head else ""
        if kind in ("comment", "preamble"):
            self.notes.append((line, "", f"@{kind} not closed ({reason}); ignored"))
            return
        if head is None:
            self.problems.append((line, key, reason))
            return
        raw, end = _recover(self.text, pos, self.lines)
        if raw is not None and kind == "string":  # `@string{name = {value` : the macro still counts
            self.strings += [(ln, n, v) for n, v, ln in raw.fields]
            self.notes.append((line, "", f"@string not well formed ({reason}); read by the fallback reader"))
            self.taken_until = max(self.taken_until, end)
            return
        if raw is None or not raw.fields:
            self.problems.append((line, key, reason))
            return
        raw.notes.insert(0, f"bibtexparser could not split this entry ({reason}); read by the fallback reader")
        self.raws.append(raw)
        self.taken_until = max(self.taken_until, end)

    def _comment(self, start: int, end: int, after_entry: bool) -> None:
        """Text between blocks: the fields after an early `}`, and entries the splitter did not see."""
        lead = _skip_space(self.text, start, len(self.text))
        if after_entry and start >= self.taken_until and _NEXT_FIELD.match(self.text, lead):
            prev = self.raws[-1]
            extra = _Raw(prev.type, prev.key, prev.line, [])
            stop, _closed = _read_fields(self.text, lead, end, "}", extra, self.lines)
            have = {n.lower() for n, _v, _l in prev.fields}
            new = [f for f in extra.fields if f[0].lower() not in have]
            if new:
                prev.fields += new
                prev.malformed |= extra.malformed
                prev.notes.append("a `}` closed the entry early; the fields after it were read too: "
                                  + ", ".join(n for n, _v, _l in new))
                self.taken_until = max(self.taken_until, stop)
        for m in _LINE_HEAD.finditer(self.text, start, end):
            at = self.text.index("@", m.start())
            if at < self.taken_until or _SPLITTER_HEAD.match(self.text, at):
                continue
            raw, stop = _recover(self.text, at, self.lines)
            if raw is None or not raw.fields or raw.type in _NOT_ENTRIES:
                continue
            head = _HEAD.match(self.text, at)  # _recover read an entry here: its head matches
            written = " ".join(self.text[at:head.end() if head else at].split())
            raw.notes.insert(0, f"the entry starts with {written!r}, which BibTeX does not read; read anyway")
            self.raws.append(raw)
            self.taken_until = max(self.taken_until, stop)

    def read_all(self) -> None:
        """The whole file by the fallback reader (when bibtexparser failed on it)."""
        for m in _LINE_HEAD.finditer(self.text):
            at = self.text.index("@", m.start())
            if at < self.taken_until:
                continue
            raw, stop = _recover(self.text, at, self.lines)
            if raw is None:
                continue
            self.taken_until = stop
            if raw.type == "string":
                self.strings += [(ln, n, v) for n, v, ln in raw.fields]
            elif raw.type not in _NOT_ENTRIES and raw.fields:
                self.raws.append(raw)


def _split_missing_comma(value: str) -> tuple[str, str, str] | None:
    """`{A} year = 2020` (a comma left out between two fields) → ('{A}', 'year', '2020')."""
    text = value.strip()
    if "=" not in text or not _MAYBE_FIELD.search(text):
        return None  # the common case: no second field hidden in this one (a URL's `=` has no space before it)
    if text[0] == "{":
        end = _group_end(text, 0, len(text))
    elif text[0] == '"':
        end = _quote_end(text, 0, len(text))
    else:
        m = re.match(r"[^\s#{}\"]+", text)
        end = m.end() if m else -1
    m2 = _AFTER_VALUE.match(text, end) if 0 < end < len(text) else None
    return (text[:end], m2.group(1), text[m2.end():]) if m2 else None


def _read_entry(raw: _Raw, macros: dict[str, str]) -> RawEntry:
    entry = RawEntry(raw.key, raw.type, raw.line, {}, notes=list(raw.notes))
    todo = list(raw.fields)
    while todo:
        name, value, fline = todo.pop(0)
        name = name.strip().lower()
        if not name:
            entry.notes.append("a value without a field name ignored")
            continue
        split = _split_missing_comma(value) if name not in raw.malformed else None
        if split:
            value, after, rest = split
            entry.notes.append(f"a comma is missing between the fields {name} and {after.lower()}")
            todo.insert(0, (after, rest, fline))
        if name in raw.malformed:
            text = loose_text(value)
            notes, flags = ["unbalanced braces or quotes; the text is kept as written"], ["malformed field"]
        else:
            text, notes, flags = read_value(value, macros)
        entry.notes += [f"field {name}: {n}" for n in notes]
        for flag in flags:
            if flag not in entry.flags:
                entry.flags.append(flag)
        if "malformed field" in flags:
            entry.raw[name] = value
        if name in entry.fields:
            before = " ".join(entry.fields[name].split())
            entry.notes.append(f"field {name} given twice; the last value kept (the one before: "
                               f"{before[:60] + '…' if len(before) > 60 else before!r})")
        entry.fields[name] = tidy(text, name in VERBATIM)
        entry.field_lines[name] = fline
    return entry


def _key_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(to_unicode(text)).replace(" ", ""))


def _made_key(e: RawEntry) -> str:
    """A key for an entry written without one: first author's family name, year, first title word."""
    family = ""
    for role in ("author", "editor"):
        names, _others, _bad = read_names(e.fields.get(role, ""))
        if names:
            n = names[0]
            family = _key_word(n.sortable.split(",")[0] if n.sortable else n.display.split()[0])
            break
    year = re.search(r"\d{4}", e.fields.get("year", "") or e.fields.get("date", ""))
    words = [_key_word(w) for w in to_unicode(e.fields.get("title", "")).split()]
    word = next((w for w in words if len(w) > 2 and w not in _STOP), next((w for w in words if w), ""))
    return (family + (year.group(0) if year else "") + word) or f"entry{e.line}"


_STOP = {"the", "and", "for", "les", "des", "une", "der", "die", "das", "del", "los", "las", "with", "from"}


def _unique(base: str, used: set[str]) -> str:
    if base.lower() not in used:
        return base
    n = 2
    while f"{base}-{n}".lower() in used:
        n += 1
    return f"{base}-{n}"


def _fix_keys(entries: list[RawEntry]) -> None:
    """Keys missing or given twice: generated, or renamed key-2, so that no entry is lost."""
    used = {e.key.lower() for e in entries if e.key}
    first: dict[str, int] = {}
    for e in entries:
        if not e.key:
            e.written_key = ""
            e.key = _unique(_made_key(e), used)
            e.notes.append(f"no citation key; generated {e.key}")
        elif e.key.lower() in first:
            new = _unique(e.key, used)
            e.notes.append(f"citation key {e.key} already used at line {first[e.key.lower()]}; renamed {new}")
            e.written_key, e.key = e.key, new
        else:
            first[e.key.lower()] = e.line
            continue
        used.add(e.key.lower())
        first[e.key.lower()] = e.line


def parse_text(text: str) -> ParsedFile:
    """Every entry of a .bib text, and (line, key, reason) for the few that cannot be read at all."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR (old Mac files) ends a line too
    text = text.removeprefix("\ufeff")
    reader = _Reader(text)
    blocks = _split(text)
    try:
        reader.read_all() if blocks is None else reader.read_blocks(blocks)
    except Exception as exc:  # a bug of ours must not lose the file: the fallback reader takes it whole
        reader = _Reader(text)
        try:
            reader.read_all()
        except Exception:
            reader.problems.append((1, "", f"the file cannot be read: {type(exc).__name__}: {exc}"))
    notes: list[tuple[int, str, str]] = list(reader.notes)
    macros: dict[str, str] = dict(MONTH_MACROS)
    defined: dict[str, int] = {}
    for line, name, value in reader.strings:
        value_text, value_notes, _flags = read_value(value, macros)
        notes += [(line, name, f"@string: {n}") for n in value_notes]
        if name.lower() in defined:
            notes.append((line, name, f"@string {name} defined again (first at line {defined[name.lower()]}); "
                                      "the last definition kept"))
        defined[name.lower()] = line
        macros[name.lower()] = value_text
    entries: list[RawEntry] = []
    for raw in reader.raws:
        try:
            entries.append(_read_entry(raw, macros))
        except Exception as exc:  # a bug here must cost one entry, not the file
            reader.problems.append((raw.line, raw.key, f"cannot be read: {type(exc).__name__}: {exc}"))
    _fix_keys(entries)
    problems = reader.problems
    return ParsedFile(_resolve_references(entries, problems), sorted(problems), reader.dirs, notes)


def _resolve_references(entries: list[RawEntry], problems: list[tuple[int, str, str]]) -> list[RawEntry]:
    """Fill fields from xdata and crossref parents; @xdata entries themselves are not records."""
    by_key = {e.key.lower(): e for e in entries}
    for e in entries:
        refs = [r.strip() for r in e.fields.get("xdata", "").split(",") if r.strip()]
        for ref in refs:
            parent = by_key.get(ref.lower())
            if parent is None or parent.type != "xdata":
                e.notes.append(f"xdata {ref!r} not found in the file")
                continue
            for k, v in parent.fields.items():
                e.fields.setdefault(k, v)
    for e in entries:
        ref = e.fields.get("crossref", "").strip()
        if not ref:
            continue
        parent = by_key.get(ref.lower())
        if parent is None:
            e.notes.append(f"crossref {ref!r} not found in the file")
            continue
        for k, v in parent.fields.items():
            if k in _NOT_INHERITED or k in ("xdata",):
                continue
            target = _INHERIT_AS.get(k, k) if e.type.startswith("in") or e.type == "bookinbook" else k
            if k == "author" and e.type in ("incollection", "inproceedings"):
                target = "bookauthor"  # the book's authors are not the chapter's
            e.fields.setdefault(target, v)
    return [e for e in entries if e.type != "xdata"]


def read_text(path: str) -> str:
    """A .bib file's text as kbase.formats.encoding.read_bib decodes it (its warnings are left out)."""
    return read_bib(path).text
