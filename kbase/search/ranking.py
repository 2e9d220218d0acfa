"""Ranking the matches of a query: BM25-like scores from posting lists, and the top groups
(publications) without scoring every match when a bound proves the answer."""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from itertools import compress
from typing import Any

from whoosh import query as wq

from kbase.search.docsets import Postings

SATURATION = 1.2  # BM25's k1: the tenth occurrence of a word on a page adds little


def scoring_terms(q: wq.Query) -> list[tuple[str, str]]:
    """The (field, key) pairs whose occurrences rank a match (negated parts never do), in a
    fixed order (the same sums, to the last bit, however the documents are scored)."""
    return sorted(_scoring_terms(q))


def _scoring_terms(q: wq.Query) -> set[tuple[str, str]]:
    if isinstance(q, wq.Not):
        return set()
    if isinstance(q, wq.AndNot):
        return _scoring_terms(q.a)
    if type(q) is wq.Term:
        return {(q.fieldname, q.text)}
    if isinstance(q, wq.Phrase):
        return {(q.fieldname, w) for w in q.words}
    if isinstance(q, wq.compound.CompoundQuery):
        out: set[tuple[str, str]] = set()
        for sub in q.subqueries:
            out |= _scoring_terms(sub)
        return out
    return set()


class _Term:
    """One scoring term of a query: its postings, idf, and how much of them a round takes.

    Levels: level j takes the postings with the j highest distinct frequencies."""

    __slots__ = ("ids", "weights", "idf", "hist", "level")

    def __init__(self, ids: array[int], weights: array[float], idf: float):
        self.ids, self.weights, self.idf = ids, weights, idf
        self.hist: list[tuple[float, int]] = []  # (term frequency, postings with it), highest first
        self.level = 0

    def gain(self, tf: float) -> float:
        return self.idf * tf / (tf + SATURATION)

    def start(self, budget: int) -> None:
        """The deepest level holding at most budget postings (all of them when few)."""
        if len(self.ids) <= budget:
            self.hist = [(min(self.weights), len(self.ids))]
            self.level = 1
            return
        self.hist = sorted(Counter(self.weights).items(), reverse=True)  # counted in C
        taken = level = 0
        for _tf, n in self.hist:
            if taken + n > budget:
                break
            taken += n
            level += 1
        self.level = level

    def rest(self, level: int | None = None) -> float:
        """The most a posting not taken at the level adds to a score."""
        level = self.level if level is None else level
        return self.gain(self.hist[level][0]) if level < len(self.hist) else 0.0

    def size(self, level: int | None = None) -> int:
        level = self.level if level is None else level
        return sum(n for _tf, n in self.hist[:level])

    def taken(self) -> Any:
        if self.level >= len(self.hist):
            return self.ids
        if self.level == 0:
            return ()
        floor = self.hist[self.level - 1][0]
        return compress(self.ids, map(floor.__le__, self.weights))


def _terms(postings: Postings, q: wq.Query) -> list[_Term]:
    total = postings.total
    out = []
    for fieldname, text in scoring_terms(q):
        ids, weights = postings.get(fieldname, text)
        df = len(ids)
        if df:
            out.append(_Term(ids, weights, math.log(1.0 + (total - df + 0.5) / (df + 0.5))))
    return out


def score_docs(postings: Postings, q: wq.Query, matched: set[int] | list[int],
               terms: list[_Term] | None = None) -> dict[int, float]:
    """A BM25-like score (idf × saturated term frequency) for every matched document.

    Adds up each query term's postings in a dict: no per-document matcher tree. When the
    documents are few beside a posting list, each is looked up in the list instead."""
    scores = dict.fromkeys(matched, 0.0)
    if not scores:
        return scores
    docset = matched if isinstance(matched, set) else None
    for term in _terms(postings, q) if terms is None else terms:
        ids, weights, idf = term.ids, term.weights, term.idf
        n = len(ids)
        found: Any = None
        if len(scores) * 16 < n:
            found = scores
        elif docset is not None and len(docset) < n:
            found = docset.intersection(ids)  # in C: which of the documents hold the term
            if len(found) * 4 > n:
                found = None
        if found is not None:  # binary search: ~log2(n) steps per document instead of n in all
            for docnum in found:
                i = bisect_left(ids, docnum)
                if i < n and ids[i] == docnum:
                    tf = weights[i]
                    scores[docnum] += idf * tf / (tf + SATURATION)
            continue
        get = scores.get
        for docnum, tf in zip(ids, weights, strict=False):
            old = get(docnum)
            if old is not None:
                scores[docnum] = old + idf * tf / (tf + SATURATION)
    return scores


FIRST_BUDGET = 512  # postings per term scored in the first round of top_groups
PRUNE_TERMS = 8  # queries with more scoring terms score every match


