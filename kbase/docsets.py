"""All documents matching a query as a set, computed with set operations on posting lists.

Whoosh's matchers walk documents one by one in Python; counting every match of a common word
(for the total and the facets) that way costs ~100 ms at 100k pages. Term postings are read a
block at a time instead, and AND/OR/NOT become C-speed set operations. Phrases and other
queries fall back to Whoosh's own matching, restricted to the candidate documents.
"""

from __future__ import annotations

import heapq
import math
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from functools import partial
from itertools import accumulate, compress, count, repeat
from io import BytesIO
from pickle import load as pickle_load, loads
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

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
            if not _read_direct(reader, fieldname, text, offset, ids, weights):
                if (fieldname, text) in reader:
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

    def positions(self, fieldname: str, text: str, docs: list[int]) -> dict[int, list[int]]:
        """{document: positions of the term in it} for the given sorted documents."""
        out: dict[int, list[int]] = {}
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (fieldname, text) in reader:
                _leaf_positions(reader, fieldname, text, offset, docs, out)
        return out


def remember_term_lookups(searcher: Searcher, most: int = 20_000) -> None:
    """Keep the keys read by the term tables' binary searches (prefix and fuzzy expansions
    look up dozens of terms, each ~20 keys read through a file handle; the upper levels of
    the search are the same every time). At most `most` keys per segment (~2 MB), then anew."""
    for leaf, _offset in searcher.leaf_searchers():
        tindex = getattr(getattr(leaf.reader(), "_terms", None), "_tindex", None)
        if tindex is None or not all(hasattr(tindex, a) for a in ("indexbase", "indexsize", "indexlen", "_get_pos", "key_at")):
            continue
        tindex.closest_key_pos = _closest_key_pos(tindex, most)


def _closest_key_pos(tindex: Any, most: int) -> Any:
    base, size, length = tindex.indexbase, tindex.indexsize, tindex.indexlen
    get_pos, key_at = tindex._get_pos, tindex.key_at
    keys: dict[int, bytes] = {}

    def closest_key_pos(key: bytes) -> int | None:
        """whoosh.filedb.filetables.OrderedHashReader.closest_key_pos, remembering keys."""
        if not isinstance(key, bytes):
            raise TypeError(f"Key {key!r} should be bytes")
        lo, hi = 0, length
        while lo < hi:
            mid = (lo + hi) // 2
            midkey = keys.get(mid)
            if midkey is None:
                if len(keys) >= most:
                    keys.clear()
                midkey = keys[mid] = key_at(get_pos(base + mid * size))
            if midkey < key:
                lo = mid + 1
            else:
                hi = mid
        return None if lo == length else get_pos(base + lo * size)

    return closest_key_pos


_TERM_LENGTHS = Struct("!ii")  # whoosh.filedb.filetables: key length, value length
_TERM_DF = Struct("!I")  # W3TermInfo: flags (1 byte), weight (4), document frequency


def prefix_frequencies(reader: Any, fieldname: str, prefix: str, most: int,
                       chunk: int = 1 << 15) -> list[tuple[bytes, int]] | None:
    """(term, document frequency) of the first `most` terms of the field that start with
    prefix in one segment, read from its term table in chunks and parsed in memory (Whoosh
    reads each entry through several file layers and unpickles inlined postings). None when
    the segment's term table is not the expected kind."""
    terms = getattr(reader, "_terms", None)
    tindex = getattr(terms, "_tindex", None)
    try:
        dbfile, end = tindex.dbfile, tindex.endofdata
        start_key = terms._keycoder(fieldname, prefix.encode("utf-8"))
        pos = tindex.closest_key_pos(start_key)
    except Exception:
        return None
    out: list[tuple[bytes, int]] = []
    buf, at = b"", 0
    heads = _TERM_LENGTHS.size
    while pos is not None and pos < end and len(out) < most:
        if at + heads > len(buf):
            buf, at = dbfile.get(pos, min(chunk, end - pos)), 0
        keylen, datalen = _TERM_LENGTHS.unpack_from(buf, at)
        if at + heads + keylen + datalen > len(buf):
            if at == 0:  # one entry longer than the chunk
                chunk = heads + keylen + datalen
            buf, at = dbfile.get(pos, min(max(chunk, heads + keylen + datalen), end - pos)), 0
            continue
        key = buf[at + heads:at + heads + keylen]
        if not key.startswith(start_key):
            break
        out.append((key[2:], _TERM_DF.unpack_from(buf, at + heads + keylen + 5)[0]))
        step = heads + keylen + datalen
        at += step
        pos += step
    return out


