"""Page text normalisation: what a PDF gives becomes what a typed query finds."""

from __future__ import annotations

import re
import unicodedata

from kbase.text import clean_text

__all__ = ["normalise_page_text", "index_text", "is_segmented_script"]

# characters that carry no text and would split or glue words: zero-width space, BOM,
# word joiner, and the object replacement character PDFs use for images
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\ufffc]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# a soft hyphen, wherever it sits, is only a permitted break: drop it and the break after it
_SOFT_HYPHEN = re.compile(r"\u00ad[ \t]*(?:\r?\n[ \t]*)?")
# "hyphen-\nated": a letter, a hyphen at line end, then a lower-case letter on the next line
_LINE_END_HYPHEN = re.compile(r"[-\u2010\u2011][ \t]*\n[ \t]*(?=[^\W\d_])")
_SPACES = re.compile(r"[^\S\n]{2,}|[^\S \n]")  # runs, and single tabs or odd spaces
_BLANK_LINES = re.compile(r"\n{3,}")
# every character the four steps above change (control characters, CR, lone surrogates and
# U+FFFE/U+FFFF that clean_text drops, the invisible ones, soft hyphens)
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\ufffc\ud800-\udfff\ufffe\uffff]")


def _join_hyphenated(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1] if match.start() else ""
    if not (before.isalpha()):
        return match.group()  # "2-\n3", "--\n": not a word broken in two
    nxt = match.string[match.end()] if match.end() < len(match.string) else ""
    # a capital after the break ("Franco-\nGerman") is a real compound: keep the hyphen
    return "" if nxt.islower() else "-"


def normalise_page_text(text: str | None) -> str:
    """Text of one page as stored in the catalogue and indexed.

    NFKC folds ligatures (ﬁ ﬂ ﬃ), presentation forms and full-width letters into plain
    letters; soft hyphens disappear; words hyphenated across lines are joined; runs of
    spaces collapse. Line breaks are kept so snippets still read like the page. Control
    characters (NUL…) become spaces, and the result is `kbase.text.clean_text`-clean.
    CJK and Thai are left as written: `index_text` makes them findable.
    """
    if not text:
        return ""
    # most pages of English text skip the Unicode work, and most others are in NFKC already
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _SPECIAL.search(text):  # one scan instead of four for the pages that have none of these
        text = _INVISIBLE.sub("", text)
        text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = clean_text(text)  # what the line above leaves that PostgreSQL or XML refuse: lone surrogates, U+FFFF
        text = _SOFT_HYPHEN.sub("", text)
    text = _LINE_END_HYPHEN.sub(_join_hyphenated, text)
    # each line's whitespace runs become one space, none at either end (a third faster than regexes)
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


# scripts written without spaces between words
_SEGMENTED_RANGES = (
    (0x0E00, 0x0EFF),    # Thai, Lao
    (0x1000, 0x109F),    # Myanmar
    (0x1780, 0x17FF),    # Khmer
    (0x2E80, 0x2FDF),    # CJK radicals
    (0x3040, 0x30FF),    # Hiragana, Katakana
    (0x3100, 0x312F),    # Bopomofo
    (0x31F0, 0x31FF),    # Katakana extensions
    (0x3400, 0x4DBF),    # CJK extension A
    (0x4E00, 0x9FFF),    # CJK unified ideographs
    (0xF900, 0xFAFF),    # CJK compatibility ideographs
    (0x20000, 0x2FA1F),  # CJK extensions B–F and supplement
)
_SEGMENTED_CLASS = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _SEGMENTED_RANGES)
_SEGMENTED_RUN = re.compile(f"[{_SEGMENTED_CLASS}]+")


def is_segmented_script(ch: str) -> bool:
    """True for a character of a script written without spaces (CJK, Thai, Lao, Khmer, Myanmar)."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _SEGMENTED_RANGES)


def _bigrams(match: re.Match[str]) -> str:
    # combining vowel and tone marks (Thai, Khmer…) are dropped: they are not word
    # characters for the tokenizer and the same folding applies to queries
    run = "".join(ch for ch in match.group() if not unicodedata.category(ch).startswith("M"))
    if len(run) < 2:
        return f" {run} "
    return " " + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + " "


def index_text(text: str | None) -> str:
    """Text as the index sees it, for page texts and for queries alike.

    Runs of CJK/Thai characters become overlapping bigrams ("中华人民" → "中华 华人 人民"),
    a lone character stays a unigram; everything else is `normalise_page_text` output.
    Apply the same function to a query so "人民" matches inside a longer run.
    """
    if not text:
        return ""
    if not _SEGMENTED_RUN.search(text):
        return text
    return _SPACES.sub(" ", _SEGMENTED_RUN.sub(_bigrams, text)).strip()
