"""Publication metadata from a PDF: its info dictionary (junk filtered out) and its first page."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from kbase.text import clean_line

__all__ = ["info_metadata", "first_page_metadata", "merge_metadata", "guess_language",
           "is_junk_title", "is_junk_author", "split_authors"]

MONTHS = {
    # English and French month names (and common abbreviations) → month number
    **{name: i + 1 for i, name in enumerate(
        "january february march april may june july august september october november december".split())},
    **{name: i + 1 for i, name in enumerate(
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split())},
    "fevrier": 2, "aout": 8, "decembre": 12,
    **{name: i + 1 for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    "sept": 9,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th|er)?\s+)?({_MONTH_RE})\.?,?\s+((?:19|20)\d\d)\b", re.I),
    re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-\d\d\b"),
)
_YEAR_ALONE = re.compile(r"(?:©|\(c\)|copyright)\s*((?:19|20)\d\d)\b", re.I)

_JUNK_TITLE_PREFIXES = (
    "microsoft word -", "microsoft powerpoint -", "microsoft excel -", "untitled", "document1",
    "powerpoint presentation", "slide 1", "no title", "layout 1", "pdf document",
)
# words that head a page but are not the document's title
_JUNK_TITLES = {
    "title", "contents", "table of contents", "preface", "foreword", "abstract", "introduction", "summary",
    "sommaire", "table des matières", "préface", "avant-propos", "résumé", "vorwort", "inhalt",
    "inhaltsverzeichnis", "index", "draft", "confidential",
}
_FILE_SUFFIX = re.compile(r"\.(docx?|pdf|odt|rtf|indd|tex|dvi|ps|eps|txt|pptx?|xlsx?|qxd|pages|html?|cdr|ai)\s*$", re.I)
_JUNK_AUTHORS = {
    "user", "admin", "administrator", "owner", "unknown", "author", "default", "guest",
    "microsoft office user", "windows user", "utilisateur", "utilisateur windows", "anonymous",
}
_PERL_REF = re.compile(r"\b(ARRAY|HASH|SCALAR|CODE)\(0x[0-9a-f]+\)", re.I)
_NAME_WORD = r"(?:[A-Z][\w'’\-]*\.?|[A-Z]\.|(?:van|von|de|der|den|du|da|di|la|le|ter|bin|ibn)\b)"
_NAME = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}$")
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|\bet\b|&|\n)\s*")

STOPWORDS = {
    "en": frozenset("the and of to in is that for with this are on by as be from".split()),
    "fr": frozenset("le la les des et du est une dans pour sur par que qui au aux".split()),
}


def _clean(value: Any) -> str:
    """One line of text, NFC, whitespace collapsed, without NUL or other control characters."""
    return " ".join(clean_line(str(value or "")).split())


def _loose(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def is_junk_title(title: str, filename: str = "") -> bool:
    """A title that names a file or a program rather than the document."""
    t = _clean(title)
    low = t.casefold()
    if len(t) < 4 or not re.search(r"[^\W\d_]{2}", t) or _PERL_REF.search(t):
        return True
    if low.startswith(_JUNK_TITLE_PREFIXES) or _FILE_SUFFIX.search(t) or low.strip(" .:") in _JUNK_TITLES:
        return True
    if "\\" in t or (("/" in t) and " " not in t):
        return True  # a path
    stem = Path(filename).stem if filename else ""
    return bool(stem) and _loose(stem) == _loose(t)


def is_junk_author(author: str) -> bool:
    a = _clean(author)
    if not a or _PERL_REF.search(a) or a.casefold() in _JUNK_AUTHORS:
        return True
    if "@" in a or " at " in a and "." in a or not re.search(r"[^\W\d_]{2}", a):
        return True  # an e-mail address, spelled out or not
    return " " not in a and (a.islower() or len(a) < 3)  # a login name such as "jdupont"


def split_authors(text: str) -> list[str]:
    """'A. Smith; B. Jones' or 'Smith, John' or 'A and B' → a list of names."""
    text = _clean(text)
    if not text:
        return []
    if ";" not in text and text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        if " " not in last and " " not in first and first and last:
            return [f"{first} {last}"]  # "Smith, John"
    parts = [re.sub(r"^\[[^\]]*\]\s*", "", p).strip(" .") for p in _AUTHOR_SPLIT.split(text)]  # "[1ex] Name"
    return [p for p in parts if p and not is_junk_author(p)][:20]


def _parse_pdf_date(value: str) -> tuple[int | None, int | None]:
    m = re.match(r"D?:?((?:19|20)\d\d)(\d\d)?", value or "")
    if not m:
        return None, None
    month = int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 12 else None
    return int(m.group(1)), month


def info_metadata(info: dict[str, Any], filename: str = "") -> dict[str, Any]:
    """Title, authors and year from the info dictionary, with junk values dropped."""
    out: dict[str, Any] = {}
    title = _clean(info.get("title"))
    if title and not is_junk_title(title, filename):
        out["title"] = title
    authors = split_authors(info.get("author") or "")
    if authors:
        out["authors"] = authors
    year, month = _parse_pdf_date(info.get("creationDate") or "")
    if year:
        out["file_year"], out["file_month"] = year, month
    keywords = _clean(info.get("keywords"))
    if keywords:
        out["keywords"] = keywords
    return out


def _lines(page_dict: dict[str, Any]) -> list[tuple[float, float, str]]:
    """(font size, top y, text) of each text line of a get_text('dict') page, in reading order."""
    lines = []
    for block in page_dict.get("blocks", []):
        for line in block.get("lines", []):
            spans = line.get("spans", [])
            inked = [s for s in spans if s.get("text", "").strip()]  # blank spans are the word gaps
            if not inked:
                continue
            text = _clean("".join(s.get("text", "") for s in spans))
            size = max(s.get("size", 0) for s in inked)
            lines.append((round(size, 1), line.get("bbox", (0, 0, 0, 0))[1], text))
    return lines


def first_page_metadata(page_dict: dict[str, Any], page_text: str) -> dict[str, Any]:
    """Title (the largest type near the top), authors (name-like lines below it) and date."""
    from kbase.textnorm import normalise_page_text

    out: dict[str, Any] = {}
    lines = _lines(page_dict)
    if lines:
        height = page_dict.get("height") or max(y for _, y, _ in lines) or 1
        body = statistics.median(size for size, _, _ in lines)
        top = [ln for ln in lines if ln[1] <= height * 0.7 and re.search(r"[^\W\d_]{2}", ln[2])]
        biggest = max((size for size, _, _ in top), default=0)
        if top and biggest >= body * 1.15:
            start = next(i for i, ln in enumerate(lines) if ln in top and ln[0] >= biggest - 0.5)
            title_lines: list[str] = []
            i = start
            while i < len(lines) and lines[i][0] >= biggest - 0.5 and len(title_lines) < 4:
                title_lines.append(lines[i][2])
                i += 1
            title = normalise_page_text(" ".join(title_lines)).rstrip(" *∗†‡¹²³")
            if not is_junk_title(title) and len(title) <= 300:
                out["title"] = title
            authors = _authors_after(lines[i:i + 5], body)
            if authors:
                out["authors"] = authors
    year, month = find_date(page_text)
    if year:
        out["year"] = year
        if month:
            out["month"] = month
    return out


def _name_line(text: str) -> list[str]:
    text = re.sub(r"^(by|par|authors?|auteurs?)\s*:?\s+", "", text, flags=re.I)
    parts = [p.strip(" .*0123456789†‡∗") for p in _AUTHOR_SPLIT.split(text)]
    parts = [p for p in parts if p]
    if parts and all(_NAME.match(p) for p in parts) \
            and not any(w.casefold() in MONTHS for p in parts for w in p.split()):
        return parts
    return []


def _authors_after(lines: list[tuple[float, float, str]], body: float) -> list[str]:
    """Name-like lines right below the title: one per line, or several on one line."""
    found: list[str] = []
    for _size, _y, text in lines:
        names = _name_line(text)
        if not names:
            if found:
                break
            continue
        found += names
    return list(dict.fromkeys(found))[:20]


def find_date(text: str) -> tuple[int | None, int | None]:
    """The first 'June 2021' / 'juin 2021' / '2021-06-30' / '© 2021' on a page."""
    head = text[:4000]
    for pattern in _DATE_PATTERNS:
        m = pattern.search(head)
        if m:
            a, b = m.group(1), m.group(2)
            if a.isdigit():
                return int(a), int(b)
            return int(b), MONTHS.get(a.casefold().rstrip("."))
    m = _YEAR_ALONE.search(head)
    return (int(m.group(1)), None) if m else (None, None)


def merge_metadata(info: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    """Good info-dictionary values win; the first page fills what is missing or junk."""
    out: dict[str, Any] = {"title_source": None}
    if info.get("title"):
        out["title"], out["title_source"] = info["title"], "info"
    elif first.get("title"):
        out["title"], out["title_source"] = first["title"], "first page"
    authors = info.get("authors") or first.get("authors")
    if authors:
        out["authors"] = authors
    if first.get("year"):
        out["year"], out["month"] = first["year"], first.get("month")
    elif info.get("file_year"):
        out["year"], out["month"] = info["file_year"], info.get("file_month")
    if info.get("keywords"):
        out["keywords"] = info["keywords"]
    return out


def guess_language(pages: list[str]) -> str | None:
    """'en' or 'fr' when common words make it clear, else None."""
    words = re.findall(r"[^\W\d_]+", " ".join(pages)[:20000].casefold())
    counts = {lang: sum(1 for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    best = max(counts, key=counts.__getitem__)
    other = min(counts.values())
    if counts[best] >= 5 and counts[best] >= 2 * other:
        return best
    return None
