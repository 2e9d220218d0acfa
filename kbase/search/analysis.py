"""Text analysis for the index: one tokenizer, English and French stems with accents folded."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import pairwise
from typing import Any, Callable, Iterator

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information
from whoosh.analysis import Token, Tokenizer
from whoosh.compat import dumps
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.lang.stopwords import stoplists
from whoosh.system import pack_uint

# CJK, Thai, Lao, Khmer and Myanmar characters stand alone (one token each): these scripts
# put no spaces between words, and a query of any length then finds its characters in a row
CJK = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN_PATTERN = rf"[{CJK}]|[^\W{CJK}]+(?:[.'’][^\W{CJK}]+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE)
# the same tokens for a text without any of those characters (most pages), a quarter faster
_PLAIN_TOKEN_RE = re.compile(r"\w+(?:[.'’]\w+)*", re.UNICODE)
_HAS_CJK = re.compile(f"[{CJK}]").search
# single Latin letters (l' d' s) carry no meaning; CJK single characters must stay
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
STOP = {"en": stoplists["en"] | _LETTERS, "fr": stoplists["fr"] | _LETTERS}
# Snowball's own stemmers in C (PyStemmer): a word the caches below have not seen costs 1.3 µs
# instead of 6.5 (English) and 10 (French) with Whoosh's Python port, and most misses are words
# met once. Their cache is off: ours sit in front. A call holds the GIL, so threads may share one.
_STEMMERS: dict[str, Callable[[str], str]] = {"en": Stemmer.Stemmer("english", 0).stemWord,
                                              "fr": Stemmer.Stemmer("french", 0).stemWord}


def fold_accents(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# bounded caches: a corpus of manuals has hundreds of thousands of distinct tokens, and an
# entry costs about 300 bytes; the common words stay cached
@lru_cache(maxsize=20_000)
def _split_word(word: str) -> tuple[str, ...]:
    """Elisions and inner apostrophes split a word: l'exploitation → l, exploitation."""
    return tuple(p for p in re.split(r"[.'’]", word) if p) if ("'" in word or "’" in word) else (word,)


# the key caches sit behind the per-token caches of KeyText.index (_TOKEN_KEYS), which take most
# of the hits. Rebuilds of 10,000 synthetic and 11,543 texlive pages ran at the same speed with
# 10,000 key entries instead of 50,000 and 20,000 token entries instead of 50,000, and each cut
# took about 10 MB off the peak
KEY_CACHE = 10_000
TOKEN_CACHE = 20_000

# a word with a digit in it is a number, a version or a code: the stemmers leave 98% of them
# as they are, and they are a third of the words a corpus of manuals brings
_HAS_DIGIT = re.compile(r"\d").search


@lru_cache(maxsize=KEY_CACHE)
def key_en(word: str) -> str:
    """Index key of a lower-case word in the English field: fold accents, then stem."""
    if _HAS_DIGIT(word):
        return fold_accents(word)
    return _STEMMERS["en"](fold_accents(word))


@lru_cache(maxsize=KEY_CACHE)
def key_fr(word: str) -> str:
    """Index key of a lower-case word in the French field: stem (it needs the accents), then fold."""
    if _HAS_DIGIT(word):
        return fold_accents(word)
    return fold_accents(_STEMMERS["fr"](word))


KEYS = {"en": key_en, "fr": key_fr}


def _raw(word: str) -> str:
    return word


_KEYERS: dict[str, Callable[[str], str]] = {"en": key_en, "fr": key_fr, "fold": fold_accents, "raw": _raw}


class KeyTokenizer(Tokenizer):  # type: ignore[misc]  # Whoosh has no type information
    """Words → index keys in one pass: lower case, elisions split, stop words dropped, then
    the language's key (English or French stem with accents folded, accents folded only, or the
    word as is). One loop instead of a chain of filters: indexing spends its time here."""

    def __init__(self, mode: str = "en"):
        self.keymode = mode

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyTokenizer) and other.keymode == self.keymode

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        key = _KEYERS[self.keymode]
        stop = STOP.get(self.keymode, frozenset()) if removestops else frozenset()
        pos = start_pos
        # tokenize=False: the parser hands over a prefix or wildcard pattern to keep whole
        matches = TOKEN_RE.finditer(value) if tokenize else [_Whole(value)]
        for match in matches:
            for part in _split_word(match.group().lower()) if tokenize else (match.group().lower(),):
                if part in stop:
                    continue  # takes no position: phrases skip stop words the same way
                t.text = key(part)
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = part
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
                pos += 1
                yield t


