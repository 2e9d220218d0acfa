"""Text normalisation shared by lookups, dedupe and the index."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def fold(text: str | None) -> str:
    """Lower case, accents removed, whitespace collapsed: the key for alias lookups."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_words(text: str | None) -> str:
    """fold() without punctuation: for titles compared across sources."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text))).strip()


def slug(text: str | None, limit: int = 40) -> str:
    """A plain ascii identifier made of the words of text."""
    words = fold_words(text).encode("ascii", "ignore").decode().split()
    return "-".join(words)[:limit].strip("-")
