"""Reading a .bib file: bibtexparser splits it; we evaluate macros, `#`, months, crossref and xdata."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser import model as bm

from kbase.formats.encoding import read_bib

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_FRENCH = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
           "septembre", "octobre", "novembre", "decembre")
# the macros every BibTeX style defines
MONTH_MACROS = {name[:3]: name.capitalize() for name in MONTH_NAMES}
_MONTHS: dict[str, int] = {}
for _i, (_en, _fr) in enumerate(zip(MONTH_NAMES, _FRENCH), start=1):
    for _n in (_en, _en[:3], _en[:4], _fr, _fr[:4], str(_i), f"{_i:02d}"):
        _MONTHS.setdefault(_n, _i)
_MONTHS.update({"sept": 9, "févr": 2, "février": 2, "août": 8, "décembre": 12, "déc": 12})
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


@dataclass
class ParsedFile:
    entries: list[RawEntry]
    problems: list[tuple[int, str, str]]  # (line, key, reason) of entries that cannot be read
    file_dirs: list[str] = field(default_factory=list)  # JabRef's fileDirectory settings, in file order


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


def evaluate(raw: str, macros: dict[str, str]) -> str:
    """The text of a raw value: braces or quotes removed, macros expanded, `#` joined."""
    out = []
    for part in _parts(raw):
        if not part:
            raise BadValue("empty part in a `#` concatenation")
        if (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"' and len(part) > 1):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in macros:
            out.append(macros[part.lower()])
        else:
            raise BadValue(f"unknown macro {part!r}")
    return "".join(out)


def tidy(text: str, verbatim: bool = False) -> str:
    """Whitespace as BibTeX reads it: runs collapse to one space, a blank line stays a paragraph break."""
    if verbatim:
        return _ESCAPED_IN_VERBATIM.sub(r"\1", text.strip()) if "\\" in text else text.strip()
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip(" ")
    return _WS.sub(lambda m: "\n\n" if m.group(0).count("\n") >= 2 else " ", text).strip(" \n")


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


def parse_text(text: str) -> ParsedFile:
    """Every readable entry of a .bib text, and (line, key, reason) for every one that is not."""
    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.CRITICAL)  # every failure is reported to the user through problems instead
    try:
        lib = bibtexparser.parse_string(text, parse_stack=[])
    finally:
        log.setLevel(level)
    problems: list[tuple[int, str, str]] = []
    macros: dict[str, str] = dict(MONTH_MACROS)
    first_line: dict[str, int] = {}
    for block in lib.blocks:
        if isinstance(block, bm.String):
            try:
                macros[block.key.lower()] = evaluate(block.value, macros)
            except BadValue as exc:
                problems.append(((block.start_line or 0) + 1, block.key, f"@string: {exc}"))
        elif isinstance(block, bm.Entry):
            first_line.setdefault(block.key, (block.start_line or 0) + 1)

    entries: list[RawEntry] = []
    for block in lib.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bm.DuplicateBlockKeyBlock):
            if isinstance(block.ignore_error_block, bm.String):
                continue  # a redefined macro: BibTeX itself only warns
            key = block.key
            problems.append((line, key, f"duplicate key {key!r} (first used at line {first_line.get(key, '?')})"))
        elif isinstance(block, bm.ParsingFailedBlock):
            problems.append((line, _failed_key(block.raw), _failed_reason(block)))
        elif isinstance(block, bm.Entry):
            entry = _read_entry(block, line, macros, problems)
            if entry is not None:
                entries.append(entry)
    dirs = [m.group(1).strip() for b in lib.blocks if isinstance(b, bm.ExplicitComment)
            for m in [_JABREF_DIR.search(str(b.comment))] if m and m.group(1).strip()]
    return ParsedFile(_resolve_references(entries, problems), problems, dirs)


def _read_entry(block: bm.Entry, line: int, macros: dict[str, str],
                problems: list[tuple[int, str, str]]) -> RawEntry | None:
    key = block.key.strip()
    if not key:
        problems.append((line, "", "missing citation key"))
        return None
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    for f in block.fields:
        name = f.key.strip().lower()
        fline = (f.start_line or line - 1) + 1
        try:
            value = evaluate(str(f.value), macros)
        except BadValue as exc:
            problems.append((fline, key, f"field {name}: {exc}"))
            return None
        if name in fields:
            problems.append((fline, key, f"field {name} given twice"))
            return None
        fields[name] = tidy(value, name in VERBATIM)
        lines[name] = fline
    if "month" in fields and fields["month"]:
        try:
            parse_month(fields["month"])
        except BadValue as exc:
            problems.append((lines["month"], key, str(exc)))
            return None
    return RawEntry(key, block.entry_type.lower(), line, fields, lines)


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
