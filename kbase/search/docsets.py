"""All documents matching a query as a set, computed with set operations on posting lists.

Whoosh's matchers walk documents one by one in Python; counting every match of a common word
(for the total and the facets) that way costs ~100 ms at 100k pages. Term postings are read a
block at a time instead, and AND/OR/NOT become C-speed set operations. Phrases meet their
words' positions as set operations too (the segments' keys files, kbase/search/whoosh/keys.py);
other queries fall back to Whoosh's own matching, restricted to the candidate documents.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import OrderedDict
from functools import partial
from itertools import repeat
from operator import add, rshift
from typing import Any, Callable

from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.searching import Searcher

from kbase.search.whoosh.keys import SHIFT, KeysReader, open_keys
from kbase.search.whoosh.w3blocks import leaf_positions, read_direct, read_leaf

# a phrase reads a word's keys (see whoosh/keys.py) when they are at most this many per document
# still possible, else Whoosh's blocks for those documents (a phrase ANDed with a rare word): a
# document read from the blocks costs about a block (~100 µs), a key ~0.1 µs
KEYS_PER_DOCUMENT = 512


class Postings:
    """Posting lists read block by block, kept for the next queries (a bounded LRU cache).

    One cache per open searcher: a new index version starts a new cache."""

    def __init__(self, searcher: Searcher, budget: int = 3_000_000):
        self.searcher = searcher
        self.budget = budget  # postings kept, ~8 bytes each
        self.size = 0
        self._cache: OrderedDict[tuple[str, str], tuple[array[int], array[float]]] = OrderedDict()
        self.total = max(1, searcher.doc_count_all())
        self._keys: dict[int, KeysReader | None] = {}  # by segment: its keys file (see whoosh/keys.py)

    def get(self, fieldname: str, text: str) -> tuple[array[int], array[float]]:
        """(document numbers, term frequencies) of one term across all segments."""
        key = (fieldname, text)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        ids, weights = array("i"), array("f")
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if not read_direct(reader, fieldname, text, offset, ids, weights):
                if (fieldname, text) in reader:
                    read_leaf(reader, fieldname, text, offset, ids, weights)
        found = (ids, weights)
        self._cache[key] = found
        self.size += len(ids)
        while self.size > self.budget and len(self._cache) > 1:
            _k, (old, _w) = self._cache.popitem(last=False)
            self.size -= len(old)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        return len(self.get(fieldname, text)[0])

    def segments(self) -> list[tuple[int, int, Any, KeysReader | None]]:
        """(first document, end, reader, keys file or None) of each segment, in order."""
        out = []
        for i, (leaf, offset) in enumerate(self.searcher.leaf_searchers()):
            reader = leaf.reader()
            if i not in self._keys:
                self._keys[i] = open_keys(reader)
            out.append((offset, offset + reader.doc_count_all(), reader, self._keys[i]))
        return out



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
            if type(sub) is wq.Term:  # straight from the posting list, no set in between
                out.update(postings.get(sub.fieldname, sub.text)[0])
            else:
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
            ids = _within(postings, sub, result, universe)
            result = ids if result is None else result & ids
        if result is None:
            result = _all_docs(searcher) if universe is None else set(universe)
        for sub in negative:
            if type(sub) is wq.Term:
                result.difference_update(postings.get(sub.fieldname, sub.text)[0])
            elif isinstance(sub, wq.Or) and all(type(t) is wq.Term for t in sub.subqueries):
                for t in sub.subqueries:
                    result.difference_update(postings.get(t.fieldname, t.text)[0])
            else:
                result -= doc_set(postings, sub, universe)
        return result
    if isinstance(q, wq.AndNot):
        return doc_set(postings, q.a, universe) - doc_set(postings, q.b, universe)
    if isinstance(q, wq.Not):
        base = _all_docs(searcher) if universe is None else set(universe)
        return base - doc_set(postings, q.query, universe)
    if isinstance(q, wq.Every):
        return _all_docs(searcher)
    if _is_phrase(postings, q):
        return phrase_docs(postings, q, None)
    return _matching(searcher, q, None)


def _within(postings: Postings, q: wq.Query, candidates: set[int] | None, universe: set[int] | None) -> set[int]:
    """doc_set(q) & candidates, checking phrases only in the candidates."""
    if candidates is None:
        return doc_set(postings, q, universe)
    if not candidates:
        return set()
    if _is_phrase(postings, q):
        return phrase_docs(postings, q, candidates)
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for sub in q.subqueries:
            out |= _within(postings, sub, candidates, universe)
        return out
    if _is_simple(q):
        return doc_set(postings, q, universe) & candidates
    return _matching(postings.searcher, q, candidates)


def _is_phrase(postings: Postings, q: wq.Query) -> bool:
    """A phrase this module can check itself: adjacent words in a field with positions."""
    if not isinstance(q, wq.Phrase) or q.slop != 1:
        return False
    schema = postings.searcher.schema
    return q.fieldname in schema and isinstance(schema[q.fieldname].format, Positions)


def phrase_docs(postings: Postings, q: wq.Phrase, candidates: set[int] | None) -> set[int]:
    """Documents where the phrase's words stand side by side, in order (as Whoosh's Phrase with
    slop 1), segment by segment: from the keys files where the segments have them, else from
    Whoosh's blocks for the documents holding every word (and allowed by candidates)."""
    words = list(q.words)
    if not words:
        return set()
    if len(words) == 1:
        return _holding_all(postings, q.fieldname, words, candidates)
    frequencies = [postings.doc_frequency(q.fieldname, w) for w in words]
    if not all(frequencies):
        return set()
    order = sorted(range(len(words)), key=frequencies.__getitem__)  # rarest word first
    holding: list[list[int]] = []  # the documents holding every word, sorted, once needed

    def wanted(start: int, end: int) -> list[int]:
        if not holding:
            holding.append(sorted(_holding_all(postings, q.fieldname, words, candidates)))
        every = holding[0]
        return every[bisect_left(every, start):bisect_left(every, end)]

    found: set[int] = set()
    for start, end, reader, keys in postings.segments():
        if keys is not None:
            found.update(_keyed(reader, keys, q.fieldname, words, order, partial(wanted, start, end), start,
                                candidates))
            continue
        at = wanted(start, end)
        if at:
            def read(word: str, at: list[int], reader: Any = reader, start: int = start) -> dict[int, list[int]]:
                out: dict[int, list[int]] = {}
                if (q.fieldname, word) in reader:
                    leaf_positions(reader, q.fieldname, word, start, at, out)
                return out
            found.update(_narrowed(words, order, at, read))
    return found