def top_groups(postings: Postings, q: wq.Query, matched: set[int], doc_pub: Any, boosted: set[int],
               boost: float, want: int, first: int = FIRST_BUDGET, trace: list[int] | None = None) -> dict[int, float]:
    """{group: best score} of the `want` groups (publications) whose best document scores
    highest, as if every matched document were scored (ties: lower group number first).

    Scoring every match of a common word costs a Python step per posting. Instead, round one
    scores only the documents holding some term at one of its highest frequencies (at most
    `first` postings per term) plus the boosted ones: any other document scores at most the
    sum of the terms' next gains (the bound). When the want-th group beats the bound, that is
    the answer. Otherwise its score is a floor for the true want-th score, and round two
    takes more postings (where each removes most of the bound) until the bound is below that
    floor, which makes round two exact. When that would take half the matches, all are scored.
    trace, if given, receives the round that answered (0: every match scored)."""
    if want <= 0 or not matched:
        return {}
    terms = _terms(postings, q)
    boosted = boosted & matched

    def answer(best: dict[int, float], top: list[int], round_: int) -> dict[int, float]:
        if trace is not None:
            trace.append(round_)
        return {g: best[g] for g in top}

    # many terms (a prefix's or a fuzzy word's spellings): each document holds few of them, so
    # the bound stays loose, and the passes over their postings cost more than scoring them all
    # few matches beside the postings (a phrase, an AND of common words): scoring them all is a few
    # lookups each, less than counting the frequencies of whole posting lists for the bound
    postings_in_all = sum(len(t.ids) for t in terms)
    if postings_in_all > first and len(terms) <= PRUNE_TERMS and len(matched) > first \
            and len(matched) * 8 > postings_in_all:
        for term in terms:
            term.start(first)
        pool = _pool(terms, boosted, matched)
        if len(pool) * 2 <= len(matched):
            scores = score_docs(postings, q, pool, terms)
            best = _best_groups(scores, doc_pub, boosted, boost)
            top = _top(best, want)
            if len(top) == want and best[top[-1]] > _bound(terms):
                return answer(best, top, 1)
            if len(top) == want and _deepen(terms, best[top[-1]], len(matched) // 2):
                more = _pool(terms, set(), matched)
                more.difference_update(scores)
                scores.update(score_docs(postings, q, more, terms))
                best = _best_groups(scores, doc_pub, boosted, boost)
                top = _top(best, want)
                if len(top) == want and best[top[-1]] > _bound(terms):
                    return answer(best, top, 2)
    best = _best_groups(score_docs(postings, q, matched, terms), doc_pub, boosted, boost)
    return answer(best, _top(best, want), 0)


def _pool(terms: list[_Term], boosted: set[int], matched: set[int]) -> set[int]:
    pool = set(boosted)
    for term in terms:
        pool.update(term.taken())
    pool &= matched
    return pool


def _bound(terms: list[_Term]) -> float:
    """The most a document outside the pool can score (with room for rounding)."""
    return math.fsum(t.rest() for t in terms) * (1 + 1e-9) + 1e-12


def _deepen(terms: list[_Term], floor: float, most: int) -> bool:
    """Take more postings until the bound is below floor, each step where it buys the most
    bound per posting; False if that would take more than `most` postings."""
    heap: list[tuple[float, int]] = []
    for i, t in enumerate(terms):
        if t.level < len(t.hist):
            heapq.heappush(heap, (-(t.rest() - t.rest(t.level + 1)) / t.hist[t.level][1], i))
    total = sum(t.size() for t in terms)
    while _bound(terms) >= floor:
        if not heap or total > most:
            return False
        _key, i = heapq.heappop(heap)
        t = terms[i]
        total += t.hist[t.level][1]
        t.level += 1
        if t.level < len(t.hist):
            heapq.heappush(heap, (-(t.rest() - t.rest(t.level + 1)) / t.hist[t.level][1], i))
    return total <= most


def _best_groups(scores: dict[int, float], doc_pub: Any, boosted: set[int], boost: float) -> dict[int, float]:
    best: dict[int, float] = {}
    get = best.get
    for docnum, score in scores.items():
        group = doc_pub[docnum]
        if score > get(group, -1.0):
            best[group] = score
    for docnum in boosted:  # few: the publications' own metadata documents
        found = scores.get(docnum)
        if found is not None:
            score = found * boost
            group = doc_pub[docnum]
            if score > get(group, -1.0):
                best[group] = score
    best.pop(0, None)  # documents of no publication
    return best


def _top(best: dict[int, float], want: int) -> list[int]:
    return heapq.nlargest(want, best, key=lambda g: (best[g], -g))


__all__ = ["score_docs", "top_groups", "scoring_terms"]
