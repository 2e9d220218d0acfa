"""Whoosh's W3 posting lists and term tables read straight from the segment files.

Whoosh reads a posting block's header through several layers of file objects and unpickles
every value (positions) of a block to get at its document numbers. Here a posting list is read
in one piece and split into blocks in memory; document numbers and frequencies are unpickled
without the positions, and positions only for the documents asked for. Anything not laid out
as expected falls back to Whoosh's own reading.

Whoosh pickles blocks with protocol 2 (as Kbase did before kbase.search.whoosh.termtable.PROTOCOL),
where each value costs a function call to unpickle: the tricks find the values by that call's
name. Kbase's own blocks are pickled with protocol 4 and open with the offset of their values
(block_pickle); a phrase unpickles them whole, which protocol 4 makes as quick.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left, bisect_right
from functools import partial
from io import BytesIO
from itertools import accumulate, count, repeat
from pickle import dumps as pickle_dumps
from pickle import load as pickle_load
from pickle import loads
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE


def remember_term_lookups(searcher: Searcher, most: int = 20_000) -> None:
    """Keep the keys read by the term tables' binary searches (prefix and fuzzy expansions
    look up dozens of terms, each ~20 keys read through a file handle; the upper levels of
    the search are the same every time). At most `most` keys per segment (~2 MB), then anew."""
    for leaf, _offset in searcher.leaf_searchers():
        tindex = getattr(getattr(leaf.reader(), "_terms", None), "_tindex", None)
        needed = ("indexbase", "indexsize", "indexlen", "_get_pos", "key_at")
        if tindex is None or not all(hasattr(tindex, a) for a in needed):
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
    terms: Any = getattr(reader, "_terms", None)  # Whoosh's private parts: anything, or missing
    tindex: Any = getattr(terms, "_tindex", None)
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
        if keylen < 0 or datalen < 0 or pos + heads + keylen + datalen > end:
            return None  # not the layout expected (read as is, it would loop here for ever)
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


def read_direct(reader: Any, fieldname: str, text: str, offset: int, ids: array[int], weights: array[float]) -> bool:
    """read_leaf from the term's entry in the term table, without a matcher (which reads a
    block header through the file layers before anything is asked). False: not this codec."""
    terms: Any = getattr(reader, "_terms", None)
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
        for docnum, tf in zip(inline_ids, inline_weights, strict=False):
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


def read_leaf(reader: Any, fieldname: str, text: str, offset: int, ids: array[int], weights: array[float]) -> None:
    matcher = reader.postings(fieldname, text)
    leaf = getattr(matcher, "child", matcher)  # FilterMatcher wraps a segment with deletions
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    blocks = raw_blocks(leaf)
    if blocks is None:  # postings inlined in the term table, or another codec
        while matcher.is_active():
            if matcher.id() not in deleted:
                ids.append(matcher.id() + offset)
                weights.append(matcher.weight())
            matcher.next()
        return
    _add_blocks(blocks, leaf.format.fixed_value_size(), deleted, offset, ids, weights)


def _add_blocks(blocks: list[tuple[int, int, int, bytes]], fixed: int | None, deleted: Any, offset: int,
                ids: array[int], weights: array[float]) -> None:
    for n, _maxid, compression, raw in blocks:
        data = ids_and_weights(raw, compression, n, fixed) or _unpickle(raw, compression)
        block_ids = accumulate(data[0])
        block_weights = data[1]
        if block_weights is None:
            block_weights = repeat(1.0, n)
        elif isinstance(block_weights, float):
            block_weights = repeat(block_weights, n)
        if deleted:
            for docnum, tf in zip(block_ids, block_weights, strict=False):
                if docnum not in deleted:
                    ids.append(docnum + offset)
                    weights.append(tf)
        else:
            ids.extend(map(offset.__add__, block_ids) if offset else block_ids)
            weights.extend(block_weights)


_INT = Struct("!i")


def raw_blocks(leaf: Any) -> list[tuple[int, int, int, bytes]] | None:
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
    block: tuple[Any, Any, Any] = loads(zlib.decompress(raw) if compression else raw)
    return block


_BYTES_GLOBAL = b"c_codecs\nencode\n"  # how protocol 2 pickles the first bytes object
_PROTOCOL_2 = b"\x80\x02"  # how a protocol 2 pickle begins
# Kbase's blocks (pickled with termtable.PROTOCOL, 4) open with the offset where their values
# begin, pushed and popped again (BININT, POP), which unpicklers pass over: the ids and weights are
# then read without decompressing or unpickling the values (block_pickle, ids_and_weights)
_MARKED = b"\x80\x04J"
_MARK_END = 8  # protocol, BININT and its 4 bytes, POP
_FRAME = 11  # protocol 4's header: protocol, FRAME and its 8-byte length
_PARTIAL = 2048  # bytes decompressed at a time while looking for the values
_PARTIAL_MARKED = 512  # decompressed first: a marked block's ids and weights take 300-1,500 bytes


def ids_and_weights(raw: bytes, compression: int, n: int, fixed: int | None) -> tuple[Any, Any, Any] | None:
    """(ids, weights, ()) of a block without unpickling its values (positions).

    A block is a pickled (ids, weights, values) tuple; values, last, are bytes objects that
    protocol 2 rebuilds one function call each: most of the decoding time for a field with
    positions. The pickle is cut where the values begin and closed with an empty tuple (only
    as much as needed is decompressed). Kbase's own blocks say where (block_pickle). Anything
    unexpected returns None: the caller decodes the whole block the usual way."""
    if fixed == 0:
        return None
    try:
        inflater = zlib.decompressobj() if compression else None
        out = inflater.decompress(raw, _PARTIAL_MARKED) if inflater else raw
        if out.startswith(_MARKED) and out[_MARK_END - 1:_MARK_END] == b"0":
            at = int.from_bytes(out[3:7], "little")
            if inflater and len(out) < at:
                out += inflater.decompress(inflater.unconsumed_tail, at - len(out))
            return _checked(loads(b"\x80\x04" + out[_MARK_END:at] + b")\x87."), n)
        if not out.startswith(_PROTOCOL_2):
            return None
        if inflater:
            while (at := out.find(_BYTES_GLOBAL)) < 0 and inflater.unconsumed_tail:
                out += inflater.decompress(inflater.unconsumed_tail, _PARTIAL)
        else:
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
    return _checked(data, n)


def block_pickle(ids: tuple[int, ...], weights: Any, values: Any, protocol: int) -> bytes:
    """A block's (ids, weights, values) pickled, opening with where its values begin (_MARKED),
    where protocol is 4 and the pickle one frame (anything else: pickled as it is)."""
    whole = pickle_dumps((ids, weights, values), protocol)
    if protocol != 4 or whole[2:3] != b"\x95" or int.from_bytes(whole[3:_FRAME], "little") != len(whole) - _FRAME:
        return whole
    # the ids' and weights' opcodes: a pickle of the pair, less its header and b"\x86\x94."
    head = len(pickle_dumps((ids, weights), protocol)) - _FRAME - 3
    return _MARKED + (_MARK_END + head).to_bytes(4, "little") + b"0" + whole[_FRAME:]


def _checked(data: Any, n: int) -> tuple[Any, Any, Any] | None:
    """data when it is a block's (n delta ids, weights, values), else None."""
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


