"""A Whoosh segment writer with cheaper work per posting; it writes Whoosh's own file format (W3)."""

from __future__ import annotations

import heapq
import pickle
import zlib
from array import array
from itertools import pairwise
from typing import Any, Iterator

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.compat import dumps
from whoosh.formats import Positions
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from kbase.search.whoosh import keys as keyfile
from kbase.search.whoosh.termtable import PROTOCOL, TermTable, inline_row
from kbase.search.whoosh.w3blocks import block_pickle

RUN_CHUNK = 20_000  # postings pickled together (whole terms) when the pool spills to disk
# posting blocks compressed at zlib level 1 instead of Whoosh's 3: a third of the compression
# time for a few per cent more bytes; readers handle any level
COMPRESSION = 1
# a block smaller than this is written as it is (its info says so, and readers follow). On 8,254
# pages of manuals, blocks of 256-511 bytes were 58% of the blocks compressed and a third of the
# time, and saved 1.3 MB of a 15 MB postings file; smaller blocks saved less than they cost
MIN_COMPRESS = 512
# zlib.compress sets up a 32 kB window and its tables (~270 kB) for every call: 32 µs for a
# 100-byte value against 4 µs with a 4 kB window, which costs 1% more bytes on posting blocks;
# zlib.decompress reads either
WINDOW_BITS, MEM_LEVEL = 12, 6
# a term with this many postings or fewer keeps them in its term-table entry instead of a block
# of the postings file (W3TermInfo's inlined form, which Whoosh's readers follow): most terms of a
# big corpus occur on one or two pages, and a block costs a header, two pickles and a file seek
INLINE_POSTINGS = 4


def compress(data: bytes, level: int = COMPRESSION) -> bytes:
    z = zlib.compressobj(level, zlib.DEFLATED, WINDOW_BITS, MEM_LEVEL)
    return z.compress(data) + z.flush()


Group = tuple[str, bytes, list[int], list[float], list[Any]]  # field, term, its docs, weights, values


