"""RIS text split into records: tag lines (strict spacing, looser for the tags RIS defines), values
continued on untagged lines, a record without TY or ER, damaged lines kept with their numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rispy.config import TAG_KEY_MAPPING

from kbase.i18n import N_

# one tag line: two characters, two spaces, a dash, a space, then the value; looser spacing ("TY - JOUR",
# "TI  -Title") only for the tags RIS defines, so that a continued abstract's "US - China" stays text
_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$|^([A-Z][A-Z0-9])  -$")
_LOOSE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}- ?(.*)$")
_TAGS = frozenset(a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_TAG_LOOSE = re.compile(r"^\s*([A-Z][A-Z0-9])\s*-\s?(.*)$")  # only for telling whether a text starts with RIS


# tags whose values have a shape (names, dates, numbers, identifiers, links): an untagged line after one of
# these is damaged; after any other tag (titles, abstracts, notes, unknown tags) it continues the value
_STRUCTURED = {"TY", "ER", "ID", "AU", "A1", "A2", "A3", "A4", "ED", "PY", "Y1", "Y2", "DA", "SP", "EP", "VL", "IS",
               "SN", "DO", "UR", "L1", "L2", "L3", "L4", "LA", "NV"}
# a record written without its TY line starts with one of these; other tags after ER are strays
_STARTS = {"TI", "T1", "CT", "BT", "AU", "A1"}
_PARAGRAPH_TAGS = {"AB", "N1", "N2", "RN"}
# tags read into columns and links below; the others are kept in extra["fields"]
_READ = {"TY", "ER", "ID", "TI", "T1", "CT", "BT", "T2", "JO", "JF", "T3", "AU", "A1", "A2", "ED", "PY", "Y1",
         "DA", "SP", "EP", "IS", "SN", "KW", "N2", "AB", "UR", "L1", "L4", "DO", "PB", "CY", "LA"}
# kept tags by their BibTeX (or biblatex) name where there is one, so `kbase export bibtex` writes them usefully
KEPT_NAMES: dict[str, str] = {
    "VL": "volume", "ET": "edition", "N1": "note", "Y2": "urldate", "J2": "shortjournal", "JA": "shortjournal",
    "ST": "shorttitle", "A3": "serieseditor", "A4": "translator", "M3": "type", "AD": "author_address",
    "L2": "fulltext_url", "M1": "ris_m1", "M2": "ris_m2", "NV": "volumes", "TT": "translated_title",
}


KNOWN_TAGS = set(TAG_KEY_MAPPING) | set(KEPT_NAMES) | _READ | {"ED", "BT", "CT", "L3", "M2", "RI", "SE", "ET"}


@dataclass
class RisRecord:
    """One record as written: its type, its tags in order (tag, value, line) and its damaged lines."""

    line: int
    ty: str
    tags: list[tuple[str, str, int]] = field(default_factory=list)
    bad_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, previous tag)
    closed: bool = False  # by an ER line
    implicit: bool = False  # tag lines with no TY before them


def looks_like_ris(head: str) -> bool:
    """True when the first non-blank lines of a text are RIS tag lines starting with TY (a header line
    such as ScienceDirect's `Provider: …` may come before)."""
    tagged = 0
    for line in head.lstrip("\ufeff").splitlines()[:40]:
        if not line.strip():
            continue
        found = _TAG_LOOSE.match(line)
        if found and found.group(1) == "TY":
            return True
        if found:
            tagged += 1
        if tagged > 3:
            return False
    return False


def split_records(text: str) -> tuple[list[RisRecord], list[tuple[int, str, str]]]:
    """The records of a RIS text (already cleaned) and file-level notes."""
    records: list[RisRecord] = []
    notes: list[tuple[int, str, str]] = []
    rec: RisRecord | None = None
    last = ""
    gap = False
    for n, line in enumerate(text.split("\n"), start=1):
        head = line[:6]
        if (head[2:] == "  - " or line[2:] == "  -") and head[:2] in _TAGS:  # the common case, without a regex
            tag, value = head[:2], line[6:].strip()
        elif (found := _TAG.match(line.rstrip())) is not None:
            tag, value = found.group(1) or found.group(3), (found.group(2) or "").strip()
        elif (loose := _LOOSE.match(line.rstrip())) and loose.group(1) in KNOWN_TAGS:
            tag, value = loose.group(1), loose.group(2).strip()
        elif line[:2] == "ER" and line[2:].strip() in ("", "-"):
            tag, value = "ER", ""  # "ER", "ER -", "ER  -": all end a record
        else:
            if rec is None or rec.closed:
                continue  # headers and text between records
            if not line.strip():
                gap = bool(rec.tags) and rec.tags[-1][1] != ""  # a paragraph break, if text follows
                continue
            if last not in _STRUCTURED and rec.tags:
                tag, value, at = rec.tags[-1]
                if tag == "KW":
                    rec.tags.append(("KW", line.strip(), n))
                else:
                    sep = ("\n\n" if gap else "\n") if tag in _PARAGRAPH_TAGS else " "
                    rec.tags[-1] = (tag, f"{value}{sep}{line.strip()}" if value else line.strip(), at)
                gap = False
            else:
                rec.bad_lines.append((n, line.strip(), last))
            continue
        gap = False
        if tag == "TY":
            rec = RisRecord(n, value.upper())
            records.append(rec)
            last = "TY"
            continue
        if tag == "ER":
            if rec is not None and not rec.closed:
                rec.closed = True
            elif value or rec is None:
                notes.append((n, "", N_("an ER line with no record open; ignored")))
            last = "ER"
            continue
        if rec is None or rec.closed:
            if tag not in _STARTS or not value:  # Ovid writes `NL  - …` after ER: a stray line, no record
                notes.append((n, "", N_("a {tag} line outside any record (after ER, before the next TY); "
                                        "ignored").format(
                    tag=tag)))
                last = ""
                continue
            rec = RisRecord(n, "", implicit=True)
            records.append(rec)
        rec.tags.append((tag, value, n))
        last = tag
    return records, notes
