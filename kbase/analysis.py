"""Text analysis for the index: one tokenizer, English and French stems with accents folded."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

# CJK, Thai, Lao, Khmer and Myanmar characters stand alone (one token each): these scripts
# put no spaces between words, and a query of any length then finds its characters in a row
CJK = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN_PATTERN = rf"[{CJK}]|[^\W{CJK}]+(?:[.'’][^\W{CJK}]+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE)
# single Latin letters (l' d' s) carry no meaning; CJK single characters must stay
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
STOP = {"en": stoplists["en"] | _LETTERS, "fr": stoplists["fr"] | _LETTERS}
_STEMMERS = {"en": stemmer_for_language("en"), "fr": stemmer_for_language("fr")}


def fold_accents(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def _split_word(word: str) -> tuple[str, ...]:
    """Elisions and inner apostrophes split a word: l'exploitation → l, exploitation."""
    return tuple(p for p in re.split(r"[.'’]", word) if p) if ("'" in word or "’" in word) else (word,)


@lru_cache(maxsize=200_000)
def key_en(word: str) -> str:
    """Index key of a lower-case word in the English field: fold accents, then stem."""
    return _STEMMERS["en"](fold_accents(word))


@lru_cache(maxsize=200_000)
def key_fr(word: str) -> str:
    """Index key of a lower-case word in the French field: stem (it needs the accents), then fold."""
    return fold_accents(_STEMMERS["fr"](word))


KEYS = {"en": key_en, "fr": key_fr}


class LanguageKeyFilter(Filter):
    """Replaces each token by its stem key for one language (cached, shared with snippets)."""

    def __init__(self, lang: str = "en"):
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LanguageKeyFilter) and other.lang == self.lang

    def __call__(self, tokens: Iterator) -> Iterator:
        key = KEYS[self.lang]
        for t in tokens:
            t.text = key(t.text)
            yield t


class FoldFilter(Filter):
    """Accent folding without stemming, for names and titles matched word for word."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __call__(self, tokens: Iterator) -> Iterator:
        for t in tokens:
            t.text = fold_accents(t.text)
            yield t


class SplitElisionFilter(Filter):
    """Splits l'exploitation into l and exploitation, keeping positions in order."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SplitElisionFilter)

    def __call__(self, tokens: Iterator) -> Iterator:
        for t in tokens:
            parts = _split_word(t.text)
            if len(parts) == 1:
                yield t
                continue
            for part in parts:
                t.text = part
                yield t


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)


def language_analyzer(lang: str) -> CompositeAnalyzer:
    # renumber=True: a stop word takes no position, the same in documents and in phrases
    return (tokenizer() | LowercaseFilter() | SplitElisionFilter()
            | StopFilter(stoplist=STOP[lang], minsize=1, renumber=True) | LanguageKeyFilter(lang))


def fold_analyzer() -> CompositeAnalyzer:
    return tokenizer() | LowercaseFilter() | SplitElisionFilter() | FoldFilter()


def raw_analyzer() -> CompositeAnalyzer:
    """Lower-case words with accents kept: what the query parser hands to the rewriter."""
    return tokenizer() | LowercaseFilter() | SplitElisionFilter()


def words(text: str) -> list[str]:
    """The lower-case words of text, as the analyzers see them before stemming."""
    out: list[str] = []
    for m in TOKEN_RE.finditer(text):
        out.extend(_split_word(m.group().lower()))
    return out


def index_key(lang: str, word: str) -> str | None:
    """The key a lower-case word gets in a language field, or None for a stop word."""
    if not word or word in STOP[lang]:
        return None
    return KEYS[lang](word)


__all__ = ["language_analyzer", "fold_analyzer", "raw_analyzer", "words", "index_key", "fold_accents", "TOKEN_RE"]