class _Whole:
    """A stand-in for a regex match covering the whole value."""

    def __init__(self, value: str):
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


class KeyText(TEXT):  # type: ignore[misc]  # Whoosh has no type information
    """A TEXT field whose indexing skips Whoosh's token stream: words go straight to keys and
    positions in one loop. The postings are exactly what TEXT with a KeyTokenizer writes
    (a test compares them); only the Python work per word is smaller."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        ana = self.analyzer
        fmt = type(self.format)
        if not isinstance(ana, KeyTokenizer) or not isinstance(value, str) or fmt not in (Positions, Frequency):
            yield from super().index(value, **kwargs)
            return
        # C-level loops over the words (findall, map, filter): Python runs once per distinct key
        keys = list(filter(None, map(_TOKEN_KEYS[ana.keymode], _tokens(value))))
        if "'" in value or "’" in value:  # elisions come back as tuples of keys
            keys = [k for key in keys for k in ((key,) if isinstance(key, str) else key)]
        boost = self.format.field_boost
        if fmt is Frequency:
            for k, n in Counter(keys).items():
                yield k.encode("utf-8"), n, n * boost, pack_uint(n)
            return
        poses: dict[str, list[int]] = {}
        get = poses.get
        for pos, k in enumerate(keys):
            found = get(k)
            if found is None:
                poses[k] = [pos]
            else:
                found.append(pos)
        for k, plist in poses.items():
            n = len(plist)
            if n == 1:  # most keys of a page: their value is a copy of one made once
                first = plist[0]
                if first < len(_ONE_POSITION):
                    made = _ONE_POSITION[first]
                    # a copy, not the object: Whoosh's own writer (protocol 2) writes an object met
                    # twice in a block as a back-reference, which the phrase search's reading of
                    # such blocks cannot follow (Kbase's writer uses protocol 4, where it can)
                    yield k.encode("utf-8"), 1, boost, made[:1] + made[1:]
                else:
                    yield k.encode("utf-8"), 1, boost, _positions(plist)
            else:
                deltas = [plist[0]]
                deltas += [b - a for a, b in pairwise(plist)]
                yield k.encode("utf-8"), n, n * boost, _positions(deltas)


# the last text cut into tokens, and its tokens: a page's text goes to two fields (text_en and
# text_fr) one after the other, and the second reuses the first's tokens. One tuple, replaced
# whole, so a thread reading it never pairs a text with another's tokens
_last_tokens: tuple[str, list[str]] = ("", [])


def _tokens(value: str) -> list[str]:
    global _last_tokens
    text, tokens = _last_tokens
    if text is value:
        return tokens
    tokens = (TOKEN_RE if _HAS_CJK(value) else _PLAIN_TOKEN_RE).findall(value)
    _last_tokens = (value, tokens)
    return tokens


def _positions(deltas: list[int]) -> bytes:
    """Whoosh's Positions value: the count, then the pickled position deltas."""
    value: bytes = pack_uint(len(deltas)) + dumps(deltas, 2)
    return value


_ONE_POSITION = [_positions([pos]) for pos in range(4096)]


def _token_keys_for(mode: str) -> Any:
    key = _KEYERS[mode]
    stop = STOP.get(mode, frozenset())

    @lru_cache(maxsize=TOKEN_CACHE)
    def token_keys(token: str) -> str | tuple[str, ...] | None:
        """A token as found → its key, None for a stop word, a tuple of keys for an elision."""
        word = token.lower()
        if "'" in word or "’" in word:
            return tuple(key(part) for part in _split_word(word) if part not in stop) or None
        return None if word in stop else key(word)

    return token_keys


_TOKEN_KEYS = {mode: _token_keys_for(mode) for mode in _KEYERS}


def language_analyzer(lang: str) -> KeyTokenizer:
    return KeyTokenizer(lang)


def fold_analyzer() -> KeyTokenizer:
    return KeyTokenizer("fold")


def raw_analyzer() -> KeyTokenizer:
    """Lower-case words with accents kept: what the query parser hands to the rewriter."""
    return KeyTokenizer("raw")


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


__all__ = ["language_analyzer", "fold_analyzer", "raw_analyzer", "words", "index_key", "fold_accents", "TOKEN_RE",
           "KeyTokenizer", "KeyText"]