def values_apart(data: bytes, n: int) -> tuple[tuple[int, ...], list[bytes]] | None:
    """(delta-coded ids, the block pickle split where each value's gaps begin) of a
    decompressed block with positions, without unpickling its n values (protocol 2 rebuilds
    each bytes value with a function call): a phrase wants a few values of most blocks.

    Each value is pickled as BINUNICODE ("X", 4-byte length, UTF-8) of its latin-1 text: the
    4-byte position count, then the gaps' pickle, which opens with \x80\x02] (UTF-8 \xc2\x80…)."""
    if not data.startswith(_PROTOCOL_2):  # a newer protocol: unpickling the block whole is as quick
        return None
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


def value_at(parts: list[bytes], i: int) -> bytes:
    """Value i of a block split by values_apart (a count under 128: four one-byte characters)."""
    before = parts[i]
    if before[-9:-8] != b"X":
        raise ValueError("unexpected value layout")
    size = _LE_UINT.unpack_from(before, len(before) - 8)[0]
    text = before[-4:] + _GAPS_HEAD + parts[i + 1][:size - 8]
    if len(text) != size:
        raise ValueError("unexpected value layout")
    return text.decode("utf-8").encode("latin-1")


def chosen_positions(parts: list[bytes], chosen: list[int]) -> list[list[int]] | None:
    """Positions of values `chosen` of a block split by values_apart, as value_at and _many_positions
    give them, with one UTF-8 decode and one unpickle for them all (a phrase of two common words
    reads tens of thousands of values: the calls per value were most of its time). None when a
    value is not laid out as value_at expects: the caller reads them one by one."""
    if not chosen:
        return []
    pieces = []
    for i in chosen:
        before = parts[i]
        if before[-9:-8] != b"X":
            return None
        end = _LE_UINT.unpack_from(before, len(before) - 8)[0] - 9  # the gaps' pickle after \x80\x02], less its "."
        after = parts[i + 1]
        if after[end:end + 1] != b".":
            return None
        pieces.append(after[:end])
    try:
        gaps = loads(b"\x80\x02(]" + b"]".join(pieces).decode("utf-8").encode("latin-1") + b"t.")
    except Exception:  # not the layout expected
        return None
    if not (isinstance(gaps, tuple) and len(gaps) == len(chosen)):
        return None
    return list(map(list, map(accumulate, gaps)))


def leaf_positions(reader: Any, fieldname: str, text: str, offset: int, wanted: list[int],
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
    blocks = raw_blocks(leaf)
    fixed = leaf.format.fixed_value_size()
    if blocks is None or not (fixed is None or fixed < 0):
        lowest = offset
        while leaf.is_active():  # Whoosh's own reading
            highest = leaf._maxid + offset
            lo = bisect_left(wanted, lowest)
            if lo < bisect_right(wanted, highest, lo):
                leaf._read_ids()
                leaf._read_values()
                for docnum, value in zip(leaf._ids, leaf._values, strict=False):
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
            found = values_apart(data, _n)
            if found is None:  # not the layout expected: unpickle the whole block
                block_ids, _weights, values = loads(data)
                get_value: Any = values.__getitem__
            else:
                block_ids, parts = found
                get_value = partial(value_at, parts)
            where = dict(zip(map(offset.__add__, accumulate(block_ids)), count()))
            docs = [d for d in wanted[lo:hi] if d in where]
            positions = None if found is None else chosen_positions(found[1], [where[d] for d in docs])
            if positions is None:
                try:
                    chosen = [get_value(where[d]) for d in docs]
                except ValueError:  # a value not laid out as expected
                    values = loads(data)[2]
                    chosen = [values[where[d]] for d in docs]
                positions = _many_positions(chosen)
            out.update(zip(docs, positions, strict=False))
        lowest = highest + 1



__all__ = ["remember_term_lookups", "prefix_frequencies", "read_direct", "read_leaf", "leaf_positions",
           "raw_blocks", "ids_and_weights", "values_apart", "value_at", "chosen_positions", "block_pickle"]
