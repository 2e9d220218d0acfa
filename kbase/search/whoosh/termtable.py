"""A segment's term table written in one pass: Whoosh's OrderedHashWriter layout, built in memory.

Whoosh writes a term's row through four calls (start_term, the postings writer, finish_term, the
hash writer's add), each asking the file for its position and building a W3TermInfo object. Most
terms of a corpus are on one to four pages and keep their postings in their row (inlined): for
those the row is packed here directly, the file positions are counted instead of asked for, and
the rows go to the file in large writes. The table's bytes are the ones Whoosh writes (tests
compare); an inlined term's postings are pickled with a newer protocol (PROTOCOL).
"""

from __future__ import annotations

import struct
from array import array
from hashlib import md5
from itertools import chain
from pickle import dumps
from typing import Any, Sequence

from whoosh.util.numeric import length_to_byte

# W3TermInfo's row: flags, total weight, doc frequency, min and max length (bytes), max weight,
# first and last document; then the inlined postings pickled, or the postings' offset and length
_INFO = struct.Struct("!BfIBBfII")
_LENGTHS = struct.Struct("!ii")  # HashWriter: key and value lengths before each row
FLUSH_BYTES = 1 << 20
# postings (blocks and inlined ones) are pickled with protocol 4 where Whoosh uses 2, which writes
# each bytes value (a posting's positions) as a call to codecs.encode with its text UTF-8 encoded.
# On 8,254 pages of manuals: pickling 0.86 -> 0.16 s, compressing the blocks 0.71 -> 0.34 s, and
# the postings file and term table 20 -> 10 MB. Whoosh's readers unpickle any protocol, and
# kbase.search.whoosh.w3blocks reads both (segments written before, or by Whoosh's own writer)
PROTOCOL = 4


class TermTable:
    """Takes the rows of an OrderedHashWriter (keys in increasing order) and writes them itself;
    close() hands the writer what its own close() needs (buckets, position index, last key)."""

    def __init__(self, writer: Any):
        self.writer = writer
        self.dbfile = writer.dbfile
        self.pos = self.dbfile.tell()  # nothing else writes to the file until close()
        self.buf = bytearray()
        self.positions: list[int] = []
        self.buckets = writer.buckets
        self.lastkey = writer.lastkey

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        self.lastkey = key
        pos = self.pos
        self.positions.append(pos)
        buf = self.buf
        buf += _LENGTHS.pack(len(key), len(value))
        buf += key
        buf += value
        self.pos = pos + 8 + len(key) + len(value)
        # Whoosh's md5_hash: the low 32 bits of the digest read as one big number
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        self.buckets[h & 255].append((h, pos))
        if len(buf) >= FLUSH_BYTES:
            self.dbfile.write(bytes(buf))
            buf.clear()

    def close(self) -> None:
        if self.buf:
            self.dbfile.write(bytes(self.buf))
            self.buf.clear()
        w = self.writer
        w.lastkey = self.lastkey
        if self.positions:
            top = self.positions[-1]
            # GrowableArray starts as "H" and widens to fit the largest value appended
            code = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
            w.index.array = array(code, list(w.index.array) + self.positions)
        w._write_hashes = lambda: write_hashes(w)  # the writer's close() calls it


def write_hashes(writer: Any) -> None:
    """HashWriter._write_hashes in one write: its 256 open-addressing tables of (hash, position)
    slots, packed a table at a time instead of one write per slot."""
    dbfile = writer.dbfile
    start = dbfile.tell()
    out = bytearray()
    null = (0, 0)
    for entries in writer.buckets:
        numslots = 2 * len(entries)
        writer.directory.append((start + len(out), numslots))
        table = [null] * numslots
        for hashval, position in entries:
            slot = (hashval >> 8) % numslots
            while table[slot] != null:
                slot = (slot + 1) % numslots
            table[slot] = (hashval, position)
        out += struct.pack("!" + "Iq" * numslots, *chain.from_iterable(table))
    dbfile.write(bytes(out))


def inline_row(docs: Sequence[int], weights: Sequence[float], values: Sequence[Any], lengths: Any,
               no_values: bool) -> bytes:
    """The row of a term whose postings live in it: what W3TermInfo.to_bytes gives after the
    postings writer's add_block and set_inlined for these postings in one block.

    lengths: the field's length by document (indexable by document number), or None."""
    found = [n for n in map(lengths.__getitem__, docs) if n] if lengths is not None else []
    top = max(weights)
    info = _INFO.pack(1, sum(array("f", weights)), len(docs),
                      length_to_byte(min(found)) if found else 0, length_to_byte(max(found)) if found else 0,
                      top if top > 0 else 0, docs[0], docs[-1])
    kept = (None,) * len(docs) if no_values else tuple(values)
    postings: bytes = dumps((tuple(docs), tuple(weights), kept), PROTOCOL)
    return info + postings


__all__ = ["TermTable", "inline_row", "write_hashes"]
