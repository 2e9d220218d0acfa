"""BibTeX name lists: people with von/Jr parts, corporate authors in braces, `and others`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from kbase.formats.bibtex.latex import to_latex, to_unicode
from kbase.i18n import N_

# `and` at either end of the list, or repeated, separates no names (Zotero leaves them when a name is empty)
_EDGE_AND = re.compile(r"^\s*(?:and\s+)*and\s*$|^\s*(?:and\s+)+|(?:\s+and)+\s*$", re.I)
_STRAY_AND = re.compile(r"(?<=\s)and(?:\s+and)+(?=\s)", re.I)


@dataclass(frozen=True)
class Name:
    """One contributor as read from BibTeX: display name plus the 'von Last, Jr, First' form."""

    kind: str  # "person" | "organisation"
    display: str  # "Ludwig van Beethoven" / "International Alert"
    sortable: str | None = None  # "van Beethoven, Ludwig" (people only)


def _is_one_group(text: str) -> bool:
    """True for '{International Alert}': one brace group spanning the whole name."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return True


def parse_names(text: str) -> tuple[list[Name], bool]:
    """The names of an author/editor field (LaTeX) and whether it ended with `and others`.

    Raises ValueError for a name the BibTeX name parser cannot split; names without a letter or digit are left out."""
    names, others, bad = read_names(text)
    for _piece, reason in bad:
        if reason.startswith("cannot read"):
            raise ValueError(reason)
    return names, others


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_names(text: str) -> list[str]:
    """Names joined by `and`; without braces a regex does what bibtexparser's character loop does
    (which costs a tenth of a second per thousand long author lists)."""
    if "{" in text or "}" in text:
        return split_multiple_persons_names(text)
    return [p for p in (s.strip() for s in _AND.split(text.strip())) if p]


def read_names(text: str) -> tuple[list[Name], bool, list[tuple[str, str]]]:
    """Like parse_names, but never raises: (the readable names, `and others`, (piece, reason) of the rest).

    Every name returned has a letter or a digit in its display form."""
    names: list[Name] = []
    bad: list[tuple[str, str]] = []
    cleaned = _STRAY_AND.sub("and", _EDGE_AND.sub("", text))
    if cleaned.split() != text.split():
        bad.append(("and", "a stray 'and' with no name beside it"))
    try:
        pieces = _split_names(cleaned) if cleaned.strip() else []
    except Exception as exc:  # the splitter's errors are not all InvalidNameError
        return [], False, bad + [(text, N_("cannot read the names {text}: {reason}").format(
            text=repr(text), reason=exc))]
    others = False
    for raw in pieces:
        raw = raw.strip()
        if not raw:
            bad.append(("", "an empty name"))
            continue
        if raw.lower() == "others":
            others = True
            continue
        try:
            name = Name("organisation", to_unicode(raw[1:-1]).strip()) if _is_one_group(raw) else _person(raw)
        except ValueError as exc:
            bad.append((raw, str(exc)))
            continue
        if not any(ch.isalnum() for ch in name.display):
            bad.append((raw, N_("the name {name} has no letters").format(name=repr(raw))))
            continue
        names.append(name)
    return names, others, bad


@lru_cache(maxsize=65536)
def _person(raw: str) -> Name:
    """One person's name; cached because the same spellings recur across a library."""
    try:
        parts = parse_single_name_into_parts(raw)
    except (InvalidNameError, IndexError, ValueError) as exc:
        raise ValueError(N_("cannot read the name {name}: {reason}").format(name=repr(raw), reason=exc)) from None
    first = " ".join(to_unicode(p) for p in parts.first)
    von = " ".join(to_unicode(p) for p in parts.von)
    last = " ".join(to_unicode(p) for p in parts.last)
    jr = " ".join(to_unicode(p) for p in parts.jr)
    display = " ".join(x for x in (first, von, last, jr) if x)
    sortable = ", ".join(x for x in (" ".join(y for y in (von, last) if y), jr, first) if x)
    return Name("person", display, sortable)


@lru_cache(maxsize=65536)
def display_of(sortable: str) -> str:
    """The display name a 'von Last, Jr, First' form reads as (used to check stored forms)."""
    names, _ = parse_names(to_latex(sortable))
    return names[0].display if names else ""


def _word(text: str, ascii_only: bool) -> str:
    """One name word; a comma or a lone 'and' inside a name is braced so it does not split the list."""
    latex = to_latex(text, ascii_only).replace(",", "{,}")
    return "{" + latex + "}" if latex.lower() == "and" else latex


def person_to_bibtex(display: str, sortable: str | None, ascii_only: bool = False) -> str:
    """A person for an author field: the stored BibTeX form, else 'Last, First …'."""
    if sortable:
        return to_latex(sortable, ascii_only)
    words = [_word(w, ascii_only) for w in display.split(" ")]
    if len(words) <= 1:
        return words[0] if words else ""
    return words[-1] + ", " + " ".join(words[:-1])


def organisation_to_bibtex(name: str, ascii_only: bool = False) -> str:
    return "{" + to_latex(name, ascii_only) + "}"