def _read_direct(reader: Any, fieldname: str, text: str, offset: int, ids: array, weights: array) -> bool:
    """_read_leaf from the term's entry in the term table, without a matcher (which reads a
    block header through the file layers before anything is asked). False: not this codec."""
    terms = getattr(reader, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    if postfile is None or not hasattr(reader, "_text_to_bytes") or fieldname not in reader.schema:
        return False
    try:
        info = terms.term_info(fieldname, reader._text_to_bytes(fieldname, text))
    except TermNotFound:
        return True  # not in this segment
    except Exception:
        return False
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    if info.is_inlined():
        inline_ids, inline_weights, _values = info.inlined_postings()
        for docnum, tf in zip(inline_ids, inline_weights):
            if docnum not in deleted:
                ids.append(docnum + offset)
                weights.append(tf)
        return True
    start, length = info.extent()
    blocks = _parse_blocks(postfile, start, length)
    if blocks is None:
        return False
    _add_blocks(blocks, reader.schema[fieldname].format.fixed_value_size(), deleted, offset, ids, weights)
    return True


def _read_leaf(reader: Any, fieldname: str, text: str, offset: int, ids: array, weights: array) -> None:
    matcher = reader.postings(fieldname, text)
    leaf = getattr(matcher, "child", matcher)  # FilterMatcher wraps a segment with deletions
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    blocks = _raw_blocks(leaf)
    if blocks is None:  # postings inlined in the term table, or another codec
        while matcher.is_active():
            if matcher.id() not in deleted:
                ids.append(matcher.id() + offset)
                weights.append(matcher.weight())
            matcher.next()
        return
    _add_blocks(blocks, leaf.format.fixed_value_size(), deleted, offset, ids, weights)


def _add_blocks(blocks: list[tuple[int, int, int, bytes]], fixed: int | None, deleted: Any, offset: int,
                ids: array, weights: array) -> None:
    for n, _maxid, compression, raw in blocks:
        data = _ids_and_weights(raw, compression, n, fixed) or _unpickle(raw, compression)
        block_ids = accumulate(data[0])
        block_weights = data[1]
        if block_weights is None:
            block_weights = repeat(1.0, n)
        elif isinstance(block_weights, float):
            block_weights = repeat(block_weights, n)
        if deleted:
            for docnum, tf in zip(block_ids, block_weights):
                if docnum not in deleted:
                    ids.append(docnum + offset)
                    weights.append(tf)
        else:
            ids.extend(map(offset.__add__, block_ids) if offset else block_ids)
            weights.extend(block_weights)


_INT = Struct("!i")


def _raw_blocks(leaf: Any) -> list[tuple[int, int, int, bytes]] | None:
    """(postings, last document, compression, data) of each block of a W3 posting list, from
    one read of the whole list (Whoosh reads each block's header through several layers of
    file objects). None when the postings are not such a list (inlined, another codec)."""
    try:
        postfile, start, length = leaf._postfile, leaf._startoffset, leaf._length
        if leaf._byteids:
            return None
    except AttributeError:
        return None
    return _parse_blocks(postfile, start, length)


def _parse_blocks(postfile: Any, start: int, length: Any) -> list[tuple[int, int, int, bytes]] | None:
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length in a 1-tuple
        length = length[0]
    buf = postfile.get(start, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    stream = BytesIO(buf)
    out = []
    pos = 4
    try:
        while True:
            size = _INT.unpack_from(buf, pos)[0]
            end = pos + _INT.size + abs(size)
            stream.seek(pos + _INT.size)
            info = pickle_load(stream)  # (postings, last id, max weight, compression, min/max length)
            out.append((info[0], info[1], info[3], buf[stream.tell():end]))
            if size < 0:
                return out
            pos = end
            if pos >= len(buf):
                return None
    except Exception:  # not the layout expected
        return None


def _unpickle(raw: bytes, compression: int) -> tuple[Any, Any, Any]:
    return loads(zlib.decompress(raw) if compression else raw)


_BYTES_GLOBAL = b"c_codecs\nencode\n"  # how protocol 2 pickles the first bytes object
_PARTIAL = 2048  # bytes decompressed at a time while looking for the values


def _ids_and_weights(raw: bytes, compression: int, n: int, fixed: int | None) -> tuple[Any, Any, tuple] | None:
    """(ids, weights, ()) of a block without unpickling its values (positions).

    A block is a pickled (ids, weights, values) tuple; values, last, are bytes objects that
    protocol 2 rebuilds one function call each: most of the decoding time for a field with
    positions. The pickle is cut where the values begin and closed with an empty tuple (only
    as much as needed is decompressed). Anything unexpected returns None: the caller decodes
    the whole block the usual way."""
    if fixed == 0:
        return None
    try:
        if compression:
            inflater = zlib.decompressobj()
            out = inflater.decompress(raw, _PARTIAL)
            while (at := out.find(_BYTES_GLOBAL)) < 0 and inflater.unconsumed_tail:
                out += inflater.decompress(inflater.unconsumed_tail, _PARTIAL)
        else:
            out = raw
            at = out.find(_BYTES_GLOBAL)
        if at < 0:
            return None
        if (fixed is None or fixed < 0) and n > 3:  # a tuple of values opens with a MARK
            at -= 1
            if out[at:at + 1] != b"(":
                return None
        data = loads(out[:at] + b")\x87.")
    except Exception:  # not the layout expected: let Whoosh decode it
        return None
    if not (isinstance(data, tuple) and len(data) == 3 and isinstance(data[0], tuple) and len(data[0]) == n):
        return None
    weights = data[1]
    if not (weights is None or isinstance(weights, float) or (isinstance(weights, tuple) and len(weights) == n)):
        return None
    return data


def _positions(value: bytes) -> list[int]:
    """Positions of one posting (whoosh.formats.Positions.decode_positions, the sums in C)."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))


def _many_positions(values: list[bytes]) -> list[list[int]]:
    """_positions of each value, unpickled in one call: each value is a count and a pickled
    list of gaps; their pickles, stripped of header and end, become the items of one tuple."""
    if all(v.startswith(b"\x80\x02]", _INT_SIZE) for v in values):
        start = _INT_SIZE + 2
        body = b"".join([v[start:-1] if v.endswith(b".") else v[start:] for v in values])
        try:
            gaps = loads(b"\x80\x02(" + body + b"t.")
        except Exception:
            gaps = None
        if isinstance(gaps, tuple) and len(gaps) == len(values):
            return list(map(list, map(accumulate, gaps)))
    return [_positions(v) for v in values]


_GAPS_HEAD = b"\xc2\x80\x02]"  # in a block pickle, how each value's own pickled gaps begin
_LE_UINT = Struct("<I")


def _values_apart(data: bytes, n: int) -> tuple[tuple, list[bytes]] | None:
    """(delta-coded ids, the block pickle split where each value's gaps begin) of a
    decompressed block with positions, without unpickling its n values (protocol 2 rebuilds
    each bytes value with a function call): a phrase wants a few values of most blocks.

    Each value is pickled as BINUNICODE ("X", 4-byte length, UTF-8) of its latin-1 text: the
    4-byte position count, then the gaps' pickle, which opens with \x80\x02] (UTF-8 \xc2\x80…)."""
    at = data.find(_BYTES_GLOBAL)
    if at < 1 or n <= 3 or data[at - 1:at] != b"(":
        return None
    try:
        head = loads(data[:at - 1] + b")\x87.")
    except Exception:
        return None
    if not (isinstance(head, tuple) and len(head) == 3 and isinstance(head[0], tuple) and len(head[0]) == n):
        return None
    parts = data[at:].split(_GAPS_HEAD)
    if len(parts) != n + 1:
        return None
    return head[0], parts


def _value_at(parts: list[bytes], i: int) -> bytes:
    """Value i of a block split by _values_apart (a count under 128: four one-byte characters)."""
    before = parts[i]
    if before[-9:-8] != b"X":
        raise ValueError("unexpected value layout")
    size = _LE_UINT.unpack_from(before, len(before) - 8)[0]
    text = before[-4:] + _GAPS_HEAD + parts[i + 1][:size - 8]
    if len(text) != size:
        raise ValueError("unexpected value layout")
    return text.decode("utf-8").encode("latin-1")


def _leaf_positions(reader: Any, fieldname: str, text: str, offset: int, wanted: list[int],
                    out: dict[int, list[int]]) -> None:
    """Positions of the term in the wanted documents (sorted, index-wide numbers) of one segment.

    Blocks holding none of them are skipped from their headers, without being decoded."""
    matcher = reader.postings(fieldname, text)
    leaf = getattr(matcher, "child", matcher)
    if not hasattr(leaf, "_read_data"):
        while matcher.is_active():
            docnum = matcher.id() + offset
            i = bisect_left(wanted, docnum)
            if i < len(wanted) and wanted[i] == docnum:
                out[docnum] = _positions(matcher.value())
            matcher.next()
        return
    blocks = _raw_blocks(leaf)
    fixed = leaf.format.fixed_value_size()
    if blocks is None or not (fixed is None or fixed < 0):
        lowest = offset
        while leaf.is_active():  # Whoosh's own reading
            highest = leaf._maxid + offset
            lo = bisect_left(wanted, lowest)
            if lo < bisect_right(wanted, highest, lo):
                leaf._read_ids()
                leaf._read_values()
                for docnum, value in zip(leaf._ids, leaf._values):
                    i = bisect_left(wanted, docnum + offset)
                    if i < len(wanted) and wanted[i] == docnum + offset:
                        out[docnum + offset] = _positions(value)
            lowest = highest + 1
            leaf._next_block()
        return
    lowest = offset  # every document of the block is above the previous block's last one
    for _n, maxid, compression, raw in blocks:
        highest = maxid + offset
        lo = bisect_left(wanted, lowest)
        hi = bisect_right(wanted, highest, lo)
        if lo < hi:  # only blocks holding a wanted document are decoded
            data = zlib.decompress(raw) if compression else raw
            found = _values_apart(data, _n)
            if found is None:  # not the layout expected: unpickle the whole block
                block_ids, _weights, values = loads(data)
                get_value: Any = values.__getitem__
            else:
                block_ids, parts = found
                get_value = partial(_value_at, parts)
            where = dict(zip(map(offset.__add__, accumulate(block_ids)), count()))
            docs = [d for d in wanted[lo:hi] if d in where]
            try:
                chosen = [get_value(where[d]) for d in docs]
            except ValueError:  # a value not laid out as expected
                values = loads(data)[2]
                chosen = [values[where[d]] for d in docs]
            out.update(zip(docs, _many_positions(chosen)))
        lowest = highest + 1


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
    slop 1). Positions are read only for the documents holding every word (and allowed by
    candidates), rarest word first, so each next word is looked up in fewer documents."""
    words = list(q.words)
    if not words:
        return set()
    sets = sorted((term_docs(postings, q.fieldname, w) for w in words), key=len)
    docs = set(candidates) if candidates is not None else sets[0]
    for other in sets:
        docs = docs & other
        if not docs:
            return set()
    if len(words) == 1:
        return docs
    order = sorted(range(len(words)), key=lambda i: postings.doc_frequency(q.fieldname, words[i]))
    # for each document, the positions of the first word read (base) that can still start
    # the phrase there: word i must stand at p + i - base (lists: most words occur once a page)
    read: dict[str, dict[int, list[int]]] = {}  # a word repeated in the phrase is read once
    base = order[0]
    starts = read[words[base]] = postings.positions(q.fieldname, words[base], sorted(docs))
    for i in order[1:]:
        found = read.get(words[i])
        if found is None:
            found = read[words[i]] = postings.positions(q.fieldname, words[i], sorted(starts))
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





# -- ranking ---------------------------------------------------------------------------------
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

    def __init__(self, ids: array, weights: array, idf: float):
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
        for docnum, tf in zip(ids, weights):
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
    if sum(len(t.ids) for t in terms) > first and len(terms) <= PRUNE_TERMS:
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
        score = scores.get(docnum)
        if score is not None:
            score *= boost
            group = doc_pub[docnum]
            if score > get(group, -1.0):
                best[group] = score
    best.pop(0, None)  # documents of no publication
    return best


def _top(best: dict[int, float], want: int) -> list[int]:
    return heapq.nlargest(want, best, key=lambda g: (best[g], -g))


__all__ = ["prefix_frequencies", "remember_term_lookups", "doc_set", "phrase_docs", "term_docs", "score_docs", "top_groups", "scoring_terms", "Postings"]
