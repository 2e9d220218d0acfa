"""The positions of a segment's common terms, beside Whoosh's files, in a layout read in C.

Whoosh keeps a posting's positions as a pickled list of gaps inside a pickled block: a phrase of
two common words decodes tens of thousands of them one posting at a time. For each term with
positions in at least MIN_DOCS documents of a segment, the segment writer also writes every
occurrence as one 64-bit key, (document << 32) + position, sorted, in a file of the segment
(<segment id>.kpos: Whoosh's compound file takes it in and its clean-up removes it with the
segment). A phrase is then set operations on keys: word i follows word 0 where key + i is a key
of word i. Terms below MIN_DOCS, and segments without the file, are read from Whoosh's blocks.

File: MAGIC, then each term's keys (little-endian int64, zlib-compressed), then a pickled
{(field, term bytes): (offset, length, keys)}, then the offset of that table (8 bytes, little-endian).
"""

from __future__ import annotations

import pickle
import sys
import zlib
from array import array
from functools import cache
from itertools import accumulate, chain, compress, repeat
from operator import add, is_, is_not, lshift, methodcaller
from struct import Struct
from typing import Any

from whoosh.formats import Positions

EXT = ".kpos"
MAGIC = b"KPOS1\n"
MIN_DOCS = 256  # documents of a segment holding the term; rarer terms are cheap to read from Whoosh
# key = (document << SHIFT) + position; positions stay under 2**(SHIFT - 1), so a phrase's
# key + i (i: a word's place in the phrase) stays in its document
SHIFT = 32
_TRAILER = Struct("<q")
_GAPS_HEAD = b"\x80\x02]"  # a Positions value: a 4-byte count, then its gaps pickled (protocol 2)
_COUNT = 4
_starts_gaps = methodcaller("startswith", _GAPS_HEAD, _COUNT)
_ends_pickle = methodcaller("endswith", b".")


def term_keys(docs: list[int], values: list[Any]) -> array[int] | None:
    """(document << SHIFT) + position of each occurrence of a term, sorted, from its postings'
    Positions values (whoosh.formats.Positions.encode); None when a value is not laid out so.

    Most postings of a page hold one position, and most values are then one of a few thousand
    byte strings: a table gives their position. The others are unpickled in one call, and their
    keys merged in (a sort of two sorted runs)."""
    if len(values) != len(docs):
        return None
    found: list[Any] = list(map(_single_positions().get, values))
    bases = list(map(lshift, docs, repeat(SHIFT)))
    if None not in found:
        return array("q", map(add, bases, found))
    single = list(map(is_not, found, repeat(None)))
    keys = list(map(add, compress(bases, single), compress(found, single)))
    rest = list(compress(range(len(found)), map(is_, found, repeat(None))))
    several = [values[i] for i in rest]
    if not all(map(_starts_gaps, several)) or not all(map(_ends_pickle, several)):
        return None
    start = _COUNT + len(_GAPS_HEAD)
    try:  # their pickles become the items of one tuple
        gaps = pickle.loads(b"\x80\x02(]" + b"]".join([v[start:-1] for v in several]) + b"t.")
    except Exception:  # not the layout expected
        return None
    if not isinstance(gaps, tuple) or len(gaps) != len(rest) or max(map(sum, gaps)) >> (SHIFT - 1):
        return None
    keys += map(add, chain.from_iterable(map(accumulate, gaps)),
                chain.from_iterable(map(repeat, [bases[i] for i in rest], map(len, gaps))))
    keys.sort()
    return array("q", keys)


@cache
def _single_positions(most: int = 8192) -> dict[bytes, int]:
    """{the Positions value of one position: that position} for the first positions of a page."""
    encode = Positions().encode
    return {encode([p]): p for p in range(most)}


class KeysWriter:
    """Writes a segment's keys file, term by term (any order), then its table on close."""

    def __init__(self, dbfile: Any, level: int = 1):
        self.dbfile = dbfile
        self.level = level  # zlib's fastest: its default (6) took three times as long, for 12% more bytes here
        self.table: dict[tuple[str, bytes], tuple[int, int, int]] = {}
        dbfile.write(MAGIC)
        self.at = len(MAGIC)

    def add(self, fieldname: str, btext: bytes, keys: array[int]) -> None:
        if sys.byteorder != "little":
            keys = array("q", keys)
            keys.byteswap()
        data = zlib.compress(keys.tobytes(), self.level)
        self.dbfile.write(data)
        self.table[(fieldname, btext)] = (self.at, len(data), len(keys))
        self.at += len(data)

    def close(self) -> None:
        self.dbfile.write(pickle.dumps(self.table, 4))
        self.dbfile.write(_TRAILER.pack(self.at))
        self.dbfile.close()


class KeysReader:
    """A segment's keys file: the table read once, each term's keys when asked."""

    def __init__(self, storage: Any, name: str):
        self.storage = storage
        self.name = name
        f = storage.open_file(name)
        try:
            size = storage.file_length(name)
            data = f.read(size) if size < 1 << 20 else None
            if data is None:  # a big file: its head, then its table only
                f.seek(size - _TRAILER.size)
                table_at = _TRAILER.unpack(f.read(_TRAILER.size))[0]
                f.seek(0)
                head = f.read(len(MAGIC))
                f.seek(table_at)
                table = f.read(size - _TRAILER.size - table_at)
            else:
                head = data[:len(MAGIC)]
                table_at = _TRAILER.unpack_from(data, size - _TRAILER.size)[0]
                table = data[table_at:size - _TRAILER.size]
        finally:
            f.close()
        if head != MAGIC:
            raise ValueError(f"{name}: not a keys file")
        self.table: dict[tuple[str, bytes], tuple[int, int, int]] = pickle.loads(table)

    def count(self, fieldname: str, btext: bytes) -> int:
        """How many keys the file holds for the term (0: none, the term is read from Whoosh's blocks)."""
        entry = self.table.get((fieldname, btext))
        return 0 if entry is None else entry[2]

    def get(self, fieldname: str, btext: bytes) -> array[int] | None:
        """The term's keys in this segment, or None when the file does not hold them."""
        entry = self.table.get((fieldname, btext))
        if entry is None:
            return None
        offset, length, n = entry
        f = self.storage.open_file(self.name)
        try:
            f.seek(offset)
            data = zlib.decompress(f.read(length))
        finally:
            f.close()
        keys = array("q")
        keys.frombytes(data)
        if len(keys) != n:
            raise ValueError(f"{self.name}: keys of {fieldname}:{btext!r} cut short")
        if sys.byteorder != "little":
            keys.byteswap()
        return keys


def open_keys(reader: Any) -> KeysReader | None:
    """The keys file of a segment reader's segment, or None (none written, another kind of reader)."""
    segment, storage = getattr(reader, "_segment", None), getattr(reader, "_storage", None)
    if segment is None or storage is None or not hasattr(segment, "make_filename"):
        return None
    name = segment.make_filename(EXT)
    try:
        if not storage.file_exists(name):
            return None
        return KeysReader(storage, name)
    except Exception:  # unreadable: the phrase search reads Whoosh's blocks instead
        return None


__all__ = ["EXT", "MIN_DOCS", "SHIFT", "KeysReader", "KeysWriter", "open_keys", "term_keys"]
