"""Snippets: the best short window of a page around the query's words, highlighted in HTML."""

from __future__ import annotations

import html
import re

from kbase.analysis import TOKEN_RE, _split_word, fold_accents, key_en, key_fr

WINDOW = 28  # words in a snippet
_SPACE = re.compile(r"\s+")
MAX_TEXT = 60_000  # characters of a page looked at (a page of tables can be huge)


def _heads(keys: set[str]) -> tuple[set[str], set[str]]:
    """Three-letter starts of the keys (and the keys shorter than that): a stem begins like its word."""
    return {k[:3] for k in keys if len(k) >= 3}, {k for k in keys if len(k) < 3}


def _maybe(word: str, heads: set[str], short: set[str]) -> bool:
    """Cheap test before stemming: can this word's key be one of the keys at all?"""
    folded = fold_accents(word[:4])
    return folded[:3] in heads or any(folded.startswith(k) for k in short)


def _matches(word: str, en: set[str], fr: set[str], folded: set[str]) -> bool:
    for part in _split_word(word):
        if (en and key_en(part) in en) or (fr and key_fr(part) in fr) or (folded and fold_accents(part) in folded):
            return True
    return False


def snippet(text: str, highlight: dict[str, set[str]], window: int = WINDOW) -> str:
    """HTML of the window of text with the most distinct query words, matches in <b>."""
    en, fr, folded = highlight.get("text_en", set()), highlight.get("text_fr", set()), highlight.get("fold", set())
    text = text[:MAX_TEXT]
    tokens = [(mt.start(), mt.end(), mt.group().lower()) for mt in TOKEN_RE.finditer(text)]
    if not tokens:
        return ""
    heads, short = _heads(en | fr | folded)
    hits = [i for i, (_, _, w) in enumerate(tokens)
            if (_maybe(w, heads, short) or "'" in w or "’" in w) and _matches(w, en, fr, folded)]
    if not hits:
        first, last = 0, min(len(tokens), window) - 1
    else:
        first, last = _best_window(tokens, hits, window)
    start = tokens[first][0]
    hit_set = set(hits)
    out: list[str] = ["… " if first > 0 else ""]
    pos = start
    for i in range(first, last + 1):
        s, e, _ = tokens[i]
        if i > first:
            out.append(html.escape(_SPACE.sub(" ", text[pos:s]), quote=False))
        word = html.escape(text[s:e], quote=False)
        out.append(f"<b>{word}</b>" if i in hit_set else word)
        pos = e
    out.append(" …" if last < len(tokens) - 1 else "")
    return "".join(out)


def _best_window(tokens: list[tuple[int, int, str]], hits: list[int], window: int) -> tuple[int, int]:
    """First and last token of the window holding the most distinct matched words."""
    best, best_score = hits[0], (-1, 0)
    lo = 0
    for hi in range(len(hits)):
        while hits[hi] - hits[lo] >= window:
            lo += 1
        distinct = len({tokens[i][2] for i in hits[lo:hi + 1]})
        score = (distinct, hi - lo + 1)
        if score > best_score:
            best, best_score = hits[lo], score
    # centre the matches a little: start a few words before the first
    first = max(0, best - 6)
    last = min(len(tokens) - 1, first + window - 1)
    return first, last


def plain(snippet_html: str, bold: tuple[str, str] = ("**", "**")) -> str:
    """A snippet for a terminal: <b> becomes the given markers, entities are decoded."""
    return html.unescape(snippet_html.replace("<b>", bold[0]).replace("</b>", bold[1]))


__all__ = ["snippet", "plain"]