def _holding_all(postings: Postings, fieldname: str, words: list[str], candidates: set[int] | None) -> set[int]:
    """The documents holding every word (and in candidates)."""
    sets = sorted((term_docs(postings, fieldname, w) for w in words), key=len)
    docs = set(candidates) if candidates is not None else sets[0]
    for other in sets:
        docs = docs & other
        if not docs:
            return set()
    return docs


def _keyed(reader: Any, keys: KeysReader, fieldname: str, words: list[str], order: list[int],
           wanted: Callable[[], list[int]], start: int, candidates: set[int] | None) -> set[int]:
    """The phrase in one segment with a keys file, each step a set operation in C: the keys of
    the words read so far that can be part of the phrase, shifted by the distance to the next
    word and met with its keys. A word the file does not hold (rare in this segment), or whose
    keys are many for the documents still possible, is read from Whoosh's blocks for those
    documents (wanted(): the segment's documents holding every word, index-wide, sorted)."""
    to_bytes = reader._text_to_bytes
    read: dict[str, Any] = {}  # a word repeated in the phrase is read once
    current: Any = None  # keys of word `last` that can be part of the phrase
    last = 0
    for i in order:
        word = words[i]
        got = read.get(word)
        if got is None:
            if (fieldname, word) not in reader:
                return set()
            btext = to_bytes(fieldname, word)
            few = len(current) if current is not None else len(candidates) if candidates is not None else None
            count = keys.count(fieldname, btext)
            if count and (few is None or count <= few * KEYS_PER_DOCUMENT):
                got = keys.get(fieldname, btext)
            if got is None:
                at = wanted() if current is None else sorted(_documents(current, start).intersection(wanted()))
                out: dict[int, list[int]] = {}
                leaf_positions(reader, fieldname, word, start, at, out)
                got = [((d - start) << SHIFT) + p for d, ps in out.items() for p in ps]
            read[word] = got
        if current is None:
            current = got
        else:
            current = set(map(add, current, repeat(i - last))).intersection(got)
            if not current:
                return set()
        last = i
    docs = _documents(current, start)
    if reader.has_deletions():  # the keys file holds the documents deleted since it was written
        docs.difference_update(map(add, reader.deleted_docs_set, repeat(start)))
    if candidates is not None:
        docs.intersection_update(candidates)
    return docs


def _documents(keys: Any, start: int) -> set[int]:
    """The (index-wide) documents of keys of a segment whose first document is start."""
    return set(map(add, map(rshift, keys, repeat(SHIFT)), repeat(start)))


def _narrowed(words: list[str], order: list[int], docs: list[int],
              read_positions: Callable[[str, list[int]], dict[int, list[int]]]) -> set[int]:
    """The phrase where positions come from Whoosh's blocks: for each document, the positions of
    the first word read (base) that can still start the phrase there; word i must stand at
    p + i - base (lists: most words occur once a page)."""
    read: dict[str, dict[int, list[int]]] = {}  # a word repeated in the phrase is read once
    base = order[0]
    starts = read[words[base]] = read_positions(words[base], docs)
    for i in order[1:]:
        found = read.get(words[i])
        if found is None:
            found = read[words[i]] = read_positions(words[i], sorted(starts))
        delta = i - base
        narrowed: dict[int, list[int]] = {}
        for d, at in starts.items():
            then = found.get(d)
            if not then:
                continue
            if len(at) == 1:
                if at[0] + delta in then:
                    narrowed[d] = at
            else:
                later = set(then) if len(then) > 8 else then
                kept = [p for p in at if p + delta in later]
                if kept:
                    narrowed[d] = kept
        starts = narrowed
        if not starts:
            return set()
    return set(starts)


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


__all__ = ["Postings", "doc_set", "phrase_docs", "term_docs"]
