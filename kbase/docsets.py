"""All documents matching a query as a set, computed with set operations on posting lists.

Whoosh's matchers walk documents one by one in Python; counting every match of a common word
(for the total and the facets) that way costs ~100 ms at 100k pages. Term postings are read a
block at a time instead, and AND/OR/NOT become C-speed set operations. Phrases and other
queries fall back to Whoosh's own matching, restricted to the candidate documents.
"""

from __future__ import annotations

import math
from array import array
from collections import OrderedDict
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher


class Postings:
    """Posting lists read block by block, kept for the next queries (a bounded LRU cache).

    One cache per open searcher: a new index version starts a new cache."""

    def __init__(self, searcher: Searcher, budget: int = 3_000_000):
        self.searcher = searcher
        self.budget = budget  # postings kept, ~8 bytes each
        self.size = 0
        self._cache: OrderedDict[tuple[str, str], tuple[array, array]] = OrderedDict()
        self.total = max(1, searcher.doc_count_all())

    def get(self, fieldname: str, text: str) -> tuple[array, array]:
        """(document numbers, term frequencies) of one term across all segments."""
        key = (fieldname, text)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        ids, weights = array("i"), array("f")
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (fieldname, text) not in reader:
                continue
            _read_leaf(reader, fieldname, text, offset, ids, weights)
        found = (ids, weights)
        self._cache[key] = found
        self.size += len(ids)
        while self.size > self.budget and len(self._cache) > 1:
            _k, (old, _w) = self._cache.popitem(last=False)
            self.size -= len(old)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        return len(self.get(fieldname, text)[0])


def _read_leaf(reader: Any, fieldname: str, text: str, offset: int, ids: array, weights: array) -> None:
    matcher = reader.postings(fieldname, text)
    leaf = getattr(matcher, "child", matcher)  # FilterMatcher wraps a segment with deletions
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    if not (hasattr(leaf, "_read_ids") and hasattr(leaf, "_read_weights")):  # another codec: the general way
        for docnum in matcher.all_ids():
            ids.append(docnum + offset)
            weights.append(1.0)
        return
    while leaf.is_active():
        leaf._read_ids()
        leaf._read_weights()
        if deleted or offset:
            for docnum, tf in zip(leaf._ids, leaf._weights):
                if docnum not in deleted:
                    ids.append(docnum + offset)
                    weights.append(tf)
        else:
            ids.extend(leaf._ids)
            weights.extend(leaf._weights)
        leaf._next_block()


def term_docs(postings: Postings, fieldname: str, text: str) -> set[int]:
    return set(postings.get(fieldname, text)[0])


def doc_set(postings: Postings, q: wq.Query, universe: set[int] | None = None) -> set[int]:
    """The set of document numbers matching q (universe: all live documents, for NOT)."""
    searcher = postings.searcher
    if type(q) is wq.Term:
        return term_docs(postings, q.fieldname, q.text)
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for sub in q.subqueries:
            out |= doc_set(postings, sub, universe)
        return out
    if isinstance(q, wq.And):
        positive = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        negative = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        simple = [s for s in positive if _is_simple(s)]
        complex_ = [s for s in positive if not _is_simple(s)]
        result: set[int] | None = None
        for sub in simple:
            ids = doc_set(postings, sub, universe)
            result = ids if result is None else result & ids
            if not result:
                return set()
        for sub in complex_:  # phrases: checked only against what the simple parts allow
            ids = _matching(searcher, sub, result)
            result = ids if result is None else result & ids
        if result is None:
            result = _all_docs(searcher) if universe is None else set(universe)
        for sub in negative:
            result -= doc_set(postings, sub, universe)
        return result
    if isinstance(q, wq.AndNot):
        return doc_set(postings, q.a, universe) - doc_set(postings, q.b, universe)
    if isinstance(q, wq.Not):
        base = _all_docs(searcher) if universe is None else set(universe)
        return base - doc_set(postings, q.query, universe)
    if isinstance(q, wq.Every):
        return _all_docs(searcher)
    return _matching(searcher, q, None)


def _is_simple(q: wq.Query) -> bool:
    if type(q) is wq.Term:
        return True
    if isinstance(q, (wq.Or, wq.And)):
        return all(_is_simple(s) or isinstance(s, wq.Not) for s in q.subqueries)
    return False


def _matching(searcher: Searcher, q: wq.Query, candidates: set[int] | None) -> set[int]:
    if candidates is not None and not candidates:
        return set()
    ids = set(searcher.docs_for_query(q))
    return ids if candidates is None else ids & candidates


def _all_docs(searcher: Searcher) -> set[int]:
    return set(searcher.reader().all_doc_ids())





# -- ranking ---------------------------------------------------------------------------------
SATURATION = 1.2  # BM25's k1: the tenth occurrence of a word on a page adds little


def scoring_terms(q: wq.Query) -> set[tuple[str, str]]:
    """The (field, key) pairs whose occurrences rank a match (negated parts never do)."""
    if isinstance(q, wq.Not):
        return set()
    if isinstance(q, wq.AndNot):
        return scoring_terms(q.a)
    if type(q) is wq.Term:
        return {(q.fieldname, q.text)}
    if isinstance(q, wq.Phrase):
        return {(q.fieldname, w) for w in q.words}
    if isinstance(q, wq.compound.CompoundQuery):
        out: set[tuple[str, str]] = set()
        for sub in q.subqueries:
            out |= scoring_terms(sub)
        return out
    return set()


def score_docs(postings: Postings, q: wq.Query, matched: set[int]) -> dict[int, float]:
    """A BM25-like score (idf × saturated term frequency) for every matched document.

    Adds up each query term's postings in a dict: no per-document matcher tree, so ranking
    all matches of a common word stays in the milliseconds."""
    scores = dict.fromkeys(matched, 0.0)
    total = postings.total
    for fieldname, text in scoring_terms(q):
        ids, weights = postings.get(fieldname, text)
        df = len(ids)
        if not df:
            continue
        idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
        get = scores.get
        for docnum, tf in zip(ids, weights):
            old = get(docnum)
            if old is not None:
                scores[docnum] = old + idf * tf / (tf + SATURATION)
    return scores


__all__ = ["doc_set", "term_docs", "score_docs", "scoring_terms", "Postings"]