class _Pool(PostingPool):  # type: ignore[misc]  # Whoosh has no type information
    """PostingPool that groups postings by field and term as they arrive, under the same memory cap.

    Whoosh keeps one tuple per posting, sorts them all, and pickles each one on its own when a
    run spills to disk; here a posting is three list entries, only the terms are sorted (a
    term's documents arrive in order), and a spilled run is a sorted list of terms pickled in
    chunks. The writer then takes a term's postings as lists (iter_terms)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.terms: dict[str, dict[bytes, tuple[list[int], list[float], list[bytes | None]]]] = {}
        # add_doc takes documents in order, so a term's postings do too; Whoosh's paths (add,
        # for a merged segment's documents) may not, and then iter_terms sorts where needed
        self.interleaved = False

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, vbytes = item
        self.interleaved = True
        self.add_doc(fieldname, docnum, [(btext, 1, weight, vbytes)])

    def add_doc(self, fieldname: str, docnum: int, items: list[tuple[bytes, int, float, bytes | None]]) -> None:
        """One document's postings in one field: (term, frequency, weight, value) each."""
        field = self.terms.get(fieldname)
        if field is None:
            field = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        size = 0
        for btext, _freq, weight, vbytes in items:
            entry = field.get(btext)
            if entry is None:
                entry = field[btext] = ([], [], [])
                size += 400 + len(btext)  # Python's size of a new term's entry
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
            size += 110 + len(vbytes or b"")  # and of one more posting
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def _groups(self) -> Iterator[Group]:
        for fieldname in sorted(self.terms):
            field = self.terms[fieldname]
            for btext in sorted(field):
                docs, weights, values = field[btext]
                yield fieldname, btext, docs, weights, values

    def save(self) -> None:
        if not self.terms:
            return
        path, f = self._new_run()
        chunk: list[Group] = []
        postings = 0  # in the chunk: a merge holds one chunk of every run in memory
        for group in self._groups():
            chunk.append(group)
            postings += len(group[2])
            if postings >= RUN_CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk, postings = [], 0
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()
        self._add_run(path)
        self.terms = {}
        self.currentsize = 0

    def iter_terms(self) -> Iterator[Group]:
        """Every term in order, with all its postings in document order."""
        if not self.runs:
            groups: Iterator[Group] = self._groups()
        else:
            self.save()
            # runs are in the order they were written, and heapq.merge keeps that order for
            # equal keys: a term's postings from several runs join up in document order
            groups = _join(heapq.merge(*(self._read_run(path) for path in list(self.runs)),
                                       key=lambda g: (g[0], g[1])))
        for fieldname, btext, docs, weights, values in groups:
            if self.interleaved and any(a > b for a, b in pairwise(docs)):
                rows = sorted(zip(docs, weights, values, strict=True), key=lambda row: row[0])
                docs, weights, values = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
            yield fieldname, btext, docs, weights, values

    def iter_postings(self) -> Iterator[Any]:
        """One (field, term, doc, weight, value) tuple per posting, as Whoosh's pool gives them."""
        for fieldname, btext, docs, weights, values in self.iter_terms():
            for docnum, weight, vbytes in zip(docs, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, vbytes

    def _read_run(self, path: str) -> Iterator[Group]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def _join(groups: Iterator[Group]) -> Iterator[Group]:
    """Consecutive groups of the same term made one."""
    current: Group | None = None
    for group in groups:
        if current is not None and group[0] == current[0] and group[1] == current[1]:
            current[2].extend(group[2])
            current[3].extend(group[3])
            current[4].extend(group[4])
            continue
        if current is not None:
            yield current
        current = group
    if current is not None:
        yield current


class _PostingsWriter(W3PostingsWriter):  # type: ignore[misc]  # Whoosh has no type information
    """Whoosh's postings writer, taking a term's postings as lists and leaving small blocks uncompressed.

    Terms of INLINE_POSTINGS postings or fewer never come here: termtable.inline_row packs them."""

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        # Whoosh asks the file for its position here; the first block written does it instead,
        # so an inlined term costs no seek
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo

    def add_list(self, docs: list[int], weights: list[float], values: list[Any], lengths: Any) -> None:
        """What add_posting does for each posting, a block at a time; lengths: the field's
        length by document (indexable by document number), or None."""
        limit = self._blocklimit
        for start in range(0, len(docs), limit):
            if start:
                self._write_block()
            ids = docs[start:start + limit]
            ws = weights[start:start + limit]
            self._ids = array("I", ids)
            self._weights = array("f", ws)
            self._values = [v for v in values[start:start + limit] if v]
            top = max(ws)
            self._maxweight = top if top > 0 else 0
            found = [n for n in map(lengths.__getitem__, ids) if n] if lengths is not None else []
            self._minlength = min(found) if found else None
            self._maxlength = max(found) if found else 0

    def _write_block(self, last: bool = False) -> None:
        # the layout of W3PostingsWriter._write_block: a magic number before the first block,
        # then per block its length (negative for the last), a pickled info tuple and the data
        if not self._blockcount:
            self._startoffset = self._postfile.tell()
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = block_pickle(self._mini_ids(), self._mini_weights(), self._mini_values(), PROTOCOL)
        level = self._compression if len(data) >= MIN_COMPRESS else 0
        if level:
            data = compress(data, level)
        ids = self._ids
        info = dumps((len(ids), ids[-1], self._maxweight, level, length_to_byte(self._minlength),
                      length_to_byte(self._maxlength)), 2)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class _PostingsCodec:
    """Stands in for the codec where the field writer asks for a postings writer."""

    def __init__(self, codec: W3Codec):
        self.codec = codec

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        c = self.codec
        return _PostingsWriter(dbfile, blocklimit=c._blocklimit, byteids=byteids, compression=c._compression,
                               inlinelimit=c._inlinelimit)


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]  # Whoosh has no type information
    def __init__(self, ix: Any, **kwargs: Any):
        kwargs.setdefault("codec", W3Codec(compression=COMPRESSION))
        super().__init__(ix, **kwargs)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=kwargs.get("limitmb", 128))
        # Whoosh's own add_document handles spelling words, term vectors and columns; this
        # schema has none, and then the shorter path below writes the same thing
        self._plain = not any(f.separate_spelling() or f.vector or f.column_type for f in self.schema)
        # a page repeats its publication's title, authors and facets: their postings are
        # worked out once and reused while the value stays the same
        self._last: dict[str, tuple[Any, list[Any], int]] = {}
        # field → its length in each document (0 where absent), kept while documents are added,
        # for the postings' length statistics; None once a document came another way (then
        # they are read back from the segment)
        self._lengths: dict[str, array[int]] | None = {} if self.docbase == 0 else None
        self._reader_lengths: Any = None
        # the segment records the plain W3Codec; the field writer gets its postings writer from
        # _PostingsCodec, and stored fields go through compress() (private attributes of
        # whoosh-reloaded 2.7)
        if hasattr(self.fieldwriter, "_codec"):
            self.fieldwriter._codec = _PostingsCodec(self.codec)
        stored: Any = getattr(getattr(self.perdocwriter, "_colwriters", {}).get("_stored"), "_child", None)
        if hasattr(stored, "_compress"):
            stored._compress = compress

    def add_document(self, **fields: Any) -> None:
        if not self._plain or any(name.startswith("_") for name in fields):  # boosts, custom stored values
            self._lengths = None
            super().add_document(**fields)
            return
        self._check_state()
        schema = self.schema
        names = sorted(fields)
        self._check_fields(schema, names)
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    last = self._last.get(name)
                    if last is not None and last[0] == value:
                        items, length = last[1], last[2]
                    else:
                        items = list(field.index(value))
                        length = sum(item[1] for item in items) if field.scorable else 0
                        self._last[name] = (value, items, length)
                    self.pool.add_doc(name, docnum, items)
                    if length and self._lengths is not None:
                        # exact here; files keep a byte, and minimum and maximum round the same way
                        column = self._lengths.get(name)
                        if column is None:
                            column = self._lengths[name] = array("I")
                        if len(column) < docnum:  # 0 for the documents without this field
                            column.extend(array("I", bytes(4 * (docnum - len(column)))))
                        column.append(length)
                perdoc.add_field(name, field, value if field.stored else None, length)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader: Any) -> None:
        self._lengths = None  # a merged segment's documents
        super().add_reader(reader)

    def _field_lengths(self, fieldname: str) -> Any:
        if self._lengths is not None:
            column = self._lengths.get(fieldname, array("I"))
            column.extend(array("I", bytes(4 * (self.docnum - len(column)))))  # the documents after its last
            return column
        if self._reader_lengths is None:
            self._reader_lengths = self.per_document_reader()
        length = self._reader_lengths.doc_field_length
        return [length(docnum, fieldname, 0) for docnum in range(self.docnum)]

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, with a term's postings written as lists
        if not self._plain or not isinstance(getattr(self.fieldwriter, "_codec", None), _PostingsCodec):
            super()._flush_segment()
            return
        self.perdocwriter.close()
        stats = self.codec.length_stats
        fw = self.fieldwriter
        lastfield = None
        field_lengths: Any = None
        # the positions of common terms again, as keys a phrase search reads in C (keys.py); the
        # segment's own document numbers only (a writer with a document base is a part of another)
        keyed = {name for name, field in self.schema.items() if type(field.format) is Positions}
        keys_file: keyfile.KeysWriter | None = None
        keys_min = keyfile.MIN_DOCS
        table = TermTable(fw._tindex)
        prefix = b""
        no_values = False
        postwriter: Any = None
        for fieldname, btext, docs, weights, values in self.pool.iter_terms():
            if fieldname != lastfield:
                if lastfield is not None:
                    fw.finish_field()
                fieldobj = self.schema[fieldname]
                fw.start_field(fieldname, fieldobj)
                lastfield = fieldname
                field_lengths = self._field_lengths(fieldname) if stats else None
                prefix = pack_ushort(fw._fieldid)
                no_values = fieldobj.format.fixed_value_size() == 0
                postwriter = fw._postwriter
            if len(docs) <= INLINE_POSTINGS:  # most terms: the row holds the postings
                table.add(prefix + btext, inline_row(docs, weights, values, field_lengths, no_values))
            else:
                postwriter.start_postings(fieldobj.format, W3TermInfo())
                postwriter.add_list(docs, weights, values, field_lengths)
                table.add(prefix + btext, postwriter.finish_postings().to_bytes())
            if len(docs) >= keys_min and fieldname in keyed and not self.docbase:
                keys = keyfile.term_keys(docs, values)
                if keys is not None:  # else the phrase search reads this term from Whoosh's blocks
                    if keys_file is None:
                        keys_file = keyfile.KeysWriter(self.newsegment.create_file(self.storage, keyfile.EXT))
                    keys_file.add(fieldname, btext, keys)
        if lastfield is not None:
            fw.finish_field()
        table.close()
        fw.close()
        if keys_file is not None:
            keys_file.close()
        if self._reader_lengths is not None:
            self._reader_lengths.close()


__all__ = ["FastSegmentWriter"]
