"""BibTeX name lists: people with von/Jr parts, corporate authors in braces, `and others`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bibtexparser.middlewares.names import (
    InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names,
)

from kbase.formats.bibtex.latex import to_latex, to_unicode


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
    """The names of an author/editor field (LaTeX) and whether it ended with `and others`."""
    names: list[Name] = []
    others = False
    for raw in split_multiple_persons_names(text):
        raw = raw.strip()
        if not raw:
            continue
        if raw.lower() == "others":
            others = True
            continue
        if _is_one_group(raw):
            names.append(Name("organisation", to_unicode(raw[1:-1]).strip()))
            continue
        names.append(_person(raw))
    return names, others


@lru_cache(maxsize=65536)
def _person(raw: str) -> Name:
    """One person's name; cached because the same spellings recur across a library."""
    try:
        parts = parse_single_name_into_parts(raw)
    except InvalidNameError as exc:
        raise ValueError(f"cannot read the name {raw!r}: {exc}") from None
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
