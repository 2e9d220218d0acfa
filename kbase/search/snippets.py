"""Snippets: the best short passage of a page around the query's words, highlighted in HTML."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TypeAlias

from kbase.search.analysis import CJK, _split_word, fold_accents, key_en, key_fr

WIDTH = 200  # characters in a snippet, about 30 words
MAX_TEXT = 60_000  # characters of a page looked at (a page of tables can be huge)
_SPACE = re.compile(r"\s+")
_ACCENTED = {"a": "aàâäáãå", "e": "eéèêë", "i": "iîïíì", "o": "oôöóòõ", "u": "uùûüú", "c": "cç", "n": "nñ", "y": "yÿý"}
_CJK_RE = re.compile(f"[{CJK}]")
_Trie: TypeAlias = "dict[str, _Trie]"  # a word's next letter → the letters after it ("" ends a word)


def _letter(ch: str) -> str:
    variants = _ACCENTED.get(ch)
    return f"[{variants}]" if variants else re.escape(ch)


@lru_cache(maxsize=256)
def _candidates(keys: frozenset[str]) -> re.Pattern[str]:
    """Words that may stem to one of the keys: those starting like a key (a stem begins like its word).

    The regex scan runs in C; only its few candidates are stemmed and checked. The keys' first
    letters form a trie behind one word-start test: a fuzzy or prefix query has dozens of keys,
    and one alternative per key made the scan try each of them at every character."""
    cjk: set[str] = set()
    trie: _Trie = {}
    for key in keys:
        head = key[:3]
        if not head:
            continue
        if _CJK_RE.match(head):
            cjk.add("".join(_letter(ch) for ch in head))
            continue
        node = trie
        for ch in head:
            node = node.setdefault(ch, {})
        node[""] = {}  # a head may end here
    alts = sorted(cjk, key=len, reverse=True)
    if trie:
        alts.append(rf"(?<!\w){_trie(trie)}\w*(?:['’]\w+)?")
    if not alts:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(alts), re.IGNORECASE)


def _trie(node: _Trie) -> str:
    branches = [_letter(ch) + _trie(child) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        branches.append("")  # longer heads first, as the longest alternative used to be
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@lru_cache(maxsize=64)
def _verdicts(en: frozenset[str], fr: frozenset[str], folded: frozenset[str]) -> dict[str, bool]:
    """Words already checked against one query's keys: a result page repeats most of them."""
    return {}


def _matches(word: str, en: frozenset[str], fr: frozenset[str], folded: frozenset[str]) -> bool:
    for part in _split_word(word):
        if (en and key_en(part) in en) or (fr and key_fr(part) in fr) or (folded and fold_accents(part) in folded):
            return True
    return False


def snippet(text: str, highlight: dict[str, set[str]], width: int = WIDTH) -> str:
    """HTML of the passage of text with the most distinct query words, matches in <b>."""
    text = text[:MAX_TEXT]
    if not text.strip():
        return ""
    en, fr, folded = (frozenset(highlight.get(name, ())) for name in ("text_en", "text_fr", "fold"))
    pattern = _candidates(en | fr | folded)
    verdicts = _verdicts(en, fr, folded)
    hits: list[tuple[int, int, str]] = []
    for mt in pattern.finditer(text):
        word = mt.group().lower()
        ok = verdicts.get(word)
        if ok is None:
            ok = verdicts[word] = _matches(word, en, fr, folded)
            if len(verdicts) > 50_000:  # a huge page of distinct words: stay bounded
                verdicts.clear()
        if ok:
            hits.append((mt.start(), mt.end(), word))
    start, end = _best_window(text, hits, width)
    out: list[str] = ["… " if start > 0 else ""]
    pos = start
    for s, e, _ in hits:
        if s < start or e > end:
            continue
        out.append(html.escape(_SPACE.sub(" ", text[pos:s]), quote=False))
        out.append(f"<b>{html.escape(text[s:e], quote=False)}</b>")
        pos = e
    out.append(html.escape(_SPACE.sub(" ", text[pos:end]), quote=False))
    out.append(" …" if end < len(text.rstrip()) else "")
    return "".join(out).strip()


def _best_window(text: str, hits: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Character range holding the most distinct matched words, cut at word boundaries."""
    if not hits:
        first = 0
    else:
        best, best_score, lo = 0, (-1, 0), 0
        for hi in range(len(hits)):
            while hits[hi][1] - hits[lo][0] > width * 0.8:
                lo += 1
            score = (len({w for _, _, w in hits[lo:hi + 1]}), hi - lo + 1)
            if score > best_score:
                best, best_score = lo, score
        first = max(0, hits[best][0] - width // 5)  # a few words of context before the first match
    if first > 0:
        space = text.find(" ", first)
        first = space + 1 if 0 <= space < first + 20 else first
    end = min(len(text), first + width)
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first + width // 2 else end
    return first, end


def plain(snippet_html: str, bold: tuple[str, str] = ("**", "**")) -> str:
    """A snippet for a terminal: <b> becomes the given markers, entities are decoded."""
    return html.unescape(snippet_html.replace("<b>", bold[0]).replace("</b>", bold[1]))


__all__ = ["snippet", "plain"]
