"""Reading a .bib file: bibtexparser splits it, a fallback reader takes what it cannot; then macros, `#`, crossref."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bibtexparser import model as bm
from bibtexparser.entrypoint import parse_string

from kbase.formats.bibtex.fallback import (
    _AFTER_VALUE,
    _HEAD,
    _LINE_HEAD,
    _MAYBE_FIELD,
    _NEXT_FIELD,
    _Lines,
    _quote_end,
    _Raw,
    _read_fields,
    _recover,
    _skip_space,
)
from kbase.formats.bibtex.latex import group_end, to_unicode
from kbase.formats.bibtex.names import read_names
from kbase.formats.bibtex.values import (
    MONTH_MACROS,
    MONTH_NAMES,
    VERBATIM,
    BadValue,
    evaluate,
    loose_text,
    month_number,
    parse_month,
    read_value,
    tidy,
)
from kbase.formats.encoding import read_bib
from kbase.i18n import N_
from kbase.text import fold

__all__ = ["MONTH_NAMES", "MONTH_MACROS", "VERBATIM", "BadValue", "RawEntry", "ParsedFile", "loose_text",
           "read_value", "evaluate", "tidy", "month_number", "parse_month", "parse_text", "read_text"]

# a malformed field's note, one template: its reason holds a "; " that a {note} field cannot
MALFORMED = N_("field {name}: unbalanced braces or quotes; the text is kept as written")


# biblatex's rules for what a child takes from a crossref'd parent under another name
_INHERIT_AS = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}
_NOT_INHERITED = {"ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label",
                  "options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype",
                  "shorthand", "shorthandintro", "sortkey", "file", "keywords", "doi", "isbn", "url"}


# JabRef keeps the folder that relative `file` paths start from in a comment block
_JABREF_DIR = re.compile(r"jabref-meta:\s*fileDirectory(?:-[^:]*)?:(.*?);?\s*$", re.S)


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


_SPLITTER_HEAD = re.compile(r"@\w*[ \t]*[{(]")  # what bibtexparser's splitter takes as a block start


_NOT_ENTRIES = ("comment", "preamble", "string")


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
            self.notes.append((line, "", N_("@{kind} not closed ({reason}); ignored").format(kind=kind, reason=reason)))
            return
        if head is None:
            self.problems.append((line, key, reason))
            return
        raw, end = _recover(self.text, pos, self.lines)
        if raw is not None and kind == "string":  # `@string{name = {value` : the macro still counts
            self.strings += [(ln, n, v) for n, v, ln in raw.fields]
            self.notes.append((line, "", N_("@string not well formed ({reason}); read by the fallback reader").format(
                reason=reason)))
            self.taken_until = max(self.taken_until, end)
            return
        if raw is None or not raw.fields:
            self.problems.append((line, key, reason))
            return
        raw.notes.insert(0, N_("bibtexparser could not split this entry ({reason}); read by the fallback "
                               "reader").format(reason=reason))
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
                prev.notes.append(N_("a `}}` closed the entry early; the fields after it were read too: {fields}")
                                  .format(fields=", ".join(n for n, _v, _l in new)))
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
            raw.notes.insert(0, N_("the entry starts with {text}, which BibTeX does not read; read anyway").format(
                text=repr(written)))
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
        end = group_end(text, 0, len(text))
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
            entry.notes.append(N_("a value without a field name ignored"))
            continue
        split = _split_missing_comma(value) if name not in raw.malformed else None
        if split:
            value, after, rest = split
            entry.notes.append(N_("a comma is missing between the fields {name} and {after}").format(
                name=name, after=after.lower()))
            todo.insert(0, (after, rest, fline))
        if name in raw.malformed:
            text = loose_text(value)
            notes: list[str] = []
            flags = ["malformed field"]
            entry.notes.append(MALFORMED.format(name=name))
        else:
            text, notes, flags = read_value(value, macros)
        entry.notes += [N_("field {name}: {note}").format(name=name, note=n) for n in notes]
        for flag in flags:
            if flag not in entry.flags:
                entry.flags.append(flag)
        if "malformed field" in flags:
            entry.raw[name] = value
        if name in entry.fields:
            before = " ".join(entry.fields[name].split())
            entry.notes.append(N_("field {name} given twice; the last value kept (the one before: {before})").format(
                name=name, before=repr(before[:60] + '…' if len(before) > 60 else before)))
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
            e.notes.append(N_("no citation key; generated {key}").format(key=e.key))
        elif e.key.lower() in first:
            new = _unique(e.key, used)
            e.notes.append(N_("citation key {key} already used at line {line}; renamed {new}").format(
                key=e.key, line=first[e.key.lower()], new=new))
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
            reader.problems.append((1, "", N_("the file cannot be read: {error}: {reason}").format(
                error=type(exc).__name__, reason=exc)))
    notes: list[tuple[int, str, str]] = list(reader.notes)
    macros: dict[str, str] = dict(MONTH_MACROS)
    defined: dict[str, int] = {}
    for line, name, value in reader.strings:
        value_text, value_notes, _flags = read_value(value, macros)
        notes += [(line, name, f"@string: {n}") for n in value_notes]
        if name.lower() in defined:
            notes.append((line, name, N_("@string {name} defined again (first at line {line}); the last definition "
                                         "kept").format(
                name=name, line=defined[name.lower()])))
        defined[name.lower()] = line
        macros[name.lower()] = value_text
    entries: list[RawEntry] = []
    for raw in reader.raws:
        try:
            entries.append(_read_entry(raw, macros))
        except Exception as exc:  # a bug here must cost one entry, not the file
            reader.problems.append((raw.line, raw.key, N_("cannot be read: {error}: {reason}").format(
                error=type(exc).__name__, reason=exc)))
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
                e.notes.append(N_("xdata {ref} not found in the file").format(ref=repr(ref)))
                continue
            for k, v in parent.fields.items():
                e.fields.setdefault(k, v)
    for e in entries:
        ref = e.fields.get("crossref", "").strip()
        if not ref:
            continue
        parent = by_key.get(ref.lower())
        if parent is None:
            e.notes.append(N_("crossref {ref} not found in the file").format(ref=repr(ref)))
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
